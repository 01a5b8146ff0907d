"""Reading publication dates: site patterns, ISO 8601, RFC 822, dates in text and in URLs.

A date is kept as an :class:`Instant`: a date, maybe a time, maybe an offset, so that "2019-03-01"
is never turned into a made-up midnight. A date later than the reference moment (the capture
time) is refused: a page can't be published after it was fetched; so is one before
:data:`EARLIEST`, which is a CMS placeholder ("0001-01-01T00:00:00Z"), not a publication date.
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
# Before this, a "publication date" is a placeholder or a misreading. 1970-01-01 is the Unix epoch:
# what a zero timestamp prints as.
EARLIEST = date(1900, 1, 1)
_PLACEHOLDERS = frozenset({date(1970, 1, 1)})
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)(?![+-]\d))?)?"
)
# JavaScript's Date.toString(): "Tue Nov 19 2019 03:05:46 GMT+0000 (Coordinated Universal Time)".
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)([+-]\d{4})\b(?:\s*\([^)]*\))?")
# Dates as readers see them: "28.04.2023", "November 19, 2019", "19 Nov. 2019", "2019/11/19".
_TEXT_DATES = (
    re.compile(r"(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
    re.compile(
        r"(?P<month_name>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    ),
    re.compile(
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<month_name>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})"
    ),
)
# A date in a URL path: /2019/11/19/, /2019-11-19/, /201911/19/ (China Daily), /2019/nov/19/.
_URL_DATE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})[/-]?(?:(?P<month>[01]\d)|(?P<month_name>[a-z]{3}))[/-]"
    r"(?P<day>[0-3]?\d)(?=[/_.-]|$)",
    re.I,
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

    @property
    def precision(self) -> int:
        """0 for a date, 1 for a date and time, 2 for a date, time and offset."""
        if self.clock is None:
            return 0
        return 2 if self.clock.tzinfo is not None else 1

    def agrees(self, other: Instant) -> bool:
        """True if ``other`` says the same as this, maybe more precisely: the same day, and the
        same wall-clock time to the minute when this has one."""
        if other.day != self.day or other.precision < self.precision:
            return False
        if self.clock is None or other.clock is None:
            return True
        return (self.clock.hour, self.clock.minute) == (other.clock.hour, other.clock.minute)

    def with_zone(self, zone: tzinfo | None) -> Instant:
        if self.clock is None or self.clock.tzinfo is not None or zone is None:
            return self
        return Instant(self.day, self.clock.replace(tzinfo=zone))


def from_pattern(
    text: str, pattern: re.Pattern[str], reference: datetime, zone: tzinfo | None = None
) -> Instant | None:
    """Apply a site's date pattern (named groups year/juche/month/month_name/day/hour/...).

    A date without a year is the latest such day not after the capture (``reference``) as a
    calendar in ``zone`` (the site's) reads it: "December 31" captured on 2 January 2027 is
    2026-12-31, "January 1" captured at 16:00 UTC on 31 December 2026 in Pyongyang is 2027-01-01.
    """
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
            # A dateline without a year ("September 10 (KCNA)").
            today = _local_day(reference, zone)
            year = today.year
            if date(year, month, day) > today:
                year -= 1
        found = date(year, month, day)
        clock = None
        if "hour" in groups:
            clock = time(int(groups["hour"]), int(groups.get("minute", 0)),
                         int(groups.get("second", 0)))
    except (KeyError, ValueError):
        return None
    return Instant(found, clock)


def _local_day(moment: datetime, zone: tzinfo | None) -> date:
    """The calendar day of ``moment`` in ``zone``; the furthest-ahead zone's when unknown, as
    :func:`plausible` reads it."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone or _EARLIEST_ZONE).date()


def from_string(text: str) -> Instant | None:
    """Parse a date string as found in meta tags, JSON-LD and feeds: ISO 8601, RFC 822, or the
    format of JavaScript's Date."""
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
        moment = email.utils.parsedate_to_datetime(_GMT_OFFSET.sub(r"\1", text))
    except (TypeError, ValueError, IndexError):
        return None
    return Instant(moment.date(), moment.timetz())


def from_text(text: str, *, whole: bool = False) -> Instant | None:
    """A date as written for readers ("28.04.2023", "November 19, 2019"); the date only.

    Day-first numeric dates are read as day.month.year, the only order in which dots are used;
    slashed dates other than year/month/day are ambiguous and left alone. With ``whole``, the
    text must be the date and nothing else (a title segment, a date-only element).
    """
    text = text.strip()
    for pattern in _TEXT_DATES:
        matches = [pattern.fullmatch(text)] if whole else pattern.finditer(text)
        for match in matches:
            found = _date_of(match.groupdict()) if match else None
            if found is not None:
                return Instant(found)
    return None


def from_url(url: str) -> Instant | None:
    """The date in a URL's path (/2019/11/19/...), if it has a whole one."""
    match = _URL_DATE.search(url)
    return Instant(found) if match and (found := _date_of(match.groupdict())) else None


def _date_of(groups: dict[str, str | None]) -> date | None:
    try:
        month_name = (groups.get("month_name") or "").lower()
        month = MONTHS[month_name] if month_name else int(groups["month"] or "")
        return date(int(groups["year"] or ""), month, int(groups["day"] or ""))
    except (KeyError, ValueError):
        return None


def plausible(candidate: Instant | None, reference: datetime) -> bool:
    """Not after the reference moment, not a placeholder."""
    return (
        candidate is not None
        and EARLIEST <= candidate.day
        and candidate.day not in _PLACEHOLDERS
        and candidate.earliest_utc() <= reference
    )


def first_plausible(candidates: Iterable[Instant | None], reference: datetime) -> Instant | None:
    """The first candidate that is not after the reference moment and is not a placeholder."""
    for candidate in candidates:
        if candidate is not None and plausible(candidate, reference):
            return candidate
    return None


def most_precise(found: Instant, others: Iterable[Instant]) -> Instant:
    """The first of ``others`` that agrees with ``found`` and says more (a time, an offset).

    A page may give "2019-11-18" in one place and "2019-11-18T17:01:27-05:00" in another, or the
    same time with and without its offset: the reading that keeps the most is the one to keep.
    """
    best = found
    for other in others:
        if other.precision > best.precision and found.agrees(other):
            best = other
    return best


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in ("Z", "GMT", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
