"""What ``newsarchive report`` shows, gathered from the data directory: every run's
``report.json`` and WARC files, and the catalog's text versions.

    nights   one :class:`Night` per run, in the order they started: per site the articles
             archived (and new / changed / unchanged where the catalog counted them), the
             failures by reason, the status, the duration and the WARC bytes written
    texts    per site, from the latest version of every archived text in the catalog: how many,
             their length in words (quartiles) and their languages

Nothing here writes: the catalog is opened read-only, so a crawl can run meanwhile.
:mod:`newsarchive.report_html` draws the page.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.story_store import StoryStore
from archive.story_view import Thread, threads
from model.layout import RunLayout

# A run with no whole report.json: still crawling, or a crash not yet repaired (the next crawl,
# or `newsarchive repair`, repairs it and its report says "interrupted").
UNFINISHED = "unfinished"
INTERRUPTED = "interrupted"


class ReportError(Exception):
    """What the report needs could not be read."""


class NoRuns(ReportError):
    """The data directory holds no run to report on."""


@dataclass(frozen=True)
class SiteNight:
    """One site in one run, as its ``report.json`` gives it."""

    status: str
    articles: int
    failed: int
    # From the catalog; None when the run did not count them (catalog off, or an old run).
    new: int | None = None
    changed: int | None = None
    unchanged: int | None = None


@dataclass(frozen=True)
class Night:
    """One run."""

    run_id: str
    started: datetime | None
    duration: float | None  # seconds
    status: str  # ok, failed: <sites>, empty: <sites>, stopped (<reason>), interrupted, unfinished
    sites: dict[str, SiteNight]
    failures: dict[str, int]  # by reason, every site's added up
    warc_bytes: int

    @property
    def articles(self) -> int:
        return sum(site.articles for site in self.sites.values())

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def versions(self, kind: str) -> int | None:
        """New, changed or unchanged articles of every site, or None if no site counted them."""
        counts = [getattr(site, kind) for site in self.sites.values()]
        known = [count for count in counts if count is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class SiteTexts:
    """The latest text of every article of a site in the catalog."""

    site: str
    texts: int
    words: tuple[float, float, float, float, float]  # min, lower quartile, median, upper, max
    mean_words: float
    languages: dict[str, int]


@dataclass(frozen=True)
class ArchiveReport:
    data_dir: Path
    nights: list[Night]  # oldest first
    texts: dict[str, SiteTexts] = field(default_factory=dict)  # by site
    catalog: Path | None = None  # None: no catalog in the data directory
    urls: int = 0
    versions: int = 0
    threads: list[Thread] = field(default_factory=list)  # the latest of 2+ articles

    @property
    def sites(self) -> list[str]:
        names = {name for night in self.nights for name in night.sites} | set(self.texts)
        return sorted(names)

    @property
    def reasons(self) -> list[str]:
        """Every failure reason seen, the most frequent first."""
        total: Counter[str] = Counter()
        for night in self.nights:
            total.update(night.failures)
        return [reason for reason, _ in total.most_common()]

    def cumulative_bytes(self) -> list[int]:
        sums, total = [], 0
        for night in self.nights:
            total += night.warc_bytes
            sums.append(total)
        return sums


def gather(data_dir: Path) -> ArchiveReport:
    """Everything the page shows, from ``data_dir``; :class:`NoRuns` if it holds no run."""
    data_dir = Path(data_dir)
    runs = data_dir / "runs"
    run_dirs = sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []
    if not run_dirs:
        raise NoRuns(f"{data_dir} has no runs (no {runs}/<run>/): expected a data directory"
                     " that `newsarchive crawl --data` has written")
    nights = sorted((read_night(RunLayout(data_dir, d.name)) for d in run_dirs),
                    key=lambda n: (n.started is None, n.started or datetime.min, n.run_id))
    path = data_dir / CATALOG_NAME
    if not path.is_file():
        return ArchiveReport(data_dir, nights)
    try:
        texts, urls, versions = read_texts(path)
        stories = read_threads(path)
    except (CatalogError, sqlite3.Error) as exc:
        raise ReportError(f"{exc}; `newsarchive catalog rebuild {data_dir}` makes it again"
                          ) from exc
    return ArchiveReport(data_dir, nights, texts, path, urls, versions, stories)


def read_threads(path: Path, shown: int = 8) -> list[Thread]:
    """The latest story threads of two articles or more."""
    catalog = Catalog.open_readonly(path)
    try:
        return threads(StoryStore(catalog.connection, create=False), min_size=2, limit=shown)
    finally:
        catalog.close()


def read_night(layout: RunLayout) -> Night:
    """One run from its ``report.json`` (absent or torn: an unfinished run) and its WARCs."""
    report = _report_json(layout.report_path)
    stats = report.get("stats") or {}
    started = _time(stats.get("start_time")) or _time_of_run_id(layout.run_id)
    sites = {name: _site(summary) for name, summary in sorted((report.get("sites") or {}).items())}
    failures: Counter[str] = Counter()
    for summary in (report.get("sites") or {}).values():
        failures.update({k: int(v) for k, v in (summary.get("failed") or {}).items()})
    duration = report.get("duration_seconds")
    return Night(
        run_id=layout.run_id, started=started,
        duration=float(duration) if isinstance(duration, int | float) else None,
        status=_status(report, sites), sites=sites, failures=dict(failures.most_common()),
        warc_bytes=warc_bytes(layout),
    )


def _report_json(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}


def _site(summary: dict[str, Any]) -> SiteNight:
    def count(key: str) -> int | None:
        value = summary.get(key)
        return int(value) if isinstance(value, int) else None

    return SiteNight(
        status=str(summary.get("status", "")), articles=count("articles") or 0,
        failed=sum(int(v) for v in (summary.get("failed") or {}).values()),
        new=count("new"), changed=count("changed"), unchanged=count("unchanged"),
    )


def _status(report: dict[str, Any], sites: dict[str, SiteNight]) -> str:
    if not report:
        return UNFINISHED
    if report.get("status") == INTERRUPTED:
        return INTERRUPTED
    reason = report.get("finish_reason")
    if reason and reason != "finished":  # shutdown (Ctrl-C, a signal), closespider_*, ...
        return f"stopped ({reason})"
    by_status: dict[str, list[str]] = {}
    for name, site in sites.items():
        if site.status != "ok":
            by_status.setdefault(site.status or "unknown", []).append(name)
    return "; ".join(f"{status}: {', '.join(names)}"
                     for status, names in sorted(by_status.items())) or "ok"


def _time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _time_of_run_id(run_id: str) -> datetime | None:
    """The start of a run named by default (the UTC time, ``20261201T023000Z``, maybe with a
    suffix); None for any other name."""
    try:
        return datetime.strptime(run_id[:16] + "+0000", "%Y%m%dT%H%M%SZ%z")
    except ValueError:
        return None


def warc_bytes(layout: RunLayout) -> int:
    """The size of the run's WARC files; for a run kept only as its WACZ, of the WARCs in it
    (the copies of earlier nights' records that make it replay on its own left out)."""
    warcs = list(layout.warc_dir.glob("*.warc.gz")) if layout.warc_dir.is_dir() else []
    if warcs:
        return sum(path.stat().st_size for path in warcs)
    wacz = layout.run_dir / f"{layout.run_id}.wacz"
    try:
        with zipfile.ZipFile(wacz) as package:
            return sum(info.compress_size for info in package.infolist()
                       if info.filename.startswith("archive/")
                       and not info.filename.endswith("-originals.warc.gz"))
    except (OSError, zipfile.BadZipFile):
        return 0


def read_texts(path: Path) -> tuple[dict[str, SiteTexts], int, int]:
    """Per site, the latest version of each URL's text; and the catalog's URLs and versions."""
    catalog = Catalog.open_readonly(path)
    try:
        words: dict[str, list[int]] = {}
        languages: dict[str, Counter[str]] = {}
        for site, language, text in catalog.latest_texts():
            words.setdefault(site, []).append(len(text.split()))
            languages.setdefault(site, Counter())[language] += 1
        urls, versions = catalog.sizes()
    finally:
        catalog.close()
    texts = {site: SiteTexts(site, len(counts), quartiles(counts),
                             round(statistics.fmean(counts), 1),
                             dict(languages[site].most_common()))
             for site, counts in sorted(words.items())}
    return texts, int(urls), int(versions)


def quartiles(values: list[int]) -> tuple[float, float, float, float, float]:
    """Minimum, lower quartile, median, upper quartile and maximum (quartiles as
    ``statistics.quantiles(..., method="inclusive")``: the ones a box plot draws)."""
    if len(values) == 1:
        one = float(values[0])
        return one, one, one, one, one
    low, median, high = statistics.quantiles(values, n=4, method="inclusive")
    return float(min(values)), low, median, high, float(max(values))
