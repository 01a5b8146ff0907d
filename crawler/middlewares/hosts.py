"""Name resolution first: an unresolvable host fails at once, a private address is refused.

Before robots.txt is asked, each request's host is resolved through the crawl's resolver (Scrapy's
``TWISTED_DNS_RESOLVER``, whose cache then gives the connection the same address). One lookup per
host and run, shared by the requests that wait for it:

- A host that does not resolve is dead for the rest of the run: its requests, robots.txt included,
  fail at once with ``CannotResolveHostError`` (counted ``failed/CannotResolveHostError``), never
  waiting for the site's download delay; ``RETRY_EXCEPTIONS`` leaves DNS failures out.
- A private, loopback, link-local (or otherwise non-public) address is refused, counted as
  ``site/<name>/skipped/private_address``, unless ``HOSTGUARD_ALLOW_PRIVATE`` is on or a site
  config names the host (CONVENTIONS.md: a named host is the user's choice, whatever its address).

Through a proxy (``--proxy``, ``PROXY_URL``, a ``proxy`` meta or the environment's) the proxy
resolves, so only the host name as written is judged: an IP literal or ``localhost``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.defer import TimeoutError as DeferredTimeoutError
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.addon import site_registry
from crawler.middlewares.skipped import Skipped, count_skip, site_of
from crawler.siteconfig import SiteRegistry

logger = logging.getLogger(__name__)

LOOKUP_ERRORS = (DNSLookupError, DeferredTimeoutError, TimeoutError)


def is_public(address: str) -> bool:
    """False for private, loopback, link-local, unspecified, multicast and reserved addresses
    (IPv4-mapped IPv6 judged as the IPv4 address)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_private_name(host: str) -> bool:
    """A host name that is a non-public address as written: an IP literal, or localhost."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(host)
    except ValueError:
        return False


class _Lookup:
    """One resolution of a host, shared by every request for it and kept for the run."""

    def __init__(self, resolving: Deferred[str]) -> None:
        self.outcome: str | Failure | None = None
        self.reported = False  # its failure logged
        self._waiting: list[Deferred[str]] = []
        resolving.addBoth(self._settle)

    def _settle(self, outcome: str | Failure) -> None:
        self.outcome = outcome
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            self._fire(waiter)

    def wait(self) -> Deferred[str]:
        waiter: Deferred[str] = Deferred()
        if self.outcome is None:
            self._waiting.append(waiter)
        else:
            self._fire(waiter)
        return waiter

    def _fire(self, waiter: Deferred[str]) -> None:
        if isinstance(self.outcome, Failure):
            waiter.errback(self.outcome)
        elif self.outcome is not None:
            waiter.callback(self.outcome)


class HostGuardMiddleware:
    def __init__(
        self, sites: SiteRegistry, stats: StatsCollector, resolve: Callable[[str], Deferred[str]],
        allow_private: bool = False, proxy: str = "",
    ) -> None:
        self.sites = sites
        self.stats = stats
        self.resolve = resolve
        self.allow_private = allow_private
        self.proxy = proxy
        self.env_proxies = getproxies()
        starts = (u for s in sites.values() for u in (*s.listings, *s.feeds, *s.sitemaps))
        self.named = set(sites.hosts) | {(urlsplit(u).hostname or "").lower() for u in starts}
        self.lookups: dict[str, _Lookup] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGuardMiddleware:
        settings = crawler.settings
        if not settings.getbool("HOSTGUARD_ENABLED"):
            raise NotConfigured("HOSTGUARD_ENABLED is off")
        if settings.get("REPLAY_PATH"):
            raise NotConfigured("a replay makes no connection")
        from twisted.internet import reactor

        def resolve(host: str) -> Deferred[str]:
            return reactor.resolve(host)  # type: ignore[arg-type]  # (twisted types `name` oddly)

        proxy = settings.get("PROXY_URL") if settings.getbool("PROXY_ENABLED") else ""
        assert crawler.stats is not None
        return cls(site_registry(crawler), crawler.stats, resolve,
                   settings.getbool("HOSTGUARD_ALLOW_PRIVATE"), proxy or "")

    async def process_request(self, request: Request) -> Any:
        host = (urlparse_cached(request).hostname or "").lower()
        if not host:
            return None
        guarded = host not in self.named and not self.allow_private
        if self._proxied(request, host):
            if guarded and is_private_name(host):
                self._refuse(request, host, host)
            return None
        address = await self._address(host)
        if guarded and not is_public(address):
            self._refuse(request, host, address)
        return None

    async def _address(self, host: str) -> str:
        try:
            ipaddress.ip_address(host)
            return host
        except ValueError:
            pass
        lookup = self.lookups.get(host)
        if lookup is None:
            lookup = self.lookups[host] = _Lookup(self.resolve(host))
        try:
            return await maybe_deferred_to_future(lookup.wait())
        except LOOKUP_ERRORS as exc:
            if not lookup.reported:
                lookup.reported = True
                self.stats.inc_value("hostguard/unresolved")
                logger.error("%s does not resolve (%s): its requests fail at once from now on",
                             host, exc)
            raise CannotResolveHostError(f"{host} does not resolve: {exc}") from exc

    def _proxied(self, request: Request, host: str) -> bool:
        if "proxy" in request.meta:
            return bool(request.meta["proxy"])
        if self.proxy:
            return True
        return urlparse_cached(request).scheme in self.env_proxies and not proxy_bypass(host)

    def _refuse(self, request: Request, host: str, address: str) -> None:
        site = site_of(request, self.sites)
        count_skip(self.stats, site, "private_address")
        logger.warning("%s not fetched: %s is %s, a private address (HOSTGUARD_ALLOW_PRIVATE)",
                       request.url, host, address)
        raise Skipped("private_address", f"{host} is {address}, a private address")
