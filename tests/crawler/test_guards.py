"""The downloader's guards, built as Scrapy builds them: redirects kept on the site, the caps a
site's config and ``-s`` set, name resolution (dead hosts fail at once, private addresses)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler import settings as project
from crawler.middlewares.caps import Caps, RequestCapMiddleware
from crawler.middlewares.hosts import HostGuardMiddleware, is_private_name, is_public
from crawler.middlewares.redirects import refusal
from crawler.middlewares.skipped import Skipped
from crawler.siteconfig import SiteRegistry, load_site
from crawler.spiders.news import NewsSpider

SITE = """
name = "example"
hosts = ["news.example.org", "www.news.example.org", "10.1.2.3"]
[start]
listings = ["https://news.example.org/world", "http://news.example.org:8081/local"]
[links]
articles = ['/a/']
[caps]
sitemaps = 7
requests = 3
"""


@pytest.fixture
def registry(tmp_path: Path) -> SiteRegistry:
    path = tmp_path / "example.toml"
    path.write_text(SITE)
    return SiteRegistry([load_site(path)])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.example.org/a/1", None),
        ("http://www.news.example.org/a/1", None),
        ("http://news.example.org:8081/a/1", None),  # a port a start URL names
        ("https://news.example.org:443/a/1", None),
        ("http://news.example.org:8080/a/1", "redirect_port"),
        ("https://news.example.org:99999/a/1", "redirect_port"),
        ("https://evil.example.net/a/1", "redirect_host"),
        ("https://sub.news.example.org/a/1", "redirect_host"),
        ("ftp://news.example.org/a/1", "redirect_scheme"),
        ("file:///etc/passwd", "redirect_scheme"),
    ],
)
def test_redirects_stay_on_the_site_s_hosts_and_ports(
    registry: SiteRegistry, url: str, reason: str | None
) -> None:
    assert refusal(url, registry["example"]) == reason


def _settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project, priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_a_site_s_caps_override_the_settings_and_s_overrides_both(registry: SiteRegistry) -> None:
    site = registry["example"]
    caps = Caps(_settings()).of(site)
    assert (caps.sitemaps, caps.requests) == (7, 3)  # the site's [caps]
    assert (caps.sitemap_depth, caps.links_per_listing) == (3, 1000)  # the defaults
    forced = Caps(_settings(NEWSARCHIVE_MAX_SITEMAPS=2, NEWSARCHIVE_MAX_LINKS_PER_LISTING=5)).of(site)
    assert (forced.sitemaps, forced.requests, forced.links_per_listing) == (2, 3, 5)


def test_conventions_minimums_are_the_defaults() -> None:
    assert project.NEWSARCHIVE_MAX_LINKS_PER_LISTING >= 1000
    assert project.NEWSARCHIVE_MAX_SITEMAPS >= 2000
    assert project.NEWSARCHIVE_MAX_REQUESTS >= 20000


def test_requests_past_the_cap_are_skipped_and_counted(registry: SiteRegistry) -> None:
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_SITE_REGISTRY": registry,
                                       "NEWSARCHIVE_CAPS_ENABLED": True,
                                       "NEWSARCHIVE_MAX_REQUESTS": 20000})
    middleware = RequestCapMiddleware.from_crawler(crawler)
    requests = [Request(f"https://news.example.org/a/{n}", meta={"site": "example"})
                for n in range(5)]
    made = 0
    for request in requests[:3]:
        assert middleware.process_request(request) is None
        made += 1
    for request in requests[3:]:
        with pytest.raises(Skipped, match="made its 3 requests"):
            middleware.process_request(request)
    # robots.txt carries no site mark: it counts for the site that owns its host.
    with pytest.raises(Skipped):
        middleware.process_request(Request("https://news.example.org/robots.txt"))
    assert crawler.stats is not None
    assert crawler.stats.get_value("site/example/skipped/max_requests") == 3


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("127.0.0.1", False), ("10.0.0.1", False), ("192.168.1.1", False),
     ("169.254.169.254", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False),
     ("fd00::1", False), ("::ffff:127.0.0.1", False), ("2606:4700::1111", True),
     ("224.0.0.1", False), ("100.64.0.1", False)],
)
def test_which_addresses_are_private(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_names_judged_as_written_through_a_proxy() -> None:
    assert is_private_name("localhost") and is_private_name("db.localhost")
    assert is_private_name("127.0.0.1") and is_private_name("::1")
    assert not is_private_name("www.dw.com") and not is_private_name("8.8.8.8")


class _Resolver:
    """Answers from a table; a name not in it fails. Counts lookups; ``hold`` delays answers."""

    def __init__(self, table: dict[str, str], hold: bool = False) -> None:
        self.table = table
        self.hold = hold
        self.lookups: list[str] = []
        self.pending: list[tuple[str, defer.Deferred[str]]] = []

    def __call__(self, host: str) -> defer.Deferred[str]:
        self.lookups.append(host)
        if self.hold:
            d: defer.Deferred[str] = defer.Deferred()
            self.pending.append((host, d))
            return d
        return self._answer(host)

    def _answer(self, host: str) -> defer.Deferred[str]:
        if host in self.table:
            return defer.succeed(self.table[host])
        return defer.fail(DNSLookupError(host))

    def release(self) -> None:
        for host, d in self.pending:
            self._answer(host).chainDeferred(d)


def _guard(registry: SiteRegistry, resolver: _Resolver, **kwargs: object) -> HostGuardMiddleware:
    stats = get_crawler().stats
    assert stats is not None
    return HostGuardMiddleware(registry, stats, resolver, **kwargs)  # type: ignore[arg-type]


async def _outcomes(guard: HostGuardMiddleware, urls: list[str], meta: dict[str, object] | None = None,
                    resolver: _Resolver | None = None) -> list[object]:
    calls = [asyncio.ensure_future(guard.process_request(Request(u, meta=dict(meta or {}))))
             for u in urls]
    await asyncio.sleep(0)
    if resolver is not None:
        resolver.release()
    return list(await asyncio.gather(*calls, return_exceptions=True))


def test_hosts_a_config_names_are_allowed_whatever_their_address(registry: SiteRegistry) -> None:
    resolver = _Resolver({"news.example.org": "127.0.0.1", "intranet.news.example.org": "10.0.0.7",
                          "public.news.example.org": "93.184.216.34"})
    guard = _guard(registry, resolver)
    named, literal, hidden, public = asyncio.run(_outcomes(guard, [
        "https://news.example.org/a/1", "http://10.1.2.3/a/1",
        "https://intranet.news.example.org/a/1", "https://public.news.example.org/a/1"],
        meta={"site": "example"}))
    assert named is None and literal is None and public is None
    assert isinstance(hidden, Skipped) and hidden.reason == "private_address"
    assert guard.stats.get_value("site/example/skipped/private_address") == 1
    allowed = _guard(registry, resolver, allow_private=True)
    assert asyncio.run(_outcomes(allowed, ["https://intranet.news.example.org/a/1"])) == [None]


def test_through_a_proxy_only_the_name_as_written_is_judged(registry: SiteRegistry) -> None:
    resolver = _Resolver({})
    guard = _guard(registry, resolver, proxy="http://127.0.0.1:3128")
    outcomes = asyncio.run(_outcomes(guard, [
        "https://news.example.org/a/1", "https://anything.news.example.org/a/1",
        "http://127.0.0.1:8080/a/1", "http://localhost/a/1"]))
    assert outcomes[:2] == [None, None]
    assert all(isinstance(o, Skipped) for o in outcomes[2:])
    assert resolver.lookups == []  # the proxy resolves


def test_a_dead_host_is_looked_up_once_and_then_fails_at_once(registry: SiteRegistry) -> None:
    resolver = _Resolver({}, hold=True)
    guard = _guard(registry, resolver)
    urls = [f"https://news.example.org/a/{n}" for n in range(4)]
    outcomes = asyncio.run(_outcomes(guard, urls, resolver=resolver))
    assert all(isinstance(o, CannotResolveHostError) for o in outcomes), outcomes
    later = asyncio.run(_outcomes(guard, ["https://news.example.org/robots.txt"]))
    assert isinstance(later[0], CannotResolveHostError)
    assert resolver.lookups == ["news.example.org"]
    assert guard.stats.get_value("hostguard/unresolved") == 1


def test_dns_failures_are_not_retried() -> None:
    assert "scrapy.exceptions.CannotResolveHostError" not in project.RETRY_EXCEPTIONS
