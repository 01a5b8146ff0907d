"""Caps that hold a hostile site in check, and the middleware enforcing requests per site.

Each cap is a setting, ``NEWSARCHIVE_MAX_<CAP>``, that a site may override in the ``[caps]``
table of its config; a value given with ``-s`` (command-line priority) overrides every site. 0
means no limit. The spider applies the sitemap and link caps as it reads pages; this middleware
refuses a site's requests past ``NEWSARCHIVE_MAX_REQUESTS`` (robots.txt, redirects and retries
count), before robots.txt is asked, counted as ``site/<name>/skipped/max_requests``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.statscollectors import StatsCollector

from crawler.addon import site_registry
from crawler.middlewares.skipped import Skipped, count_skip, site_of
from crawler.siteconfig import SiteConfig, SiteRegistry

logger = logging.getLogger(__name__)

CAPS = ("sitemaps", "sitemap_depth", "links_per_listing", "requests")


@dataclass(frozen=True)
class SiteCaps:
    sitemaps: int  # sitemaps fetched per site and run (robots.txt and indexes included)
    sitemap_depth: int  # index -> index -> ... below a start sitemap
    links_per_listing: int  # links followed from one listing page or feed
    requests: int  # requests per site and run


class Caps:
    """The caps of each site: its ``[caps]`` over the settings, ``-s`` over both."""

    def __init__(self, settings: BaseSettings) -> None:
        self.defaults = {cap: settings.getint(f"NEWSARCHIVE_MAX_{cap.upper()}") for cap in CAPS}
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        self.forced = {cap for cap in CAPS
                       if (settings.getpriority(f"NEWSARCHIVE_MAX_{cap.upper()}") or 0) >= cmdline}

    def of(self, site: SiteConfig) -> SiteCaps:
        values = {cap: self.defaults[cap] if cap in self.forced else
                  site.caps.get(cap, self.defaults[cap]) for cap in CAPS}
        return SiteCaps(**values)


class RequestCapMiddleware:
    def __init__(self, sites: SiteRegistry, caps: Caps, stats: StatsCollector) -> None:
        self.sites = sites
        self.limits = {site.name: caps.of(site).requests for site in sites.values()}
        self.stats = stats
        self.made: Counter[str] = Counter()
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestCapMiddleware:
        if not crawler.settings.getbool("NEWSARCHIVE_CAPS_ENABLED"):
            raise NotConfigured("NEWSARCHIVE_CAPS_ENABLED is off")
        assert crawler.stats is not None
        return cls(site_registry(crawler), Caps(crawler.settings), crawler.stats)

    def process_request(self, request: Request) -> Any:
        site = site_of(request, self.sites)
        if site is None:
            return None
        limit = self.limits[site.name]
        if limit and self.made[site.name] >= limit:
            if site.name not in self.warned:
                self.warned.add(site.name)
                logger.warning("%s: %d requests made, the cap; its further requests are skipped"
                               " (NEWSARCHIVE_MAX_REQUESTS, [caps] requests)", site.name, limit)
            count_skip(self.stats, site, "max_requests")
            raise Skipped("max_requests", f"{site.name} made its {limit} requests")
        self.made[site.name] += 1
        return None
