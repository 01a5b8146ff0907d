"""A run packed as one WACZ file (Web Archive Collection Zipped, 1.1.1) for ReplayWeb.page.

    archive/<name>.warc.gz      the run's closed WARC files, stored (not deflated), byte for byte
    indexes/index.cdx           the CDXJ indexes of those files merged, sorted
    pages/pages.jsonl           one page per extracted article, with its clean text
    datapackage.json            every file above with its size and SHA-256
    datapackage-digest.json     the SHA-256 of datapackage.json

The per-file indexes beside the WARCs are reused (and written where missing), read through the
archive reader. The package is
written to a temporary file and renamed into place. The clock is injected: with a fixed clock
the same run gives the same bytes, so a test can compare packages.

Built here rather than with py-wacz (``wacz`` on PyPI): its builder is a command-line function
that prints, reads the clock itself, writes a compressed ZipNum index instead of plain CDXJ, and
pulls in frictionless and its dependencies for validation we don't need when writing.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from archive.cdxj import ensure_index
from archive.originals import originals_of, temporary_directory, write_originals
from archive.reader import Archive
from archive.records import OPEN_SUFFIX, ArchiveError, utc_now
from model.layout import RunLayout

logger = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
# CDXJ lines under the name py-wacz used before it compressed its indexes: ReplayWeb.page reads
# `.cdx` and `.cdxj` alike, but pywb's `wb-manager add --unpack-wacz` looks for `.cdx` only.
INDEX_ENTRY = "indexes/index.cdx"
PAGES_ENTRY = "pages/pages.jsonl"
_CHUNK = 1 << 20
_SPOOL_IN_MEMORY = 16 << 20


class WaczError(ArchiveError):
    """A run could not be packed as a WACZ file."""


@dataclass(frozen=True)
class Resource:
    """A file in the package, as ``datapackage.json`` lists it."""

    path: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.path.rsplit("/", 1)[-1].lower(),
            "path": self.path,
            "hash": f"sha256:{self.sha256}",
            "bytes": self.size,
        }


def build_wacz(
    run_dir: Path,
    output: Path | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> Path:
    """Pack the run in ``run_dir`` as ``<run_dir>/<run_id>.wacz`` (or ``output``); return its path."""
    run_dir = Path(run_dir)
    layout = RunLayout(run_dir.parent.parent, run_dir.name)
    warcs = _closed_warcs(layout)
    output = Path(output) if output else run_dir / f"{layout.run_id}.wacz"
    created = clock().astimezone(UTC).replace(microsecond=0)
    for warc in warcs:
        ensure_index(warc)  # kept beside the WARC too, for the tools that look there
    index_lines = Archive.open(layout.warc_dir).index_lines()
    whole, originals = originals_of(index_lines, layout.data_dir)

    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as package, temporary_directory() as spare:
            packer = _Packer(package, created)
            resources = [packer.add_file(f"archive/{warc.name}", warc) for warc in warcs]
            if originals:
                copies, copy_lines = write_originals(layout.run_id, originals, whole, Path(spare))
                resources.append(packer.add_file(f"archive/{copies.name}", copies))
                index_lines = list(heapq.merge(index_lines, sorted(copy_lines)))
            resources.append(packer.add_lines(INDEX_ENTRY, index_lines))
            resources.append(packer.add_lines(PAGES_ENTRY, _page_lines(layout.articles_path)))
            manifest = _datapackage(layout.run_id, resources, created)
            packer.add_bytes("datapackage.json", manifest)
            digest = {"path": "datapackage.json", "hash": f"sha256:{_sha256(manifest)}"}
            packer.add_bytes("datapackage-digest.json", _json_bytes(digest))
        os.replace(tmp, output)
    except ArchiveError:
        raise
    except OSError as exc:
        raise WaczError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("packed %d WARC files of run %s into %s", len(warcs), layout.run_id, output)
    return output


def page_entry(article: dict[str, Any]) -> dict[str, Any] | None:
    """The pages.jsonl entry of an article from articles.jsonl; ``None`` if it has no time."""
    url, fetched = article.get("url"), article.get("fetched")
    if not url or not fetched:
        return None
    try:
        moment = datetime.fromisoformat(fetched)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # `fetched` is written in UTC
    ts = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry: dict[str, Any] = {"id": _page_id(article, ts), "url": url, "ts": ts}
    if article.get("title"):
        entry["title"] = article["title"]
    if article.get("text"):
        entry["text"] = article["text"]
    return entry


def _closed_warcs(layout: RunLayout) -> list[Path]:
    if not layout.run_dir.is_dir():
        raise WaczError(f"no run at {layout.run_dir}: give the folder of one run, data/runs/<id>")
    still_open = sorted(layout.warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}"))
    if still_open:
        raise WaczError(
            f"{still_open[0]} is still open: let the crawl finish (or recover the "
            "file and rename it without .open) before packing the run"
        )
    warcs = sorted(layout.warc_dir.glob("*.warc.gz"))
    if not warcs:
        raise WaczError(f"run {layout.run_id} has no WARC files in {layout.warc_dir}")
    return warcs


def _page_lines(articles_path: Path) -> Iterator[str]:
    yield json.dumps(PAGES_HEADER)
    if not articles_path.exists():
        return
    with articles_path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = page_entry(json.loads(line))
            except (ValueError, AttributeError):
                entry = None
            if entry is None:
                logger.warning(
                    "%s:%d: no article with a url and a fetch time; not a page",
                    articles_path,
                    number,
                )
                continue
            yield json.dumps(entry, ensure_ascii=False)


def _page_id(article: dict[str, Any], ts: str) -> str:
    """The UUID of the article's response record, so a page names its capture; else a hash."""
    record_id = str(article.get("warc_record_id") or "")
    try:
        return uuid.UUID(record_id.strip("<>").removeprefix("urn:uuid:")).hex
    except ValueError:
        return hashlib.sha256(f"{article['url']} {ts}".encode()).hexdigest()[:32]


