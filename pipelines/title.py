"""The headline: site rules, then what the page declares, without the site name pages append."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import lxml.html

from pipelines import dates
from pipelines._html import clean_space, ld_article, text_of
from pipelines._names import key
from pipelines.identity import SITE_META, site_names
from pipelines.rules import ExtractionRules
from pipelines.selectors import meta, meta_values, selected_text

TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»]\s+")


def title(root: lxml.html.HtmlElement, rules: ExtractionRules) -> str | None:
    """The headline: site rules, JSON-LD headline, og:title, the only <h1>, <title>; without the
    site name, section or date that pages append to titles ("Headline | Site | 28.04.2023")."""
    for selector in rules.title:
        for text in selected_text(root, selector):
            return text
    candidates = _title_candidates(root)
    text, is_title_element = next(candidates, ("", False))
    if not TITLE_SEPARATORS.search(text):
        return text or None
    # The other titles of the page tell where the headline ends.
    references = {key(t) for t, _ in candidates} | {key(h) for h in _headings(root)}
    references.discard(key(text))
    return _strip_title(text, references, root, longest=is_title_element)


def _title_candidates(root: lxml.html.HtmlElement) -> Iterator[tuple[str, bool]]:
    """(text, comes from <title>) in order of preference."""
    article = ld_article(root)
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        yield _unescaped(article["headline"]), False
    for text in meta(root, "og:title", "twitter:title"):
        yield _unescaped(text), False
    headings = _headings(root)
    if len(headings) == 1:
        yield headings[0], False
    element = root.find(".//title")
    if element is not None and text_of(element):
        yield _unescaped(text_of(element)), True


def _unescaped(text: str) -> str:
    """Entities decoded: JSON-LD strings are not HTML, and pages escape their titles twice
    ("&amp;amp;") or leave entities in <title>, where HTML does not decode them in some pages'
    markup (a <title> inside <svg>, say, or text escaped by a template)."""
    return clean_space(html.unescape(text) if "&" in text else text)


def _headings(root: lxml.html.HtmlElement) -> list[str]:
    return [text for text in map(text_of, root.iterfind(".//h1")) if text]


def _strip_title(
    text: str, references: set[str], root: lxml.html.HtmlElement, *, longest: bool
) -> str:
    cuts = list(TITLE_SEPARATORS.finditer(text))
    # Another title of the page (the <h1>, twitter:title) is one end of this one: that's it.
    for cut in reversed(cuts):
        if key(text[: cut.start()]) in references:
            return text[: cut.start()].strip()
    for cut in cuts:
        if key(text[cut.end() :]) in references:
            return text[cut.end() :].strip()
    names = site_names(root, ld_article(root), meta_values(root, SITE_META))
    bounds = [0, *(p for cut in cuts for p in (cut.start(), cut.end())), len(text)]
    parts = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    first, last = 0, len(parts) - 1
    while last > first and _is_site_part(parts[last], names):
        last -= 1
    while last > first and _is_site_part(parts[first], names):
        first += 1
    if longest and last > first:
        # "Headline - Section - Site" in <title>: the headline is the longest part.
        return max(parts[first : last + 1], key=len).strip()
    return text[bounds[2 * first] : bounds[2 * last + 1]].strip()


def _is_site_part(part: str, names: set[str]) -> bool:
    return (
        key(part) in names
        or dates.from_text(part, whole=True) is not None
        or re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", part.strip().lower()) is not None
    )

