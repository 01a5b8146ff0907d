"""The story threads' text features of many articles, worked out on every core, in order.

Placing an article in a thread (:meth:`archive.threads.Threads.assign`) is done one article at a
time, in order, in one process; what it needs from the article's own words (its shingles and
their hashes, term counts, quotes: :func:`archive.threads.text_features`) is a pure function of
the article and costs more than the placing itself. A catalog rebuild of a large archive spent
most of its time on it in one process; here it is worked out ahead in a pool of spawned
processes (they inherit none of the parent's memory, and end with it), at most a few articles
per worker in flight, so memory does not grow with the archive.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from archive.threads import TextFeatures, text_features
from archive.worker_pool import spawned_pool

logger = logging.getLogger(__name__)
IN_FLIGHT = 8  # articles per worker at a time
# Below this many articles, starting the processes (each imports lxml and the stories' modules)
# costs more than it saves.
MIN_ARTICLES = 500


def with_features(
    articles: Iterable[Mapping[str, Any]], count: int, workers: int | None = None
) -> Iterator[tuple[Mapping[str, Any], TextFeatures | None]]:
    """Each article with its text features, in the order given, by ``workers`` processes (None:
    one per core); ``None`` (the caller works them out) for one without text, or for all of
    them when one process is better."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or count < MIN_ARTICLES:
        yield from ((article, None) for article in articles)
        return
    with spawned_pool(workers) as pool:
        pending: deque[tuple[Mapping[str, Any], Future[TextFeatures] | None]] = deque()
        for article in articles:
            text = article.get("text") or ""
            try:
                job = pool.submit(text_features, article.get("title"), text,
                                  article.get("site")) if text else None
            except BrokenProcessPool:  # a worker was killed: the rest in this process
                job = None
            pending.append((article, job))
            if len(pending) >= IN_FLIGHT * workers:
                yield _done(pending.popleft())
        while pending:
            yield _done(pending.popleft())


def _done(
    item: tuple[Mapping[str, Any], Future[TextFeatures] | None],
) -> tuple[Mapping[str, Any], TextFeatures | None]:
    article, job = item
    if job is None:
        return article, None
    try:
        return article, job.result()
    except BrokenProcessPool:
        logger.warning("a text features worker died: worked out in this process instead")
        return article, None
