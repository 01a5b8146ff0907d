"""Dates where a page shows them to readers, for pages whose site rules find none.

Two places, both generic: the date lines near the headline ("Updated 17:20, 01-Mar-2019",
"Xinhua | Updated: 2019-03-01 14:13", "February 27, 2019 - 18:52"), in whatever wrapper the page
puts them; and htmldate, the well-kept library for the rest, run over the page without its
teasers (:func:`without_teasers`). A date in a list of other articles (a teaser, a "More from" box, a sidebar) is never
read: it is another article's.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import datetime

import lxml.html
from lxml import etree

from pipelines import dates
from pipelines._html import Words, text_of
from pipelines.rules import ExtractionRules
from pipelines.selectors import elements, meta, select

# Date lines as news sites print them, most precise first. Every one has a year: a year-less
# date is a site's business (its rules say where the year comes from).
_LINE_FORMATS = tuple(
    re.compile(p)
    for p in (
        # "17:20, 01-Mar-2019" (CGTN)
        r"(?P<hour>\d{1,2}):(?P<minute>\d{2}),?\s+(?P<day>\d{1,2})[- ](?P<month_name>[A-Za-z]{3,9})"
        r"\.?[- ](?P<year>\d{4})\b",
        # "2019-03-01 14:13", "2019/03/01", "2019.3.1"
        r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})\b"
        r"(?:[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?",
        # "February 27, 2019 - 18:52", "Feb. 27, 2019 at 18:52"
        r"\b(?P<month_name>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"
        r"(?:\s*(?:[-,|]|at)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\s*[ap]\.?m))?",
        # "01-Mar-2019 17:20", "1 March 2019, 17:20"
        r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?[- ](?P<month_name>[A-Za-z]{3,9})\.?[- ,]+(?P<year>\d{4})\b"
        r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?",
        # "28.04.2023, 14:13"
        r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\b"
        r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?",
    )
)
# A date line is short: a label, a source, a byline, the date.
_LINE_MAX_CHARS = 120
# "Updated ..." says when the page last changed: a publication date only when nothing else is.
_UPDATED = re.compile(r"\b(?:updated|modified|edited|last update)\b", re.I)
# How far to look: a few elements above the headline (a kicker, a date over it), and below it
# until the text has begun.
_BEFORE = 8
_AFTER = 60
_BODY_STARTED = 3  # paragraphs of text below the headline
_PARAGRAPH_WORDS = 25
# Containers of other articles' teasers, by tag and by the names sites give them.
_FOLLOWING = etree.XPath(f"following::*[position() <= {_AFTER}]")
_TEASER_TAGS = frozenset({"a", "nav", "aside", "footer", "menu"})
_TEASER_NAMES = Words(
    r"related|more(?:[-_]|\b)|teaser|recommend|popular|most[-_]|latest|trending|sidebar|widget|"
    r"media-list|carousel|slider|ticker"
)


def near_title(root: lxml.html.HtmlElement, rules: ExtractionRules) -> Iterator[dates.Instant]:
    """The dates of the date lines just above and below the headline, in page order, any
    "Updated ..." line after the others; none in teasers."""
    headline = _headline(root, rules)
    if headline is None:
        return
    updated: list[dates.Instant] = []
    for element in _around(headline):
        text = text_of(element)
        if len(text) > _LINE_MAX_CHARS:
            continue
        found = _time_element(element) or _date_of_line(text)
        if found is None or _in_teaser(element):
            continue
        if _UPDATED.search(text):
            updated.append(found)
        else:
            yield found
    yield from updated


def without_teasers(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page without navigation, asides, footers and lists of other articles."""
    pruned: lxml.html.HtmlElement = copy.deepcopy(root)
    body = pruned.find("body")
    if body is None:
        return pruned
    # Not into what goes already: its descendants go with it.
    doomed = []
    walker = etree.iterwalk(body, events=("start",))
    for _, element in walker:
        if _is_teaser_box(element):
            doomed.append(element)
            walker.skip_subtree()
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return pruned


def _headline(root: lxml.html.HtmlElement, rules: ExtractionRules) -> etree._Element | None:
    """The headline's element: the site's title selector, else the first <h1> outside the page's
    furniture, else the element that holds the og:title."""
    for selector in rules.title:
        for found in select(root, selector):
            if isinstance(found, etree._Element) and found.tag != "meta":
                return found
    for h1 in root.iterfind(".//body//h1"):
        if text_of(h1) and not _in_teaser(h1):
            return h1  # type: ignore[no-any-return]
    for title in meta(root, "og:title"):
        found = _first_with_text(root, " ".join(title.split()))
        if found is not None:
            return found
    return None


def _first_with_text(root: lxml.html.HtmlElement, wanted: str) -> etree._Element | None:
    """The first element in the body whose text is ``wanted``. Not into an element whose text
    does not hold it: no element inside it can be the one."""
    for body in root.iterfind(".//body"):
        walker = etree.iterwalk(body, events=("start",))
        next(walker)  # the body itself is not a candidate
        for _, element in walker:
            text = text_of(element)
            if text == wanted:
                return element  # type: ignore[no-any-return]
            if wanted not in text:
                walker.skip_subtree()
    return None


def _around(headline: etree._Element) -> Iterator[etree._Element]:
    """The elements just before the headline and after it, until the article text has begun."""
    # Above it, only within its own wrapper: the site's header has today's date, not the article's.
    parent = headline.getparent()
    above: list[etree._Element] = []
    for element in parent.iter() if parent is not None else ():
        if element is headline:
            break
        if element is not parent and isinstance(element.tag, str):
            above.append(element)
    yield from above[-_BEFORE:]
    paragraphs = 0
    for element in elements(_FOLLOWING(headline)):
        if element.tag in ("script", "style"):
            continue
        if element.tag == "p" and len(text_of(element).split()) >= _PARAGRAPH_WORDS:
            paragraphs += 1
            if paragraphs >= _BODY_STARTED:
                return
            continue
        yield element


def _date_of_line(text: str) -> dates.Instant | None:
    for pattern in _LINE_FORMATS:
        found = dates.from_pattern(text, pattern, datetime.max)
        if found is not None:
            return found
    return None


def _time_element(element: etree._Element) -> dates.Instant | None:
    if element.tag != "time" or not element.get("datetime"):
        return None
    return dates.from_string(element.get("datetime", ""))


def _in_teaser(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if _is_teaser_box(ancestor) or (ancestor.tag == "li" and ancestor.find(".//a") is not None):
            return True
    return element.tag in _TEASER_TAGS


def _is_teaser_box(element: etree._Element) -> bool:
    if element.tag in _TEASER_TAGS:
        return True
    # The site's header, with its menu (and often today's date), is not the article's.
    if element.tag == "header" and element.find(".//nav") is not None:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}"
    if names.strip() and _TEASER_NAMES.search(names):
        return True
    # A list whose items are links: other articles.
    if element.tag in ("ul", "ol"):
        items = element.findall("li")
        return len(items) >= 2 and all(li.find(".//a") is not None for li in items)
    return False
