"""Filling the catalog from the record: a run's captures from its WARCs (read through the archive
reader, revisits resolved), and every run's ``articles.jsonl``.

The crawl calls :func:`add_run_captures` when a run ends, and :func:`bring_up_to_date` when one
starts (for the runs that ended without it); :func:`rebuild` makes a whole catalog again from the
data directory, the same one the crawls built.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from archive.catalog import CATALOG_NAME, Catalog
from archive.feature_pool import with_features
from archive.reader import Archive
from archive.records import OPEN_SUFFIX, ArchiveReadError, payload_digest, warc_date
from archive.story_store import StoryStore
from archive.threads import Threads, article_day

logger = logging.getLogger(__name__)
SiteOf = Callable[[str], "str | None"]
_OPEN_FILES = 32  # runs' articles.jsonl open at once while the catalog is filled


@dataclass
class RebuildResult:
    runs: int = 0
    captures: int = 0
    versions: int = 0
    stories: int = 0  # articles put in story threads


def add_run_captures(
    catalog: Catalog, archive: Archive, run_dir: Path, site_of: SiteOf, finished: bool = True
) -> tuple[int, set[str]]:
    """Every response archived in the run at ``run_dir`` (its WARCs, loose or in its WACZ), as
    captures; return how many, and their URLs. ``archive`` need hold only that run: a revisit is
    not resolved, its digest is its own ``WARC-Payload-Digest`` (its original's). A ``finished``
    run (its WARCs all closed) is noted as catalogued.

    Of a run a crash killed (repaired: its report says so), a 200 that no article line names is
    left out: the crawl may have died before extracting it, and the catalog would call it
    archived, so the incremental nights would never fetch it again. The next night fetches it
    and stores it whole."""
    urls: set[str] = set()
    count = 0
    named = _named_by_articles(run_dir)
    with catalog.transaction():
        for response in archive.responses(files=archive.files_in(run_dir), resolve=False):
            where = (response.location.filename, response.location.offset)
            if named is not None and response.status == 200 and where not in named:
                continue
            headers = {name.lower(): value for name, value in response.headers}
            revisit = response.record_type == "revisit"
            catalog.add_capture({
                "warc_filename": response.location.filename,
                "warc_offset": response.location.offset,
                "run_id": run_dir.name,
                "url": response.url,
                "site": site_of(response.url),
                "date": warc_date(response.date),
                "status": response.status,
                "payload_digest": response.digest if revisit else payload_digest(response.body),
                "etag": headers.get("etag"),
                "last_modified": headers.get("last-modified"),
                "record_type": response.record_type,
                "record_id": response.location.record_id,
                "warc_date": response.warc_date,
                "warc_length": response.location.length or None,
            })
            urls.add(response.url)
            count += 1
        if finished and not _still_open(run_dir):
            catalog.add_run(run_dir.name, count)
    return count, urls


def add_run(
    catalog: Catalog, run_dir: Path, site_of: SiteOf, finished: bool = True
) -> tuple[int, set[str]]:
    """:func:`add_run_captures` read from the run's own files alone (a cost that does not grow
    with the runs before it); a run that archived nothing adds none."""
    try:
        archive = Archive.open(run_dir)
    except ArchiveReadError:
        if finished and not _still_open(run_dir):
            catalog.add_run(run_dir.name, 0)
        return 0, set()
    return add_run_captures(catalog, archive, run_dir, site_of, finished)


def catch_up(catalog: Catalog, data_dir: Path, site_of: SiteOf) -> list[str]:
    """Add the captures of every finished run (one with its ``report.json``: ended, or repaired
    after a crash) that the catalog lacks, and recompute their URLs; return those runs. Once
    the catalog is whole this is a listing of ``runs/`` and one query."""
    runs = Path(data_dir) / "runs"
    known = catalog.runs()
    missing = [run for run in sorted(runs.iterdir()) if run.name not in known
               and (run / "report.json").is_file()] if runs.is_dir() else []
    urls: set[str] = set()
    for run_dir in missing:
        urls |= add_run(catalog, run_dir, site_of)[1]
    if urls:
        catalog.refresh_urls(urls)
    return [run.name for run in missing]


def bring_up_to_date(data_dir: Path, site_of: SiteOf, path: Path | None = None) -> int:
    """Make the catalog hold every finished run before a crawl reads it: built whole once when
    there is none (a data directory older than the catalog), else caught up; return how many
    runs were read."""
    path = Path(path or Path(data_dir) / CATALOG_NAME)
    if not path.exists() and any((Path(data_dir) / "runs").glob("*/report.json")):
        logger.warning("no catalog at %s: building it from the runs of %s (once)", path, data_dir)
        return rebuild(data_dir, site_of, path).runs
    catalog = Catalog.open(path)
    try:
        added = catch_up(catalog, data_dir, site_of)
    finally:
        catalog.close()
    if added:
        logger.warning("added the captures of %d runs to the catalog: %s", len(added), added)
    return len(added)


def run_articles(run_dir: Path) -> Iterator[dict[str, Any]]:
    """The whole lines of a run's ``articles.jsonl``."""
    return (article for _, article in _article_lines(run_dir / "articles.jsonl"))


