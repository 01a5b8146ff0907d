"""Article metadata from a parsed page: title, publication date, authors, canonical URL.

One small function per field. Each tries the site's rules first, then what pages declare in a
machine-readable way (JSON-LD, meta tags), then what a reader sees.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

from pipelines import dates
from pipelines._html import clean_space, ld_article, text_of
from pipelines.rules import ExtractionRules

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»]\s+")
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "publishdate", "pubdate", "publish-date",
    "date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "datepublished", "article.published", "citation_publication_date",
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_BY = re.compile(r"^\s*by\s+", re.I)


def select(root: lxml.html.HtmlElement, selector: str) -> list[Any]:
    """CSS selection; a trailing ``::text`` selects the elements' own text only."""
    own_text = selector.endswith("::text")
    css = selector.removesuffix("::text")
    try:
        result = CSSSelector(css)(root)
    except (XPathError, ValueError, SyntaxError) as exc:
        logger.warning("bad CSS selector %r in site rules: %s", selector, exc)
        return []
    found = [e for e in result if isinstance(e, etree._Element)] if isinstance(result, list) else []
    if own_text:
        return [_own_text(e) for e in found]
    return found


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
    """Values of <meta name|property|itemprop=...> for the given names, in page order."""
    wanted = {n.lower() for n in names}
    for element in root.iterfind(".//meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "")
        value = element.get("content")
        if key.lower() in wanted and value and value.strip():
            yield value.strip()


def title(root: lxml.html.HtmlElement, rules: ExtractionRules) -> str | None:
    for selector in rules.title:
        for text in selected_text(root, selector):
            return text
    article = ld_article(root)
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        return clean_space(article["headline"])
    for text in meta(root, "og:title", "twitter:title"):
        return clean_space(text)
    headings = root.findall(".//h1")
    if len(headings) == 1 and text_of(headings[0]):
        return text_of(headings[0])
    element = root.find(".//title")
    if element is not None and text_of(element):
        # "Headline - Site Name": keep the longest part.
        return max(_TITLE_SEPARATORS.split(text_of(element)), key=len)
    return None


def published(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime
) -> str | None:
    instant = dates.first_plausible(_date_candidates(root, rules, reference), reference)
    if instant is None:
        return None
    return instant.with_zone(rules.timezone).isoformat()


def _date_candidates(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime
) -> Iterator[dates.Instant | None]:
    for selector in rules.published:
        for text in selected_text(root, selector):
            for pattern in rules.date_formats:
                yield dates.from_pattern(text, pattern, reference)
            yield dates.from_string(text)
    article = ld_article(root)
    if article and isinstance(article.get("datePublished"), str):
        yield dates.from_string(article["datePublished"])
    for value in meta(root, *_PUBLISHED_META):
        yield dates.from_string(value)
    for element in root.iterfind(".//time[@datetime]"):
        yield dates.from_string(element.get("datetime", ""))
    yield _htmldate(root, reference)


def _htmldate(root: lxml.html.HtmlElement, reference: datetime) -> dates.Instant | None:
    # Imported here: htmldate pulls in dateparser-sized modules; most pages never get this far.
    from htmldate import find_date

    try:
        found = find_date(
            root, original_date=True, extensive_search=False, outputformat="%Y-%m-%d",
            max_date=reference.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError) as exc:
        logger.debug("htmldate failed: %s", exc)
        return None
    return dates.from_string(found) if found else None


def authors(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[str]:
    names: list[str] = []
    for selector in rules.authors:
        for text in selected_text(root, selector):
            if rules.author_pattern is not None:
                match = rules.author_pattern.search(text)
                text = match.group("author") if match else ""
            names.extend(_split_names(text))
    if not names:
        article = ld_article(root)
        if article:
            names = [n for a in _as_list(article.get("author")) for n in _ld_names(a)]
    if not names:
        for value in meta(root, "author", "article:author", "dc.creator", "byl"):
            if not value.startswith(("http://", "https://")):
                names.extend(_split_names(value))
    return list(dict.fromkeys(n for n in names if n))


def _split_names(text: str) -> list[str]:
    text = _BY.sub("", clean_space(text))
    return [part.strip(" .") for part in _AUTHOR_SPLIT.split(text) if part.strip(" .")]


def _ld_names(author: Any) -> list[str]:
    if isinstance(author, str):
        return _split_names(author)
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        return _split_names(author["name"])
    return []


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def canonical_url(root: lxml.html.HtmlElement, url: str) -> str:
    for link in root.iterfind(".//link[@rel]"):
        if "canonical" in link.get("rel", "").lower().split() and link.get("href"):
            return _absolute(url, link.get("href", "")) or url
    for value in meta(root, "og:url"):
        return _absolute(url, value) or url
    return url


def _absolute(base: str, href: str) -> str | None:
    candidate = urljoin(base, href.strip())
    return candidate if urlsplit(candidate).scheme in ("http", "https") else None


def declared_language(root: lxml.html.HtmlElement) -> str | None:
    """The page's declared language as a primary subtag: <html lang>, then meta tags."""
    values = [root.get("lang") or root.get("xml:lang") or ""]
    values += list(meta(root, "content-language", "og:locale", "language", "dc.language"))
    for http_equiv in root.iterfind(".//meta[@http-equiv]"):
        if http_equiv.get("http-equiv", "").lower() == "content-language":
            values.append(http_equiv.get("content", ""))
    for value in values:
        primary = re.split(r"[-_,;\s]", value.strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", primary):
            return primary
    return None
