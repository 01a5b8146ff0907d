"""The extraction pool's worker processes and the job they run: spawned, and ended with the
crawl (:func:`archive.worker_pool.spawned_pool`)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

from archive.worker_pool import spawned_pool
from model.article import Article
from pipelines.extraction import extract


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    return spawned_pool(workers)


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
