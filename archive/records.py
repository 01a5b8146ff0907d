"""What goes into a WARC record and comes out of one: HTTP exchanges, record locations, digests,
dates, and the archive's own error.
"""

from __future__ import annotations

import base64
import hashlib
import http
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
ARTICLE_URI_PREFIX = "urn:article:"
Headers = Sequence[tuple[str, str]]


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
    target: str  # origin-form: path and query
    headers: Headers
    body: bytes = b""
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Headers
    body: bytes
    protocol: str = "HTTP/1.1"
    reason: str | None = None

    @property
    def status_line(self) -> str:
        reason = self.reason
        if reason is None:
            try:
                reason = http.HTTPStatus(self.status).phrase
            except ValueError:
                reason = ""
        return f"{self.status} {reason}".rstrip()


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
