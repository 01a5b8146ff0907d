"""Body extraction rules on small hand-written pages: what is article, what is furniture."""

from __future__ import annotations

import re

import pytest

from pipelines._html import parse
from pipelines.body import body_paragraphs
from pipelines.rules import ExtractionRules

GENERIC = ExtractionRules()
PARAGRAPHS = [
    "The council approved the new tram line on Tuesday, ending a debate that had lasted for "
    "almost a decade and divided the city's two largest parties.",
    "Construction is expected to begin next spring, with the first trams running by 2028, "
    "according to the transport department, which will publish a timetable in June.",
    "Opponents said the cost, estimated at 400 million euros, would strain the budget, while "
    "supporters argued that the line would cut traffic and pollution in the old town.",
]


def page(article: str, before: str = "", after: str = "", title: str = "Council backs tram line") -> str:
    return f"""<html><head><title>{title} | City News</title></head><body>
    <nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
    <div class="sidebar"><ul><li><a href="/a">Most read one</a></li><li><a href="/b">Two</a></li></ul></div>
    {before}
    <div class="story">{article}</div>
    {after}
    <footer><p>Copyright 2026 City News. All rights reserved, whatever that means for you.</p></footer>
    </body></html>"""


def paras(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def extract(html: str, rules: ExtractionRules = GENERIC, title: str | None = "Council backs tram line") -> list[str]:
    return body_paragraphs(parse(html), rules, title)


def test_main_content_without_site_rules() -> None:
    assert extract(page(paras(*PARAGRAPHS))) == PARAGRAPHS


def test_subheads_lists_and_tables_are_kept() -> None:
    article = (paras(PARAGRAPHS[0]) + "<h2>What happens next</h2>" + paras(PARAGRAPHS[1])
               + "<ul><li>Stage one: the station at the harbour, with a new bridge.</li></ul>"
               + "<table><tr><td>Stage</td><td>Cost</td></tr><tr><td>One</td><td>120</td></tr></table>"
               + paras(PARAGRAPHS[2]))
    got = extract(page(article))
    assert "What happens next" in got
    assert "Stage one: the station at the harbour, with a new bridge." in got
    assert "One 120" in got  # a table row reads as one line
    assert got[-1] == PARAGRAPHS[2]


@pytest.mark.parametrize(
    "furniture",
    [
        '<figure><img src="x.jpg"><figcaption>The mayor at the vote. Photo: J. Smith</figcaption></figure>',
        '<p class="image-caption">The mayor at the vote on Tuesday evening in the city hall.</p>',
        '<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this story</a></div>',
        '<p><strong>Read more:</strong> <a href="/x">Tram plans through the years</a></p>',
        '<p><a href="/y">Why the old town wants fewer cars and more bicycles</a></p>',
        '<div class="newsletter-signup"><p>Get our morning briefing in your inbox every day.</p></div>',
        '<p>A tram in Basel. [Photo/Agencies]</p>',
        '<p>Workers lay tracks on the new line. /VCG Photo</p>',
        '<p>Workers lay tracks on the new line. — VNA/VNS Photo</p>',
        '<p>Advertisement</p>',
        '<div hidden><p>Hidden text that no reader ever sees on the page at all.</p></div>',
        '<div class="related-stories"><h3>Related</h3><p>Another story about trams and buses.</p></div>',
        '<div class="post-ratings"><p>How do you rate this article? (No ratings yet.)</p></div>',
        '<div class="sectionRating"><h2>Was this story helpful to you, do you think?</h2></div>',
        '<div class="shariff"><h4>Liked it? Then share it with your friends!</h4></div>',
        '<div class="img-metadata"><span>The new tram, photo: City archive</span></div>',
        '<div class="image-subtitle">The council logo (archive)</div>',
    ],
)
def test_furniture_inside_the_article_is_dropped(furniture: str) -> None:
    article = paras(PARAGRAPHS[0]) + furniture + paras(*PARAGRAPHS[1:])
    assert extract(page(article)) == PARAGRAPHS


def test_headline_and_date_lines_above_the_text_are_dropped() -> None:
    article = "<h1>Council backs tram line</h1><p>November 3, 2026 14:05</p><p>By Ann Lee</p>"
    assert extract(page(article + paras(*PARAGRAPHS))) == PARAGRAPHS


def test_end_of_article_marker_stops_the_text() -> None:
    after = "<p>Tags:</p><p>trams, council, transport policy and the budget of the city</p>"
    assert extract(page(paras(*PARAGRAPHS) + after)) == PARAGRAPHS


def test_related_teaser_list_beside_the_article_is_not_added() -> None:
    teasers = ('<div class="more"><h3>You may also like</h3>' + "".join(
        f"<article><p>{t} More about a different story entirely, at length.</p></article>"
        for t in PARAGRAPHS) + "</div>")
    html = page(paras(*PARAGRAPHS) + "</div>" + teasers + "<div>")
    assert extract(html) == PARAGRAPHS


def test_article_split_into_sections_is_read_whole() -> None:
    sections = "".join(f'<section class="column"><div>{paras(p, p.upper())}</div></section>'
                       for p in PARAGRAPHS)
    got = extract(page(sections))
    assert got[0] == PARAGRAPHS[0] and got[-1] == PARAGRAPHS[2].upper()
    assert len(got) == 6


def test_site_rules_pick_the_body_and_drop_text() -> None:
    rules = ExtractionRules(body=(".story",), drop=(".promo",),
                            drop_text=(re.compile(r"^More From"),))
    article = paras(PARAGRAPHS[0]) + '<p class="promo">Buy now</p><p>More From City News</p>'
    assert extract(page(article), rules) == [PARAGRAPHS[0]]


def test_garbage_gives_no_text() -> None:
    assert extract("\ufffd\x00\x01" * 500) == []
    assert extract("") == []


def test_extract_never_raises_on_tag_soup() -> None:
    """Random tag soup, broken encodings and binary: extraction returns, it doesn't crash."""
    import random

    from pipelines.extraction import extract as extract_article

    rng = random.Random(20261123)
    pieces = ["<p>", "</p>", "<div class='a'>", "</div>", "<script>", "</script>", "<table><tr><td>",
              "<!--", "-->", "<a href='/x'>", "</a>", "<h1>", "<br>", "<meta charset='koi8-r'>",
              "<![CDATA[", "\x00", "\ufffd", "Text, words and more words. ", "<html>", "<body>",
              '<script type="application/ld+json">{"@type": "NewsArticle", "author": [1, {}]', "&#0;"]
    for _ in range(300):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 60)))
        data = html.encode("utf-8") if rng.random() < 0.5 else bytes(rng.randrange(256) for _ in range(200))
        article = extract_article("https://example.org/a", data)
        assert isinstance(article.text, str)


def test_json_ld_article_body_stands_in_for_an_empty_page() -> None:
    from pipelines.extraction import extract as extract_article

    body = "\\n".join(PARAGRAPHS * 2)
    html = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
            f'"headline": "Tram", "articleBody": "{body}"}}</script></head>'
            '<body><div id="app">Loading…</div></body></html>')
    assert extract_article("https://example.org/a", html).text.split("\n\n") == PARAGRAPHS * 2


def test_teaser_articles_nested_in_an_article_do_not_take_over() -> None:
    """WordPress-style: the post, then an <article> of related posts, each an <article>."""
    teaser = ("A different story, told at length so that its paragraphs weigh more, with commas, "
              "clauses, and more commas, than the post itself, which is short. ") * 3
    related = '<article class="postbox">' + "".join(
        f'<article class="postbox"><p>{teaser}</p></article>' for _ in range(4)) + "</article>"
    html = (f"<html><body><div class=columns><article class=post><h1>Council backs tram line</h1>"
            f"{paras(*PARAGRAPHS)}</article>{related}</div></body></html>")
    assert extract(html) == PARAGRAPHS
