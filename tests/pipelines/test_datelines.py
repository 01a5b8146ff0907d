"""The generic date finder: date lines near the headline in wrappers no site rule names, the
page's metadata, and never a teaser's date or a date after the capture."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines._html import parse
from pipelines.datelines import near_title, without_teasers
from pipelines.extraction import extract
from pipelines.rules import ExtractionRules

SITES = Path(__file__).parents[2] / "crawler" / "sites"
CAPTURE = datetime(2019, 3, 5, 12, 0, tzinfo=UTC)
BODY = "".join(
    f"<p>Paragraph {n} of the story, long enough to read as article text and not as a date line or "
    "a caption under a photograph, which is what the finder must tell apart.</p>"
    for n in range(1, 6)
)


def site_rules(name: str) -> ExtractionRules:
    config = tomllib.loads((SITES / f"{name}.toml").read_text(encoding="utf-8"))
    return ExtractionRules.from_mapping(config["extract"], site=name, tz=config["timezone"])


def page(header: str, after: str = "", head: str = "") -> str:
    return (
        f"<html><head><title>China, Malaysia agree to boost trade</title>{head}</head><body>"
        '<header class="site"><nav><a href="/">Home</a></nav><div class="today">Tuesday, March 5, 2019</div></header>'
        f'<div class="article-wrap">{header}<div id="cmsMainContent">{BODY}</div></div>{after}'
        "</body></html>"
    )


CGTN_HEADER = (
    '<div class="news-header"><h1 class="news-title">China, Malaysia agree to boost trade</h1>'
    '<div class="byline-wrapper"><span class="source">CGTN</span>'
    '<span class="time-line">Updated 17:20, 01-Mar-2019</span></div></div>'
)
TEASERS = (
    '<div class="related-news"><h3>More stories</h3><ul>'
    '<li><a href="/news/a">Durian farmers expand</a><span class="date">04-Mar-2019</span></li>'
    '<li><a href="/news/b">Palm oil prices rise</a><span class="date">03-Mar-2019</span></li>'
    "</ul></div>"
)


@pytest.mark.parametrize("rules", [site_rules("cgtn"), None], ids=["cgtn-rules", "generic"])
def test_cgtn_updated_line_outside_the_configured_selector(rules: ExtractionRules | None) -> None:
    html = page(CGTN_HEADER, TEASERS)
    article = extract("https://news.cgtn.com/news/3d3d/index.html", html, rules=rules, fetched=CAPTURE)
    assert article.published == ("2019-03-01T17:20:00+08:00" if rules else "2019-03-01T17:20:00")


def test_the_url_date_gains_the_time_of_the_date_line() -> None:
    url = "https://news.cgtn.com/news/2019-03-01/China-Malaysia-agree-U7nmK2izu3/index.html"
    article = extract(url, page(CGTN_HEADER), rules=site_rules("cgtn"), fetched=CAPTURE)
    assert article.published == "2019-03-01T17:20:00+08:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Xinhua | Updated: 2019-03-01 14:13", "2019-03-01T14:13:00"),
        ("February 27, 2019 - 18:52", "2019-02-27T18:52:00"),
        ("By Jane Doe, 1 March 2019", "2019-03-01"),
        ("Published 28.02.2019", "2019-02-28"),
        ('<time datetime="2019-03-01T09:12:00+07:00">1 March</time>', "2019-03-01T09:12:00+07:00"),
    ],
)
def test_date_lines_in_the_forms_news_sites_use(line: str, expected: str) -> None:
    header = f'<h1>China, Malaysia agree to boost trade</h1><div class="meta-row"><em>{line}</em></div>'
    article = extract("https://example.org/story", page(header), fetched=CAPTURE)
    assert article.published == expected


def test_a_date_above_the_headline_in_its_wrapper() -> None:
    header = '<div class="kicker">Asia · March 1, 2019</div><h1>China, Malaysia agree to boost trade</h1>'
    found = list(near_title(parse(page(header)), ExtractionRules()))
    assert [f.isoformat() for f in found] == ["2019-03-01"]


def test_a_plain_date_line_comes_before_an_updated_one() -> None:
    header = ("<h1>China, Malaysia agree to boost trade</h1><p class='u'>Updated 17:20, 04-Mar-2019</p>"
              "<p class='p'>01-Mar-2019 09:00</p>")
    found = [f.isoformat() for f in near_title(parse(page(header)), ExtractionRules())]
    assert found == ["2019-03-01T09:00:00", "2019-03-04T17:20:00"]


def test_never_a_teaser_date_nor_the_site_header_s_date() -> None:
    """No date of its own: the related stories' dates and today's date in the header are not it."""
    header = "<h1>China, Malaysia agree to boost trade</h1>"
    html = page(header, TEASERS)
    assert list(near_title(parse(html), ExtractionRules())) == []
    assert extract("https://example.org/story", html, fetched=CAPTURE).published is None
    pruned = without_teasers(parse(html))
    assert "04-Mar-2019" not in pruned.text_content() and "Tuesday" not in pruned.text_content()


def test_teasers_inside_the_article_wrapper_are_skipped_too() -> None:
    header = f"<h1>China, Malaysia agree to boost trade</h1>{TEASERS}<div class='d'>01-Mar-2019</div>"
    found = [f.isoformat() for f in near_title(parse(page(header)), ExtractionRules())]
    assert found == ["2019-03-01"]


def test_never_after_the_capture() -> None:
    header = '<h1>China, Malaysia agree to boost trade</h1><div class="when">17:20, 01-Mar-2020</div>'
    assert extract("https://example.org/story", page(header), fetched=CAPTURE).published is None


def test_metadata_when_the_site_selectors_find_nothing() -> None:
    head = '<meta property="article:published_time" content="2019-03-01T11:49:00Z">'
    html = page("<h1>China, Malaysia agree to boost trade</h1>", TEASERS, head)
    article = extract("https://news.cgtn.com/news/x/index.html", html, rules=site_rules("cgtn"), fetched=CAPTURE)
    assert article.published == "2019-03-01T11:49:00+00:00"


def test_site_rules_still_come_first() -> None:
    header = ('<h1 class="news-title">China, Malaysia agree to boost trade</h1>'
              '<div class="news-section-date"><span class="date">19:49, 28-Feb-2019</span></div>'
              '<div class="elsewhere">Updated 17:20, 01-Mar-2019</div>')
    article = extract("https://news.cgtn.com/news/x/index.html", page(header), rules=site_rules("cgtn"),
                      fetched=CAPTURE)
    assert article.published == "2019-02-28T19:49:00+08:00"
