"""The incremental middleware's decisions, on a catalog of one archived article."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from archive.catalog import Catalog
from crawler.middlewares.incremental import RECHECK, IncrementalMiddleware
from crawler.siteconfig import SiteConfig, SiteRegistry

URL = "https://x.example/a/1"


def middleware(tmp_path: Path, recheck_days: float | None = None) -> IncrementalMiddleware:
    catalog = Catalog.open(tmp_path / "c.sqlite")
    catalog.add_capture({"warc_filename": "w", "warc_offset": 0, "run_id": "r", "url": URL,
                         "site": "x", "date": "2026-12-01T00:00:00Z", "status": 200,
                         "payload_digest": "sha1:A", "etag": '"e1"',
                         "last_modified": "Tue, 01 Dec 2026 00:00:00 GMT"})
    catalog.refresh_urls()
    links = {"articles": ["^https://x\\.example/a/"]}
    if recheck_days is not None:
        links["recheck_days"] = recheck_days  # type: ignore[assignment]
    site = SiteConfig.from_mapping({"name": "x", "hosts": ["x.example"], "links": links,
                                    "start": {"listings": ["https://x.example/"]}})
    crawler = get_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return IncrementalMiddleware(catalog, SiteRegistry([site]), crawler.stats,  # type: ignore[arg-type]
                                 now=lambda: datetime(2026, 12, 3, tzinfo=UTC))


def article(url: str = URL, lastmod: str | None = None) -> Request:
    meta = {"site": "x", "kind": "article", **({"lastmod": lastmod} if lastmod else {})}
    return Request(url, meta=meta)


def test_new_articles_and_pages_go_known_ones_do_not(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    new = article("https://x.example/a/2")
    assert mw.decide(new) is new
    listing = Request("https://x.example/", meta={"site": "x", "kind": "listing"})
    assert mw.decide(listing) is listing
    assert mw.decide(article()) is None
    assert mw.decide(article(lastmod="2026-11-30")) is None  # not later than the last check
    assert mw.stats.get_value("site/x/skipped/known") == 1


def test_a_later_lastmod_calls_a_skipped_article_back_conditionally(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    assert mw.decide(article()) is None  # from a listing first
    request = mw.decide(article(lastmod="2026-12-01"))  # the day itself: until its end
    assert request is not None and request.meta[RECHECK] == "lastmod"
    assert request.headers["If-None-Match"] == b'"e1"'
    assert request.headers["If-Modified-Since"] == b"Tue, 01 Dec 2026 00:00:00 GMT"
    assert 304 in request.meta["handle_httpstatus_list"]
    assert mw.stats.get_value("site/x/skipped/known") == 0
    assert mw.stats.get_value("site/x/rechecked/lastmod") == 1
    assert mw.decide(article(lastmod="2026-12-02")) is None  # requested already


def test_recheck_days(tmp_path: Path) -> None:
    assert middleware(tmp_path / "a", recheck_days=3).decide(article()) is None  # 2 days old
    request = middleware(tmp_path / "b", recheck_days=2).decide(article())
    assert request is not None and request.meta[RECHECK] == "due"
