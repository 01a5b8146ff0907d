"""Where articles go: one small interface for every output.

The crawl and re-extraction write through the same sinks (``articles.jsonl``, text files, and in
the crawl a metadata record in the WARC); a new output (a catalog, a search index) is one new
class with these two methods.
"""

from __future__ import annotations

from typing import Protocol

from model.article import Article


class SinkError(Exception):
    """An article could not be written to one output."""


class ArticleSink(Protocol):
    #: short and stable: stats count each sink's writes under ``sink/<name>/...``
    name: str

    def write(self, article: Article) -> None:
        """Store one article; raise :class:`SinkError` (or ``OSError``) if it can't be."""

    def close(self) -> None:
        """Flush and release what the sink holds; called once, at the end of the run."""
