"""KCNA's two page schemes read through the site's config: titles, text without the "-0-" end
mark, dates from publish-time (Juche or Gregorian) or from the dateline, whose year is the
capture's in Pyongyang, or the year before."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines import dates
from pipelines.extraction import extract
from pipelines.rules import ExtractionRules, parse_utc_offset

ROOT = Path(__file__).parents[2]
WEB = ROOT / "tests" / "fixtures" / "web" / "www.kcna.kp" / "en" / "article"
DATELINE = re.compile(r"(?P<month_name>[A-Z][a-z]+)\s+(?P<day>\d{1,2})\s+\(KCNA\)")
PYONGYANG = parse_utc_offset("+09:00")


def kcna_rules() -> ExtractionRules:
    config = tomllib.loads((ROOT / "crawler" / "sites" / "kcna.toml").read_text(encoding="utf-8"))
    return ExtractionRules.from_mapping(config["extract"], site="kcna", tz=config["timezone"])


def read(path: str, fetched: datetime) -> tuple[str | None, str, str | None]:
    url = f"http://www.kcna.kp/en/article/{path}"
    article = extract(url, (WEB / path).read_bytes(), rules=kcna_rules(), fetched=fetched)
    return article.title, article.text, article.published


@pytest.mark.parametrize(
    ("path", "title", "published"),
    [
        ("detail/e8a41b7c2f9d4063a5b1c7d2e9f08a36", "Year-end Review of Light Industry Held", "2026-12-31"),
        ("detail/72f5af32f5d227a652ffe3bfa4b2d52c", "Farmers Start Campaign for Fresh Bumper Harvest", "2027-01-02"),
        ("q/b5e8d1c3a7f94e2d6c0b9a8f7e6d5c4b.kcmsf", "New Hydropower Station Starts Operation on Taedong River",
         "2026-11-20"),
        ("q/0925aabf5fe434438aec3426904f90b7.kcmsf",
         "Flood Prevention Projects Pushed Forward in North Hwanghae Province", "2019-03-04"),
    ],
)
def test_a_january_capture(path: str, title: str, published: str) -> None:
    got_title, text, got_published = read(path, datetime(2027, 1, 2, 3, 0, tzinfo=UTC))
    assert (got_title, got_published) == (title, published)
    assert text.startswith("Pyongyang, ") and "-0-" not in text
    assert "More From KCNA.kp" not in text and "November 20, 2026" not in text


def test_the_same_article_under_both_schemes_reads_the_same() -> None:
    fetched = datetime(2026, 12, 1, 12, tzinfo=UTC)
    new = read("detail/5d0c7e21a94b4f3e8c6a2b19f07d3e58", fetched)
    old = read("q/b5e8d1c3a7f94e2d6c0b9a8f7e6d5c4b.kcmsf", fetched)
    assert new == old
    assert new[2] == "2026-11-20"


@pytest.mark.parametrize(
    ("dateline", "capture", "expected"),
    [
        # A January 2027 capture of a December 31 article.
        ("Pyongyang, December 31 (KCNA)", datetime(2027, 1, 2, 3, 0, tzinfo=UTC), "2026-12-31"),
        ("Pyongyang, December 31 (KCNA)", datetime(2027, 1, 1, 0, 30, tzinfo=UTC), "2026-12-31"),
        # 16:00 UTC on December 31 is already January 1 in Pyongyang.
        ("Pyongyang, January 1 (KCNA)", datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "2027-01-01"),
        # 11:00 UTC on December 31 is still December 31 there: January 1 was this year's.
        ("Pyongyang, January 1 (KCNA)", datetime(2026, 12, 31, 11, 0, tzinfo=UTC), "2026-01-01"),
        ("Pyongyang, December 31 (KCNA)", datetime(2026, 12, 31, 11, 0, tzinfo=UTC), "2026-12-31"),
    ],
)
def test_dateline_year_at_the_year_boundary(dateline: str, capture: datetime, expected: str) -> None:
    found = dates.from_pattern(dateline, DATELINE, capture, PYONGYANG)
    assert found is not None and found.isoformat() == expected


def test_gregorian_publish_time() -> None:
    html = (WEB / "q/0925aabf5fe434438aec3426904f90b7.kcmsf").read_text(encoding="utf-8")
    html = html.replace("www.kcna.kp (Juche108.3.4.)", "www.kcna.kp (2025.12.14.)")
    article = extract("http://www.kcna.kp/en/article/q/0925aabf5fe434438aec3426904f90b7.kcmsf", html,
                      rules=kcna_rules(), fetched=datetime(2026, 12, 1, tzinfo=UTC))
    assert article.published == "2025-12-14"


def test_strip_text_cuts_the_end_mark_and_drops_a_line_left_empty() -> None:
    rules = ExtractionRules.from_mapping({"strip_text": [r"(?:^|\s)-0-$"]})
    assert rules.stripped(["First.", "Last line. -0-", "-0-"]) == ["First.", "Last line."]
    assert rules.stripped(["A-0-B"]) == ["A-0-B"]
