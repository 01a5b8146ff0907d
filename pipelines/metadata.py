"""Article metadata from a parsed page: title, publication date, authors, canonical URL, language.

One small function per field. Each tries the site's rules first, then what pages declare in a
machine-readable way (JSON-LD, meta tags), then what a reader sees. What a site's rules select is
taken as it is; what the generic code finds is checked (a title loses its site-name suffix, an
author must look like a person, a date must not be in the future).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

from pipelines import dates, language
from pipelines._html import clean_space, json_ld, ld_article, ld_types, text_of
from pipelines._names import is_person, key, looks_like_name, markup_names, split_names
from pipelines.rules import ExtractionRules

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»]\s+")
# In order of preference: the first that gives a plausible date wins.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "og:published_time", "datepublished", "og:datepublished", "publishdate", "publish-date",
    "publish_date", "pubdate", "og:pubdate", "pub_date", "published", "published_at",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.date", "dcterms.created", "citation_publication_date", "citation_date",
    "article.published", "date", "datecreated",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "byl",
                "parsely-author", "sailthru.author")
_SITE_NAME_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher",
                   "dc.publisher", "twitter:site")
_SITE_META = (*_SITE_NAME_META, "og:url")
# Elements a byline is usually in, in page order. Found through their attributes, which the
# XPath engine does several times faster than testing every element.
_BYLINES = etree.XPath(
    "(//@class[contains(., 'byline') or contains(., 'author')] | //@itemprop[. = 'author']"
    " | //@rel[. = 'author'])/.."
)
# Microdata outside <meta>: <time itemprop="datePublished" datetime="...">.
_DATE_PUBLISHED = etree.XPath("//@itemprop[. = 'datePublished']/..")
_NOT_BYLINE_TAGS = frozenset({"meta", "link", "script", "html", "body", "main", "article",
                              "section"})
_BYLINE_NOISE = re.compile(r"avatar|image|img|photo|bio|about|description|comment", re.I)
# "<strong>Author</strong> Jane Doe", "<dt>Autorin/Autor</dt><dd>Jane Doe</dd>"
_AUTHOR_LABELS = frozenset({
    "author", "authors", "by", "autor", "autorin", "autoren", "auteur", "auteurs", "autore",
    "autori", "autora", "autores", "reporter", "автор", "作者", "记者",
})
_LABEL_TAGS = ("strong", "b", "dt", "th", "label", "em")


def select(root: lxml.html.HtmlElement, selector: str) -> list[Any]:
    """CSS selection; a trailing ``::text`` selects the elements' own text only."""
    compiled = _css(selector.removesuffix("::text"))
    if compiled is None:
        return []
    try:
        found = _elements(compiled(root))
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


def _elements(found: Any) -> list[etree._Element]:
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
    found = _meta_values(root, names)
    for name in names:
        yield from found.get(name.lower(), ())


def _meta_values(root: lxml.html.HtmlElement, names: Iterable[str]) -> dict[str, list[str]]:
    wanted = {n.lower() for n in names}
    found: dict[str, list[str]] = {}
    for element in root.iterfind(".//meta[@content]"):
        kind = (element.get("property") or element.get("name") or element.get("itemprop") or "")
        value = element.get("content", "").strip()
        if value and kind.lower() in wanted:
            found.setdefault(kind.lower(), []).append(value)
    return found


# Title -------------------------------------------------------------------------------------------

def title(root: lxml.html.HtmlElement, rules: ExtractionRules) -> str | None:
    """The headline: site rules, JSON-LD headline, og:title, the only <h1>, <title>; without the
    site name, section or date that pages append to titles ("Headline | Site | 28.04.2023")."""
    for selector in rules.title:
        for text in selected_text(root, selector):
            return text
    candidates = _title_candidates(root)
    text, is_title_element = next(candidates, ("", False))
    if not _TITLE_SEPARATORS.search(text):
        return text or None
    # The other titles of the page tell where the headline ends.
    references = {key(t) for t, _ in candidates} | {key(h) for h in _headings(root)}
    references.discard(key(text))
    return _strip_title(text, references, root, longest=is_title_element)


def _title_candidates(root: lxml.html.HtmlElement) -> Iterator[tuple[str, bool]]:
    """(text, comes from <title>) in order of preference."""
    article = ld_article(root)
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        yield clean_space(article["headline"]), False
    for text in meta(root, "og:title", "twitter:title"):
        yield clean_space(text), False
    headings = _headings(root)
    if len(headings) == 1:
        yield headings[0], False
    element = root.find(".//title")
    if element is not None and text_of(element):
        yield text_of(element), True


def _headings(root: lxml.html.HtmlElement) -> list[str]:
    return [text for text in map(text_of, root.iterfind(".//h1")) if text]


