"""Three incremental nights against a copy of the fixture sites, the catalog they fill, a rebuild
of it from the archive, and search over every archived version.

Night 2 finds one new article (CGTN's sitemap) and one changed one (KCNA's sitemap gives it a
later ``lastmod``); DW is configured to re-check its articles every night (``recheck_days = 0``),
with conditional requests that the fixture server answers ``304 Not Modified``. Night 3 finds
nothing new.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.catalog import CATALOG_NAME, Catalog
from crawler.siteconfig import BUILTIN_DIR, SiteRegistry
from newsarchive.cli import main
from tests.archive._support import rows
from tests.conftest import WEB_ROOT, read_articles
from tests.fixtures.process import FixtureServer

CHANGED = "http://www.kcna.kp/en/article/q/0925aabf5fe434438aec3426904f90b7.kcmsf"
OLD_PHRASE = "planted trees on the slopes of hills"
NEW_PHRASE = "acacia groves along the Sohung reservoir"
YUNNAN = "Yunnan-expands-flood-early-warning-network-ahead-of-rainy-season-sN3ka9T3og"
HAINAN = "Hainan-opens-a-coral-reef-reserve-Zx9Yw8Vu7t"
NEW = f"https://news.cgtn.com/news/2019-03-03/{HAINAN}/index.html"


@dataclass
class Nights:
    data_dir: Path
    sent: dict[str, list[dict[str, Any]]]  # the fixture server's log, per night
    outputs: dict[str, str]
    codes: dict[str, int]
    sites: SiteRegistry


def _crawl(server: FixtureServer, data_dir: Path, sites: Path, run_id: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data_dir),
         "--sites", str(sites), "--proxy", server.proxy, "--delay-scale", "0",
         "--run-id", run_id, "--set", "RETRY_TIMES=0"],
        capture_output=True, text=True, timeout=600,
    )
    return result.returncode, result.stdout + result.stderr


def _change_the_sites(web: Path) -> None:
    """One article changed (with a later lastmod in the sitemap), one added to a sitemap."""
    page = web / "www.kcna.kp/en/article/q/0925aabf5fe434438aec3426904f90b7.kcmsf"
    html = page.read_text(encoding="utf-8")
    assert OLD_PHRASE in html
    page.write_text(html.replace(
        "Forest workers planted trees on the slopes of hills to prevent landslides",
        f"Volunteer beekeepers planted {NEW_PHRASE} to hold the soil"), encoding="utf-8")
    sitemap = web / "www.kcna.kp/sitemap.xml"
    lastmod = (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="seconds")
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace(
        f"<loc>{CHANGED}</loc>\n    <lastmod>2019-03-04</lastmod>",
        f"<loc>{CHANGED}</loc>\n    <lastmod>{lastmod}</lastmod>"), encoding="utf-8")
    assert lastmod in sitemap.read_text(encoding="utf-8")

    source = web / f"news.cgtn.com/news/2019-03-03/{YUNNAN}/index.html"
    target = web / f"news.cgtn.com/news/2019-03-03/{HAINAN}/index.html"
    target.parent.mkdir()
    target.write_text(source.read_text(encoding="utf-8").replace(YUNNAN, HAINAN).replace(
        "Yunnan expands flood early-warning network ahead of rainy season",
        "Hainan opens a coral reef reserve"), encoding="utf-8")
    news = web / "www.cgtn.com/sitemap/news.xml"
    news.write_text(news.read_text(encoding="utf-8").replace(
        "<url>", f"<url>\n    <loc>{NEW}</loc>\n  </url>\n  <url>", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    root = tmp_path_factory.mktemp("incremental")
    web = root / "web"
    shutil.copytree(WEB_ROOT, web)  # a copy: the committed fixtures are never touched
    sites = root / "sites"
    sites.mkdir()
    dw = (BUILTIN_DIR / "dw.toml").read_text(encoding="utf-8")
    (sites / "dw.toml").write_text(dw.replace("[links]\n", "[links]\nrecheck_days = 0\n"))
    data_dir, log = root / "data", root / "sent.jsonl"
    outputs, codes, sent = {}, {}, {}
    with FixtureServer(web, log) as server:
        for night in ("night-1", "night-2", "night-3"):
            if night == "night-2":
                _change_the_sites(web)
            before = len(log.read_text().splitlines()) if log.exists() else 0
            codes[night], outputs[night] = _crawl(server, data_dir, sites, night)
            sent[night] = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    return Nights(data_dir, sent, outputs, codes, SiteRegistry.load([sites]))


def _articles_sent(nights: Nights, night: str) -> list[dict[str, Any]]:
    return [entry for entry in nights.sent[night]
            if (site := nights.sites.for_url(entry["url"])) and site.is_article(entry["url"])]


def _report(nights: Nights, night: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        (nights.data_dir / "runs" / night / "report.json").read_text())
    return report


def _exchanges(run_dir: Path) -> list[tuple[str, str, dict[str, str], int | None]]:
    """(record type, URL, request headers, status) of each response or revisit record."""
    requests: dict[str, dict[str, str]] = {}  # by the record id of their response
    responses = []
    for path in sorted((run_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                headers = record.rec_headers
                if record.rec_type == "request":
                    requests[headers.get_header("WARC-Concurrent-To")] = dict(
                        record.http_headers.headers)
                elif record.rec_type in ("response", "revisit"):
                    responses.append((record.rec_type, headers.get_header("WARC-Target-URI"),
                                      headers.get_header("WARC-Record-ID"),
                                      int(record.http_headers.get_statuscode())))
    return [(kind, url, requests[record_id], status)
            for kind, url, record_id, status in responses]


def test_night_one_fetches_everything_and_fills_the_catalog(nights: Nights) -> None:
    assert nights.codes["night-1"] == 0, nights.outputs["night-1"]
    articles = read_articles(nights.data_dir / "runs" / "night-1")
    assert CHANGED in articles and NEW not in articles
    assert {a["version"] for a in articles.values()} == {1}
    report = _report(nights, "night-1")
    assert sum(s["new"] for s in report["sites"].values()) == len(articles)
    catalog = Catalog.open(nights.data_dir / CATALOG_NAME)
    try:
        known = catalog.known(CHANGED)  # after the three nights
        assert known is not None and known.versions == 2 and known.etag and known.last_modified
    finally:
        catalog.close()


def test_night_two_fetches_only_the_new_and_the_changed_article(nights: Nights) -> None:
    assert nights.codes["night-2"] == 0, nights.outputs["night-2"]
    fetched = {e["url"] for e in _articles_sent(nights, "night-2") if e["status"] == 200}
    assert fetched == {NEW, CHANGED}
    # Every other article request was a re-check of DW's: 304, or 404 again for its dead link.
    others = [e for e in _articles_sent(nights, "night-2") if e["url"] not in fetched]
    assert others and {e["status"] for e in others} == {304, 404}
    assert {nights.sites.for_url(e["url"]).name for e in others} == {"dw"}  # type: ignore[union-attr]
    not_modified = [e for e in others if e["status"] == 304]
    # Listings, feeds and sitemaps were all fetched again.
    pages = {e["url"] for e in nights.sent["night-1"]} - {e["url"] for e in _articles_sent(
        nights, "night-1")}
    assert pages <= {e["url"] for e in nights.sent["night-2"]}

    report = _report(nights, "night-2")
    total = {key: sum(s[key] for s in report["sites"].values()) for key in ("new", "changed")}
    assert total == {"new": 1, "changed": 1}
    assert report["sites"]["cgtn"]["new"] == 1 and report["sites"]["kcna"]["changed"] == 1
    assert report["sites"]["kcna"]["rechecked"] == {"lastmod": 1}
    dw = report["sites"]["dw"]
    assert dw["unchanged"] == len(not_modified) and dw["rechecked"]["due"] == len(others)
    assert all(site["status"] == "ok" for site in report["sites"].values())
    assert report["sites"]["chinadaily"]["skipped"]["known"] > 0


def test_re_checks_are_conditional_and_a_304_is_archived_as_a_response(nights: Nights) -> None:
    exchanges = _exchanges(nights.data_dir / "runs" / "night-2")
    not_modified = [e for e in exchanges if e[3] == 304]
    assert len(not_modified) == _report(nights, "night-2")["sites"]["dw"]["unchanged"]
    for kind, _url, request, _status in not_modified:
        assert kind == "response"
        assert request.get("If-None-Match", "").startswith('"')
        assert request.get("If-Modified-Since", "").endswith("GMT")
    changed = next(e for e in exchanges if e[1] == CHANGED)
    assert changed[0] == "response" and changed[3] == 200 and changed[2].get("If-None-Match")
    new = next(e for e in exchanges if e[1] == NEW)
    assert "If-None-Match" not in new[2] and "If-Modified-Since" not in new[2]


def test_a_changed_text_is_a_new_version_beside_the_old(nights: Nights) -> None:
    articles = read_articles(nights.data_dir / "runs" / "night-2")
    assert set(articles) == {NEW, CHANGED}
    assert articles[NEW]["version"] == 1 and articles[CHANGED]["version"] == 2
    first = read_articles(nights.data_dir / "runs" / "night-1")[CHANGED]
    second = articles[CHANGED]
    assert second["text_path"] == first["text_path"].replace(".txt", ".v2.txt")
    assert OLD_PHRASE in (nights.data_dir / first["text_path"]).read_text()
    assert NEW_PHRASE in (nights.data_dir / second["text_path"]).read_text()
    assert NEW_PHRASE not in (nights.data_dir / first["text_path"]).read_text()


def test_night_three_with_nothing_new_fetches_no_article(nights: Nights) -> None:
    assert nights.codes["night-3"] == 0, nights.outputs["night-3"]
    sent = _articles_sent(nights, "night-3")
    assert 200 not in {e["status"] for e in sent}  # DW's re-checks only: 304, and its dead link
    assert {nights.sites.for_url(e["url"]).name for e in sent} <= {"dw"}  # type: ignore[union-attr]
    report = _report(nights, "night-3")
    assert all(s["new"] == s["changed"] == 0 for s in report["sites"].values())
    assert all(s["status"] == "ok" for s in report["sites"].values())
    assert not (nights.data_dir / "runs" / "night-3" / "articles.jsonl").exists() or not (
        read_articles(nights.data_dir / "runs" / "night-3"))


def test_a_rebuild_gives_the_catalog_the_crawls_built(nights: Nights, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(nights.data_dir, data_dir)
    tables = ("captures", "versions", "urls")
    crawled = Catalog.open(data_dir / CATALOG_NAME)
    try:
        built = {table: rows(crawled, table) for table in tables}
        assert built["captures"] and built["versions"] and built["urls"]
    finally:
        crawled.close()
    assert main(["catalog", "rebuild", str(data_dir), "--sites", str(nights.data_dir.parent
                                                                     / "sites")]) == 0
    rebuilt = Catalog.open(data_dir / CATALOG_NAME)
    try:
        for table in tables:
            assert rows(rebuilt, table) == built[table], table
        assert rebuilt.search(NEW_PHRASE)
    finally:
        rebuilt.close()


def test_search_finds_the_second_version_only(
    nights: Nights, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(nights.data_dir)
    catalog = Catalog.open(nights.data_dir / CATALOG_NAME)
    try:
        assert [(h.url, h.version) for h in catalog.search(NEW_PHRASE)] == [(CHANGED, 2)]
        assert [(h.url, h.version) for h in catalog.search(f'"{OLD_PHRASE}"')] == [(CHANGED, 1)]
        assert catalog.search(NEW_PHRASE, site="dw") == []
    finally:
        catalog.close()
    assert main(["search", NEW_PHRASE, "--data", data, "--site", "kcna", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert CHANGED in out and "version 2" in out and "[acacia]" in out
    assert out.splitlines()[0] == "Flood Prevention Projects Pushed Forward in North Hwanghae Province"
    assert main(["search", NEW_PHRASE, "--data", data, "--since", "2020-01-01"]) == 1
    assert main(["search", NEW_PHRASE, "--data", data, "--since", "March"]) == 2


def test_reextract_keeps_the_versions_and_the_catalog(nights: Nights, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(nights.data_dir, data_dir)
    crawled = Catalog.open(data_dir / CATALOG_NAME)
    try:
        before = {table: rows(crawled, table) for table in ("captures", "versions", "urls")}
    finally:
        crawled.close()
    assert main(["reextract", str(data_dir), "--workers", "1",
                 "--sites", str(nights.data_dir.parent / "sites")]) == 0
    second = read_articles(data_dir / "runs" / "night-2")[CHANGED]
    assert second["version"] == 2 and second["text_path"].endswith(".v2.txt")
    first = read_articles(data_dir / "runs" / "night-1")[CHANGED]
    assert OLD_PHRASE in (data_dir / first["text_path"]).read_text()
    after = Catalog.open(data_dir / CATALOG_NAME)
    try:
        assert {table: rows(after, table) for table in before} == before
    finally:
        after.close()

