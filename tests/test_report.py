"""``newsarchive report``: the numbers gathered from run reports, WARCs and the catalog, and the
command's usage mistakes. The page itself, drawn in Chromium, is tested in test_report_page.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import CATALOG_NAME, Catalog
from newsarchive.cli import main
from newsarchive.report import INTERRUPTED, UNFINISHED, NoRuns, gather, quartiles


def _run(data: Path, run_id: str, report: dict[str, Any] | None, warc_sizes: list[int]) -> None:
    run = data / "runs" / run_id
    (run / "warc").mkdir(parents=True)
    for n, size in enumerate(warc_sizes):
        (run / "warc" / f"newsarchive-{run_id}-{n:05d}.warc.gz").write_bytes(b"x" * size)
    if report is not None:
        (run / "report.json").write_text(json.dumps(report))


def _site(articles: int, status: str = "ok", failed: dict[str, int] | None = None,
          **versions: int) -> dict[str, Any]:
    return {"status": status, "articles": articles, "failed": failed or {}, **versions}


def _text(url: str, site: str, words: int, language: str, version: int = 1) -> dict[str, Any]:
    return {"url": url, "site": site, "language": language, "version": version,
            "sha256": f"{url}-{version}", "text": " ".join(["word"] * words), "title": url}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    # Out of order on disk: the nights are sorted by when they started.
    _run(data, "night-b", {
        "run_id": "night-b", "finish_reason": "finished", "duration_seconds": 95.5,
        "stats": {"start_time": "2026-12-02T02:30:00+00:00"},
        "sites": {"dw": _site(2, new=1, changed=1, unchanged=7),
                  "kcna": _site(0, "failed", {"CannotResolveHostError": 4})},
    }, [300, 200])
    _run(data, "night-a", {
        "run_id": "night-a", "finish_reason": "finished", "duration_seconds": 600.0,
        "stats": {"start_time": "2026-12-01T02:30:00.123456+00:00"},
        "sites": {"dw": _site(9, failed={"http_404": 1}, new=9, changed=0, unchanged=0),
                  "kcna": _site(5, failed={"http_404": 2, "no_body": 1}, new=5, changed=0,
                                unchanged=0)},
    }, [1000])
    # As `repair` leaves a run a crash interrupted: no stats, a status of its own.
    _run(data, "20261203T023000Z", {"run_id": "20261203T023000Z", "status": INTERRUPTED,
                                    "finish_reason": INTERRUPTED, "sites": {},
                                    "archive": {"files": []}}, [50])
    _run(data, "20261204T023000Z", None, [7])  # still crawling, or crashed and not repaired
    catalog = Catalog.open(data / CATALOG_NAME)
    try:
        for article in (_text("u1", "dw", 100, "en"), _text("u1", "dw", 160, "en", version=2),
                        _text("u2", "dw", 200, "en"), _text("u3", "dw", 300, "de"),
                        _text("u4", "dw", 400, "en"), _text("u5", "kcna", 50, "")):
            catalog.add_version(article, "night-a")
    finally:
        catalog.close()
    return data


def test_nights_in_the_order_they_started_with_their_numbers(data: Path) -> None:
    report = gather(data)
    assert [n.run_id for n in report.nights] == [
        "night-a", "night-b", "20261203T023000Z", "20261204T023000Z"]
    a, b, interrupted, unfinished = report.nights
    assert a.started == datetime(2026, 12, 1, 2, 30, 0, 123456, tzinfo=UTC)
    # A run without stats starts when its default name says.
    assert interrupted.started == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert (a.duration, b.duration, interrupted.duration) == (600.0, 95.5, None)
    assert (a.articles, b.articles, interrupted.articles, unfinished.articles) == (14, 2, 0, 0)
    assert a.failures == {"http_404": 3, "no_body": 1} and a.failed == 4
    assert b.failures == {"CannotResolveHostError": 4}
    assert (b.versions("new"), b.versions("changed"), b.versions("unchanged")) == (1, 1, 7)
    assert b.sites["dw"].new == 1 and b.sites["kcna"].new is None
    assert interrupted.versions("new") is None
    assert [n.warc_bytes for n in report.nights] == [1000, 500, 50, 7]
    assert report.cumulative_bytes() == [1000, 1500, 1550, 1557]
    assert report.reasons == ["CannotResolveHostError", "http_404", "no_body"]
    assert report.sites == ["dw", "kcna"]


def test_a_run_is_ok_only_when_every_site_is(data: Path) -> None:
    statuses = [n.status for n in gather(data).nights]
    assert statuses == ["ok", "failed: kcna", INTERRUPTED, UNFINISHED]


def test_texts_per_site_are_the_latest_version_of_each_url(data: Path) -> None:
    report = gather(data)
    assert (report.urls, report.versions) == (0, 6)  # no captures added: no urls rows
    dw, kcna = report.texts["dw"], report.texts["kcna"]
    assert dw.texts == 4  # u1 once, as its version 2 (160 words)
    assert dw.words == (160.0, 190.0, 250.0, 325.0, 400.0)
    assert dw.mean_words == 265.0
    assert dw.languages == {"en": 3, "de": 1}
    assert (kcna.texts, kcna.words, kcna.languages) == (1, (50.0,) * 5, {"und": 1})


def test_quartiles_are_those_a_box_plot_draws() -> None:
    assert quartiles([1, 2, 3, 4, 5]) == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert quartiles([7]) == (7.0, 7.0, 7.0, 7.0, 7.0)


def test_without_a_catalog_there_are_nights_but_no_texts(data: Path) -> None:
    (data / CATALOG_NAME).unlink()
    report = gather(data)
    assert len(report.nights) == 4 and report.texts == {} and report.catalog is None


def test_report_writes_the_page_into_the_data_dir(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(data)]) == 0
    page = (data / "report.html").read_text(encoding="utf-8")
    assert capsys.readouterr().out == f"{data / 'report.html'}: 4 runs, 2 sites\n"
    for chart in ("articles-per-site", "versions-per-night", "failures-per-night",
                  "archive-size", "text-length", "languages"):
        assert f'id="{chart}"' in page
    assert "cdn.plot.ly" not in page.split("<body>", 1)[1]  # plotly.js is in the head, inlined
    assert not list(data.glob(".report.html.*"))


@pytest.mark.parametrize("layout", ["empty", "missing", "no-runs"])
def test_a_data_dir_without_runs_is_a_usage_mistake(
    tmp_path: Path, layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    if layout != "missing":
        data.mkdir()
    if layout == "empty":
        (data / "runs").mkdir()
    assert main(["report", str(data), "--html", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"newsarchive: {data} has no runs")
    with pytest.raises(NoRuns):
        gather(data)


@pytest.mark.parametrize("where", ["missing-folder", "a-directory", "under-a-file"])
def test_an_unwritable_html_path_is_a_usage_mistake(
    data: Path, tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = {"missing-folder": tmp_path / "nowhere" / "r.html", "a-directory": tmp_path,
              "under-a-file": data / "catalog.sqlite" / "r.html"}[where]
    assert main(["report", str(data), "--html", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"newsarchive: --html {target}: expected a file in an existing directory\n"
