"""The extraction pool's worker processes, the job they run, and how they end with the crawl.

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
from typing import Any

from model.article import Article
from pipelines.extraction import extract

_CHECK_SECONDS = 1.0


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_crawl, initargs=(os.getpid(),),
    )


def extract_page(
    url: str, body: bytes, *, site: str | None, story_features: bool, **options: Any
) -> Article:
    """The article of a page (:func:`pipelines.extraction.extract`), with the features the story
    stage needs when it keeps threads (:func:`archive.threads.text_features`: word shingles and
    their hashes, term counts, quotes), which cost about as much as the extraction itself and are
    better spent in a worker than in the crawl's one busy process. The MinHash is made of the
    hashes in the story stage, where datasketch is loaded."""
    article = extract(url, body, **options)
    if story_features and article.text:
        from archive.threads import text_features  # datasketch: only where threads are kept

        article.story_features = text_features(article.title, article.text, site)
    return article


def _watch_crawl(crawl_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == crawl_pid:
            time.sleep(_CHECK_SECONDS)
        os._exit(0)  # the crawl died: nobody will ever read this worker's results

    threading.Thread(target=watch, name="watch-crawl", daemon=True).start()
