"""The one generic news spider: it navigates every configured site and extracts nothing.

Listings, feeds (RSS 2.0, RSS 1.0/RDF, Atom) and sitemaps (including Google News sitemaps and
sitemaps announced in robots.txt) lead to article pages; article pages become :class:`Page`
items for the pipeline. Which sites to crawl is the site registry the add-on loaded
(:mod:`crawler.addon`), which also made their politeness into download slots.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import scrapy
from lxml import etree
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.addon import site_registry
from crawler.siteconfig import SiteConfig, SiteRegistry
from model.article import Page

logger = logging.getLogger(__name__)

# Feeds are parsed without entities or network access: a feed is untrusted input.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
_HTML_TYPES = (b"text/html", b"application/xhtml")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, sites: SiteRegistry | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sites = sites
        self._articles_seen: defaultdict[str, set[str]] = defaultdict(set)

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
            for url in site.sitemaps:
                yield self._request(url, site, self.parse_sitemap, kind="sitemap")

    # Callbacks -----------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        depth = response.meta.get("listing_depth", 0)
        if not _is_html(response):
            self._count(site, "skipped/not_html")
            return
        hrefs = response.css("a::attr(href)").getall()
        yield from self._follow(site, (response.urljoin(h.strip()) for h in hrefs), depth)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        links = list(feed_links(response.body))
        if not links:
            self._count(site, "skipped/empty_feed")
            logger.warning("no entries in feed %s", response.url)
        yield from self._follow(site, (response.urljoin(u) for u in links), depth=None)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        site = self._site(response)
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield self._request(url, site, self.parse_sitemap, kind="sitemap")
            return
        body = _sitemap_body(response)
        if body is None:
            self._count(site, "skipped/bad_sitemap")
            logger.warning("not a sitemap: %s", response.url)
            return
        sitemap = Sitemap(body)
        entries = [entry for entry in sitemap if entry.get("loc")]
        locs = [entry["loc"] for entry in entries]
        if sitemap.type == "sitemapindex":
            for url in locs:
                yield self._request(url, site, self.parse_sitemap, kind="sitemap")
        else:
            lastmods = {e["loc"]: e["lastmod"] for e in entries if e.get("lastmod")}
            yield from self._follow(site, locs, depth=None, lastmods=lastmods)

    def parse_article(self, response: Response) -> Iterator[Page]:
        site = self._site(response)
        if response.status == 304:  # a re-check: unchanged since archived (crawler.middlewares.incremental)
            return
        if not _is_html(response):
            self._count(site, "skipped/not_html")
            logger.warning("article URL is not HTML, skipped: %s", response.url)
            return
        self._count(site, "articles_fetched")
        warc = response.meta.get("warc")
        yield Page(
            url=response.url,
            site=site.name,
            body=response.body,
            content_type=_header(response, b"Content-Type"),
            status=response.status,
            fetched=response.meta.get("fetched") or datetime.now(UTC).isoformat(),
            warc_filename=warc.filename if warc else None,
            warc_offset=warc.offset if warc else None,
            warc_record_id=warc.record_id if warc else None,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites.get(request.meta.get("site", ""))
        if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, HttpError):
            # Refused by robots.txt (or another middleware): a choice, not a failure.
            if site is not None:
                self._count(site, "skipped/ignored")
            logger.info("%s not fetched: %s", request.url, failure.getErrorMessage())
            return
        if isinstance(failure.value, HttpError):
            reason = f"http_{failure.value.response.status}"
        else:
            reason = failure.type.__name__ if failure.type else "Error"
        if site is not None:
            self._count(site, f"failed/{reason}")
        logger.warning("%s failed (%s): %s", request.url, reason, failure.getErrorMessage())

    # Helpers -------------------------------------------------------------------------------

    def _follow(
        self, site: SiteConfig, urls: Iterable[str], depth: int | None,
        lastmods: Mapping[str, str] | None = None,
    ) -> Iterator[scrapy.Request]:
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
                yield self._request(url, site, self.parse_listing, kind="listing", depth=depth + 1)

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

    def _count(self, site: SiteConfig, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"site/{site.name}/{key}")


def feed_links(body: bytes) -> Iterator[str]:
    """Entry links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; nothing for anything else."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return
    if root is None:
        return
    for entry in root.iter("{*}item", "{*}entry"):
        link = None
        for child in entry.iterchildren("{*}link"):
            href = child.get("href")
            if href and child.get("rel", "alternate") == "alternate":
                link = href
                break
            if child.text and child.text.strip():
                link = child.text.strip()
                break
        link = link or entry.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if link:
            yield link


def _sitemap_body(response: Response) -> bytes | None:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
                body = fh.read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError):
            return None
        if len(body) > MAX_SITEMAP_BYTES:
            return None
    return body if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000] else None


def _is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type") or b""
    return not content_type or any(t in content_type.lower() for t in _HTML_TYPES)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
