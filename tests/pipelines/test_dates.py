"""Publication dates: site patterns (Juche years, year-less datelines), ISO and RFC 822 strings."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue Nov 19 2019 03:05:46 GMT+0000 (Coordinated Universal Time)",
         "2019-11-19T03:05:46+00:00"),
        ("2019-11-19 23:46:00 UTC", "2019-11-19T23:46:00+00:00"),
        ("November 19, 2019", None),  # text, not a machine format: from_text reads it
    ],
)
def test_from_string_zones_in_words(text: str, expected: str | None) -> None:
    found = dates.from_string(text)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28.04.2023", "2023-04-28"),
        ("November 19, 2019", "2019-11-19"),
        ("19th Nov. 2019", "2019-11-19"),
        ("01:38:07 PM IST Nov 20, 2019", "2019-11-20"),
        ("2019/11/19", "2019-11-19"),
        ("11/19/2019", None),  # month/day or day/month: can't tell
        ("Smarch 40, 2019", None),
    ],
)
def test_from_text(text: str, expected: str | None) -> None:
    found = dates.from_text(text)
    assert (found.isoformat() if found else None) == expected


def test_from_text_whole() -> None:
    assert dates.from_text("DW", whole=True) is None
    assert dates.from_text("Updated 28.04.2023", whole=True) is None
    assert dates.from_text(" 28.04.2023 ", whole=True) == dates.Instant(date(2023, 4, 28))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.theverge.com/2019/11/19/20973355/star-trek", "2019-11-19"),
        ("https://www.latimes.com/business/story/2019-11-19/gannett", "2019-11-19"),
        ("https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html", "2023-11-17"),
        ("https://www.politifact.com/statements/2019/nov/18/david-x/", "2019-11-18"),
        ("https://www.aljazeera.com/news/2019/11/service-members-killed", None),
        ("https://www.morebikes.co.uk/7721/clymer-workshop-manual-review/", None),
    ],
)
def test_from_url(url: str, expected: str | None) -> None:
    found = dates.from_url(url)
    assert (found.isoformat() if found else None) == expected


def test_placeholders_are_not_plausible() -> None:
    assert not dates.plausible(dates.from_string("0001-01-01T00:00:00Z"), CAPTURE)
    assert not dates.plausible(dates.from_string("1970-01-01T00:00:00Z"), CAPTURE)
    assert dates.plausible(dates.from_string("1999-12-31"), CAPTURE)


def test_most_precise_keeps_what_agrees() -> None:
    day = dates.Instant(date(2019, 11, 13))
    naive = dates.Instant(date(2019, 11, 13), time(17, 1))
    zoned = dates.Instant(date(2019, 11, 13), time(17, 1, 27, tzinfo=UTC))
    other_time = dates.Instant(date(2019, 11, 13), time(9, 0, tzinfo=UTC))
    other_day = dates.Instant(date(2019, 11, 14), time(17, 1, tzinfo=UTC))
    assert dates.most_precise(day, [naive, zoned]) == zoned
    assert dates.most_precise(naive, [other_time, zoned]) == zoned
    assert dates.most_precise(naive, [other_time, other_day]) == naive
    assert dates.most_precise(zoned, [naive]) == zoned
