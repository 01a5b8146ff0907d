"""A hostile site held in check, end to end through the fixture server: caps on sitemaps, their
nesting, links per listing and requests per site; discovery stopping at ``max_articles``;
redirects kept on the site's hosts and ports; private addresses refused; and a crawl with no
name resolution giving up at once. The web roots are generated here, in temporary directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fixtures.process import FixtureServer

REPO = Path(__file__).resolve().parents[1]
RESOLVER = "tests.crawler._resolver.FixtureResolver"
INDEX_SIZE = 100_000
ARTICLE = ("<html><head><title>Article {n}</title></head><body><article><h1>Article {n}</h1>"
           + "<p>A paragraph of the article, long enough to read as text. </p>" * 8
           + "</article></body></html>\n")


@dataclass
class Run:
    returncode: int
    output: str
    report: dict[str, Any]
    fetched: list[str]  # URLs the fixture server answered, in order
    log: str  # the run's crawl.log

    def site(self, name: str) -> dict[str, Any]:
        summary: dict[str, Any] = self.report["sites"][name]
        return summary

    def on(self, host: str) -> list[str]:
        return [u for u in self.fetched if urlsplit(u).hostname == host]


def crawl(root: Path, sites: Path, names: list[str], tmp: Path, *args: str,
          proxy: bool = True, env: dict[str, str] | None = None, timeout: float = 240,
          before: Callable[[int], None] | None = None) -> Run:
    """Crawl ``names`` (default: every site) of the configs in ``sites`` with the fixture server
    serving ``root``, as a proxy or (``proxy=False``) directly; ``before`` gets its port first."""
    log = tmp / "server.jsonl"
    data = tmp / "data"
    with FixtureServer(root, log) as server:
        if before is not None:
            before(server.port)
        command = [sys.executable, "-m", "newsarchive", "crawl", *names, "--sites", str(sites),
                   "--data", str(data), "--run-id", "caps", "--delay-scale", "0",
                   "-s", "RETRY_TIMES=0", "-s", "WARC_DEDUPE_ENABLED=false", *args]
        if proxy:
            command += ["--proxy", server.proxy]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO,
                                env={**os.environ, **(env or {})})
    report_path = data / "runs" / "caps" / "report.json"
    assert report_path.exists(), result.stdout + result.stderr
    fetched = [json.loads(line)["url"] for line in log.read_text().splitlines()] if (
        log.exists()) else []
    report = json.loads(report_path.read_text())
    log_path = data / "runs" / "caps" / "crawl.log"
    log_text = log_path.read_text() if log_path.exists() else ""
    return Run(result.returncode, result.stdout + result.stderr, report, fetched, log_text)


def site_toml(name: str, hosts: list[str], start: str, extra: str = "") -> str:
    return (f'name = "{name}"\nhosts = {json.dumps(hosts)}\n[politeness]\ndownload_delay = 0\n'
            f"[start]\n{start}\n[links]\narticles = ['/a/']\n{extra}\n")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n')


def urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{u}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n')


def hostile_index(root: Path, host: str) -> None:
    """A sitemap index listing 100,000 sitemaps; the first 100 exist, 2 articles each."""
    write(root / host / "robots.txt", "User-agent: *\nDisallow:\n")
    write(root / host / "sitemap_index.xml",
          sitemap_index([f"http://{host}/sitemaps/{i}.xml" for i in range(INDEX_SIZE)]))
    for i in range(100):
        articles = [f"http://{host}/a/{i}-{j}.html" for j in range(2)]
        write(root / host / "sitemaps" / f"{i}.xml", urlset(articles))
        for url in articles:
            write(root / host / url.split("/", 3)[3], ARTICLE.format(n=url))


def listing(links: list[str]) -> str:
    return "<html><body>" + "".join(f'<a href="{u}">{u}</a>\n' for u in links) + "</body></html>\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One crawl of six hostile sites through the fixture server as a proxy."""
    tmp = tmp_path_factory.mktemp("hostile")
    root, sites = tmp / "root", tmp / "sites"
    hostile_index(root, "capped.test")
    write(sites / "capped.toml", site_toml(
        "capped", ["capped.test"], 'sitemaps = ["http://capped.test/sitemap_index.xml"]',
        "max_articles = 0\n[caps]\nsitemaps = 20"))
    hostile_index(root, "greedy.test")
    write(sites / "greedy.toml", site_toml(
        "greedy", ["greedy.test"], 'sitemaps = ["http://greedy.test/robots.txt"]',
        "max_articles = 5"))
    write(root / "greedy.test" / "robots.txt",
          "User-agent: *\nDisallow:\nSitemap: http://greedy.test/sitemap_index.xml\n")
    for level in range(6):  # index 0 -> index 1 -> ... -> index 5
        write(root / "deep.test" / f"{level}.xml",
              sitemap_index([f"http://deep.test/{level + 1}.xml"]))
    write(sites / "deep.toml", site_toml("deep", ["deep.test"],
                                         'sitemaps = ["http://deep.test/0.xml"]'))
    write(root / "wide.test" / "list.html",
          listing([f"http://wide.test/a/{n}.html" for n in range(3000)]))
    write(sites / "wide.toml", site_toml("wide", ["wide.test"],
                                         'listings = ["http://wide.test/list.html"]',
                                         "[caps]\nlinks_per_listing = 10"))
    write(root / "busy.test" / "list.html",
          listing([f"http://busy.test/a/{n}.html" for n in range(50)]))
    write(sites / "busy.toml", site_toml("busy", ["busy.test"],
                                         'listings = ["http://busy.test/list.html"]',
                                         "[caps]\nrequests = 8"))
    hops_site(root, sites)
    return crawl(root, sites, ["capped", "greedy", "deep", "wide", "busy", "hops"], tmp)