def _strip_title(
    text: str, references: set[str], root: lxml.html.HtmlElement, *, longest: bool
) -> str:
    cuts = list(_TITLE_SEPARATORS.finditer(text))
    # Another title of the page (the <h1>, twitter:title) is one end of this one: that's it.
    for cut in reversed(cuts):
        if key(text[: cut.start()]) in references:
            return text[: cut.start()].strip()
    for cut in cuts:
        if key(text[cut.end() :]) in references:
            return text[cut.end() :].strip()
    site_names = _site_names(root, ld_article(root), _meta_values(root, _SITE_META))
    bounds = [0, *(p for cut in cuts for p in (cut.start(), cut.end())), len(text)]
    parts = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    first, last = 0, len(parts) - 1
    while last > first and _is_site_part(parts[last], site_names):
        last -= 1
    while last > first and _is_site_part(parts[first], site_names):
        first += 1
    if longest and last > first:
        # "Headline - Section - Site" in <title>: the headline is the longest part.
        return max(parts[first : last + 1], key=len).strip()
    return text[bounds[2 * first] : bounds[2 * last + 1]].strip()


def _is_site_part(part: str, site_names: set[str]) -> bool:
    return (
        key(part) in site_names
        or dates.from_text(part, whole=True) is not None
        or re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", part.strip().lower()) is not None
    )


def _site_names(
    root: lxml.html.HtmlElement, article: dict[str, Any] | None, metas: dict[str, list[str]]
) -> set[str]:
    """Keys of the names the site goes by: og:site_name, the article's publisher, its host name's
    labels. ``metas`` holds at least the values of _SITE_META."""
    names = {key(value.lstrip("@")) for name in _SITE_NAME_META for value in metas.get(name, ())}
    for publisher in _as_list(article.get("publisher")) if article else ():
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(key(publisher["name"]))
    host = urlsplit(_declared_url(root, metas) or "").hostname or ""
    labels = host.split(".")
    names.update(label for label in labels[:-1] if label != "www")
    names.discard("")
    return names


# Publication date --------------------------------------------------------------------------------

def published(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime,
    url: str | None = None,
) -> str | None:
    """The publication date as ISO 8601: the first plausible of the site's rules, JSON-LD, meta
    tags, microdata, the URL, the first <time>, a date in the title; htmldate as a last resort.

    Never after ``reference`` (the capture time); a date and time with the offset the page gives
    (else the site's, else none); a date only when the page gives no time.
    """
    candidates = (
        c for c in _date_candidates(root, rules, reference, url)
        if dates.plausible(c, reference)
    )
    found = next(candidates, None)
    if found is None:
        found = _htmldate(root, reference)
        if found is None or not dates.plausible(found, reference):
            return None
    elif found.precision < 2:
        found = dates.most_precise(found, (c for c in candidates if c is not None))
    return found.with_zone(rules.timezone).isoformat()


def _date_candidates(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime, url: str | None
) -> Iterator[dates.Instant | None]:
    for selector in rules.published:
        for text in selected_text(root, selector):
            for pattern in rules.date_formats:
                yield dates.from_pattern(text, pattern, reference)
            yield dates.from_string(text)
    article = ld_article(root)
    for prop in ("datePublished", "dateCreated"):
        if article and isinstance(article.get(prop), str):
            yield _parse_date(article[prop])
    for value in meta(root, *_PUBLISHED_META):
        yield _parse_date(value)
    for element in _elements(_DATE_PUBLISHED(root)):
        yield _parse_date(element.get("datetime") or element.get("content") or text_of(element))
    yield dates.from_url(urlsplit(_declared_url(root) or url or "").path)
    # The first <time> only: later ones are as often in lists of other articles.
    times = (dates.from_string(e.get("datetime", "")) for e in root.iterfind(".//time[@datetime]"))
    yield next((t for t in times if t is not None), None)
    for text in [*meta(root, "og:title"), *map(text_of, root.iterfind(".//title"))]:
        for part in _TITLE_SEPARATORS.split(text):
            yield dates.from_text(part, whole=True)


def _parse_date(text: str) -> dates.Instant | None:
    return dates.from_string(text) or dates.from_text(text)


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


# Authors -----------------------------------------------------------------------------------------

