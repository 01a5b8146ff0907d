"""Finding things in a parsed page: CSS selections (site rules) and ``<meta>`` values."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

from pipelines._html import clean_space, text_of

logger = logging.getLogger(__name__)


def select(root: lxml.html.HtmlElement, selector: str) -> list[Any]:
    """CSS selection; a trailing ``::text`` selects the elements' own text only."""
    compiled = _css(selector.removesuffix("::text"))
    if compiled is None:
        return []
    try:
        found = elements(compiled(root))
    except XPathError as exc:
        logger.warning("CSS selector %r in site rules failed: %s", selector, exc)
        return []
    if selector.endswith("::text"):
        return [_own_text(e) for e in found]
    return found


@functools.lru_cache(maxsize=512)
def _css(css: str) -> CSSSelector | None:
    """A site's selector compiled once per process: compiling costs more than selecting."""
    try:
        return CSSSelector(css)
    except (XPathError, ValueError, SyntaxError) as exc:
        logger.warning("bad CSS selector %r in site rules: %s", css, exc)
        return None


def elements(found: Any) -> list[etree._Element]:
    """The elements of an XPath result."""
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _own_text(element: etree._Element) -> str:
    """The element's text without its children's, e.g. "Xinhua |" of "Xinhua | <b>...</b>"."""
    return clean_space((element.text or "") + "".join(c.tail or "" for c in element))


def selected_text(root: lxml.html.HtmlElement, selector: str) -> Iterator[str]:
    for item in select(root, selector):
        if isinstance(item, str):
            text = item
        elif item.tag == "meta":
            text = item.get("content", "")
        else:
            text = item.get("datetime") or text_of(item)
        if text:
            yield text


def meta(root: lxml.html.HtmlElement, *names: str) -> Iterator[str]:
    """Values of <meta name|property|itemprop=...> for the given names, in the order of ``names``
    (the first is the most wanted), then of the page."""
    found = meta_values(root, names)
    for name in names:
        yield from found.get(name.lower(), ())


def meta_values(root: lxml.html.HtmlElement, names: Iterable[str]) -> dict[str, list[str]]:
    wanted = {n.lower() for n in names}
    found: dict[str, list[str]] = {}
    for element in root.iterfind(".//meta[@content]"):
        kind = (element.get("property") or element.get("name") or element.get("itemprop") or "")
        value = element.get("content", "").strip()
        if value and kind.lower() in wanted:
            found.setdefault(kind.lower(), []).append(value)
    return found



def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

