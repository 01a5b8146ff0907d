"""The one generic news spider: it navigates every configured site and extracts nothing.

Listings, feeds (RSS 2.0, RSS 1.0/RDF, Atom) and sitemaps (including Google News sitemaps and
sitemaps announced in robots.txt) lead to article pages; article pages become :class:`Page`
items for the pipeline. Which sites to crawl is the site registry the add-on loaded
(:mod:`crawler.addon`), which also made their politeness into download slots.
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict
from collections.abc import (
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.addon import site_registry
from crawler.middlewares.caps import Caps, SiteCaps
from crawler.siteconfig import SiteConfig, SiteRegistry
from crawler.spiders._formats import feed_links, sitemap_body
from crawler.spiders._responses import failure_outcome, header, is_html
from crawler.spiders._sitemaps import SitemapFrontier
from model.article import Page

logger = logging.getLogger(__name__)



class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, sites: SiteRegistry | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sites = sites
        self._articles_seen: defaultdict[str, set[str]] = defaultdict(set)
        self._caps: dict[str, SiteCaps] = {}
        self._sitemaps: dict[str, SitemapFrontier] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    @property
    def sites(self) -> SiteRegistry:
        # Scrapy builds the spider before the add-ons run: the registry is read at first use.
        if self._sites is None:
            self._sites = site_registry(self.crawler)
        return self._sites

    @property
    def allowed_domains(self) -> list[str]:
        return self.sites.hosts

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            for url in site.listings:
                yield self._request(url, site, self.parse_listing, kind="listing", depth=0)
            for url in site.feeds:
                yield self._request(url, site, self.parse_feed, kind="feed")
            self._add_sitemaps(site, site.sitemaps, depth=0)
            for request in self._next_sitemaps(site):
                yield request

    def spider_idle(self) -> None:
        """Nothing in flight: sitemaps still queued (a request of theirs was dropped on the way,
        by the duplicate filter, say) are asked for now."""
        scheduled = False
        for site in self.sites.values():
            frontier = self._sitemaps.get(site.name)
            if frontier is None:
                continue
            frontier.in_flight = 0
            for request in self._next_sitemaps(site):
                assert self.crawler.engine is not None
                self.crawler.engine.crawl(request)
                scheduled = True
        if scheduled:
            raise DontCloseSpider("sitemaps still to fetch")

    # Callbacks -----------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        depth = response.meta.get("listing_depth", 0)
        if not is_html(response):
            self._count(site, "skipped/not_html")
            return
        hrefs = response.css("a::attr(href)").getall()
        yield from self._follow_some(site, [response.urljoin(h.strip()) for h in hrefs], depth)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        links = list(feed_links(response.body))
        if not links:
            self._count(site, "skipped/empty_feed")
            logger.warning("no entries in feed %s", response.url)
        yield from self._follow_some(site, [response.urljoin(u) for u in links], depth=None)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        self._sitemap_frontier(site).done()
        yield from self._read_sitemap(site, response)
        yield from self._next_sitemaps(site)

    def _read_sitemap(self, site: SiteConfig, response: Response) -> Iterator[scrapy.Request]:
        depth = response.meta.get("sitemap_depth", 0)
        if self._full(site):
            return
        if response.url.endswith("/robots.txt"):
            # robots.txt is no level of nesting: the sitemaps it names are start sitemaps.
            self._add_sitemaps(site, sitemap_urls_from_robots(response.body, response.url), depth)
            return
        body = sitemap_body(response)
        if body is None:
            self._count(site, "skipped/bad_sitemap")
            logger.warning("not a sitemap: %s", response.url)
            return
        sitemap = Sitemap(body)
        entries = [entry for entry in sitemap if entry.get("loc")]
        locs = [entry["loc"] for entry in entries]
        if sitemap.type == "sitemapindex":
            self._add_sitemaps(site, locs, depth + 1)
        else:
            lastmods = {e["loc"]: e["lastmod"] for e in entries if e.get("lastmod")}
            yield from self._follow(site, locs, depth=None, lastmods=lastmods)

    def parse_article(self, response: Response) -> Iterator[Page]:
        site = self._site(response)
        if response.status == 304:  # a re-check: unchanged since archived (crawler.middlewares.incremental)
            return
        if not is_html(response):
            self._count(site, "skipped/not_html")
            logger.warning("article URL is not HTML, skipped: %s", response.url)
            return
        self._count(site, "articles_fetched")
        warc = response.meta.get("warc")
        yield Page(
            url=response.url,
            site=site.name,
            body=response.body,
            content_type=header(response, b"Content-Type"),
            status=response.status,
            fetched=response.meta.get("fetched") or datetime.now(UTC).isoformat(),
            warc_filename=warc.filename if warc else None,
            warc_offset=warc.offset if warc else None,
            warc_record_id=warc.record_id if warc else None,
        )

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites.get(request.meta.get("site", ""))
        self._failed(failure, request, site)
        if site is not None and request.meta.get("kind") == "sitemap":
            self._sitemap_frontier(site).done()
            yield from self._next_sitemaps(site)

    def _failed(self, failure: Failure, request: scrapy.Request, site: SiteConfig | None) -> None:
        outcome = failure_outcome(failure)
        if outcome is None:  # a cap or a policy, counted by whoever refused it
            logger.info("%s skipped: %s", request.url, failure.getErrorMessage())
        elif outcome == "skipped/ignored":  # robots.txt or another middleware: a choice
            logger.info("%s not fetched: %s", request.url, failure.getErrorMessage())
        else:
            logger.warning("%s failed (%s): %s", request.url, outcome.removeprefix("failed/"),
                           failure.getErrorMessage())
        if outcome is not None and site is not None:
            self._count(site, outcome)

    # Helpers -------------------------------------------------------------------------------

    def _follow_some(
        self, site: SiteConfig, urls: Sequence[str], depth: int | None
    ) -> Iterator[scrapy.Request]:
        """Follow the links of a listing page or a feed, up to the site's cap per page; the links
        past it are not looked at, and counted."""
        cap = self._site_caps(site).links_per_listing
        links = iter(urls)
        requests = self._follow(site, links, depth)
        for followed, request in enumerate(requests, 1):
            yield request
            if followed == cap:
                requests.close()
                left = sum(1 for _ in links)
                if left:
                    self._count(site, "skipped/max_links_per_listing", left)
                    logger.warning("%s: %d links followed from one page, the cap; %d more not"
                                   " looked at", site.name, cap, left)
                return

    def _follow(
        self, site: SiteConfig, urls: Iterable[str], depth: int | None,
        lastmods: Mapping[str, str] | None = None,
    ) -> Generator[scrapy.Request]:
        seen_here: set[str] = set()
        for raw in urls:
            url = site.clean_url(raw)
            if url in seen_here or not url.startswith(("http://", "https://")):
                continue
            seen_here.add(url)
            if site.is_article(url):
                seen = self._articles_seen[site.name]
                lastmod = lastmods.get(raw) if lastmods else None
                if url in seen:
                    if lastmod:  # news for the incremental middleware, which may have skipped it
                        yield self._request(url, site, self.parse_article, kind="article",
                                            lastmod=lastmod, count=False)
                    continue
                if site.max_articles and len(seen) >= site.max_articles:
                    self._count(site, "skipped/max_articles")
                    continue
                seen.add(url)
                yield self._request(url, site, self.parse_article, kind="article", lastmod=lastmod)
            elif depth is not None and depth < site.listing_depth and site.is_listing(url):
                if self._full(site):
                    self._count(site, "skipped/max_articles")
                    continue
                yield self._request(url, site, self.parse_listing, kind="listing", depth=depth + 1)

    def _full(self, site: SiteConfig) -> bool:
        """The site has requested its ``max_articles``: discovery stops."""
        return bool(site.max_articles) and len(self._articles_seen[site.name]) >= site.max_articles

    def _site_caps(self, site: SiteConfig) -> SiteCaps:
        if site.name not in self._caps:
            self._caps[site.name] = Caps(self.crawler.settings).of(site)
        return self._caps[site.name]

    def _sitemap_frontier(self, site: SiteConfig) -> SitemapFrontier:
        if site.name not in self._sitemaps:
            caps = self._site_caps(site)
            # Not held (a shared crawl): every sitemap to the scheduler as soon as it is found.
            held = self.crawler.settings.getbool("NEWSARCHIVE_SITEMAPS_HELD", True)
            self._sitemaps[site.name] = SitemapFrontier(
                caps.sitemaps, caps.sitemap_depth, width=site.concurrency if held else sys.maxsize)
        return self._sitemaps[site.name]

    def _add_sitemaps(self, site: SiteConfig, urls: Iterable[str], depth: int) -> None:
        refused = self._sitemap_frontier(site).add(urls, depth)
        for cap, count in refused.items():
            if count:
                self._count(site, f"skipped/{cap}", count)
                logger.warning("%s: %d sitemaps skipped (%s)", site.name, count, cap)

    def _next_sitemaps(self, site: SiteConfig) -> Iterator[scrapy.Request]:
        frontier = self._sitemap_frontier(site)
        if self._full(site):
            dropped = frontier.drop()
            if dropped:
                self._count(site, "skipped/max_articles", dropped)
                logger.info("%s has its %d articles: %d sitemaps not fetched", site.name,
                            site.max_articles, dropped)
            return
        for url, depth in frontier.take():
            request = self._request(url, site, self.parse_sitemap, kind="sitemap")
            request.meta["sitemap_depth"] = depth
            yield request

    def _request(
        self, url: str, site: SiteConfig, callback: Callable[..., Any], kind: str,
        depth: int = 0, lastmod: str | None = None, count: bool = True,
    ) -> scrapy.Request:
        if count:
            self._count(site, f"requests/{kind}")
        meta: dict[str, Any] = {"site": site.name, "kind": kind, "listing_depth": depth}
        if lastmod:
            meta["lastmod"] = lastmod  # the sitemap's word on when the page last changed
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            # Articles first: a crawl cut short should have archived articles, not listings.
            priority=10 if kind == "article" else 0,
        )

    def _site(self, response: Response) -> SiteConfig:
        return self.sites[response.meta["site"]]

    def _count(self, site: SiteConfig, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"site/{site.name}/{key}", count)
