"""Incremental nights: an article archived already is not fetched again, unless it may have changed.

A spider middleware between the spider (which only navigates) and the scheduler. Listings, feeds
and sitemaps always go through; for each article request it reads the catalog:

- a URL with no archived text is fetched (``site/<name>/new`` is counted by the version stage);
- an archived one (a 200 archived, with or without a text, or a 404 or 410 as its latest
  answer) is dropped (``site/<name>/skipped/known``), unless its sitemap ``lastmod`` is
  later than the catalog's last check of it (``rechecked/lastmod``; a date without a time counts
  as the end of that day), or the site asks for re-checks (``[links] recheck_days``) and it was
  last checked that many days ago (``rechecked/due``);
- a re-check is a conditional request (``If-None-Match`` / ``If-Modified-Since`` from the latest
  archived 200), and a ``304 Not Modified`` reaches the spider, which extracts nothing from it;
  it is archived like any response and counted as ``site/<name>/unchanged``.

The spider sends an article a second time when a sitemap gives a ``lastmod`` for a URL already
seen in a listing: the one that was skipped may now be due; one already requested is dropped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from archive.catalog import Catalog, KnownPage
from crawler.addon import site_registry
from crawler.extensions.catalog import CatalogExtension
from crawler.siteconfig import SiteConfig, SiteRegistry

RECHECK = "incremental_recheck"  # request meta: why a known article is asked for again


class IncrementalMiddleware:
    def __init__(
        self, catalog: Catalog, sites: SiteRegistry, stats: StatsCollector,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.catalog = catalog
        self.sites = sites
        self.stats = stats
        self.now = now
        self._requested: set[str] = set()  # article URLs let through this run
        self._skipped: set[str] = set()  # known ones dropped (a later lastmod may call them in)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        catalog = CatalogExtension.catalog_of(crawler)
        assert crawler.stats is not None
        return cls(catalog, site_registry(crawler), crawler.stats)

    def process_spider_input(self, response: Response) -> None:
        if response.status == 304 and response.meta.get(RECHECK):
            self._count(response.meta["site"], "unchanged")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            if isinstance(item, Request):
                item = self.decide(item)
            if item is not None:
                yield item

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            if isinstance(item, Request):
                item = self.decide(item)
            if item is not None:
                yield item

    def decide(self, request: Request) -> Request | None:
        """The request as it should go (maybe conditional), or None when it need not."""
        site = self.sites.get(request.meta.get("site", ""))
        if request.meta.get("kind") != "article" or site is None:
            return request
        url = request.url
        if url in self._requested:
            return None
        known = self.catalog.known(url)
        reason = None if known is None else self._recheck_reason(site, known, request.meta)
        if known is not None and reason is None:
            if url not in self._skipped:
                self._skipped.add(url)
                self._count(site.name, "skipped/known")
            return None
        if url in self._skipped:  # skipped from a listing, now due by a sitemap's lastmod
            self._skipped.discard(url)
            self.stats.inc_value(f"site/{site.name}/skipped/known", -1)
        self._requested.add(url)
        if known is None:
            return request
        self._count(site.name, f"rechecked/{reason}")
        return conditional(request, known, reason or "")

    def _recheck_reason(
        self, site: SiteConfig, known: KnownPage, meta: dict[str, Any]
    ) -> str | None:
        checked = _moment(known.last_checked) if known.last_checked else None
        lastmod = _moment(meta["lastmod"]) if meta.get("lastmod") else None
        if lastmod is not None and (checked is None or lastmod > checked):
            return "lastmod"
        if site.recheck_days is not None and (
                checked is None or self.now() - checked >= timedelta(days=site.recheck_days)):
            return "due"
        return None

    def _count(self, site: str, key: str) -> None:
        self.stats.inc_value(f"site/{site}/{key}")


def conditional(request: Request, known: KnownPage, reason: str) -> Request:
    """The request, asking for the page only if it differs from the archived one."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    allowed = [*request.meta.get("handle_httpstatus_list", ()), 304]
    return request.replace(
        headers={**request.headers.to_unicode_dict(), **headers},
        meta={**request.meta, RECHECK: reason, "handle_httpstatus_list": allowed},
    )


def _moment(value: str) -> datetime | None:
    """A W3C datetime (sitemap ``lastmod``) or ISO 8601 time, in UTC; a bare date is the end of
    its day, so that a change later that day is not missed."""
    try:
        if len(value.strip()) == 10:
            day = datetime.fromisoformat(value.strip()).date()
            return datetime.combine(day, time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
