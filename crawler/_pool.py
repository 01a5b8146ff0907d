"""The job the extraction pool's workers run (the pool: :func:`archive.worker_pool.spawned_pool`,
spawned workers that end with the crawl)."""

from __future__ import annotations

from typing import Any

from model.article import Article
from pipelines.extraction import extract


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
