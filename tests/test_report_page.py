"""``newsarchive report`` over three nights of the fixture sites, opened from the file system in
headless Chromium (Debian's, driven by playwright; no name resolves, so the page may fetch
nothing): every chart is drawn, with a trace per site (or reason, or language) and a point per
night, and a screenshot is left in the test's tmp dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.cli import main
from tests.archive.replaywebpage import chromium
from tests.conftest import SecondNight

NIGHTS = ["test-run", "night-2", "night-3"]

# What plotly drew: per chart, its traces as plotly.js holds them (gd.data) and the SVG marks.
_CHARTS = """() => Array.from(document.querySelectorAll('.plotly-graph-div'), (gd) => ({
  id: gd.id,
  svg: gd.querySelectorAll('svg.main-svg').length,
  traces: gd.data.map((t) => ({name: t.name, type: t.type, x: Array.from(t.x || []),
                               y: Array.from(t.y || [])})),
  drawn: gd.querySelectorAll('g.trace').length,
  bars: gd.querySelectorAll('g.trace.bars path').length,
  legend: Array.from(gd.querySelectorAll('g.legend text.legendtext'), (e) => e.textContent),
}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:  # Debian's Chromium, offline: no name resolves but 127.0.0.1's
        yield launched


def _reports(data: Path) -> dict[str, dict[str, Any]]:
    return {night: json.loads((data / "runs" / night / "report.json").read_text())
            for night in NIGHTS}


def test_the_report_page_draws_every_chart_offline(
    third_night: SecondNight, browser: Any, tmp_path: Path
) -> None:
    data, page_path = third_night.data_dir, tmp_path / "report.html"
    assert main(["report", str(data), "--html", str(page_path)]) == 0
    reports = _reports(data)
    sites = sorted(reports["test-run"]["sites"])

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_path.as_uri(), timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 6", timeout=30_000)
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    charts = {chart["id"]: chart for chart in page.evaluate(_CHARTS)}
    rows = page.eval_on_selector_all("#runs tr", "rows => rows.map(r => r.innerText)")
    page.close()

    assert errors == [] and requested == [page_path.as_uri()]  # nothing but the file itself
    # ... and one timeline per story thread of two articles or more (the KCNA article archived
    # under both its URLs is one, a copy of itself)
    stories = {name for name in charts if name.startswith("story-")}
    assert stories and set(charts) - stories == {
        "articles-per-site", "versions-per-night", "failures-per-night", "archive-size",
        "text-length", "languages"}
    assert all(chart["svg"] > 0 and chart["drawn"] == len(chart["traces"])
               for chart in charts.values())

    articles = charts["articles-per-site"]
    assert [t["name"] for t in articles["traces"]] == sites == articles["legend"]
    for trace in articles["traces"]:
        assert trace["x"] == NIGHTS
        assert trace["y"] == [reports[n]["sites"][trace["name"]]["articles"] for n in NIGHTS]
    assert articles["bars"] == len(sites) * len(NIGHTS)

    versions = {t["name"]: t["y"] for t in charts["versions-per-night"]["traces"]}
    assert versions["new"] == [sum(s["new"] for s in reports[n]["sites"].values())
                               for n in NIGHTS]
    assert versions["new"][0] > 0 and versions["unchanged"][0] == 0

    failures = charts["failures-per-night"]["traces"]
    reasons = {reason for r in reports.values() for s in r["sites"].values()
               for reason in s["failed"]}
    assert {t["name"] for t in failures} == reasons and reasons
    assert all(t["x"] == NIGHTS for t in failures)

    size = {t["name"]: t for t in charts["archive-size"]["traces"]}
    assert size["written by the run"]["type"] == "bar" and size["archive total"]["type"] == "scatter"
    assert size["archive total"]["x"] == NIGHTS
    totals = size["archive total"]["y"]
    assert totals == sorted(totals) and totals[0] > 0

    assert [t["name"] for t in charts["text-length"]["traces"]] == sites
    assert all(t["type"] == "box" for t in charts["text-length"]["traces"])
    assert {t["name"] for t in charts["languages"]["traces"]} >= {"en"}

    assert rows[0].split("\t")[:1] == ["run"]
    assert [row.split("\t")[0] for row in rows[1:]] == NIGHTS[::-1]  # newest first
