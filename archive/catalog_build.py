"""Filling the catalog from the record: a run's captures from its WARCs (read through the archive
reader, revisits resolved), and every run's ``articles.jsonl``.

The crawl adds each capture as its record is written (:func:`record_capture`), or, when it could
not, calls :func:`add_run_captures` when a run ends; :func:`rebuild` makes a whole catalog again
from the data directory, the same one the crawls built.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.recordloader import ArcWarcRecord

from archive.catalog import CATALOG_NAME, Catalog
from archive.reader import Archive
from archive.records import ArchiveReadError, RecordLocation, payload_digest, warc_date

logger = logging.getLogger(__name__)
SiteOf = Callable[[str], "str | None"]
_OPEN_FILES = 16  # articles.jsonl files open at once while the catalog's texts are added


@dataclass
class RebuildResult:
    runs: int = 0
    captures: int = 0
    versions: int = 0


def record_capture(
    record: ArcWarcRecord, location: RecordLocation, run_id: str, site_of: SiteOf
) -> dict[str, Any] | None:
    """The capture a record just written is (a response or revisit with its HTTP head), as
    :func:`add_run_captures` reads it back: a revisit's payload digest is its original's."""
    if record.rec_type not in ("response", "revisit") or record.http_headers is None:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    return {
        "warc_filename": location.filename,
        "warc_offset": location.offset,
        "run_id": run_id,
        "url": url,
        "site": site_of(url),
        "date": warc_date(datetime.fromisoformat(record.rec_headers.get_header("WARC-Date"))),
        "status": int(http.get_statuscode() or 0),
        "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
        "etag": http.get_header("etag"),
        "last_modified": http.get_header("last-modified"),
    }


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


def add_articles(catalog: Catalog, runs: list[Path]) -> int:
    """The articles of ``runs`` in the order they were fetched, each as the version its line
    says, or (lines of runs before versions existed) as the catalog counts. Only each line's
    sort key and place are held; the line is read again when its turn comes, so memory holds
    no texts, however many runs there are."""
    order: list[tuple[str, str, int, int]] = []
    for number, run_dir in enumerate(runs):
        for offset, article in _article_lines(run_dir / "articles.jsonl"):
            order.append((article.get("fetched") or "", article["url"], number, offset))
    order.sort()
    added = 0
    files: OrderedDict[int, BinaryIO] = OrderedDict()  # the last few runs' files, kept open
    try:
        with catalog.transaction():
            for _, _, number, offset in order:
                fh = files.pop(number, None) or (runs[number] / "articles.jsonl").open("rb")
                files[number] = fh
                if len(files) > _OPEN_FILES:
                    files.popitem(last=False)[1].close()
                fh.seek(offset)
                article = json.loads(fh.readline())
                if not article.get("version"):
                    article = {**article, "version": catalog.next_version(
                        article["url"], article.get("sha256") or "")[0]}
                added += catalog.add_version(article, runs[number].name)
    finally:
        for fh in files.values():
            fh.close()
    return added


def _article_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each whole line of an ``articles.jsonl``, with its byte offset."""
    if not path.exists():
        return
    offset = 0
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            try:
                yield offset, json.loads(line)
            except json.JSONDecodeError:
                logger.warning("%s:%d is not a whole JSON line: skipped", path, number)
            offset += len(line)


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
        for run_dir in runs:
            if archive is not None:
                result.captures += add_run_captures(catalog, archive, run_dir, site_of)
            result.runs += 1
        result.versions = add_articles(catalog, runs)
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
