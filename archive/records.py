"""What goes into a WARC record and comes out of one: HTTP exchanges, record locations, digests,
dates, and the archive's own error.
"""

from __future__ import annotations

import base64
import hashlib
import http
import io
import re
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
ARTICLE_URI_PREFIX = "urn:article:"
Headers = Sequence[tuple[str, str]]
_END_OF_HEAD = re.compile(rb"\n\r?\n")


class ArchiveError(OSError):
    """The archive could not be written."""


@dataclass(frozen=True)
class RecordLocation:
    """Where a record lives: enough to seek straight to it later."""

    filename: str
    offset: int
    length: int
    record_id: str


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # origin-form: path and query; absolute-form as sent to an HTTP proxy
    headers: Headers
    body: bytes = b""
    protocol: str = "HTTP/1.1"
    # The request line and header block as sent, blank line included: stored byte for byte.
    raw_head: bytes | None = None

    @classmethod
    def from_wire(cls, sent: bytes, *, omit: Sequence[str] = ()) -> HttpRequest:
        """The request as written to the connection (head and body), without the ``omit``
        header fields (credentials)."""
        head, body = split_head(sent)
        for name in omit:
            head = drop_header(head, name)
        first, headers = parse_head(head)
        method, target, protocol = [*first.split(" ", 2), "", ""][:3]
        if not method or not target:
            raise ValueError(f"not an HTTP request line: {first!r}")
        return cls(method, target, headers, body, protocol=protocol, raw_head=head)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Headers
    body: bytes
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    # The status line and header block as received, blank line included: stored byte for byte.
    raw_head: bytes | None = None

    @classmethod
    def from_wire(cls, head: bytes, body: bytes, *, transfer_decoded: bool = True) -> HttpResponse:
        """The response as received: ``head`` as the server sent it, ``body`` the payload.

        ``transfer_decoded``: the body is stored without its transfer coding (de-chunked), so the
        head's ``Transfer-Encoding`` is kept as ``X-Archive-Orig-Transfer-Encoding``, the way
        warcio and pywb mark a header that no longer describes the stored body.
        """
        if transfer_decoded:
            head = rename_header(head, "Transfer-Encoding", "X-Archive-Orig-")
        first, headers = parse_head(head)
        protocol, _, rest = first.partition(" ")
        code, _, reason = rest.strip().partition(" ")
        if not protocol.startswith("HTTP/") or not code.isdigit():
            raise ValueError(f"not an HTTP status line: {first!r}")
        return cls(int(code), headers, body, protocol=protocol, reason=reason, raw_head=head)

    @property
    def status_line(self) -> str:
        reason = self.reason
        if reason is None:
            try:
                reason = http.HTTPStatus(self.status).phrase
            except ValueError:
                reason = ""
        return f"{self.status} {reason}".rstrip()


def split_head(message: bytes) -> tuple[bytes, bytes]:
    """An HTTP message's head (through the blank line) and what follows it."""
    end = _END_OF_HEAD.search(message)
    if end is None:
        raise ValueError("no blank line ends the HTTP head")
    return message[: end.end()], message[end.end():]


def parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    """The first line and the header fields of an HTTP head, in order, names as sent.

    Lines may end in CRLF or LF; a folded line continues the field before it; a line without a
    colon is skipped, as browsers (and Scrapy) do.
    """
    lines = [line.removesuffix(b"\r").decode("latin-1") for line in head.split(b"\n")]
    fields: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            break
        if line[0] in " \t" and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}".strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name, value.strip()))
    return lines[0], fields


def rename_header(head: bytes, name: str, prefix: str) -> bytes:
    """``head`` with every ``name`` field (any case) renamed ``prefix + name as sent``."""
    pattern = re.compile(rb"^(" + re.escape(name.encode()) + rb"[ \t]*:)", re.I | re.M)
    return pattern.sub(lambda m: prefix.encode() + m.group(1), head)


def drop_header(head: bytes, name: str) -> bytes:
    """``head`` without its ``name`` fields (any case), continuation lines included."""
    pattern = re.compile(rb"^" + re.escape(name.encode()) + rb"[ \t]*:.*\n(?:[ \t].*\n)*",
                         re.I | re.M)
    return pattern.sub(b"", head)


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def article_uri(url: str) -> str:
    """The target URI of the metadata record describing the article at ``url``.

    Not the page's own URL: indexers (cdxj-indexer, pywb) take a record under a page's URL for
    a capture of the page, and would replay the article JSON in its place.
    """
    return ARTICLE_URI_PREFIX + url


def payload_digest(payload: bytes) -> str:
    """The WARC-Payload-Digest of a payload, as warcio writes it: SHA-1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC with microseconds (the spec allows fractional seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ArchiveReadError(ArchiveError):
    """The archive can't be read, or a record in it is not what its index says."""


def software() -> str:
    """What wrote the archive, with versions: ``newsarchive/0.1.0 (warcio/1.8.1)``."""
    def of(package: str) -> str:
        try:
            return f"{package}/{version(package)}"
        except PackageNotFoundError:
            return package

    return f"{of('newsarchive')} ({of('warcio')})"


# warcio compresses at level 9. Level 6 (zlib's default) writes the same records 1.4x as fast
# for 0.6% more bytes (bench/warc_gzip.py on the aeb-dev pages, 2026-12).
DEFAULT_GZIP_LEVEL = 6


def gzip_member(record: ArcWarcRecord, level: int = DEFAULT_GZIP_LEVEL) -> bytes:
    """One record serialised as warcio does, as one gzip member of its own at ``level``."""
    raw = io.BytesIO()
    WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(raw.getvalue()) + compressor.flush()
