"""CDXJ indexes of closed WARC files, as pywb and ReplayWeb.page read them.

Each line is ``SURT timestamp {json}`` and the lines are sorted, so a lookup is a binary search
and indexes of many files merge in one streaming pass. The lines are cdxj-indexer's own, with
its defaults: the library indexes, we only sort, store and merge. So what it indexes is what we
index: ``response``, ``revisit``, ``resource`` and ``metadata`` records (the last two unless
their Content-Type is ``application/warc-fields``); never ``request`` or ``warcinfo`` records.
A metadata record's line has no ``status``: :mod:`archive.lookup` tells captures apart by it.

An index is written beside its WARC, ``<stem>.cdxj`` for ``<stem>.warc.gz``, through a
temporary file renamed into place, so a reader never sees half an index. ``write_index`` fits
:class:`archive.warc.RollingWarcWriter`'s ``on_close`` hook; :class:`StreamedIndex` fits its
``on_record`` and ``on_close`` hooks together, and indexes each record as it is written (the
writer knows where it put it) instead of reading the whole file again when it is closed.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from cdxj_indexer.main import CDXJIndexer
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from archive.records import OPEN_SUFFIX, ArchiveError, RecordLocation

logger = logging.getLogger(__name__)

INDEX_SUFFIX = ".cdxj"
_WARC_SUFFIXES = (".warc.gz", ".warc")


class CdxjError(ArchiveError):
    """A WARC file could not be indexed, or an index could not be written."""


def index_warc(path: Path) -> list[str]:
    """The CDXJ lines of one WARC file, sorted, without line ends.

    The ``filename`` of each line is the WARC's base name: indexes stay valid when a run's
    ``warc/`` folder is moved, or packed as a WACZ's ``archive/``.
    """
    path = Path(path)
    if path.name.endswith(OPEN_SUFFIX):
        raise CdxjError(f"{path} is still being written: index it once it is closed")
    output = io.StringIO()
    try:
        indexer = CDXJIndexer(output, [str(path)], sort=True)
        indexer.process_all()
    except ArchiveLoadFailed as exc:
        raise CdxjError(
            f"cannot index {path}: not a valid WARC file ({exc}); "
            f"check it with `warcio check {path}`"
        ) from exc
    except OSError as exc:
        raise CdxjError(f"cannot index {path}: {exc.strerror or exc}") from exc
    return output.getvalue().splitlines()


def index_open_warc(path: Path) -> list[str]:
    """The CDXJ lines of the complete records of a WARC that is still open (or was left open)."""
    end = complete_length(path)
    output = io.StringIO()
    try:
        with path.open("rb") as fh:
            indexer = CDXJIndexer(output, [str(path)])
            indexer.process_one(LimitReader(fh, end), output, str(path))
    except (ArchiveLoadFailed, OSError) as exc:
        raise CdxjError(f"cannot index {path}: {exc}") from exc
    return sorted(output.getvalue().splitlines())


def complete_length(path: Path) -> int:
    """How many bytes of ``path`` hold whole records: a crash can cut the last one short."""
    end = 0
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                records.read_to_end(record)
                if getattr(record.raw_stream, "limit", 0) > 0:
                    break  # the file ends inside this record's block
                offset, length = records.member_info
                end = offset + length
    except (ArchiveLoadFailed, EOFError, zlib.error) as exc:
        logger.warning("%s ends in a damaged record after byte %d: %s", path, end, exc)
    return end


class StreamedIndex:
    """The index of each WARC file, line by line as its records are written, sorted when the
    file is closed. The lines are cdxj-indexer's (its own code makes them, from the record the
    writer just serialised and where it put it), spilled to a hidden file beside the WARC so
    memory does not grow with the file. A file with no spilled lines (written by another
    writer) is indexed whole when it closes, as :func:`write_index` does."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)  # the WARCs' folder: the spilled lines go there too
        self._indexer = _RecordIndexer(io.StringIO(), [])
        self._spills: dict[str, tuple[Path, IO[str]]] = {}

    def add(self, record: ArcWarcRecord, location: RecordLocation) -> None:
        """Index ``record``, just written at ``location``."""
        if not self._indexer.filter_record(record):
            return
        spill = self._spills.get(location.filename)
        if spill is None:
            path = self.directory / f".{location.filename}.cdxj-part"
            # "w": a file left by a crash is dropped (its WARC is indexed whole on recovery).
            spill = self._spills[location.filename] = (path, path.open("w", encoding="utf-8"))
        self._indexer.index_record(record, location, spill[1])

    def close_file(self, warc: Path) -> Path:
        """``warc`` was closed: sort its lines into its index (:func:`index_path`)."""
        spill = self._spills.pop(Path(warc).name, None)
        if spill is None:
            return write_index(warc)
        path, out = spill
        try:
            out.close()
            lines = sorted(path.read_text(encoding="utf-8").splitlines())
            target = index_path(warc)
            _write_lines_atomically(target, lines)
        except OSError as exc:
            raise CdxjError(f"cannot index {warc}: {exc.strerror or exc}") from exc
        finally:
            path.unlink(missing_ok=True)
        logger.info("indexed %s as written: %d lines in %s", warc, len(lines), target.name)
        return target


