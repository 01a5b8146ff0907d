"""Publication dates: site patterns (Juche years, year-less datelines), ISO and RFC 822 strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from pipelines import dates
from pipelines.rules import parse_utc_offset

CAPTURE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JUCHE = re.compile(r"Juche\s*(?P<juche>\d{1,3})\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})")
DATELINE = re.compile(r"(?P<month_name>[A-Z][a-z]+)\s+(?P<day>\d{1,2})\s+\(KCNA\)")


def test_juche_year() -> None:
    found = dates.from_pattern("www.kcna.kp (Juche113.3.9.)", JUCHE, CAPTURE)
    assert found is not None and found.isoformat() == "2024-03-09"


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("Pyongyang, September 10 (KCNA) -- text", "2026-09-10"),
        ("Pyongyang, November 23 (KCNA) -- text", "2026-11-23"),
        # Later in the year than the capture: it was last year's.
        ("Pyongyang, December 30 (KCNA) -- text", "2025-12-30"),
    ],
)
def test_dateline_year_comes_from_capture(dateline: str, expected: str) -> None:
    found = dates.from_pattern(dateline, DATELINE, CAPTURE)
    assert found is not None and found.isoformat() == expected


def test_pattern_with_time_gets_the_site_zone() -> None:
    pattern = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}) (?P<hour>\d{2}):(?P<minute>\d{2})")
    found = dates.from_pattern("Xinhua | Updated: 2019-03-01 14:13", pattern, CAPTURE)
    assert found is not None
    assert found.with_zone(parse_utc_offset("+08:00")).isoformat() == "2019-03-01T14:13:00+08:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-02-28T09:12:00.000Z", "2019-02-28T09:12:00+00:00"),
        ("2019-02-28T09:12:00+07:00", "2019-02-28T09:12:00+07:00"),
        ("2019-02-28", "2019-02-28"),
        ("Thu, 28 Feb 2019 09:12:00 +0100", "2019-02-28T09:12:00+01:00"),
        ("not a date", None),
        ("2019-02-30", None),
    ],
)
def test_from_string(text: str, expected: str | None) -> None:
    found = dates.from_string(text)
    assert (found.isoformat() if found else None) == expected


def test_future_dates_are_refused() -> None:
    tomorrow = dates.from_string((CAPTURE + timedelta(days=2)).isoformat())
    today = dates.from_string("2026-11-23")
    past = dates.from_string("2019-02-28")
    assert dates.first_plausible([tomorrow, None, past], CAPTURE) == past
    assert dates.first_plausible([today], CAPTURE) == today


def test_bad_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="not a UTC offset"):
        parse_utc_offset("Asia/Seoul")
