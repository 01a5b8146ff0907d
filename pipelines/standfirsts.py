"""Standfirsts: the short paragraph of prose that templates set in a box of its own, before
the body, often with a photo or share buttons in between."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from lxml.html import HtmlElement

from pipelines._html import clean_space, marker

# A standfirst: this long, and without these (a box of them is something else: a list, a form).
_CHARS = (80, 800)
_NOT_IN_IT = ("h1", "h2", "h3", "ul", "ol", "table", "form", "img", "figure", "iframe")
# Boxes passed over on the way back: without scored text, or a photo with its caption.
_MAX_PASSED = 3
_MEDIA = ("img", "figure", "picture", "video", "iframe")
_MEDIA_TEXT_CHARS = 150
# A photo's caption in a box of its own says what the photo shows, not what the story says.
_CAPTION = re.compile(r"caption|credit", re.I)
# Nor is a box of the page's notes about the story (its metadata, a disclosure).
NOTES = re.compile(r"(?<![a-z])(?:meta|metadata|disclosure|disclaimer)(?![a-z])", re.I)


def standfirst_before(
    body: HtmlElement,
    mass: Mapping[HtmlElement, float],
    link_density: Callable[[HtmlElement], float],
) -> HtmlElement | None:
    """The nearest box before ``body`` with text, if it is a standfirst; boxes without
    paragraph text (``mass``: share buttons, scripts, asides left out) and photo boxes
    between the two are passed over."""
    passed = 0
    previous = body.getprevious()
    while previous is not None and passed <= _MAX_PASSED:
        if isinstance(previous.tag, str) and previous.text_content().strip():
            if _is_standfirst(previous, link_density):
                return previous
            if mass.get(previous, 0) > 0 and not _is_media(previous):
                return None
            passed += 1
        previous = previous.getprevious()
    return None


def _is_standfirst(box: HtmlElement, link_density: Callable[[HtmlElement], float]) -> bool:
    words = marker(box)
    if box.tag not in ("p", "div", "section", "header") or _CAPTION.search(words) or NOTES.search(words):
        return False
    prose = box if box.tag == "p" else box.find(".//p")
    if prose is None or next(box.iter(*_NOT_IN_IT), None) is not None:
        return False
    return (
        _CHARS[0] <= len(clean_space(box.text_content())) <= _CHARS[1] and link_density(box) < 0.1
    )


def _is_media(box: HtmlElement) -> bool:
    return (
        next(box.iter(*_MEDIA), None) is not None
        and len(clean_space(box.text_content())) < _MEDIA_TEXT_CHARS
    )