def hops_site(root: Path, sites: Path) -> None:
    """Articles that redirect: off the site's ports, hosts and schemes, and within them."""
    write(root / "hops.test" / "list.html",
          listing([f"http://hops.test/a/{n}.html" for n in range(1, 6)]))
    for path in ("hops.test/a/port.html", "hops.test/a/ftp.html", "hops.test/a/secure.html",
                 "www.hops.test/a/www.html", "elsewhere.test/a/other.html"):
        write(root / path, ARTICLE.format(n=path))
    write(root / "_routes.json", json.dumps({
        "http://hops.test/a/1.html": {"status": 301, "location": "http://hops.test:8080/a/port.html"},
        "http://hops.test/a/2.html": {"status": 302, "location": "http://elsewhere.test/a/other.html"},
        "http://hops.test/a/3.html": {"status": 301, "location": "ftp://hops.test/a/ftp.html"},
        "http://hops.test/a/4.html": {"status": 301, "location": "https://hops.test/a/secure.html"},
        "http://hops.test/a/5.html": {"status": 307, "location": "http://www.hops.test/a/www.html"},
    }))
    write(sites / "hops.toml", site_toml("hops", ["hops.test", "www.hops.test"],
                                         'listings = ["http://hops.test/list.html"]'))


def sitemaps_fetched(run: Run, host: str) -> list[str]:
    return [u for u in run.on(host) if u.endswith(".xml")]


def test_a_sitemap_index_of_100000_fetches_at_most_the_cap(hostile: Run) -> None:
    fetched = sitemaps_fetched(hostile, "capped.test")
    assert len(fetched) == 20, fetched  # the index and 19 of its sitemaps: the site's [caps]
    capped = hostile.site("capped")
    assert capped["skipped"]["max_sitemaps"] == INDEX_SIZE - 19
    assert capped["requests"]["article"] == 2 * 19


def test_discovery_stops_when_max_articles_is_reached(hostile: Run) -> None:
    fetched = sitemaps_fetched(hostile, "greedy.test")
    # The index, then one sitemap at a time until 5 articles are asked for: 3 sitemaps.
    assert fetched[0] == "http://greedy.test/sitemap_index.xml"
    assert len(fetched) == 4, fetched
    greedy = hostile.site("greedy")
    assert greedy["requests"]["article"] == 5
    # The default cap, 2,000 sitemaps: robots.txt, the index and 1,998 of its sitemaps.
    assert greedy["skipped"]["max_sitemaps"] == INDEX_SIZE - 1998
    assert greedy["skipped"]["max_articles"] >= 1998 - 3


def test_sitemap_nesting_is_capped(hostile: Run) -> None:
    fetched = sitemaps_fetched(hostile, "deep.test")
    assert fetched == [f"http://deep.test/{level}.xml" for level in range(4)]
    assert hostile.site("deep")["skipped"] == {"max_sitemap_depth": 1}


def test_links_per_listing_are_capped(hostile: Run) -> None:
    wide = hostile.site("wide")
    assert wide["requests"]["article"] == 10
    assert wide["skipped"]["max_links_per_listing"] == 2990


def test_requests_per_site_are_capped(hostile: Run) -> None:
    assert len(hostile.on("busy.test")) == 8  # robots.txt, the listing and 6 articles
    assert hostile.site("busy")["skipped"]["max_requests"] == 52 - 8


def test_the_crawl_finishes_and_says_what_it_skipped(hostile: Run) -> None:
    assert hostile.report["finish_reason"] == "finished", hostile.output
    assert "capped: 99981 sitemaps skipped (max_sitemaps)" in hostile.log
    assert "wide: 10 links followed from one page, the cap; 2990 more not looked at" in hostile.log
    assert "busy: 8 requests made, the cap" in hostile.log
    assert "redirect not followed (redirect_port): http://hops.test/a/1.html" in hostile.log


def test_redirects_stay_on_the_site_s_hosts_ports_and_schemes(hostile: Run) -> None:
    hops = hostile.site("hops")
    assert hops["skipped"] == {"redirect_port": 1, "redirect_host": 1, "redirect_scheme": 1}
    assert "https://hops.test/a/secure.html" in hostile.fetched  # http -> https, same host
    assert "http://www.hops.test/a/www.html" in hostile.fetched  # another of the site's hosts
    assert not [u for u in hostile.fetched if u.endswith(("/port.html", "/other.html"))]
    assert not hops["failed"], hops
