"""The version stage of the item pipeline: which version of its URL's text an article is.

Between extraction and the outputs: the catalog says whether the text is the URL's first
(``site/<name>/new``), differs from the latest archived (a new version beside the old ones,
``site/<name>/changed``), or is the latest again (``site/<name>/unchanged``). The article carries
its number to every output: ``"version"`` in ``articles.jsonl``, ``<slug>-<hash>.v2.txt``.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from archive.catalog import Catalog
from crawler.extensions.catalog import CatalogExtension
from model.article import Article


class VersionPipeline:
    def __init__(self, catalog: Catalog, stats: StatsCollector) -> None:
        self.catalog = catalog
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersionPipeline:
        catalog = CatalogExtension.catalog_of(crawler)
        assert crawler.stats is not None
        # The report gives every site new / changed / unchanged (zeros included) when set.
        crawler.stats.set_value("catalog/versions", True)
        return cls(catalog, crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            item.version, outcome = self.catalog.next_version(item.url, item.sha256)
            self.stats.inc_value(f"site/{item.site}/{outcome}")
        return item
