"""Requests refused on purpose (a cap, a redirect policy, a refused address): not failures.

Whoever refuses counts it, as ``site/<name>/skipped/<reason>``, and raises :class:`Skipped`, an
``IgnoreRequest``: Scrapy drops the request, the spider's errback sees it and counts nothing more.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

from crawler.siteconfig import SiteConfig, SiteRegistry


class Skipped(IgnoreRequest):
    """A request refused by a cap or a policy; ``reason`` is its stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def site_of(request: Request, sites: SiteRegistry) -> SiteConfig | None:
    """The site a request is for: the spider's mark, else the site owning the first URL of its
    redirect chain (robots.txt requests and their redirects carry no mark)."""
    name = request.meta.get("site")
    if isinstance(name, str) and name in sites:
        return sites[name]
    first = (request.meta.get("redirect_urls") or [request.url])[0]
    return sites.for_url(first)


def count_skip(stats: StatsCollector, site: SiteConfig | None, reason: str, count: int = 1) -> None:
    stats.inc_value(f"site/{site.name}/skipped/{reason}" if site else f"skipped/{reason}", count)
