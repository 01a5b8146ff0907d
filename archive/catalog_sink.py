"""The catalog as one of the crawl's outputs (an :class:`~model.sink.ArticleSink`)."""

from __future__ import annotations

import sqlite3

from archive.catalog import Catalog
from model.article import Article
from model.layout import RunLayout
from model.sink import SinkError


class CatalogSink:
    """The catalog as an :class:`~model.sink.ArticleSink`: each article's text, as a new
    version when it is one (its ``version`` was set from :meth:`Catalog.next_version`)."""

    name = "catalog"

    def __init__(self, catalog: Catalog, layout: RunLayout) -> None:
        self.catalog = catalog
        self.layout = layout

    def write(self, article: Article) -> None:
        record = article.to_dict()
        text_path = self.layout.article_text_path(article)
        record["text_path"] = text_path.relative_to(self.layout.data_dir).as_posix()
        try:
            self.catalog.add_version(record, self.layout.run_id)
        except sqlite3.Error as exc:
            raise SinkError(f"cannot add {article.url} to the catalog: {exc}") from exc

    def close(self) -> None:
        pass
