"""Pools of worker processes that end with the process that started them.

Workers are spawned (a fresh interpreter each): they inherit none of the parent's memory or
descriptors (a data directory's lock above all). A worker whose parent is gone (killed: nothing
told it to stop) notices within a second and exits, so no worker outlives a crawl, a rebuild
or a re-extraction.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_CHECK_SECONDS = 1.0


def spawned_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_parent, initargs=(os.getpid(),),
    )


def _watch_parent(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_CHECK_SECONDS)
        os._exit(0)  # the parent died: nobody will ever read this worker's results

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
