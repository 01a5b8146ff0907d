"""The end-of-crawl summary and the report fields behind it."""

from __future__ import annotations

from typing import Any

from crawler.extensions.report import build_report
from newsarchive.crawl import summary_lines
from tests.conftest import Crawl

STATS: dict[str, Any] = {
    "elapsed_time_seconds": 3725.4,
    "site/dw/articles": 12, "site/dw/requests/listing": 4, "site/dw/requests/article": 30,
    "site/dw/failed/http_404": 2, "site/dw/failed/DNSLookupError": 1,
    "site/dw/skipped/ignored": 3, "site/dw/skipped/duplicate": 5,
    "site/cgtn/articles": 7, "site/cgtn/requests/feed": 1, "site/cgtn/new": 2,
    "site/cgtn/unchanged": 5,
    "robotstxt/forbidden": 3, "dupefilter/filtered": 5,
}


def _report() -> dict[str, Any]:
    return build_report(STATS, "night-9", ["cgtn", "dw"], "finished", "data/runs/night-9",
                        "data/runs/night-9/crawl.log")


def test_the_report_carries_the_summary_numbers() -> None:
    report = _report()
    assert report["run_dir"] == "data/runs/night-9"
    assert report["log"] == "data/runs/night-9/crawl.log"
    assert report["duration_seconds"] == 3725.4
    assert report["skipped"] == {"robots": 3, "offsite": 0, "duplicates": 5}
    cgtn, dw = report["sites"]["cgtn"], report["sites"]["dw"]
    assert (cgtn["new"], cgtn["changed"], cgtn["unchanged"]) == (2, 0, 5)
    assert "new" not in dw  # no catalog counts for it: the summary falls back to articles
    assert dw["skipped"] == {"duplicate": 5, "ignored": 3}


def test_the_summary_names_the_run_the_log_the_duration_and_each_site() -> None:
    lines = list(summary_lines(_report()))
    assert lines[:4] == [
        "run night-9: finished",
        "  run directory: data/runs/night-9",
        "  log: data/runs/night-9/crawl.log",
        "  duration: 1:02:05",
    ]
    [cgtn] = [line for line in lines if line.split()[0] == "cgtn"]
    assert "7 articles (2 new, 0 changed, 5 unchanged) from 1 requests" in cgtn
    [dw] = [line for line in lines if line.split()[0] == "dw"]
    assert "12 articles from 34 requests" in dw
    assert ("failed: 1 host name not found (no network, or DNS down) [DNSLookupError], 2 HTTP 404"
            in dw)
    assert ("skipped: 5 duplicate requests [duplicate], 3 refused by robots.txt or offsite"
            " [ignored]") in dw
    assert "  not fetched, all sites: 3 refused by robots.txt, 5 duplicate requests" in lines


def test_with_v_the_log_is_on_stderr() -> None:
    report = build_report({"elapsed_time_seconds": 4.25}, "r", [], "finished", "data/runs/r")
    assert list(summary_lines(report))[1:4] == [
        "  run directory: data/runs/r", "  log: stderr (-v)", "  duration: 4.2 s"]


def test_a_real_crawl_reports_and_prints_them(crawl: Crawl) -> None:
    report = crawl.report
    assert report["run_dir"] == str(crawl.run_dir)
    assert report["log"] == str(crawl.run_dir / "crawl.log")
    assert 0 < report["duration_seconds"] < 600
    assert f"  run directory: {crawl.run_dir}" in crawl.output.splitlines()
    assert f"  log: {crawl.run_dir / 'crawl.log'}" in crawl.output.splitlines()
    assert "  duration: " in crawl.output
