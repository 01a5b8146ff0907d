"""Finding the captures of a URL in sorted CDXJ lines.

Each step is a generator over the one before, so a lookup reads no further than the URL's own
lines: ``lines_for`` (the lines filed under the URL's SURT key; a binary search when the lines
are an in-memory sequence, a forward scan of any other iterable) -> ``captures`` (those lines
parsed, HTTP captures only) -> any filter of the caller's -> ``nearest``.

    lines = list(merge_indexes(run_dir.glob("warc/*.cdxj")))
    ok = (c for c in captures(lines, url) if c.status == 200)
    best = nearest(ok, "20260102030405")
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import surt
from warcio.timeutils import timestamp_to_datetime

from archive.cdxj import CdxjError

_TIMESTAMP = re.compile(r"^\d{1,14}$")


@dataclass(frozen=True)
class Capture:
    """One HTTP response in the archive, as its index line describes it."""

    url: str
    timestamp: str  # 14 digits, UTC: the record's WARC-Date to the second
    status: int
    mime: str | None
    digest: str | None  # of the payload as received, e.g. "sha1:..."
    filename: str  # the WARC file's base name
    offset: int
    length: int

    @property
    def moment(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def url_key(url: str) -> str:
    """The SURT key cdxj-indexer files ``url`` under (the URL itself if SURT can't parse it)."""
    try:
        key: str = surt.surt(url)
    except Exception:  # cdxj-indexer falls back to the URL on any failure, so must we
        return url
    return key


def lines_for(index_lines: Iterable[str], key: str) -> Iterator[str]:
    """The lines filed under ``key``, from lines sorted as cdxj-indexer sorts them."""
    prefix = key + " "
    candidates: Iterable[str]
    if isinstance(index_lines, Sequence):
        start = bisect.bisect_left(index_lines, prefix)
        candidates = (index_lines[i] for i in range(start, len(index_lines)))
    else:
        candidates = itertools.dropwhile(lambda line: line < prefix, index_lines)
    return itertools.takewhile(lambda line: line.startswith(prefix), candidates)


def captures(index_lines: Iterable[str], url: str) -> Iterator[Capture]:
    """The captures of ``url`` (and of URLs with the same SURT key), oldest first.

    Lines without an HTTP status are left out: those of ``metadata`` records (our extracted
    articles) and ``resource`` records describe or hold something other than a response.
    """
    for line in lines_for(index_lines, url_key(url)):
        capture = parse_capture(line)
        if capture is not None:
            yield capture


def parse_capture(line: str) -> Capture | None:
    """The capture an index line describes; ``None`` for a line of a record with no status."""
    try:
        _key, timestamp, data = line.split(" ", 2)
        fields: dict[str, Any] = json.loads(data)
        if "status" not in fields:
            return None
        return Capture(
            url=fields["url"],
            timestamp=timestamp,
            status=int(fields["status"]),
            mime=fields.get("mime"),
            digest=fields.get("digest"),
            filename=fields["filename"],
            offset=int(fields["offset"]),
            length=int(fields["length"]),
        )
    except (ValueError, KeyError) as exc:
        raise CdxjError(f"not a CDXJ capture line ({exc}): {line[:200]!r}") from exc


def nearest(found: Iterable[Capture], timestamp: str | datetime) -> Capture | None:
    """The capture closest in time to ``timestamp``; of two as close, the one seen first.

    ``timestamp`` is an aware datetime or 1 to 14 digits, a short one padded as pywb pads it
    (``2026`` is the end of 2026).
    """
    target = _as_datetime(timestamp)
    best: Capture | None = None
    best_distance = 0.0
    for capture in found:
        distance = abs((capture.moment - target).total_seconds())
        if best is None or distance < best_distance:
            best, best_distance = capture, distance
    return best


def _as_datetime(timestamp: str | datetime) -> datetime:
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            raise ValueError(f"timestamp {timestamp.isoformat()} has no time zone: give it one")
        return timestamp.astimezone(UTC)
    if not _TIMESTAMP.match(timestamp):
        raise ValueError(f"timestamp {timestamp!r} must be 1 to 14 digits, like 20260102030405")
    moment: datetime = timestamp_to_datetime(timestamp, tz_aware=True)
    return moment
