"""Repair: bring runs that a crash interrupted back to a state every reader trusts.

Run at the start of every crawl (under the data directory's lock) and by ``newsarchive repair``.
A run is interrupted when it has a WARC still named ``.open`` or no ``report.json``. For each:

- every open WARC is checked record by record, cut after its last whole record, closed and
  indexed (:mod:`archive.recovery`);
- ``articles.jsonl`` keeps only whole lines whose ``warc_filename``/``warc_offset`` name a record
  of that page in the run's archive (a line written for a record that was torn off is dropped:
  the page is fetched again by the next crawl);
- half-written text files (``*.tmp``) are removed;
- the run is packed as a WACZ, and then ``report.json`` says ``interrupted``: written last, so a
  repair that is itself interrupted is done again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.reader import Archive
from archive.records import OPEN_SUFFIX, ArchiveError
from archive.recovery import close_open_warc
from archive.wacz import build_wacz
from model.layout import RunLayout

logger = logging.getLogger(__name__)
INTERRUPTED = "interrupted"


@dataclass
class RunRepair:
    run_id: str
    warcs_closed: int = 0
    bytes_cut: int = 0
    lines_dropped: int = 0
    articles: int = 0
    wacz: str | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (f"recovered run {self.run_id} ({INTERRUPTED}): {self.warcs_closed} WARC files"
                f" closed, {self.bytes_cut} bytes of torn records cut, {self.articles} articles"
                f" kept, {self.lines_dropped} lines dropped")
        return line + "".join(f"; {p}" for p in self.problems)


def interrupted_runs(data_dir: Path, finished: Collection[str] = ()) -> list[RunLayout]:
    """The runs to repair; those ``finished`` names (the catalog's: ended and reported) are not
    looked into, so that a crawl's start reads no more than the listing of ``runs/``."""
    runs = Path(data_dir) / "runs"
    if not runs.is_dir():
        return []
    return [
        RunLayout(Path(data_dir), run.name) for run in sorted(runs.iterdir())
        if run.name not in finished and run.is_dir()
        and (any(run.glob(f"warc/*{OPEN_SUFFIX}")) or not _has_report(run))
    ]


def _has_report(run_dir: Path) -> bool:
    """A whole report: the crawl wrote it last, after its WARCs were closed and packed."""
    try:
        return isinstance(json.loads((run_dir / "report.json").read_text(encoding="utf-8")), dict)
    except (OSError, ValueError):
        return False


def repair_data_dir(data_dir: Path, finished: Collection[str] = ()) -> list[RunRepair]:
    """Repair every interrupted run. The caller holds the data directory's lock."""
    return [repair_run(layout) for layout in interrupted_runs(data_dir, finished)]


def repair_run(layout: RunLayout) -> RunRepair:
    repair = RunRepair(layout.run_id)
    for path in sorted(layout.warc_dir.glob(f"*{OPEN_SUFFIX}")):
        try:
            closed = close_open_warc(path)
        except ArchiveError as exc:
            repair.problems.append(str(exc))
            continue
        repair.warcs_closed += 1
        repair.bytes_cut += closed.cut
    for stray in layout.text_dir.rglob("*.tmp") if layout.text_dir.is_dir() else ():
        stray.unlink(missing_ok=True)
    for stray in layout.run_dir.glob(".*.tmp"):  # a report or package half written
        stray.unlink(missing_ok=True)
    _keep_whole_articles(layout, repair)
    if any(layout.warc_dir.glob("*.warc.gz")):
        try:
            repair.wacz = build_wacz(layout.run_dir).name
        except (ArchiveError, OSError) as exc:
            repair.problems.append(f"not packed: {exc}")
    _mark_interrupted(layout, repair)  # last: a whole report says the run needs nothing more
    logger.warning(repair.summary())
    return repair


def _keep_whole_articles(layout: RunLayout, repair: RunRepair) -> None:
    path = layout.articles_path
    if not path.exists():
        return
    archive = _archive_of(layout)
    kept: list[str] = []
    for line in path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        article = _article(line)
        if article is None or archive is None or not _holds(archive, article):
            repair.lines_dropped += 1
            continue
        kept.append(line.decode("utf-8"))
    repair.articles = len(kept)
    _write_atomically(path, "".join(k + "\n" for k in kept))


def _article(line: bytes) -> dict[str, Any] | None:
    try:
        article = json.loads(line)
    except ValueError:  # the torn last line of a crash
        return None
    return article if isinstance(article, dict) else None


def _archive_of(layout: RunLayout) -> Archive | None:
    try:
        return Archive.open(layout.warc_dir)
    except ArchiveError:
        return None


def _holds(archive: Archive, article: dict[str, Any]) -> bool:
    """True if the article's record is in the archive and is a capture of its page."""
    return any(
        c.filename == article.get("warc_filename") and c.offset == article.get("warc_offset")
        for c in archive.captures(str(article.get("url", "")))
    )


def _mark_interrupted(layout: RunLayout, repair: RunRepair) -> None:
    try:
        report: dict[str, Any] = json.loads(layout.report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {"run_id": layout.run_id, "sites": {}, "archive": {"files": []}}
    report["status"] = INTERRUPTED
    report["finish_reason"] = report.get("finish_reason") or INTERRUPTED
    report["repair"] = {"warcs_closed": repair.warcs_closed, "bytes_cut": repair.bytes_cut,
                        "lines_dropped": repair.lines_dropped, "articles": repair.articles}
    report["archive"]["files"] = sorted(p.name for p in layout.warc_dir.glob("*.warc.gz"))
    _write_atomically(layout.report_path, json.dumps(report, indent=2, sort_keys=True) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
