"""Reading captures back: an archive at a path (WARC files, WACZ packages, data or run dirs),
indexed once, answering "what did this URL return at that time?".

Revisit records (the same payload as an earlier capture) are resolved to the response they
refer to, so a reader always gets a whole response.
"""

from __future__ import annotations

import heapq
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.cdxj import read_index
from archive.lookup import Capture, captures, nearest
from archive.warc import ArchiveError, RecordLocation

logger = logging.getLogger(__name__)
Opener = Callable[[], "IO[bytes] | _ClosingMember"]


class ReplayError(ArchiveError):
    """The archive can't be read, or a record in it is not what its index says."""


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


class Archive:
    """The captures under one path, with a sorted CDXJ index of them all in memory."""

    def __init__(self, openers: dict[str, Opener], index_lines: list[str]) -> None:
        self._openers = openers
        self._lines = index_lines

    @classmethod
    def open(cls, path: Path) -> Archive:
        """Index everything at ``path``: a WARC, a WACZ, or a directory holding either.

        A WARC found both loose and in a WACZ (a run directory holds both) is read once.
        """
        openers: dict[str, Opener] = {}
        indexes: list[Iterable[str]] = []
        sources = list(archive_files(path))
        for source in sources:
            if not source.name.endswith(".wacz"):
                openers[source.name] = _file_opener(source)
                indexes.append(read_index(source))
        for source in sources:
            if source.name.endswith(".wacz"):
                _add_wacz(source, openers, indexes)
        if not openers:
            raise ReplayError(f"no WARC or WACZ files at {path}")
        return cls(openers, list(heapq.merge(*indexes)))

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
                raise ReplayError(f"{capture.filename}@{capture.offset} has no HTTP headers")
            if record.rec_type == "revisit":
                body = self._original_payload(record, capture)
            elif record.rec_type == "response":
                body = record.raw_stream.read()
            else:
                raise ReplayError(f"{capture.filename}@{capture.offset} is a {record.rec_type}")
            return ArchivedResponse(
                url=capture.url,
                status=int(headers.get_statuscode()),
                headers=list(headers.headers),
                body=body,
                protocol=headers.protocol or "HTTP/1.1",
                date=datetime.fromisoformat(record.rec_headers.get_header("WARC-Date")),
                location=location,
            )

    @contextmanager
    def _open_record(self, capture: Capture) -> Iterator[tuple[RecordLocation, ArcWarcRecord]]:
        opener = self._openers.get(capture.filename)
        if opener is None:
            raise ReplayError(f"the index names {capture.filename}, which is not in the archive")
        with opener() as fh:
            try:
                fh.seek(capture.offset)
                record = next(iter(ArchiveIterator(fh)))
            except (StopIteration, ArchiveLoadFailed, OSError) as exc:
                raise ReplayError(f"no record at {capture.filename}@{capture.offset}: {exc}") from exc
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            yield RecordLocation(capture.filename, capture.offset, capture.length, record_id), record

    def _original_payload(self, revisit: ArcWarcRecord, capture: Capture) -> bytes:
        target = revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") or capture.url
        digest = revisit.rec_headers.get_header("WARC-Payload-Digest")
        for candidate in reversed(self.captures(target)):
            if candidate.digest != digest or candidate.timestamp > capture.timestamp:
                continue
            with self._open_record(candidate) as (_, record):
                if record.rec_type == "response":
                    payload: bytes = record.raw_stream.read()
                    return payload
        raise ReplayError(f"revisit of {target} refers to a capture not in the archive")


ARCHIVE_SUFFIXES = (".warc.gz", ".warc", ".wacz")


def archive_files(path: Path) -> Iterator[Path]:
    """The WARC and WACZ files at ``path``: the file itself, or those anywhere below it."""
    if path.is_file():
        if path.name.endswith(ARCHIVE_SUFFIXES):
            yield path
        return
    if not path.is_dir():
        raise ReplayError(f"{path} does not exist")
    for found in sorted(path.rglob("*")):
        if found.is_file() and found.name.endswith(ARCHIVE_SUFFIXES):
            yield found


def _file_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


def _add_wacz(path: Path, openers: dict[str, Opener], indexes: list[Iterable[str]]) -> None:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        warcs = {n.removeprefix("archive/"): n for n in names
                 if n.startswith("archive/") and n.endswith(".warc.gz")}
        new = {name: member for name, member in warcs.items() if name not in openers}
        if not new:
            return
        index_names = [n for n in names if n.startswith("indexes/") and n.endswith((".cdx", ".cdxj"))]
        if not index_names:
            raise ReplayError(f"{path} has no index (indexes/*.cdx or *.cdxj)")
        for name in index_names:
            lines = package.read(name).decode("utf-8").splitlines()
            indexes.append([line for line in lines if _filename(line) in new])
    for name, member in new.items():
        openers[name] = _zip_member_opener(path, member)


def _filename(line: str) -> str | None:
    capture = line.split(" ", 2)
    if len(capture) < 3:
        return None
    try:
        name = json.loads(capture[2]).get("filename")
    except ValueError:
        return None
    return name if isinstance(name, str) else None


def _zip_member_opener(path: Path, member: str) -> Opener:
    def open_member() -> _ClosingMember:
        # The WARCs are stored, not deflated, in a WACZ: a member opens seekable.
        with ExitStack() as stack:
            package = stack.enter_context(zipfile.ZipFile(path))
            handle = package.open(member)
            stack.pop_all()
        return _ClosingMember(handle, package)

    return open_member


class _ClosingMember:
    """A zip member that closes its zip file with it."""

    def __init__(self, handle: IO[bytes], package: zipfile.ZipFile) -> None:
        self._handle = handle
        self._package = package

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        self._handle.close()
        self._package.close()

    def __enter__(self) -> _ClosingMember:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
