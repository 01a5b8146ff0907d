"""Filling the catalog from the record: a run's captures from its WARCs (read through the archive
reader, revisits resolved), and every run's ``articles.jsonl``.

The crawl calls :func:`add_run_captures` when a run ends; :func:`rebuild` makes a whole catalog
again from the data directory, the same one the crawls built.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import CATALOG_NAME, Catalog
from archive.reader import Archive
from archive.records import ArchiveReadError, payload_digest, warc_date
from archive.story_store import StoryStore
from archive.threads import Threads, article_day

logger = logging.getLogger(__name__)
SiteOf = Callable[[str], "str | None"]


@dataclass
class RebuildResult:
    runs: int = 0
    captures: int = 0
    versions: int = 0
    stories: int = 0  # articles put in story threads


def add_run_captures(catalog: Catalog, archive: Archive, run_dir: Path, site_of: SiteOf) -> int:
    """Every response archived in the run at ``run_dir`` (its WARCs, loose or in its WACZ), as
    captures: ``archive`` must hold the whole data directory, for revisits to resolve."""
    count = 0
    with catalog.transaction():
        for response in archive.responses(files=archive.files_in(run_dir)):
            headers = {name.lower(): value for name, value in response.headers}
            catalog.add_capture({
                "warc_filename": response.location.filename,
                "warc_offset": response.location.offset,
                "run_id": run_dir.name,
                "url": response.url,
                "site": site_of(response.url),
                "date": warc_date(response.date),
                "status": response.status,
                "payload_digest": payload_digest(response.body),
                "etag": headers.get("etag"),
                "last_modified": headers.get("last-modified"),
            })
            count += 1
    return count


def run_articles(run_dir: Path) -> Iterator[dict[str, Any]]:
    """The whole lines of a run's ``articles.jsonl``."""
    path = run_dir / "articles.jsonl"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                logger.warning("%s:%d is not a whole JSON line: skipped", path, number)


def add_articles(catalog: Catalog, articles: list[tuple[dict[str, Any], str]]) -> int:
    """Articles (with the run that wrote them) in the order they were fetched, each as the
    version its line says, or (lines of runs before versions existed) as the catalog counts."""
    added = 0
    articles.sort(key=lambda item: (item[0].get("fetched") or "", item[0]["url"]))
    with catalog.transaction():
        for article, run_id in articles:
            if not article.get("version"):
                article = {**article, "version": catalog.next_version(
                    article["url"], article.get("sha256") or "")[0]}
            added += catalog.add_version(article, run_id)
    return added


def add_stories(catalog: Catalog, articles: list[tuple[dict[str, Any], str]]) -> int:
    """Every URL's latest article into story threads, oldest first: into the thread its line
    names (``story``, as the crawl assigned it) where it names one, else as a night would."""
    latest = {article["url"]: article for article, _ in articles}  # in the order fetched
    threads = Threads(StoryStore(catalog.connection))
    ordered = sorted(latest.values(), key=lambda a: (article_day(a), a.get("fetched") or "",
                                                     a["url"]))
    with catalog.transaction():
        return sum(threads.assign(a, a.get("story")).new for a in ordered)


def rebuild(data_dir: Path, site_of: SiteOf, path: Path | None = None) -> RebuildResult:
    """A new catalog of everything under ``data_dir/runs``, put in place of the old one whole."""
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
    try:
        articles: list[tuple[dict[str, Any], str]] = []
        for run_dir in runs:
            if archive is not None:
                result.captures += add_run_captures(catalog, archive, run_dir, site_of)
            articles += [(article, run_dir.name) for article in run_articles(run_dir)]
            result.runs += 1
        result.versions = add_articles(catalog, articles)
        result.stories = add_stories(catalog, articles)
        catalog.refresh_urls()
        catalog.checkpoint()
    finally:
        catalog.close()
    _remove(path)
    os.replace(building, path)
    return result


def _remove(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)
