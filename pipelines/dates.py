"""Reading publication dates: site patterns, ISO 8601, RFC 822, and what htmldate finds.

A date is kept as an :class:`Instant`: a date, maybe a time, maybe an offset, so that "2019-03-01"
is never turned into a made-up midnight. A date later than the reference moment (the capture
time) is refused: a page can't be published after it was fetched.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
JUCHE_OFFSET = 1911  # Juche 1 is 1912
# The furthest-ahead zone on Earth: a date or a zoneless time is plausible if it could already
# have begun there at the capture moment.
_EARLIEST_ZONE = timezone(timedelta(hours=14))
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


@dataclass(frozen=True)
class Instant:
    day: date
    clock: time | None = None  # with tzinfo when the offset is known

    def isoformat(self) -> str:
        if self.clock is None:
            return self.day.isoformat()
        return datetime.combine(self.day, self.clock).isoformat()

    def earliest_utc(self) -> datetime:
        """The earliest UTC moment this instant can mean (for the not-in-the-future check)."""
        moment = datetime.combine(self.day, self.clock or time(0))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_EARLIEST_ZONE)
        return moment.astimezone(UTC)

    def with_zone(self, zone: tzinfo | None) -> Instant:
        if self.clock is None or self.clock.tzinfo is not None or zone is None:
            return self
        return Instant(self.day, self.clock.replace(tzinfo=zone))


def from_pattern(text: str, pattern: re.Pattern[str], reference: datetime) -> Instant | None:
    """Apply a site's date pattern (named groups year/juche/month/month_name/day/hour/...)."""
    match = pattern.search(text)
    if not match:
        return None
    groups = {k: v for k, v in match.groupdict().items() if v}
    try:
        month = int(groups["month"]) if "month" in groups else MONTHS[groups["month_name"].lower()]
        day = int(groups["day"])
        if "year" in groups:
            year = int(groups["year"])
            year = year + 2000 if year < 100 else year
        elif "juche" in groups:
            year = int(groups["juche"]) + JUCHE_OFFSET
        else:
            # A dateline without a year ("September 10 (KCNA)"): the latest such day not after
            # the capture.
            year = reference.year
            if date(year, month, day) > reference.date():
                year -= 1
        found = date(year, month, day)
        clock = None
        if "hour" in groups:
            clock = time(int(groups["hour"]), int(groups.get("minute", 0)),
                         int(groups.get("second", 0)))
    except (KeyError, ValueError):
        return None
    return Instant(found, clock)


def from_string(text: str) -> Instant | None:
    """Parse an ISO 8601 or RFC 822 date string as found in meta tags, JSON-LD and feeds."""
    text = text.strip()
    match = _ISO.search(text)
    if match:
        y, mo, d, h, mi, s, zone = match.groups()
        try:
            day = date(int(y), int(mo), int(d))
            if h is None:
                return Instant(day)
            return Instant(day, time(int(h), int(mi), int(s or 0), tzinfo=_zone(zone)))
        except ValueError:
            return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return Instant(moment.date(), moment.timetz())


def first_plausible(candidates: Iterable[Instant | None], reference: datetime) -> Instant | None:
    """The first candidate that is not after the reference moment."""
    for candidate in candidates:
        if candidate is not None and candidate.earliest_utc() <= reference:
            return candidate
    return None


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
