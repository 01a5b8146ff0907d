"""The catalog during a crawl: opened once, shared, and given the run's captures when it ends.

The incremental middleware (:mod:`crawler.middlewares.incremental`) asks it what is archived
already, the version stage (:mod:`crawler.versions`) which version a text is, and the article
sink pipeline adds each article to it (:class:`archive.catalog.CatalogSink`). Each capture is
staged as the WARC extension writes its record, as ``newsarchive catalog rebuild`` would read it
back, and the staged ones are added when the spider closes (a killed crawl adds none, as
before); without the WARC extension's word the run's captures are read back through the archive
reader then. Then the per-URL table is recomputed.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from warcio.recordloader import ArcWarcRecord

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.catalog_build import SiteOf, add_run_captures, record_capture
from archive.reader import Archive
from archive.records import ArchiveReadError, RecordLocation
from crawler.addon import site_registry
from crawler.extensions.warc import WarcExtension
from model.layout import RunLayout

logger = logging.getLogger(__name__)


class CatalogExtension:
    def __init__(
        self, catalog: Catalog, layout: RunLayout, site_of: SiteOf, stats: StatsCollector
    ) -> None:
        self.catalog = catalog
        self.layout = layout
        self.site_of = site_of
        self.stats = stats
        self.captures: int | None = None  # added as written; None: read back at the end
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CatalogExtension:
        settings = crawler.settings
        if not settings.getbool("CATALOG_ENABLED"):
            raise NotConfigured("CATALOG_ENABLED is off")
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("the catalog indexes the archive, and WARC_ENABLED is off")
        layout = RunLayout(settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID"))
        path = Path(settings.get("CATALOG_PATH") or layout.data_dir / CATALOG_NAME)
        try:
            catalog = Catalog.open(path)
        except CatalogError as exc:
            raise NotConfigured(str(exc)) from exc
        registry = site_registry(crawler)

        def site_of(url: str) -> str | None:
            site = registry.for_url(url)
            return site.name if site else None

        assert crawler.stats is not None
        extension = cls(catalog, layout, site_of, crawler.stats)
        crawler.signals.connect(extension.spider_opened, signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        extension.crawler = crawler
        return extension

    def spider_opened(self) -> None:
        warc = self.crawler.get_extension(WarcExtension) if self.crawler else None
        if warc is not None:
            warc.record_listeners.append(self.record_written)
            self.captures = 0

    def record_written(self, record: ArcWarcRecord, location: RecordLocation) -> None:
        capture = record_capture(record, location, self.layout.run_id, self.site_of)
        if capture is None or self.captures is None:
            return
        try:
            self.catalog.stage_capture(capture)  # added at the end: a killed crawl adds none
        except sqlite3.Error as exc:  # read back at the end from the WARCs instead
            logger.error("could not add %s to the catalog: %s", capture["url"], exc)
            self.captures = None
        else:
            self.captures += 1

    def spider_closed(self) -> None:
        try:
            captures = self.captures
            if captures is not None:
                self.catalog.add_staged()
            else:
                archive = Archive.open(self.layout.data_dir / "runs")
                captures = add_run_captures(self.catalog, archive, self.layout.run_dir, self.site_of)
            self.catalog.refresh_urls()
        except (ArchiveReadError, CatalogError, OSError, sqlite3.Error) as exc:
            self.stats.inc_value("catalog/failed")
            logger.error("could not add the run's captures to the catalog (run `newsarchive"
                         " catalog rebuild` to make it again): %s", exc)
        else:
            self.stats.set_value("catalog/captures", captures)
        finally:
            self.catalog.close()
