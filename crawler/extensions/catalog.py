"""The catalog during a crawl: opened once, shared, and given the run's captures when it ends.

The incremental middleware (:mod:`crawler.middlewares.incremental`) asks it what is archived
already, the version stage (:mod:`crawler.versions`) which version a text is, and the article
sink pipeline adds each article to it (:class:`archive.catalog.CatalogSink`). When the spider
closes (after the WARC extension has closed the run's files) the run's captures are read back
through the archive reader, as ``newsarchive catalog rebuild`` reads them, and the per-URL table
is recomputed for their URLs. A run that ends without this (killed) is added by the next crawl
before it starts (:func:`newsarchive.catalog.catch_up_catalog`).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.catalog_build import SiteOf, add_run
from archive.records import ArchiveReadError
from crawler.addon import site_registry
from model.layout import RunLayout

logger = logging.getLogger(__name__)

# A crawl commits once or twice an article (its version, its thread). SQLite folds the write-ahead
# log into the database every 1,000 pages by default, with an fsync each time: as costly as the
# commits themselves. Every 10,000 pages (40 MB of log at most), Catalog.add_version and
# Threads.assign took 2.6 ms an article instead of 3.1-3.7 (3,000 articles of bench/crawl.py's
# site, one after the other). Closing the connection folds the rest.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class CatalogExtension:
    def __init__(
        self, catalog: Catalog, layout: RunLayout, site_of: SiteOf, stats: StatsCollector
    ) -> None:
        self.catalog = catalog
        self.layout = layout
        self.site_of = site_of
        self.stats = stats

    @staticmethod
    def catalog_of(crawler: Crawler) -> Catalog:
        """The crawl's catalog, for a component that cannot work without one."""
        extension = crawler.get_extension(CatalogExtension)
        if extension is None:
            raise NotConfigured("no catalog (CATALOG_ENABLED is off, or no WARC is written)")
        return extension.catalog

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
            catalog.connection.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        except (CatalogError, sqlite3.Error) as exc:
            raise NotConfigured(str(exc)) from exc
        registry = site_registry(crawler)

        def site_of(url: str) -> str | None:
            site = registry.for_url(url)
            return site.name if site else None

        assert crawler.stats is not None
        extension = cls(catalog, layout, site_of, crawler.stats)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        try:
            # The run's own records, and only its URLs recomputed: a cost that does not grow
            # with the nights before it.
            # Noted as catalogued only once its report is written (newsarchive.crawl): until
            # then a crash may still leave it for the repair.
            captures, urls = add_run(
                self.catalog, self.layout.run_dir, self.site_of, finished=False)
            self.catalog.refresh_urls(urls)
        except (ArchiveReadError, CatalogError, OSError, sqlite3.Error) as exc:
            self.stats.inc_value("catalog/failed")
            logger.error("could not add the run's captures to the catalog (run `newsarchive"
                         " catalog rebuild` to make it again): %s", exc)
        else:
            self.stats.set_value("catalog/captures", captures)
        finally:
            self.catalog.close()
