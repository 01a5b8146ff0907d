"""Each extracted article as a WARC metadata record beside the response it came from.

An :class:`~model.sink.ArticleSink`: the crawl writes articles to it as to its other outputs.
The record holds the article as ``articles.jsonl`` does, under the target URI
``urn:article:<url>`` and linked to the response by ``WARC-Concurrent-To``.
"""

from __future__ import annotations

import json

from archive.records import ArchiveError, article_uri
from archive.warc import RollingWarcWriter
from model.article import Article
from model.sink import SinkError


class WarcMetadataSink:
    name = "warc_metadata"

    def __init__(self, writer: RollingWarcWriter) -> None:
        self.writer = writer  # the crawl's own writer: its owner closes it, not this sink

    def write(self, article: Article) -> None:
        if not article.warc_record_id:
            return  # not from an archived response (a replay): nothing to describe
        payload = json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True)
        try:
            self.writer.write_metadata(
                article_uri(article.url), payload.encode("utf-8"),
                concurrent_to=article.warc_record_id,
            )
        except ArchiveError as exc:
            raise SinkError(f"metadata record of {article.url}: {exc}") from exc

    def close(self) -> None:
        pass