def _article_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, article) of each whole line of an ``articles.jsonl``; a torn line is skipped
    (a crash may cut one anywhere, inside a character too), and so is one that is no article."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        offset = 0
        for number, line in enumerate(fh, 1):
            try:
                article = json.loads(line)  # UnicodeDecodeError too is a ValueError
            except ValueError:
                article = None
            if isinstance(article, dict) and isinstance(article.get("url"), str):
                yield offset, article
            elif line.strip():
                logger.warning("%s:%d is not a whole article line: skipped", path, number)
            offset += len(line)


class ArticleLines:
    """Where each line of the runs' ``articles.jsonl`` is, with what orders it (its URL, fetch
    time and day), not the article: the catalog is filled from them one line at a time, read
    again from its file, so memory does not grow with the archive's texts."""

    def __init__(self, run_dirs: list[Path]) -> None:
        self._paths = [run_dir / "articles.jsonl" for run_dir in run_dirs]
        self._runs = [run_dir.name for run_dir in run_dirs]
        # (fetched, url, day, run number, offset of the line) in the runs' order, lines' order
        self.lines: list[tuple[str, str, str, int, int]] = []
        self._open: dict[int, IO[bytes]] = {}

    def add_run(self, number: int) -> None:
        """Note where the articles of run ``number`` (of the ``run_dirs``) are."""
        for offset, article in _article_lines(self._paths[number]):
            self.lines.append((article.get("fetched") or "", article["url"],
                               article_day(article), number, offset))

    def read(self, line: tuple[str, str, str, int, int]) -> tuple[dict[str, Any], str]:
        """The article at ``line``, and the run that wrote it."""
        number, offset = line[3], line[4]
        fh = self._open.get(number)
        if fh is None:
            if len(self._open) >= _OPEN_FILES:
                self.close()
            fh = self._open[number] = self._paths[number].open("rb")
        fh.seek(offset)
        article: dict[str, Any] = json.loads(fh.readline())
        return article, self._runs[number]

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()


def add_articles(catalog: Catalog, articles: ArticleLines) -> int:
    """Articles (with the run that wrote them) in the order they were fetched, each as the
    version its line says, or (lines of runs before versions existed) as the catalog counts."""
    added = 0
    articles.lines.sort(key=lambda line: (line[0], line[1]))
    with catalog.transaction():
        for line in articles.lines:
            article, run_id = articles.read(line)
            if not article.get("version"):
                article = {**article, "version": catalog.next_version(
                    article["url"], article.get("sha256") or "")[0]}
            added += catalog.add_version(article, run_id)
    return added


def add_stories(catalog: Catalog, articles: ArticleLines, workers: int | None = None) -> int:
    """Every URL's latest article (of lines in the order :func:`add_articles` leaves them) into
    story threads, oldest first: into the thread its line names (``story``, as the crawl
    assigned it) where it names one, else as a night would. Their text features are worked out
    by ``workers`` processes (:mod:`archive.feature_pool`; None: one per core)."""
    latest = {line[1]: line for line in articles.lines}  # the last of each URL's, as fetched
    ordered = sorted(latest.values(), key=lambda line: (line[2], line[0], line[1]))
    del latest
    threads = Threads(StoryStore(catalog.connection))
    new = 0
    read = (articles.read(line)[0] for line in ordered)
    with catalog.transaction():
        for article, features in with_features(read, len(ordered), workers):
            new += threads.assign(article, article.get("story"), features).new
    return new


def rebuild(
    data_dir: Path, site_of: SiteOf, path: Path | None = None, workers: int | None = None
) -> RebuildResult:
    """A new catalog of everything under ``data_dir/runs``, put in place of the old one whole;
    the story threads' text features worked out by ``workers`` processes (None: one per core)."""
    data_dir = Path(data_dir)
    path = path or data_dir / CATALOG_NAME
    building = path.with_name(f".{path.name}.{os.getpid()}.rebuild")
    _remove(building)
    result = RebuildResult()
    runs = sorted(p for p in (data_dir / "runs").iterdir() if p.is_dir()) if (
        data_dir / "runs").is_dir() else []
    try:
        archive: Archive | None = Archive.open(data_dir / "runs")
    except ArchiveReadError:
        archive = None
    catalog = Catalog.open(building)
    articles = ArticleLines(runs)
    built = False
    try:
        for number, run_dir in enumerate(runs):
            finished = (run_dir / "report.json").is_file()
            if archive is not None:
                result.captures += add_run_captures(
                    catalog, archive, run_dir, site_of, finished)[0]
            elif finished:
                catalog.add_run(run_dir.name, 0)
            articles.add_run(number)
            result.runs += 1
        archive = None  # its index of every capture: not needed beside the texts
        result.versions = add_articles(catalog, articles)
        result.stories = add_stories(catalog, articles, workers)
        catalog.refresh_urls()
        catalog.checkpoint()
        built = True
    finally:
        articles.close()
        catalog.close()
        if not built:  # named after this process: no later rebuild would ever remove it
            _remove(building)
    _remove(path)
    os.replace(building, path)
    return result


def _named_by_articles(run_dir: Path) -> set[tuple[object, object]] | None:
    """The records the articles of a repaired run name; None for a run that was not killed."""
    try:
        report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or "repair" not in report:
        return None
    return {(a.get("warc_filename"), a.get("warc_offset")) for a in run_articles(run_dir)}


def _still_open(run_dir: Path) -> bool:
    return any((run_dir / "warc").glob(f"*{OPEN_SUFFIX}"))


def _remove(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)