class _RecordIndexer(CDXJIndexer):  # type: ignore[misc]
    """cdxj-indexer's line for one record that is already in memory, with its location."""

    def index_record(self, record: ArcWarcRecord, location: RecordLocation, out: IO[str]) -> None:
        self.curr_filename = location.filename
        self.process_index_entry(_Located(location), record, location.filename, out)


class _Located:
    """What cdxj-indexer asks its record iterator: where the record is."""

    def __init__(self, location: RecordLocation) -> None:
        self.location = location

    def get_record_offset(self) -> int:
        return self.location.offset

    def get_record_length(self) -> int:
        return self.location.length


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` goes: ``<stem>.cdxj`` beside it."""
    warc = Path(warc)
    for suffix in _WARC_SUFFIXES:
        if warc.name.endswith(suffix):
            return warc.with_name(warc.name.removesuffix(suffix) + INDEX_SUFFIX)
    raise CdxjError(f"{warc} is not named like a closed WARC file (*.warc.gz or *.warc)")


def write_index(warc: Path) -> Path:
    """Index ``warc`` and write the lines to :func:`index_path`; return that path."""
    target = index_path(warc)
    lines = index_warc(warc)
    _write_lines_atomically(target, lines)
    logger.info("indexed %s: %d lines in %s", warc, len(lines), target.name)
    return target


def ensure_index(warc: Path) -> Path:
    """The index of ``warc``, written first if it is missing or older than the WARC."""
    target = index_path(warc)
    return target if _is_fresh(target, warc) else write_index(warc)


def read_index(warc: Path) -> list[str]:
    """The index lines of ``warc``: from its index file when that is up to date, else made in
    memory. Nothing is written: the archive may be read-only. A WARC still named ``.open`` (being
    written, or left by a crawl that died) is indexed as far as its records are complete."""
    if Path(warc).name.endswith(OPEN_SUFFIX):
        return index_open_warc(Path(warc))
    target = index_path(warc)
    if _is_fresh(target, warc):
        return target.read_text(encoding="utf-8").splitlines()
    return index_warc(warc)


def _is_fresh(index: Path, warc: Path) -> bool:
    try:
        return index.stat().st_mtime_ns >= Path(warc).stat().st_mtime_ns
    except FileNotFoundError:
        return False


def merge_indexes(paths: Iterable[Path]) -> Iterator[str]:
    """The lines of several sorted index files as one sorted stream, without line ends."""
    with contextlib.ExitStack() as stack:
        streams = []
        for path in paths:
            try:
                fh = stack.enter_context(Path(path).open(encoding="utf-8"))
            except OSError as exc:
                raise CdxjError(f"cannot read index {path}: {exc.strerror or exc}") from exc
            streams.append(line.rstrip("\n") for line in fh)
        yield from heapq.merge(*streams)


def _write_lines_atomically(target: Path, lines: Iterable[str]) -> None:
    # A temporary name of our own (not mkstemp's), so the index gets the umask's permissions.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.replace(tmp, target)
    except OSError as exc:
        raise CdxjError(f"cannot write index {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
