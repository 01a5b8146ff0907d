"""The article body: find it, prune what is not article, and turn it into paragraphs.

The site's ``body`` selectors are tried first; without them (or when they find nothing)
readability-lxml picks the main content. Either way the same pruning applies: site ``drop``
selectors, generic boilerplate (captions, share bars, related-link lists), paragraphs that are
only a link, credit lines, and the site's ``drop_text`` patterns.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import Unparseable

from pipelines._html import clean_space
from pipelines.metadata import select
from pipelines.rules import ExtractionRules

logger = logging.getLogger(__name__)

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br",
})
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "button", "select", "textarea",
    "input", "object", "embed", "video", "audio", "canvas", "map", "figure", "figcaption",
    "nav", "form", "head", "title", "meta", "link",
})
# Class/id words that mark page furniture rather than article text.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:caption|credits?|share|sharing|social|related|newsletter|promo|advert"
    r"|advertisement|ads?|breadcrumbs?|comments?|subscribe|signup|sidebar|toolbar|print"
    r"|read-?more|more-?from|outbrain|taboola|disqus|cookie|skip|sr-only|visually-hidden)"
    r"(?:$|[\s_-])",
    re.I,
)
# Lines that are credits or teasers on any site.
GENERIC_DROP_TEXT = tuple(
    re.compile(p, re.I)
    for p in (
        r"^(?:read|see) (?:more|also)\s*:",
        r"^(?:also read|related|recommended|more on this)\s*:",
        r"\[(?:photo|image|picture)s?/[^\]]*\]\s*$",
        r"^(?:photo|image|picture)s?\s*(?:credit)?\s*:\s",
        r"(?:^|\s)/\s*[A-Z][\w.&]*\s+(?:photo|image)s?\s*$",
        r"[—–]\s*[A-Z][\w./& ]{1,40}\s+photos?\s*$",
    )
)
_LINK_ONLY_MAX_WORDS = 30


@dataclass
class _Block:
    text: str
    link_chars: int


def body_paragraphs(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[str]:
    """The article's paragraphs (subheads included), boilerplate removed."""
    containers = _site_containers(root, rules)
    if not containers:
        containers = _readability_containers(root)
    blocks: list[_Block] = []
    for container in containers:
        _prune(container, rules)
        blocks.extend(_blocks(container))
    return _filter(blocks, rules)


def _site_containers(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[etree._Element]:
    for selector in rules.body:
        found = [e for e in select(root, selector) if not isinstance(e, str)]
        # Drop containers nested in another match so no text is read twice.
        outer = [e for e in found if not any(o is not e and _contains(o, e) for o in found)]
        if any(clean_space(e.text_content()) for e in outer):
            return [copy.deepcopy(e) for e in outer]
    return []


def _contains(ancestor: etree._Element, element: etree._Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _readability_containers(root: lxml.html.HtmlElement) -> list[etree._Element]:
    try:
        summary = Document(copy.deepcopy(root)).summary(html_partial=True)
    except (Unparseable, ValueError, etree.ParserError) as exc:
        logger.debug("readability found no content: %s", exc)
        return []
    if not summary.strip():
        return []
    return [lxml.html.fragment_fromstring(summary, create_parent="div")]


def _prune(container: etree._Element, rules: ExtractionRules) -> None:
    doomed: list[etree._Element] = []
    for selector in rules.drop:
        doomed.extend(e for e in select(container, selector) if not isinstance(e, str))
    for element in container.iter(etree.Element):
        if element is container:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if marker.strip() and _FURNITURE.search(marker):
            doomed.append(element)
        elif element.get("hidden") is not None or element.get("aria-hidden") == "true":
            doomed.append(element)
    for element in doomed:
        _remove(element)


def _remove(element: etree._Element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _blocks(container: etree._Element) -> list[_Block]:
    """Split a container into blocks of text at block-level elements."""
    blocks: list[_Block] = []
    parts: list[str] = []
    link_chars = 0

    def flush() -> None:
        nonlocal link_chars
        text = clean_space("".join(parts))
        if text:
            blocks.append(_Block(text, link_chars))
        parts.clear()
        link_chars = 0

    def walk(element: etree._Element, in_link: bool) -> None:
        nonlocal link_chars
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in SKIP_TAGS:
            block = tag in BLOCK_TAGS
            if block:
                flush()
            link = in_link or tag == "a"
            if element.text:
                parts.append(element.text)
                if link:
                    link_chars += len(element.text.strip())
            for child in element:
                walk(child, link)
            if block:
                flush()
        if element.tail:
            parts.append(element.tail)
            if in_link:
                link_chars += len(element.tail.strip())

    walk(container, False)
    flush()
    return blocks


def _filter(blocks: Iterable[_Block], rules: ExtractionRules) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    patterns = rules.drop_text + GENERIC_DROP_TEXT
    for block in blocks:
        text = block.text
        if text in seen:
            continue
        seen.add(text)
        if any(p.search(text) for p in patterns):
            continue
        if _is_link_only(block) or _is_garbled(text):
            continue
        kept.append(text)
    return kept


def _is_garbled(text: str) -> bool:
    """Undecodable bytes (U+FFFD) or symbols throughout: binary data or a wrong charset."""
    bad = sum(1 for c in text if c == "\ufffd" or (not c.isprintable() and not c.isspace()))
    return bad > 0.05 * len(text)


def _is_link_only(block: _Block) -> bool:
    """A short paragraph that is all link text: a teaser pointing elsewhere."""
    letters = len(block.text.replace(" ", ""))
    return (
        letters > 0
        and block.link_chars >= 0.9 * letters
        and len(block.text.split()) <= _LINK_ONLY_MAX_WORDS
    )
