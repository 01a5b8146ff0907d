"""Writing WARC files: one gzip member per record, rolled over at a size limit.

Files are written as ``<name>.warc.gz.open`` and renamed to ``<name>.warc.gz`` when closed, so a
reader (or a crash-recovery pass) can tell finished files from the one being written. Each record
is serialised in memory and appended with one ``write`` so that a failure while building a record
never leaves half a record in the file. The clock and the record-id factory are injected, so a
test can write the same bytes twice.
"""

from __future__ import annotations

import io
import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive._heads import as_sent
from archive.records import (
    DEFAULT_GZIP_LEVEL,
    OPEN_SUFFIX,
    WARC_VERSION,
    ArchiveError,
    HttpRequest,
    HttpResponse,
    RecordLocation,
    gzip_member,
    new_record_id,
    payload_digest,
    software,
    utc_now,
    warc_date,
)

logger = logging.getLogger(__name__)


class RollingWarcWriter:
    """Append records to ``directory``, starting a new file past ``max_size`` bytes."""

    def __init__(
        self,
        directory: Path,
        prefix: str = "newsarchive",
        *,
        max_size: int = 1_000_000_000,
        info: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        make_id: Callable[[], str] = new_record_id,
        on_close: Callable[[Path], object] | None = None,
        on_record: Callable[[ArcWarcRecord, RecordLocation], object] | None = None,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or {})
        self.clock = clock
        self.make_id = make_id
        self.on_close = on_close
        self.on_record = on_record  # each record written (not warcinfo), and where it went
        self.gzip_level = gzip_level
        self.closed_files: list[Path] = []
        self.records_written = 0
        self._serial = 0
        self._fh: BinaryIO | None = None
        self._path: Path | None = None
        self._warcinfo_id = ""  # of the open file's warcinfo record, named by every record
        self._broken = False

    def write_exchange(
        self,
        url: str,
        request: HttpRequest,
        response: HttpResponse,
        *,
        extra_headers: Mapping[str, str] | None = None,
        date: datetime | None = None,
        truncated: str | None = None,
    ) -> RecordLocation:
        """Write a response record and its request record; return where the response is.

        ``date`` is the capture time (default: now, by the writer's clock). ``truncated``: the
        body is incomplete, and why (``length``, ``time``, ``disconnect``, ``unspecified``), for
        the record's ``WARC-Truncated``. A ``raw_head`` of either message is stored byte for byte.
        """
        when = warc_date(date or self.clock())
        response_id = self.make_id()
        common = {"WARC-Date": when, **(extra_headers or {})}
        if truncated:
            common["WARC-Truncated"] = truncated
        http_headers = StatusAndHeaders(
            response.status_line, list(response.headers), protocol=response.protocol
        )
        response_record = self._builder().create_warc_record(
            url, "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=as_sent(http_headers, response.raw_head),
            warc_headers_dict={"WARC-Record-ID": response_id, **common},
        )
        request_record = self._request_record(url, request, response_id, when, extra_headers)
        return self._append([response_record, request_record])[0]

    def write_revisit(
        self,
        url: str,
        request: HttpRequest,
        response: HttpResponse,
        *,
        refers_to_uri: str,
        refers_to_date: str,
        refers_to: str | None = None,
        date: datetime | None = None,
    ) -> RecordLocation:
        """Write a revisit record (identical-payload-digest profile) and its request record.

        The response's payload equals that of an earlier response record: ``refers_to`` (its
        WARC-Record-ID) for ``refers_to_uri`` at ``refers_to_date`` (its WARC-Date, exactly).
        Only the new response's headers are stored.
        """
        when = warc_date(date or self.clock())
        revisit_id = self.make_id()
        revisit = self._builder().create_revisit_record(
            url,
            digest=payload_digest(response.body),
            refers_to_uri=refers_to_uri,
            refers_to_date=refers_to_date,
            http_headers=StatusAndHeaders(
                response.status_line, list(response.headers), protocol=response.protocol
            ),
            warc_headers_dict={
                "WARC-Record-ID": revisit_id, "WARC-Date": when,
                **({"WARC-Refers-To": refers_to} if refers_to else {}),
            },
        )
        request_record = self._request_record(url, request, revisit_id, when)
        return self._append([revisit, request_record])[0]

    def write_metadata(
        self, url: str, payload: bytes, *, concurrent_to: str,
        content_type: str = "application/json",
    ) -> RecordLocation:
        """Write a metadata record about the capture ``concurrent_to`` (a WARC-Record-ID).

        ``url`` is the record's target URI: for an extracted article, :func:`article_uri`.
        """
        record = self._builder().create_warc_record(
            url, "metadata", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type=content_type,
            warc_headers_dict={
                "WARC-Record-ID": self.make_id(),
                "WARC-Date": warc_date(self.clock()),
                "WARC-Concurrent-To": concurrent_to,
            },
        )
        return self._append([record])[0]

    def _request_record(
        self, url: str, request: HttpRequest, concurrent_to: str, when: str,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ArcWarcRecord:
        record: ArcWarcRecord = self._builder().create_warc_record(
            url, "request",
            payload=io.BytesIO(request.body),
            length=len(request.body),
            http_headers=as_sent(StatusAndHeaders(
                f"{request.method} {request.target} {request.protocol}",
                list(request.headers), protocol="", is_http_request=True,
            ), request.raw_head),
            warc_headers_dict={
                "WARC-Record-ID": self.make_id(), "WARC-Concurrent-To": concurrent_to,
                "WARC-Date": when, **(extra_headers or {}),
            },
        )
        return record

    def _write_whole(self, fh: BinaryIO, path: Path, offset: int, data: bytes) -> None:
        """Append ``data`` at ``offset``, or nothing: a failed write (disk full, read-only, file
        size limit) is cut back off, so the file still ends with a whole record. If even that
        fails, the file is left ``.open`` for ``newsarchive repair``."""
        view = memoryview(data)
        try:
            while view:
                written = fh.write(view)
                view = view[written or 0:]
        except OSError as exc:
            try:
                fh.truncate(offset)
                fh.seek(offset)
            except OSError:
                self._broken = True
            raise ArchiveError(f"cannot write to {path}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        """Close the open file, if any, and give it its final name."""
        if self._fh is None or self._path is None:
            return
        self._fh.close()
        if self._broken:  # its end may hold half a record: repair decides what is whole
            logger.error("left %s open: a failed write could not be undone", self._path)
            self._fh = self._path = None
            return
        final = self._final_path(self._path)
        os.replace(self._path, final)
        self._fh = self._path = None
        self.closed_files.append(final)
        logger.info("closed WARC file %s", final)
        if self.on_close is not None:
            self.on_close(final)

    def __enter__(self) -> RollingWarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _builder(self) -> WARCWriter:
        # A writer over a throwaway buffer: warcio's record builder, used only to build records.
        return WARCWriter(io.BytesIO(), gzip=True, warc_version=WARC_VERSION)

    def _append(self, written: list[ArcWarcRecord]) -> list[RecordLocation]:
        fh, path = self._open()
        offset = fh.tell()
        buffer = io.BytesIO()
        spans: list[tuple[int, int, str]] = []
        for record in written:
            record.rec_headers.replace_header("WARC-Warcinfo-ID", self._warcinfo_id)
            start = buffer.tell()
            buffer.write(gzip_member(record, self.gzip_level))
            spans.append((start, buffer.tell() - start, record.rec_headers["WARC-Record-ID"]))
        self._write_whole(fh, path, offset, buffer.getvalue())
        name = self._final_path(path).name
        self.records_written += len(spans)
        locations = [RecordLocation(name, offset + s, n, rid) for s, n, rid in spans]
        if self.on_record is not None:
            for record, location in zip(written, locations, strict=True):
                self.on_record(record, location)
        if fh.tell() >= self.max_size:
            self.close()
        return locations

    def _open(self) -> tuple[BinaryIO, Path]:
        if self._fh is not None and self._path is not None:
            return self._fh, self._path
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        while True:
            self._serial += 1
            name = f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            path = self.directory / (name + OPEN_SUFFIX)
            if not path.exists() and not (self.directory / name).exists():
                break
        try:
            # Unbuffered: a record is on disk whole or, after a failed write, not at all.
            fh = path.open("xb", buffering=0)
        except OSError as exc:
            raise ArchiveError(f"cannot create WARC file {path}: {exc.strerror}") from exc
        self._fh, self._path = fh, path
        self._append_warcinfo(name)
        return fh, path

    def _append_warcinfo(self, filename: str) -> None:
        fields = {
            "software": software(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        self._warcinfo_id = self.make_id()
        record = self._builder().create_warc_record(
            "", "warcinfo",
            payload=io.BytesIO(body), length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": self._warcinfo_id,
                "WARC-Date": warc_date(self.clock()),
                "WARC-Filename": filename,
            },
        )
        assert self._fh is not None and self._path is not None
        self._write_whole(self._fh, self._path, 0, gzip_member(record, self.gzip_level))
        self.records_written += 1

    @staticmethod
    def _final_path(path: Path) -> Path:
        return path.with_name(path.name.removesuffix(OPEN_SUFFIX))
