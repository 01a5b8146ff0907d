"""The archive reader: the one way anything reads the archive back.

An archive at a path (WARC files, WACZ packages, run or data directories) is indexed once and
answers "what did this URL return at that time?" (:meth:`Archive.lookup`, :meth:`Archive.read`)
and "what is in it, in order?" (:meth:`Archive.responses`). Replay, the replay server,
re-extraction, packing and the catalog all read through it.

- Revisit records (the same payload as an earlier capture) are resolved to the response they
  refer to, so a reader always gets a whole response.
- A WARC found both loose and in a WACZ is read once.
- A WARC still named ``.open`` (a crawl running, or one that died) is read as far as its
  records are complete.
- Payloads are decompressed (:func:`decoded_body`) only up to a cap: a page that inflates to
  gigabytes is refused, not read into memory.
"""

from __future__ import annotations

import heapq
import io
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.cdxj import read_index
from archive.lookup import Capture, captures, nearest, parse_capture
from archive.records import ArchiveReadError, RecordLocation
from archive.sources import ClosingMember, Opener, add_wacz, archive_files, file_opener

logger = logging.getLogger(__name__)
MAX_DECODED_BYTES = 64 * 1024 * 1024
REVISIT_MIME = "warc/revisit"  # how cdxj-indexer marks a revisit's index line
# A WACZ may carry copies of the earlier responses its revisits refer to, so that it replays on
# its own (archive/originals.py): lookups see them, but they are not captures of that run.
ORIGINALS_SUFFIX = "-originals.warc.gz"


@dataclass(frozen=True)
class ArchivedResponse:
    """A response as archived: status, headers and the payload bytes as received."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str
    date: datetime  # the capture's WARC-Date
    location: RecordLocation  # of the record that answered (a revisit's own, if it was one)
    record_type: str = "response"  # or "revisit" (its body then that of its original)
    digest: str | None = None  # the record's WARC-Payload-Digest, as written
    warc_date: str = ""  # the record's WARC-Date, as written


class Archive:
    """The captures under one path, with a sorted CDXJ index of them all in memory."""

    def __init__(
        self, openers: dict[str, Opener], index_lines: list[str],
        containers: dict[str, Path] | None = None,
    ) -> None:
        self._openers = openers
        self._containers = containers or {}  # WARC name -> the file holding it (itself, a WACZ)
        self._lines = index_lines
        self._by_location: dict[tuple[str, int], Capture] | None = None

    @classmethod
    def open(cls, path: Path) -> Archive:
        """Index everything at ``path``: a WARC, a WACZ, or a directory holding either.

        A WARC found both loose and in a WACZ (a run directory holds both) is read once.
        """
        openers: dict[str, Opener] = {}
        containers: dict[str, Path] = {}
        indexes: list[Iterable[str]] = []
        sources = list(archive_files(path))
        for source in sources:
            if not source.name.endswith(".wacz"):
                openers[source.name] = file_opener(source)
                containers[source.name] = source
                indexes.append(read_index(source))
        for source in sources:
            if source.name.endswith(".wacz"):
                for name in add_wacz(source, openers, indexes):
                    containers[name] = source
        if not openers:
            raise ArchiveReadError(f"no WARC or WACZ files at {path}")
        return cls(openers, list(heapq.merge(*indexes)), containers)

    def files_in(self, directory: Path) -> list[str]:
        """The names of the WARCs held under ``directory`` (loose or in a WACZ), sorted."""
        directory = Path(directory).resolve()
        return sorted(name for name, holder in self._containers.items()
                      if holder.resolve().is_relative_to(directory)
                      and not name.endswith(ORIGINALS_SUFFIX))

    @property
    def size(self) -> int:
        return len(self._lines)

    def index_lines(self) -> list[str]:
        """The sorted CDXJ lines of everything in the archive."""
        return self._lines

    def captures(self, url: str) -> list[Capture]:
        """The HTTP captures of exactly this URL (else of its SURT twins), oldest first."""
        found = list(captures(self._lines, url))
        exact = [c for c in found if c.url == url]
        return exact or found

    def lookup(self, url: str, at: str | datetime | None = None) -> Capture | None:
        """The capture of ``url`` nearest ``at``, or the latest one."""
        found = self.captures(url)
        if not found:
            return None
        return nearest(found, at) if at is not None else found[-1]

    def read(self, capture: Capture) -> ArchivedResponse:
        """The response a capture points at; a revisit gets its original's payload."""
        with self._open_record(capture) as (location, record):
            headers = record.http_headers
            if headers is None:
                raise ArchiveReadError(f"{capture.filename}@{capture.offset} has no HTTP headers")
            if record.rec_type == "revisit":
                body = self._original_payload(record, capture)
            elif record.rec_type == "response":
                body = record.raw_stream.read()
            else:
                raise ArchiveReadError(f"{capture.filename}@{capture.offset} is a {record.rec_type}")
            return _archived(capture.url, record, body, location)

    def responses(
        self, want: Callable[[str], bool] | None = None, files: Iterable[str] | None = None,
        resolve: bool = True,
    ) -> Iterator[ArchivedResponse]:
        """Every HTTP response in the archive (revisits resolved), file by file in name order,
        each file's records in order; ``want(url)`` picks which to read, ``files`` (WARC names)
        which files. Revisits are resolved against the whole archive; with ``resolve`` off they
        are not (their body is empty), so that one run's records read without the others."""
        own = [n for n in self._openers if not n.endswith(ORIGINALS_SUFFIX)]
        for name in sorted(own if files is None else set(files) & set(self._openers)):
            try:
                with self._openers[name]() as fh:
                    yield from self._file_responses(name, fh, want, resolve)
            except (ArchiveLoadFailed, OSError) as exc:
                logger.error("skipping the rest of unreadable WARC %s: %s", name, exc)

    def _file_responses(
        self, name: str, fh: IO[bytes] | ClosingMember, want: Callable[[str], bool] | None,
        resolve: bool,
    ) -> Iterator[ArchivedResponse]:
        records = ArchiveIterator(fh)
        # Offsets from the iterator's own count: get_record_offset() would read the body first.
        for record in records:
            if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if want is not None and not want(url):
                continue
            offset = records.offset
            capture = self._capture_at(name, offset)
            if record.rec_type == "revisit" and not resolve:
                body = b""
            elif record.rec_type == "revisit":
                if capture is None:
                    logger.error("revisit of %s at %s@%d is not in the index", url, name, offset)
                    continue
                try:
                    body = self._original_payload(record, capture)
                except ArchiveReadError as exc:
                    logger.error("%s@%d: %s", name, offset, exc)
                    continue
            else:
                body = record.raw_stream.read()
                if getattr(record.raw_stream, "limit", 0) > 0:
                    break  # an open file ends inside this record: the rest is not there yet
            yield _archived(url, record, body, RecordLocation(
                name, offset, capture.length if capture else 0,
                record.rec_headers.get_header("WARC-Record-ID"),
            ))

    def _capture_at(self, filename: str, offset: int) -> Capture | None:
        if self._by_location is None:
            self._by_location = {}
            for line in self._lines:
                capture = parse_capture(line)
                if capture is not None:
                    self._by_location[(capture.filename, capture.offset)] = capture
        return self._by_location.get((filename, offset))

    @contextmanager
    def _open_record(self, capture: Capture) -> Iterator[tuple[RecordLocation, ArcWarcRecord]]:
        opener = self._openers.get(capture.filename)
        if opener is None:
            raise ArchiveReadError(f"the index names {capture.filename}, which is not in the archive")
        with opener() as fh:
            try:
                fh.seek(capture.offset)
                record = next(iter(ArchiveIterator(fh)))
            except (StopIteration, ArchiveLoadFailed, OSError) as exc:
                raise ArchiveReadError(f"no record at {capture.filename}@{capture.offset}: {exc}") from exc
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            yield RecordLocation(capture.filename, capture.offset, capture.length, record_id), record

    def original_of(self, revisit: Capture, target: str | None = None) -> Capture | None:
        """The response capture a revisit's payload is that of: same digest, not later, not a
        revisit itself (by its index line), latest first."""
        for candidate in reversed(self.captures(target or revisit.url)):
            if (candidate.digest == revisit.digest and candidate.mime != REVISIT_MIME
                    and candidate.timestamp <= revisit.timestamp):
                return candidate
        return None

    def raw_record(self, capture: Capture) -> bytes:
        """A capture's record exactly as stored (one gzip member), for copying it elsewhere."""
        opener = self._openers.get(capture.filename)
        if opener is None:
            raise ArchiveReadError(f"the index names {capture.filename}, not in the archive")
        with opener() as fh:
            fh.seek(capture.offset)
            data: bytes = fh.read(capture.length)
        return data

    def warcinfo_record(self, filename: str) -> bytes:
        """The warcinfo record a WARC file opens with, exactly as stored (or nothing)."""
        with self._openers[filename]() as fh:
            records = ArchiveIterator(fh)
            first = next(iter(records), None)
            if first is None or first.rec_type != "warcinfo":
                return b""
            records.read_to_end(first)
            offset, length = records.member_info
            fh.seek(offset)
            data: bytes = fh.read(length)
        return data

    def _original_payload(self, revisit: ArcWarcRecord, capture: Capture) -> bytes:
        target = revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") or capture.url
        original = self.original_of(capture, target)
        if original is not None:
            with self._open_record(original) as (_, record):
                if record.rec_type == "response":
                    payload: bytes = record.raw_stream.read()
                    return payload
        raise ArchiveReadError(f"revisit of {target} refers to a capture not in the archive")


