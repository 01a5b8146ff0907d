"""The items that flow through the pipeline: a fetched page, and the article extracted from it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    """An article page as fetched, before extraction.

    The spider yields these; the extraction stage turns each into an :class:`Article`. The body is
    the decoded-transfer, decompressed payload Scrapy hands to callbacks; the WARC holds the bytes
    as received.
    """

    url: str
    site: str
    body: bytes = field(repr=False)  # logs of dropped items must not dump whole pages
    content_type: str | None = None
    status: int = 200
    fetched: str | None = None  # ISO 8601, UTC
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None


@dataclass
class Article:
    """The clean article and its metadata, as written to articles.jsonl and the text files."""

    url: str
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    text: str = ""
    published: str | None = None  # ISO 8601; date only when the page gives no time
    authors: list[str] = field(default_factory=list)
    language: str = "und"
    word_count: int = 0
    sha256: str = ""
    fetched: str | None = None
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    # 1, or the n-th distinct text archived under this URL (the catalog counts them)
    version: int = 1
    # the story thread the article belongs to (archive/threads.py), when the catalog keeps them
    story: str | None = None
    # What the story stage needs from the text (archive.threads.TextFeatures), worked out in the
    # extraction process beside the article so that the crawl's own process does not; never an
    # output.
    story_features: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        # Every field but the story features; a shallow copy (the authors list copied), as
        # dataclasses.asdict's deep copy costs more than the rest of the stage that calls it.
        record = {f.name: getattr(self, f.name) for f in _OUTPUT_FIELDS}
        record["authors"] = list(self.authors)
        return record


_OUTPUT_FIELDS = tuple(f for f in dataclasses.fields(Article) if f.name != "story_features")
