"""Metadata of hand-written pages: title, publication date, authors, declared language."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from pipelines import authors as authors_field
from pipelines import language
from pipelines import published as published_field
from pipelines import title as title_field
from pipelines._html import parse
from pipelines.rules import ExtractionRules

CAPTURE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GENERIC = ExtractionRules()


def page(head: str = "", body: str = "", *, lang: str = "", ld: Any = None) -> Any:
    """A parsed page with the given <head> and <body> contents and JSON-LD."""
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    attribute = f' lang="{lang}"' if lang else ""
    return parse(f"<html{attribute}><head>{head}{script}</head><body>{body}</body></html>")


def article(**fields: Any) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **fields}


# Title -------------------------------------------------------------------------------------------

def test_title_prefers_json_ld_headline() -> None:
    root = page('<meta property="og:title" content="Other | Site">',
                "<h1>Heading</h1>", ld=article(headline="The headline"))
    assert title_field.title(root, GENERIC) == "The headline"


def test_title_suffix_cut_where_the_h1_ends() -> None:
    root = page('<meta property="og:title" content="Ziele, Chancen: Risiken | DW | 28.04.2023">',
                "<h1>Ziele, Chancen: Risiken </h1>")
    assert title_field.title(root, GENERIC) == "Ziele, Chancen: Risiken"


def test_title_site_name_and_date_suffixes_dropped() -> None:
    root = page('<meta property="og:title" content="Floods hit the north – Daily Planet – 13.06.2023">'
                '<meta property="og:site_name" content="The Daily Planet">'
                '<link rel="canonical" href="https://www.dailyplanet.example/a/1">')
    assert title_field.title(root, GENERIC) == "Floods hit the north"


def test_title_host_name_suffix_dropped() -> None:
    root = page('<meta property="og:title" content="Clymer manual review | MoreBikes">'
                '<link rel="canonical" href="https://www.morebikes.co.uk/7721/review/">')
    assert title_field.title(root, GENERIC) == "Clymer manual review"


def test_title_dash_inside_a_headline_is_kept() -> None:
    root = page('<meta property="og:title" content="Covid - the new normal">')
    assert title_field.title(root, GENERIC) == "Covid - the new normal"


def test_title_element_keeps_the_longest_part() -> None:
    root = page("<title>A long headline about floods - World - Example</title>")
    assert title_field.title(root, GENERIC) == "A long headline about floods"


def test_title_site_rule_comes_first() -> None:
    rules = ExtractionRules(title=(".headline",))
    root = page('<meta property="og:title" content="Other">', '<p class="headline">Rule title</p>')
    assert title_field.title(root, rules) == "Rule title"


def test_no_title() -> None:
    assert title_field.title(page(body="<p>text</p>"), GENERIC) is None


# Publication date --------------------------------------------------------------------------------

def published(root: Any, rules: ExtractionRules = GENERIC) -> str | None:
    return published_field.published(root, rules, CAPTURE)


def test_json_ld_before_meta_tags() -> None:
    root = page('<meta property="article:published_time" content="2019-02-01T08:00:00+00:00">',
                ld=article(datePublished="2019-02-28T09:12:00+07:00"))
    assert published(root) == "2019-02-28T09:12:00+07:00"


def test_meta_tags_in_order_of_preference_not_page_order() -> None:
    root = page('<meta name="date" content="2019-01-01">'
                '<meta property="article:published_time" content="2019-02-28T09:12:00+01:00">')
    assert published(root) == "2019-02-28T09:12:00+01:00"


def test_modified_date_is_not_a_publication_date() -> None:
    root = page('<meta property="article:modified_time" content="2019-03-05T10:00:00Z">'
                '<meta property="article:published_time" content="2019-02-28T09:12:00Z">')
    assert published(root) == "2019-02-28T09:12:00+00:00"


def test_future_date_refused_for_the_next_candidate() -> None:
    root = page('<meta property="article:published_time" content="2027-01-01T00:00:00Z">'
                '<meta name="date" content="2019-02-28">')
    assert published(root) == "2019-02-28"


def test_placeholder_date_refused_for_the_url_date() -> None:
    root = page('<link rel="canonical" href="https://news.example/story/2019/11/19/rescue/">',
                ld=article(datePublished="0001-01-01T00:00:00Z"))
    assert published(root) == "2019-11-19"


def test_timezone_offset_kept() -> None:
    root = page('<meta property="article:published_time" content="2019-11-20T10:18:01+05:30">')
    assert published(root) == "2019-11-20T10:18:01+05:30"


def test_gmt_suffix_is_an_offset() -> None:
    root = page(body='<time datetime="2019-11-18 17:19:53 GMT">Nov 18</time>')
    assert published(root) == "2019-11-18T17:19:53+00:00"


def test_date_only_stays_date_only() -> None:
    root = page('<meta name="publishdate" content="2023-11-17">')
    assert published(root) == "2023-11-17"


def test_date_made_precise_by_an_agreeing_time() -> None:
    # The meta tag gives the day, the <time> the moment on that day.
    root = page('<meta name="date" content="2019-11-13">',
                '<time datetime="2019-11-13T23:06:00+01:00">13 Nov</time>')
    assert published(root) == "2019-11-13T23:06:00+01:00"


def test_naive_time_takes_the_offset_another_tag_gives() -> None:
    root = page('<meta property="article:published_time" content="2019-11-18T17:01:27.893">'
                '<meta itemprop="datePublished" content="2019-11-18T17:01:27.893Z">')
    assert published(root) == "2019-11-18T17:01:27+00:00"


def test_a_time_of_another_day_does_not_refine() -> None:
    root = page('<meta name="date" content="2019-11-13">',
                '<time datetime="2019-11-14T08:00:00+01:00">14 Nov</time>')
    assert published(root) == "2019-11-13"


def test_site_timezone_for_naive_times() -> None:
    rules = ExtractionRules(timezone=UTC, published=(".when",))
    root = page(body='<p class="when">2019-03-01 14:13</p>')
    assert published(root, rules) == "2019-03-01T14:13:00+00:00"


def test_microdata_outside_meta() -> None:
    root = page(body='<span itemprop="datePublished" content="2019-11-19T08:57:40+01:00">Nov 19</span>')
    assert published(root) == "2019-11-19T08:57:40+01:00"


def test_json_ld_date_as_text() -> None:
    root = page(ld=article(datePublished="November 19, 2019"))
    assert published(root) == "2019-11-19"


def test_date_in_the_title() -> None:
    root = page("<title>Ziele, Chancen, Risiken | DW | 28.04.2023</title>",
                '<span class="date">24.04.2023</span>')
    assert published(root) == "2023-04-28"


# Authors -----------------------------------------------------------------------------------------

def authors(root: Any, rules: ExtractionRules = GENERIC) -> list[str]:
    return authors_field.authors(root, rules)


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ({"@type": "Person", "name": "Jennifer Pahlke"}, ["Jennifer Pahlke"]),
        ([{"@type": "Person", "name": "Julia Vergin"}, {"@type": "Person", "name": "Clare Roth"}],
         ["Julia Vergin", "Clare Roth"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        (["Jane Doe", "John Roe"], ["Jane Doe", "John Roe"]),
        ({"@type": "Person", "name": "Analysis by Chris Cillizza"}, ["Chris Cillizza"]),
        ([{"@type": "Person", "name": "Greg Beacham"}, {"@type": "Person", "name": "AP Sports Writer"}],
         ["Greg Beacham"]),
        ({"@type": "Organization", "name": "Al Jazeera"}, []),
    ],
)
def test_json_ld_author_forms(author: Any, expected: list[str]) -> None:
    assert authors(page(ld=article(author=author))) == expected


def test_json_ld_author_by_id_in_a_graph() -> None:
    person = {"@type": "Person", "@id": "https://example.org/#/person/1", "name": "Olivia Larsen"}
    graph = {"@context": "https://schema.org", "@graph": [
        article(author={"@id": "https://example.org/#/person/1"}), person,
    ]}
    root = parse(f'<html><head><script type="application/ld+json">{json.dumps(graph)}</script>'
                 "</head><body></body></html>")
    assert authors(root) == ["Olivia Larsen"]


def test_meta_author_that_is_the_site_is_refused() -> None:
    root = page('<meta name="author" content="Deutsche Welle (www.dw.com)">'
                '<meta property="og:site_name" content="BBC News">',
                '<meta name="author" content="BBC News">')
    assert authors(root) == []


def test_meta_author() -> None:
    root = page('<meta name="author" content="Tanza Loudenback, Business Insider">'
                '<meta property="og:site_name" content="Business Insider">')
    assert authors(root) == ["Tanza Loudenback"]


def test_byline_element_when_nothing_is_declared() -> None:
    root = page(body='<h1>Headline</h1><div class="byline">By <a href="/jd">Jane Doe</a>'
                     '<span>Nov 19, 2019</span></div><p>Text.</p>')
    assert authors(root) == ["Jane Doe"]


def test_byline_names_separated_by_elements() -> None:
    root = page(body='<p class="author-details"><span class="author">Julia Vergin</span>'
                     '<span class="author">Clare Roth</span><span>Staff writer</span></p>')
    assert authors(root) == ["Julia Vergin", "Clare Roth"]


def test_first_byline_decides() -> None:
    # The article's byline names a desk; later bylines belong to other articles.
    root = page('<link rel="canonical" href="https://www.telegraph.co.uk/tennis/1/">',
                '<div class="byline">Telegraph Sport</div>'
                '<aside><span class="author-name">Judy Murray</span></aside>')
    assert authors(root) == []


def test_labelled_author() -> None:
    root = page(body="<ul><li><strong>Datum</strong> 28.04.2023</li>"
                     "<li><strong>Autorin/Autor</strong> Roman Goncharenko</li></ul>")
    assert authors(root) == ["Roman Goncharenko"]


def test_labelled_author_in_a_definition_list() -> None:
    root = page(body="<dl><dt>Author:</dt><dd>Julian Tompkin</dd></dl>")
    assert authors(root) == ["Julian Tompkin"]


def test_site_rules_are_taken_as_they_are() -> None:
    rules = ExtractionRules(authors=(".news-author",))
    root = page(body='<div class="news-author">CGTN</div>', ld=article(author="Jane Doe"))
    assert authors(root, rules) == ["CGTN"]


def test_names_without_case() -> None:
    root = page('<meta name="author" content="严玉洁">')
    assert authors(root) == ["严玉洁"]


# Declared language -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="de-DE"><head></head><body></body></html>', "de"),
        ('<html xml:lang="fr"><head></head><body></body></html>', "fr"),
        ('<html><head><meta http-equiv="Content-Language" content="vi"></head></html>', "vi"),
        ('<html><head><meta property="og:locale" content="en_GB"></head></html>', "en"),
        ('<html><head><meta name="language" content="eng"></head></html>', "en"),
        ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
         '"inLanguage": "zh-Hans"}</script></head></html>', "zh"),
        # Tags that name no language give way to the next declaration.
        ('<html lang="und"><head><meta property="og:locale" content="ko_KR"></head></html>', "ko"),
        ('<html lang="x-default"><head></head><body></body></html>', None),
        ("<html><head></head><body></body></html>", None),
    ],
)
def test_declared_language(html: str, expected: str | None) -> None:
    assert language.declared_language(parse(html)) == expected
