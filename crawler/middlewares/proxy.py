"""Send every request through one HTTP proxy, e.g. a fixture server or an archive's replay proxy.

Scrapy's own HttpProxyMiddleware does the proxying; this only sets ``meta["proxy"]`` on requests
that don't choose a proxy themselves, so it must run before it (priority below 750).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class FixedProxyMiddleware:
    def __init__(self, proxy_url: str) -> None:
        self.proxy_url = proxy_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FixedProxyMiddleware:
        url = crawler.settings.get("PROXY_URL")
        if not crawler.settings.getbool("PROXY_ENABLED") or not url:
            raise NotConfigured("PROXY_URL is not set")
        return cls(url)

    def process_request(self, request: Request) -> Any:
        request.meta.setdefault("proxy", self.proxy_url)
        return None
