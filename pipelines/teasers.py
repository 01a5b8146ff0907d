"""Teasers: the items of a list of other stories, found by their structure, not their words.

Two shapes are recognised, however long the list: several ``<article>`` elements side by side
inside another ``<article>`` (WordPress's related posts), and three or more siblings that each
open with a heading that is a link, followed by a short blurb (a "More from..." column, a
sidebar of columnists). Their text must neither pull the choice of the main content its way
nor be read as article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from lxml.html import HtmlElement

from pipelines._html import clean_space

_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
# Siblings of this shape make a list of teasers.
_MIN_ITEMS = 3
# An item with more text than this besides its heading is a section of an article (a listicle
# whose section titles link to what they review), not a teaser.
_MAX_BLURB_CHARS = 400
# The link must be (nearly) the whole heading.
_LINKED_SHARE = 0.8


def teaser_items(root: HtmlElement) -> set[HtmlElement]:
    """The teaser items of the page."""
    items = {a for a in root.iter("article") if _is_nested_article(a)}
    candidates = [item for h in root.iter(*_HEADINGS) if (item := _item_led_by(h)) is not None]
    per_parent = Counter(item.getparent() for item in candidates)
    items.update(i for i in candidates if per_parent[i.getparent()] >= _MIN_ITEMS)
    return items


def in_teaser(element: HtmlElement, teasers: Collection[HtmlElement]) -> bool:
    """Whether ``element`` is a teaser item or inside one."""
    if not teasers:
        return False
    return element in teasers or any(a in teasers for a in element.iterancestors())


def _is_nested_article(article: HtmlElement) -> bool:
    """One of several <article>s side by side, nested in another <article>."""
    parent = article.getparent()
    return (
        parent is not None
        and next(article.iterancestors("article"), None) is not None
        and len(parent.findall("article")) > 1
    )


def _item_led_by(heading: HtmlElement) -> HtmlElement | None:
    """The element that ``heading`` (alone or inside a link) opens, if the heading is a link and
    the element holds little else: a teaser item, if it has siblings of the same shape."""
    top = _link_around(heading)
    parent = top.getparent()
    if parent is None or parent.tag in ("body", "html") or _first_child(parent) is not top:
        return None
    if not _is_linked(heading, top):
        return None
    # Whitespace collapsed: templates indent every line of an item.
    blurb_chars = len(clean_space(parent.text_content())) - len(clean_space(heading.text_content()))
    return parent if blurb_chars <= _MAX_BLURB_CHARS else None


def _link_around(heading: HtmlElement) -> HtmlElement:
    """The heading, or the link wrapping it."""
    wrapper = heading.getparent()
    return wrapper if wrapper is not None and wrapper.tag == "a" else heading


def _is_linked(heading: HtmlElement, top: HtmlElement) -> bool:
    text = len(heading.text_content().strip())
    if not text:
        return False
    if top.tag == "a":
        return True
    linked = sum(len(a.text_content().strip()) for a in heading.iter("a"))
    return linked >= _LINKED_SHARE * text


def _first_child(element: HtmlElement) -> HtmlElement | None:
    return next((c for c in element if isinstance(c.tag, str)), None)