def _archived(
    url: str, record: ArcWarcRecord, body: bytes, location: RecordLocation
) -> ArchivedResponse:
    headers = record.http_headers
    assert headers is not None
    return ArchivedResponse(
        url=url,
        status=int(headers.get_statuscode() or 0),
        headers=list(headers.headers),
        body=body,
        protocol=headers.protocol or "HTTP/1.1",
        date=datetime.fromisoformat(record.rec_headers.get_header("WARC-Date")),
        location=location,
        record_type=record.rec_type,
        digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        warc_date=record.rec_headers.get_header("WARC-Date"),
    )


def decoded_body(response: ArchivedResponse, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The payload with its transfer and content codings undone, as a browser (or Scrapy) sees
    it; :class:`ArchiveReadError` if it would inflate past ``max_bytes``."""
    headers = {name.lower(): value.strip().lower() for name, value in response.headers}
    coding = headers.get("content-encoding") or None
    decomp = coding if coding in ("gzip", "deflate", "br") else None
    raw = io.BytesIO(response.body)
    reader: DecompressingBufferedReader
    if headers.get("transfer-encoding") == "chunked":
        reader = ChunkedDataReader(raw, decomp_type=decomp)
    else:
        reader = DecompressingBufferedReader(raw, decomp_type=decomp)
    try:
        body: bytes = reader.read(max_bytes + 1)
    except (OSError, ValueError, zlib.error) as exc:
        logger.warning("%s: cannot undo its %s coding (%s); kept as archived", response.url,
                       coding, exc)
        return response.body[:max_bytes]
    if len(body) > max_bytes:
        raise ArchiveReadError(
            f"{response.url} inflates past {max_bytes} bytes: not read (a compression bomb?)"
        )
    return body
