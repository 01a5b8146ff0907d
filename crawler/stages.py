"""The Scrapy item pipeline: extract each fetched page, then hand the article to every output.

Thin adapters. The work is done by :func:`pipelines.extraction.extract` and by the article sinks
(:mod:`pipelines.writers`, :mod:`archive.article_records`), which know nothing of Scrapy.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from archive.article_records import WarcMetadataSink
from archive.catalog_sink import CatalogSink
from archive.worker_pool import spawned_pool
from crawler._pool import extract_page
from crawler.addon import site_registry
from crawler.extensions.catalog import CatalogExtension
from crawler.extensions.warc import WarcExtension
from crawler.siteconfig import SiteRegistry
from crawler.storage import stop_for_storage
from crawler.stories import StoryPipeline
from model.article import Article, Page
from model.layout import RunLayout
from model.sink import ArticleSink, SinkError
from pipelines.writers import article_sinks

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    """Extract each fetched page, off the reactor thread: in a pool of ``EXTRACT_WORKERS``
    processes (0: one per core; 1: in this process). While the pool is busy, pages wait in
    Scrapy's scraper, whose size limit (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``) then holds downloads
    back: memory stays flat when extraction falls behind."""

    def __init__(
        self, sites: SiteRegistry, stats: StatsCollector, workers: int = 1,
        crawler: Crawler | None = None,
    ) -> None:
        self.sites = sites
        self.stats = stats
        self.workers = workers
        self.crawler = crawler
        # The story stage, when one runs: the workers work out its text features for it.
        self._stories: StoryPipeline | None = None
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED"):
            raise NotConfigured("EXTRACT_ENABLED is off")
        assert crawler.stats is not None
        workers = crawler.settings.getint("EXTRACT_WORKERS") or os.cpu_count() or 1
        return cls(site_registry(crawler), crawler.stats, workers, crawler)

    def open_spider(self) -> None:
        # Not the STORIES_ENABLED setting: the stage may be off for want of a catalog, and its
        # features cost as much as the extraction.
        if self.crawler is not None and self.crawler.engine is not None:
            pipelines = self.crawler.engine.scraper.itemproc.middlewares
            self._stories = next((p for p in pipelines if isinstance(p, StoryPipeline)), None)
        if self.workers > 1:
            self._pool = spawned_pool(self.workers)
        self.stats.set_value("extraction/workers", self.workers if self._pool else 1)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        site = self.sites.get(item.site)
        features = self._stories is not None and self._stories.places(item.url)
        job = functools.partial(
            extract_page, item.url, item.body, site=item.site, story_features=features,
            rules=site.rules if site else None,
            content_type=item.content_type,
            fetched=datetime.fromisoformat(item.fetched) if item.fetched else None,
        )
        try:
            if self._pool is None:
                article = job()
            else:
                article = await asyncio.wrap_future(self._pool.submit(job))
        except Exception as exc:  # a bad page must never stop the crawl: count it, drop it
            self.stats.inc_value(f"extraction/failed/{type(exc).__name__}")
            self.stats.inc_value(f"site/{item.site}/failed/extraction_error")
            logger.error("extraction failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            raise DropItem(f"extraction failed for {item.url}: {exc}") from exc
        if not article.text:
            self.stats.inc_value("extraction/failed/no_body")
            self.stats.inc_value(f"site/{item.site}/failed/no_body")
            raise DropItem(f"no article body found in {item.url}")
        if article.story_features is not None:
            self.stats.inc_value("extraction/story_features")
        article.site = item.site
        article.warc_filename = item.warc_filename
        article.warc_offset = item.warc_offset
        article.warc_record_id = item.warc_record_id
        self.stats.inc_value("extraction/articles")
        return article


class ArticleSinkPipeline:
    """Every article to every sink: the run's files, and the WARC when the crawl archives."""

    def __init__(self, crawler: Crawler, sinks: list[ArticleSink], stats: StatsCollector) -> None:
        self.crawler = crawler
        self.sinks = sinks
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleSinkPipeline:
        settings = crawler.settings
        if not settings.getbool("WRITER_ENABLED"):
            raise NotConfigured("WRITER_ENABLED is off")
        layout = RunLayout(settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID"))
        assert crawler.stats is not None
        return cls(crawler, article_sinks(layout), crawler.stats)

    def open_spider(self) -> None:
        # The WARC writer is the extension's (it archives every response); articles join it.
        warc = self.crawler.get_extension(WarcExtension)
        if warc is not None:
            self.sinks.append(WarcMetadataSink(warc.writer))
        catalog = self.crawler.get_extension(CatalogExtension)
        if catalog is not None:
            self.sinks.append(CatalogSink(catalog.catalog, catalog.layout))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        for sink in self.sinks:
            try:
                sink.write(item)
            except (SinkError, OSError) as exc:
                self.stats.inc_value(f"sink/{sink.name}/failed")
                self.stats.inc_value(f"site/{item.site}/failed/output_{sink.name}")
                logger.error("could not write %s to %s: %s", item.url, sink.name, exc)
                stop_for_storage(self.crawler, exc, f"the {sink.name} output")
            else:
                self.stats.inc_value(f"sink/{sink.name}/written")
        self.stats.inc_value(f"site/{item.site}/articles")
        return item

    def close_spider(self) -> None:
        for sink in self.sinks:
            sink.close()
