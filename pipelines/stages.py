"""The Scrapy item pipeline stages: extract each fetched page, then write the article.

These are thin adapters: the work is done by :func:`pipelines.extraction.extract` and
:class:`pipelines.writers.ArticleWriter`, which know nothing of Scrapy.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from model.article import Article, Page
from model.layout import RunLayout
from pipelines.extraction import extract
from pipelines.rules import ExtractionRules
from pipelines.writers import ArticleWriter

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED"):
            raise NotConfigured("EXTRACT_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        rules = self._rules(item.site)
        try:
            article = extract(
                item.url, item.body, rules=rules, content_type=item.content_type,
                fetched=datetime.fromisoformat(item.fetched) if item.fetched else None,
            )
        except Exception as exc:  # a bad page must never stop the crawl: count it, drop it
            self.stats.inc_value(f"extraction/failed/{type(exc).__name__}")
            self.stats.inc_value(f"site/{item.site}/failed/extraction_error")
            logger.exception("extraction failed for %s", item.url)
            raise DropItem(f"extraction failed for {item.url}: {exc}") from exc
        if not article.text:
            self.stats.inc_value("extraction/failed/no_body")
            self.stats.inc_value(f"site/{item.site}/failed/no_body")
            raise DropItem(f"no article body found in {item.url}")
        article.site = item.site
        article.warc_filename = item.warc_filename
        article.warc_offset = item.warc_offset
        article.warc_record_id = item.warc_record_id
        self.stats.inc_value("extraction/articles")
        return article

    def _rules(self, site: str) -> ExtractionRules | None:
        sites = getattr(self.crawler.spider, "sites", {})
        config = sites.get(site)
        return config.rules if config is not None else None


class ArticleWriterPipeline:
    def __init__(self, writer: ArticleWriter, stats: StatsCollector) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleWriterPipeline:
        settings = crawler.settings
        if not settings.getbool("WRITER_ENABLED"):
            raise NotConfigured("WRITER_ENABLED is off")
        layout = RunLayout(settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID"))
        assert crawler.stats is not None
        return cls(ArticleWriter(layout), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            self.writer.write(item)
            self.stats.inc_value("writer/articles")
            self.stats.inc_value(f"site/{item.site}/articles")
        return item

    def close_spider(self) -> None:
        self.writer.close()
