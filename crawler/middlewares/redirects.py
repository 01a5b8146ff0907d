"""Redirects stay on the site's hosts and ports, over http or https.

Scrapy's redirect middlewares (HTTP 3xx and meta refresh) schedule a new request, marked with
``redirect_urls``: this one refuses it when it is scheduled (as Scrapy's offsite filter does,
whose own refusal would be silent) and again first in the downloader middlewares (before
robots.txt is asked), unless its host is one of the site's hosts and its port one of the site's
ports (:attr:`SiteConfig.ports`: 80, 443 and those of its start URLs).
A redirect to another scheme (``ftp:``, ``file:``, ``javascript:``) Scrapy already leaves
unfollowed; it is counted here as a skip rather than an HTTP error. Every refusal is logged and
counted as ``site/<name>/skipped/redirect_host``, ``redirect_port`` or ``redirect_scheme``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from w3lib.url import safe_url_string

from crawler.addon import site_registry
from crawler.middlewares.skipped import Skipped, count_skip, site_of
from crawler.siteconfig import SiteConfig, SiteRegistry

logger = logging.getLogger(__name__)

SCHEMES = {"http": 80, "https": 443}
REDIRECTS = {301, 302, 303, 307, 308}


def refusal(url: str, site: SiteConfig) -> str | None:
    """Why a redirect to ``url`` leaves ``site`` (``redirect_scheme|host|port``), or None."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return "redirect_scheme"
    if (parts.hostname or "").lower() not in site.hosts:
        return "redirect_host"
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:  # a port out of range or not a number
        return "redirect_port"
    return None if port in site.ports else "redirect_port"


class RedirectPolicyMiddleware:
    def __init__(self, sites: SiteRegistry, stats: StatsCollector) -> None:
        self.sites = sites
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectPolicyMiddleware:
        if not crawler.settings.getbool("REDIRECT_POLICY_ENABLED"):
            raise NotConfigured("REDIRECT_POLICY_ENABLED is off")
        assert crawler.stats is not None
        middleware = cls(site_registry(crawler), crawler.stats)
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        return middleware

    def request_scheduled(self, request: Request) -> None:
        self.process_request(request)

    def process_request(self, request: Request) -> Any:
        if not request.meta.get("redirect_urls"):
            return None
        site = site_of(request, self.sites)
        if site is not None:
            self._check(request.meta["redirect_urls"][-1], request.url, site)
        return None

    def process_response(self, request: Request, response: Response) -> Any:
        # Only 3xx responses that Scrapy's RedirectMiddleware declined reach this far.
        location = response.headers.get(b"Location")
        if response.status not in REDIRECTS or not location:
            return response
        site = site_of(request, self.sites)
        target = urljoin(request.url, safe_url_string(location.decode("latin-1")))
        if site is not None and urlsplit(target).scheme not in SCHEMES:
            self._check(request.url, target, site)
        return response

    def _check(self, source: str, target: str, site: SiteConfig) -> None:
        reason = refusal(target, site)
        if reason is None:
            return
        count_skip(self.stats, site, reason)
        logger.warning("redirect not followed (%s): %s -> %s", reason, source, target)
        raise Skipped(reason, f"redirect from {source} to {target} leaves {site.name}: {reason}")
