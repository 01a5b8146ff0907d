"""Boilerplate around the article found by its shape: labels over link lists, link lists."""

from __future__ import annotations

from tests.pipelines.test_body import PARAGRAPHS, extract, page, paras


def test_a_label_over_a_list_of_links_goes_with_it() -> None:
    links = "".join(
        f'<li><a href="/{n}">Another story about the tram, part {n}</a></li>' for n in range(3)
    )
    got = extract(page(paras(*PARAGRAPHS) + f"<h3>Elsewhere in the city</h3><ul>{links}</ul>"))
    assert got == PARAGRAPHS


def test_a_label_over_text_stays() -> None:
    article = paras(PARAGRAPHS[0]) + "<h3>What it costs</h3>" + paras(*PARAGRAPHS[1:])
    assert extract(page(article)) == [PARAGRAPHS[0], "What it costs", *PARAGRAPHS[1:]]


def test_a_long_line_of_many_links_is_a_list_of_links() -> None:
    cloud = " ".join(f'<a href="/tag/{n}">tram line topic {n}</a>' for n in range(12))
    got = extract(page(paras(*PARAGRAPHS, cloud)))
    assert got == PARAGRAPHS


def test_labels_below_the_last_paragraph_go() -> None:
    got = extract(page(paras(*PARAGRAPHS, "Contact:", "Press office")))
    assert got == PARAGRAPHS


def test_a_list_that_ends_the_article_stays_whole() -> None:
    items = "".join(f"<li>Stop {n}</li>" for n in range(1, 4))
    got = extract(page(paras(*PARAGRAPHS) + f"<ul>{items}</ul>"))
    assert got == [*PARAGRAPHS, "Stop 1", "Stop 2", "Stop 3"]


def test_a_short_page_keeps_its_last_line() -> None:
    text = "The tram line opens today after a decade of debate, the council said."
    got = extract(page(paras(text, "Press office")))
    assert got == [text, "Press office"]


def test_a_standfirst_in_a_box_before_the_body_is_kept() -> None:
    lede = "The city will build its first tram line in sixty years, after a vote that split the council."
    html = page(
        f'<div class="intro"><p>{lede}</p></div><div class="text">{paras(*PARAGRAPHS)}</div>'
    )
    assert extract(html) == [lede, *PARAGRAPHS]


def test_a_box_of_links_before_the_body_is_not_a_standfirst() -> None:
    links = (
        '<p><a href="/a">Tram line: all our coverage of the council vote and what it means</a></p>'
    )
    html = page(f'<div class="intro">{links}</div><div class="text">{paras(*PARAGRAPHS)}</div>')
    assert extract(html) == PARAGRAPHS


def test_a_run_of_short_lines_ending_the_article_is_a_list_not_labels() -> None:
    lines = [f"{n:02d}. Stop number {n}" for n in range(1, 8)]
    got = extract(page(paras(*PARAGRAPHS, *lines)))
    assert got == [*PARAGRAPHS, *lines]


def test_a_link_out_of_the_site_in_the_text_stays_a_link_home_goes() -> None:
    head = '<link rel="canonical" href="https://citynews.example/tram">'
    out = '<p><a href="https://council.example.org/minutes">The council minutes</a></p>'
    home = '<p><a href="https://www.citynews.example/bus">Our bus lane coverage</a></p>'
    article = paras(PARAGRAPHS[0]) + out + paras(PARAGRAPHS[1]) + home + paras(PARAGRAPHS[2])
    html = page(article).replace("<head>", f"<head>{head}")
    assert extract(html) == [PARAGRAPHS[0], "The council minutes", *PARAGRAPHS[1:]]


def test_a_link_showing_its_address_is_a_reference_in_the_text() -> None:
    """A link whose words are a web or mail address is an address the text gives, whichever
    site it points to; a link with words of its own, to the site, is a teaser."""
    refs = [
        '<p><a href="https://citynews.example/plan">https://citynews.example/plan</a></p>',
        '<p><a href="mailto:desk@citynews.example">desk@citynews.example</a></p>',
    ]
    article = paras(*PARAGRAPHS[:2]) + "".join(refs) + paras(PARAGRAPHS[2])
    addresses = ["https://citynews.example/plan", "desk@citynews.example"]
    assert extract(page(article)) == [*PARAGRAPHS[:2], *addresses, PARAGRAPHS[2]]


def test_short_credit_lines_go_in_several_languages() -> None:
    credits = [
        "Foto: Jane Roe",
        "(Credit: Jane Roe / City News)",
        "The new tram. © Agency / Jane Roe",
    ]
    assert extract(page(paras(PARAGRAPHS[0], *credits, *PARAGRAPHS[1:]))) == PARAGRAPHS


def test_a_long_line_that_opens_with_source_is_text() -> None:
    line = "Source: " + " ".join(PARAGRAPHS[0].split()[:20])
    assert extract(page(paras(*PARAGRAPHS, line))) == [*PARAGRAPHS, line]


def test_a_dateline_the_sentence_runs_on_from_is_kept() -> None:
    first = '<p><span class="dateline">BERLIN – </span>' + PARAGRAPHS[0] + "</p>"
    got = extract(page(first + paras(*PARAGRAPHS[1:])))
    assert got == ["BERLIN – " + PARAGRAPHS[0], *PARAGRAPHS[1:]]


LEDE = (
    "The city will build its first tram line in sixty years, after a vote that split the council."
)


def test_a_standfirst_behind_a_photo_and_share_buttons_is_kept() -> None:
    photo = '<div class="media"><img src="/tram.jpg" alt=""><span>© City News</span></div>'
    share = '<div class="share-buttons"><a href="/s">Share</a></div>'
    article = f'<div class="intro"><p>{LEDE}</p></div>{photo}{share}<div class="text">{paras(*PARAGRAPHS)}</div>'
    assert extract(page(article)) == [LEDE, *PARAGRAPHS]


def test_a_caption_box_before_the_body_is_no_standfirst() -> None:
    article = f'<div class="photo-caption"><p>{LEDE}</p></div><div class="text">{paras(*PARAGRAPHS)}</div>'
    assert extract(page(article)) == PARAGRAPHS


def test_a_label_over_a_related_box_set_aside_goes_with_it() -> None:
    links = "".join(
        f'<li><a href="/{n}">Another story about the tram, part {n}</a></li>' for n in range(3)
    )
    box = f'<h4>Elsewhere in the city</h4><div class="related"><ul>{links}</ul></div>'
    assert extract(page(paras(PARAGRAPHS[0]) + box + paras(*PARAGRAPHS[1:]))) == PARAGRAPHS


def test_a_subhead_over_a_photo_set_aside_stays() -> None:
    photo = '<div class="image-credit"><img src="/t.jpg"><span>Jane Roe for City News</span></div>'
    article = paras(PARAGRAPHS[0]) + f"<h4>What it costs</h4>{photo}" + paras(*PARAGRAPHS[1:])
    assert extract(page(article)) == [PARAGRAPHS[0], "What it costs", *PARAGRAPHS[1:]]


def test_an_agency_sign_off_ending_the_article_stays() -> None:
    got = extract(page(paras(*PARAGRAPHS, "jr/ng (AFP, Reuters)")))
    assert got == [*PARAGRAPHS, "jr/ng (AFP, Reuters)"]
