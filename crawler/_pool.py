"""The extraction pool's worker processes, and how they end with the crawl.

Workers are spawned (a fresh interpreter each): they inherit none of the crawl's descriptors, the
data-directory lock above all. A worker whose crawl is gone (killed: nothing told it to stop)
notices within a second and exits, so no worker outlives its crawl.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_CHECK_SECONDS = 1.0


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_crawl, initargs=(os.getpid(),),
    )


def _watch_crawl(crawl_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == crawl_pid:
            time.sleep(_CHECK_SECONDS)
        os._exit(0)  # the crawl died: nobody will ever read this worker's results

    threading.Thread(target=watch, name="watch-crawl", daemon=True).start()
