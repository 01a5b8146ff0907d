"""Name resolution in live crawls (no proxy), with a resolver that never leaves the machine
(``tests/crawler/_resolver.py``: ``*.test`` is 127.0.0.1, every other name fails): a host no site
names is refused when it resolves to a private address, unless a setting allows it; and a crawl
of the five configured sites with no name resolution gives up on each host after one lookup."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from crawler.siteconfig import load_sites
from tests.test_caps import ARTICLE, RESOLVER, crawl, listing, site_toml, write


def intranet(tmp: Path) -> tuple[Path, Path]:
    root, sites = tmp / "root", tmp / "sites"
    write(root / "news.test" / "robots.txt", "User-agent: *\nDisallow:\n")
    write(root / "news.test" / "a" / "1.html", ARTICLE.format(n=1))
    write(root / "secret.news.test" / "a" / "2.html", ARTICLE.format(n=2))
    return root, sites


def write_site(root: Path, sites: Path, port: int) -> None:
    # The fixture server is reached directly, on its own port, as a site on an intranet would be.
    write(root / "news.test" / "list.html", listing(
        [f"http://news.test:{port}/a/1.html", f"http://secret.news.test:{port}/a/2.html"]))
    write(sites / "intranet.toml", site_toml(
        "intranet", ["news.test"], f'listings = ["http://news.test:{port}/list.html"]'))


@pytest.mark.parametrize("allow", [False, True])
def test_private_addresses_are_refused_unless_named_or_allowed(
    tmp_path: Path, allow: bool
) -> None:
    root, sites = intranet(tmp_path)
    run = crawl(root, sites, ["intranet"], tmp_path, "-s", f"TWISTED_DNS_RESOLVER={RESOLVER}",
                *(["-s", "HOSTGUARD_ALLOW_PRIVATE=true"] if allow else []), proxy=False,
                before=lambda port: write_site(root, sites, port))
    # news.test is 127.0.0.1 and named by the config: fetched. secret.news.test is not named.
    assert "http://news.test/a/1.html" in run.fetched, run.output
    secret = [u for u in run.fetched if "secret" in u]
    skipped = run.site("intranet")["skipped"]
    if allow:
        assert secret == ["http://secret.news.test/robots.txt", "http://secret.news.test/a/2.html"]
        assert "private_address" not in skipped
    else:
        assert secret == [], secret  # not even its robots.txt
        assert skipped == {"private_address": 1}
        assert "secret.news.test is 127.0.0.1, a private address" in run.log


def test_no_name_resolution_gives_up_on_each_host_after_one_try(tmp_path: Path) -> None:
    lookups = tmp_path / "lookups.txt"
    root = tmp_path / "root"
    root.mkdir()
    run = crawl(root, root, [], tmp_path, "-s", f"TWISTED_DNS_RESOLVER={RESOLVER}",
                "--delay-scale", "1", proxy=False, env={"NEWSARCHIVE_TEST_DNS_LOG": str(lookups)},
                timeout=90)  # the old crawl took two minutes; this one needs seconds
    assert run.returncode == 1
    assert run.fetched == []
    looked_up = Counter(lookups.read_text().split())
    # One lookup per host, whatever the number of its requests (robots.txt included).
    assert looked_up and set(looked_up.values()) == {1}, looked_up
    sites = load_sites()
    for name, site in sites.items():
        summary = run.site(name)
        starts = len(site.listings) + len(site.feeds) + len(site.sitemaps)
        assert summary["status"] == "failed"
        assert summary["failed"] == {"CannotResolveHostError": starts}, summary
        assert f"{starts} host name not found (no network, or DNS down)" in run.output
    stats = run.report["stats"]
    assert "retry/count" not in stats
    assert stats["hostguard/unresolved"] == len(looked_up)
    assert "does not resolve" in run.log
    assert json.dumps(run.report["sites"])  # every site reported