def _datapackage(run_id: str, resources: list[Resource], created: datetime) -> bytes:
    try:
        software = f"newsarchive {version('newsarchive')}"
    except PackageNotFoundError:
        software = "newsarchive"
    manifest = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": f"newsarchive run {run_id}",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": software,
        "resources": [resource.to_dict() for resource in resources],
    }
    return _json_bytes(manifest)


def _json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Packer:
    """Adds entries with fixed times and modes: same input, same zip."""

    def __init__(self, package: zipfile.ZipFile, moment: datetime) -> None:
        self.package = package
        self.date_time = moment.timetuple()[:6]

    def add_file(self, name: str, path: Path) -> Resource:
        """A WARC file: already gzipped, so stored, for readers that seek into it."""
        with path.open("rb") as fh:
            return self._add(name, fh, path.stat().st_size, zipfile.ZIP_STORED)

    def add_lines(self, name: str, lines: Iterable[str]) -> Resource:
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            for line in lines:
                spool.write(line.encode("utf-8") + b"\n")
            size = spool.tell()
            spool.seek(0)
            return self._add(name, spool, size, zipfile.ZIP_DEFLATED)

    def add_bytes(self, name: str, data: bytes) -> None:
        self.package.writestr(self._info(name, len(data), zipfile.ZIP_DEFLATED), data)

    def _add(self, name: str, source: IO[bytes], size: int, compression: int) -> Resource:
        digest = hashlib.sha256()
        with self.package.open(self._info(name, size, compression), "w") as out:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        return Resource(name, digest.hexdigest(), size)

    def _info(self, name: str, size: int, compression: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = compression
        info.external_attr = 0o644 << 16
        info.file_size = size  # lets zipfile choose ZIP64 for entries over 2 GiB
        return info
