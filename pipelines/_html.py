"""HTML helpers shared by the extraction modules: decoding, parsing, and text of elements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

# lxml refuses str input with an XML encoding declaration; it is meaningless once decoded.
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Undecodable bytes that a page in the right charset may still have (cut short, say).
_FEW_BAD_CHARS = 8
# Characters libxml2 refuses in text: C0 controls but tab/newline/return, non-characters and
# lone surrogates. Garbled or binary pages are full of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def decode(html: bytes | str, content_type: str | None = None) -> str:
    """Decode a page the way browsers do: BOM, then HTTP charset, then <meta>, else UTF-8; but
    when that charset does not decode the bytes cleanly (pages declared UTF-8 and written in
    Shift_JIS or windows-1251 are common), the charset is sniffed from the bytes instead, and
    bytes that are valid UTF-8 are read as UTF-8 whatever the declaration (see _as_utf8)."""
    if isinstance(html, str):
        return html
    encoding, text = html_to_unicode(content_type, html)
    if not encoding.lower().replace("-", "").startswith("utf") and not html.isascii():
        utf8 = _as_utf8(html)
        if utf8 is not None:
            return utf8
    if _decodes_cleanly(html, encoding, text):
        return text
    sniffed = _sniff(html)
    if sniffed is None:
        return text
    return html.decode(sniffed, errors="replace")


def _as_utf8(html: bytes) -> str | None:
    """The page as UTF-8, if its bytes are valid UTF-8. Bytes of any other charset with
    letters beyond ASCII are next to never valid UTF-8, so validity outweighs a declaration
    (GB2312 or windows-1252 declared by a template, UTF-8 written): GB18030 and the like
    decode any bytes, into mojibake, without an error to show it."""
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decodes_cleanly(html: bytes, encoding: str, text: str) -> bool:
    if "\ufffd" not in text:
        return True
    try:
        html.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        # A few bad bytes (a page cut short, one pasted symbol) don't make a wrong charset.
        return text.count("\ufffd") <= max(_FEW_BAD_CHARS, len(text) // 2000)
    return True  # the page itself holds U+FFFD


def _sniff(html: bytes) -> str | None:
    """The charset that decodes ``html`` most plausibly, or None."""
    from charset_normalizer import from_bytes  # only for the few pages that need it

    best = from_bytes(html).best()
    return best.encoding if best is not None else None


_LIVE_COMMENTS = re.compile(r"((?<![a-z])live[a-z_-]*?)comment", re.I)
# lxml.html's parser has each element's class chosen by a Python method, called whenever an
# element is touched (some 2,500 times a page, ~5% of extraction); this chooses the same
# HtmlElement in C. Only <form>, <input>, <select>, <textarea> and <label> lose lxml.html's
# form helpers, which extraction never uses.
_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
)


def parse(html: bytes | str, content_type: str | None = None) -> lxml.html.HtmlElement:
    """Parse a whole page into an lxml tree; never raises on garbage, returns an empty document.

    Nesting deeper than libxml2's default limit (255 levels) is kept, not cut off.
    """
    text = _NOT_XML.sub("", _XML_DECL.sub("", decode(html, content_type)))
    parser = etree.HTMLParser(huge_tree=True)
    parser.set_element_class_lookup(_CLASSES)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>", parser=parser)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html></html>", parser=parser)
    return root


def marker(element: lxml.html.HtmlElement) -> str:
    """An element's class and id, the words that say what it is.

    A live commentary ("live-comments", "livecommentary": an event reported minute by minute)
    is the article, not readers' comments: its "comment" is read as "ticker".
    """
    words = f"{element.get('class', '')} {element.get('id', '')}".strip()
    return _LIVE_COMMENTS.sub(r"\1ticker", words) if "omment" in words else words


class Words:
    """A case-blind pattern of lowercase words, for class and id names: ``search`` answers as
    the pattern compiled with re.I would, but on ASCII text (nearly every name) it lowercases
    the text and matches case-sensitively, three times as fast (re.I keeps re from scanning for
    the pattern's first letters)."""

    def __init__(self, pattern: str) -> None:
        # Lowercasing ASCII text changes A-Z only; with no capital (nor \S, \W, [A-Z]...) in the
        # pattern and no case-sensitive group, it can't tell the difference.
        if pattern != pattern.lower() or "(?-i" in pattern:
            raise ValueError(f"not a pattern of lowercase words: {pattern!r}")
        self._blind = re.compile(pattern, re.I)
        self._lower = re.compile(pattern)

    def search(self, text: str) -> bool:
        if text.isascii():
            return self._lower.search(text.lower()) is not None
        return self._blind.search(text) is not None


def clean_space(text: str) -> str:
    """Runs of whitespace as one space, none at the ends (str.split's whitespace is re's \\s)."""
    return " ".join(text.split())


def text_of(element: lxml.html.HtmlElement) -> str:
    """All text of an element with whitespace collapsed."""
    return clean_space(element.text_content())


def json_ld(root: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, with ``@graph`` and lists flattened."""
    for script in root.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):  # not JSON, or nested past any sense (an attack)
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph)


def ld_types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", ())
    return {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)}


ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "TechArticle", "Report",
})


def ld_article(root: lxml.html.HtmlElement) -> dict[str, Any] | None:
    """The page's JSON-LD article object, if it has one."""
    return next((o for o in json_ld(root) if ld_types(o) & ARTICLE_TYPES), None)