def authors(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[str]:
    """People named as the authors: site rules (taken as they are), else the first of JSON-LD,
    meta tags, a byline element, a labelled "Author: ..." that names people, not organisations."""
    names: list[str] = []
    for selector in rules.authors:
        for text in selected_text(root, selector):
            if rules.author_pattern is not None:
                match = rules.author_pattern.search(text)
                text = match.group("author") if match else ""
            names.extend(split_names(text))
    if names:
        return list(dict.fromkeys(names))
    article = ld_article(root)
    metas = _meta_values(root, (*_AUTHOR_META, *_SITE_META))
    site_names: set[str] | None = None
    for group, in_markup in _author_groups(root, article, metas):
        group = [name for name in group if looks_like_name(name)]
        if group:
            site_names = _site_names(root, article, metas) if site_names is None else site_names
            people = [name for name in group if is_person(name, site_names)]
            if people or in_markup:
                # The first byline is the article's; later ones belong to other articles.
                return list(dict.fromkeys(people))
    return []


def _author_groups(
    root: lxml.html.HtmlElement, article: dict[str, Any] | None, metas: dict[str, list[str]]
) -> Iterator[tuple[list[str], bool]]:
    """Candidate names, one list per source, most trusted first; True for bylines."""
    yield (_ld_authors(root, article) if article else []), False
    yield [
        name for tag in _AUTHOR_META for value in metas.get(tag, ())
        if not value.startswith(("http://", "https://")) for name in split_names(value)
    ], False
    for names in _byline_groups(root):
        yield names, True


def _byline_groups(root: lxml.html.HtmlElement) -> Iterator[list[str]]:
    for element in _elements(_BYLINES(root)):
        if element.tag not in _NOT_BYLINE_TAGS and not _BYLINE_NOISE.search(
            f"{element.get('class', '')} {element.get('id', '')}"
        ):
            yield markup_names(element.findall(".//*[@itemprop='name']") or [element])
    for label in root.iter(*_LABEL_TAGS):
        words = text_of(label).rstrip(":").casefold().split("/")
        if len(words) <= 3 and all(w.strip() in _AUTHOR_LABELS for w in words):
            value = [label] if clean_space(label.tail or "").strip(":") else []
            following = label.getnext()
            yield markup_names(value or ([following] if following is not None else []),
                                tail=bool(value))


def _ld_authors(root: lxml.html.HtmlElement, article: dict[str, Any]) -> list[str]:
    by_id: dict[str, dict[str, Any]] | None = None
    names: list[str] = []
    for author in _as_list(article.get("author")) or _as_list(article.get("creator")):
        if isinstance(author, dict) and "name" not in author and isinstance(author.get("@id"), str):
            # Yoast-style graphs: {"@id": ".../#/schema/person/..."} points to the Person.
            if by_id is None:
                by_id = {o["@id"]: o for o in json_ld(root) if isinstance(o.get("@id"), str)}
            author = by_id.get(author["@id"], author)
        names.extend(_ld_names(author))
    return names


def _ld_names(author: Any) -> list[str]:
    if isinstance(author, str):
        return split_names(author)
    if not isinstance(author, dict):
        return []
    types = ld_types(author)
    if types and "Person" not in types:
        return []  # an Organization, a NewsMediaOrganization...
    return [n for name in _as_list(author.get("name")) if isinstance(name, str)
            for n in split_names(name)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# Canonical URL and declared language -------------------------------------------------------------

def canonical_url(root: lxml.html.HtmlElement, url: str) -> str:
    declared = _declared_url(root)
    return (_absolute(url, declared) or url) if declared else url


def _declared_url(
    root: lxml.html.HtmlElement, metas: dict[str, list[str]] | None = None
) -> str | None:
    """The page's own idea of its URL: <link rel=canonical>, else og:url (maybe relative)."""
    # In <head> as a rule; in <body> when a stray element there ended the head early.
    for link in chain(root.iterfind("head/link[@rel]"), root.iterfind("body//link[@rel]")):
        href = (link.get("href") or "").strip()
        if href and "canonical" in link.get("rel", "").lower().split():
            return href
    og_url = metas.get("og:url") if metas is not None else list(meta(root, "og:url"))
    return og_url[0] if og_url else None


def _absolute(base: str, href: str) -> str | None:
    candidate = urljoin(base, href.strip())
    return candidate if urlsplit(candidate).scheme in ("http", "https") else None


def declared_language(root: lxml.html.HtmlElement) -> str | None:
    """The page's declared language as an ISO 639-1 code where there is one: <html lang>, the
    Content-Language header's <meta>, JSON-LD inLanguage, then other meta tags."""
    return next(filter(None, map(language.primary, _declared_languages(root))), None)


def _declared_languages(root: lxml.html.HtmlElement) -> Iterator[str]:
    yield root.get("lang") or root.get("xml:lang") or ""
    for element in root.iterfind(".//meta[@http-equiv]"):
        if element.get("http-equiv", "").lower() == "content-language":
            yield element.get("content", "")
    article = ld_article(root)
    if article and isinstance(article.get("inLanguage"), str):
        yield article["inLanguage"]
    yield from meta(root, "content-language", "og:locale", "language", "dc.language",
                    "dcterms.language")
