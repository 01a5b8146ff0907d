"""The start of a crawl looks into no run the catalog holds whole: its repair scan reads the
listing of ``runs/`` and, for the runs the catalog lacks, their folders."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import CATALOG_NAME, Catalog
from newsarchive.catalog import catalogued_runs
from newsarchive.repair import interrupted_runs


def test_the_repair_scan_skips_the_runs_the_catalog_holds_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for run in ("night-1", "night-2"):
        (data / "runs" / run / "warc").mkdir(parents=True)  # neither has its report
    assert catalogued_runs(data) == set()  # no catalog yet: every run is looked into
    catalog = Catalog.open(data / CATALOG_NAME)
    catalog.add_run("night-1", 0)
    catalog.close()
    assert catalogued_runs(data) == {"night-1"}
    assert [r.run_id for r in interrupted_runs(data, catalogued_runs(data))] == ["night-2"]
    # `newsarchive repair` looks into every run.
    assert [r.run_id for r in interrupted_runs(data)] == ["night-1", "night-2"]
