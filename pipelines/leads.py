"""Leads: the standfirst that a template sets in the article's header, under the headline, in
a box apart from the body's (with the byline, the date and the share buttons between them).

The body found by the scoring starts below it; what lies between the headline and the body is
read for paragraphs of prose, which are the story's opening, not the page's furniture.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from lxml.html import HtmlElement

from pipelines._html import clean_space, marker
from pipelines._names import key
from pipelines.paragraphs import SKIP_TAGS
from pipelines.standfirsts import NOTES

# A lead is prose: this long, ending a sentence (or longer still), few of its words links.
_MIN_CHARS = 80
_LONG_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?…:\"“”»«'’)]\s*$")
_MAX_LINK_SHARE = 0.3
# One short sentence under a headline is a summary written for the listings (a "dek"), not
# the story's opening paragraph, which has two sentences or one long one.
_LONE_SENTENCE_CHARS = 150
_SENTENCE_BREAK = re.compile(r"[.!?…](?:[\"“”»«'’)]*)(?:\s|$)")
_MAX_LEADS = 3
# An <h1> (or title) this short, in letters and digits, that is under half the other is a name
# inside the headline's letters (a brand, a section), not the headline.
_MIN_HEADLINE_KEY = 20
# Between the headline and the body there is a header's worth of text, not a page of it.
_MAX_REGION_CHARS = 3000


def leads_before(
    containers: list[HtmlElement], title: str | None, skip: Collection[HtmlElement],
    is_furniture: Callable[[HtmlElement], bool],
) -> list[HtmlElement]:
    """The lead paragraphs between the headline (the <h1> that reads as ``title``) and the first
    container, when both sit in one box below the page's body: none when the headline is in
    the body already."""
    if not containers or not title:
        return []
    first = containers[0]
    found = _headline_box(first, key(title))
    if found is None:
        return []
    box, headline = found
    leads: list[HtmlElement] = []
    region = 0
    started = False
    for element in box.iter():
        if element is headline:
            started = True
            continue
        if element is first:
            break
        if not started or not isinstance(element.tag, str) or element.tag != "p":
            continue
        if any(a is headline for a in element.iterancestors()):
            continue
        text = clean_space(element.text_content())
        region += len(text)
        if region > _MAX_REGION_CHARS:
            return []
        if _is_lead(element, text) and not _set_aside(element, box, skip, is_furniture):
            leads.append(element)
    return leads[:_MAX_LEADS]


def _headline_box(first: HtmlElement, title_key: str) -> tuple[HtmlElement, HtmlElement] | None:
    """The lowest box around ``first`` holding the headline, and the headline; None when the
    headline is in ``first`` (nothing above the body) or only the page's body holds both."""
    if not title_key:
        return None
    around = {a: depth for depth, a in enumerate(first.iterancestors())}
    best: tuple[int, HtmlElement, HtmlElement] | None = None
    for h1 in first.getroottree().getroot().iter("h1"):
        heading = key(h1.text_content())
        if not heading or (heading not in title_key and title_key not in heading):
            continue
        shorter, longer = sorted((len(heading), len(title_key)))
        if shorter < _MIN_HEADLINE_KEY and 2 * shorter < longer:
            continue  # a brand or a section ("AP", "Tram") inside the headline's words
        for ancestor in h1.iterancestors():
            if ancestor is first:
                return None  # the headline is in the body: nothing above it
            depth = around.get(ancestor)
            if depth is not None:
                if best is None or depth < best[0]:
                    best = (depth, ancestor, h1)
                break
    if best is None or best[1].tag in ("body", "html"):
        return None
    return best[1], best[2]


def _is_lead(element: HtmlElement, text: str) -> bool:
    if len(text) < _MIN_CHARS:
        return False
    if len(text) < _LONE_SENTENCE_CHARS and len(_SENTENCE_BREAK.findall(text)) < 2:
        return False
    if len(text) < _LONG_CHARS and not _SENTENCE_END.search(text):
        return False
    linked = sum(len(clean_space(a.text_content())) for a in element.iter("a"))
    return linked <= _MAX_LINK_SHARE * len(text)


def _set_aside(
    element: HtmlElement, box: HtmlElement, skip: Collection[HtmlElement],
    is_furniture: Callable[[HtmlElement], bool],
) -> bool:
    for current in (element, *element.iterancestors()):
        if current is box:
            return False
        if current in skip or current.tag in SKIP_TAGS or current.tag == "a":
            return True  # a paragraph in a link is a teaser's
        if is_furniture(current) or NOTES.search(marker(current)):
            return True
    return False
