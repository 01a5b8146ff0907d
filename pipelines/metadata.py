"""Article metadata from a parsed page: title, publication date, authors, canonical URL, language.

One small function per field. Each tries the site's rules first, then what pages declare in a
machine-readable way (JSON-LD, meta tags), then what a reader sees. What a site's rules select is
taken as it is; what the generic code finds is checked (a title loses its site-name suffix, an
author must look like a person, a date must not be in the future).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

from pipelines import dates
from pipelines._html import clean_space, json_ld, ld_article, ld_types, text_of
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
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||•|·|\band\b|\bund\b|&|\s/\s|\n)\s*")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|av|written by)\s*:?\s+", re.I)
# Elements a byline is usually in; the first that names a person wins.
_BYLINE = etree.XPath(
    "//*[@itemprop='author' or @rel='author' or contains(@class, 'byline')"
    " or contains(@class, 'author')][not(self::meta or self::link or self::script)]"
)
_BYLINE_NOISE = re.compile(r"avatar|image|img|photo|bio|about|description|comment", re.I)
# "<strong>Author</strong> Jane Doe", "<dt>Autorin/Autor</dt><dd>Jane Doe</dd>"
_AUTHOR_LABELS = frozenset({
    "author", "authors", "by", "autor", "autorin", "autoren", "auteur", "auteurs", "autore",
    "autori", "autora", "autores", "reporter", "автор", "作者", "记者",
})
_LABEL_TAGS = ("strong", "b", "dt", "th", "label", "em")
# Words that stand for a role or a desk, not a person.
_NOT_NAMES = frozenset({
    "admin", "administrator", "staff", "editor", "editors", "redaktion", "newsroom", "anonymous",
    "unknown", "guest", "webmaster", "reporter", "correspondent",
})
_NAME_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "do", "dos", "das", "du", "la",
    "le", "y", "e", "bin", "binti", "al", "el", "ibn", "ten", "ter", "zu", "and",
})
_NOT_A_PERSON = re.compile(r"www\.|://|@|\d|\.(?:com|org|net|gov|edu|info|io)\b", re.I)
_NON_WORD = re.compile(r"\W+")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}")
# ISO 639-2 codes some pages declare, and deprecated ISO 639-1 codes, as today's ISO 639-1.
_LANGUAGE_ALIASES = {
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "por": "pt", "rus": "ru", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "vie": "vi",
    "ara": "ar", "nld": "nl", "dut": "nl", "iw": "he", "in": "id", "ji": "yi",
}
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis", "x"})


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
    """Values of <meta name|property|itemprop=...> for the given names, in the order of ``names``
    (the first is the most wanted), then of the page."""
    found = _meta_values(root, names)
    for name in names:
        yield from found.get(name.lower(), ())


def _meta_values(root: lxml.html.HtmlElement, names: Iterable[str]) -> dict[str, list[str]]:
    wanted = {n.lower() for n in names}
    found: dict[str, list[str]] = {}
    for element in root.iterfind(".//meta[@content]"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "")
        value = element.get("content", "").strip()
        if value and key.lower() in wanted:
            found.setdefault(key.lower(), []).append(value)
    return found


# Title -------------------------------------------------------------------------------------------

def title(root: lxml.html.HtmlElement, rules: ExtractionRules) -> str | None:
    """The headline: site rules, JSON-LD headline, og:title, the only <h1>, <title>; without the
    site name, section or date that pages append to titles ("Headline | Site | 28.04.2023")."""
    for selector in rules.title:
        for text in selected_text(root, selector):
            return text
    headings = [text for text in map(text_of, root.iterfind(".//h1")) if text]
    candidates = _title_candidates(root, headings)
    if not candidates:
        return None
    text, is_title_element = candidates[0]
    if not _TITLE_SEPARATORS.search(text):
        return text
    references = {_key(t) for t, _ in candidates} | {_key(h) for h in headings}
    references.discard(_key(text))
    return _strip_title(text, references, _site_names(root), longest=is_title_element)


def _title_candidates(
    root: lxml.html.HtmlElement, headings: list[str]
) -> list[tuple[str, bool]]:
    """(text, comes from <title>) in order of preference."""
    found: list[tuple[str, bool]] = []
    article = ld_article(root)
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        found.append((clean_space(article["headline"]), False))
    found += [(clean_space(text), False) for text in meta(root, "og:title", "twitter:title")]
    if len(headings) == 1:
        found.append((headings[0], False))
    element = root.find(".//title")
    if element is not None and text_of(element):
        found.append((text_of(element), True))
    return found


def _strip_title(text: str, references: set[str], site_names: set[str], *, longest: bool) -> str:
    cuts = list(_TITLE_SEPARATORS.finditer(text))
    # Another title of the page (the <h1>, twitter:title) is one end of this one: that's it.
    for cut in reversed(cuts):
        if _key(text[: cut.start()]) in references:
            return text[: cut.start()].strip()
    for cut in cuts:
        if _key(text[cut.end() :]) in references:
            return text[cut.end() :].strip()
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
        _key(part) in site_names
        or dates.from_text(part, whole=True) is not None
        or re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", part.strip().lower()) is not None
    )


def _site_names(root: lxml.html.HtmlElement) -> set[str]:
    """Keys of the names the site goes by: og:site_name, the publisher, its host name's labels."""
    names = {_key(value.lstrip("@")) for value in meta(root, *_SITE_NAME_META)}
    for obj in json_ld(root):
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(_key(publisher["name"]))
        if ld_types(obj) & {"Organization", "NewsMediaOrganization", "WebSite"}:
            if isinstance(obj.get("name"), str):
                names.add(_key(obj["name"]))
    host = urlsplit(_declared_url(root) or "").hostname or ""
    labels = host.split(".")
    names.update(label for label in labels[:-1] if label != "www")
    names.discard("")
    return names


def _key(text: str) -> str:
    """A title or name reduced to its letters and digits, for comparisons."""
    return _NON_WORD.sub("", text.casefold())


# Publication date --------------------------------------------------------------------------------

def published(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime
) -> str | None:
    """The publication date as ISO 8601: the first plausible of the site's rules, JSON-LD, meta
    tags, microdata, the URL, the first <time>, a date in the title; htmldate as a last resort.

    Never after ``reference`` (the capture time); a date and time with the offset the page gives
    (else the site's, else none); a date only when the page gives no time.
    """
    candidates = (c for c in _date_candidates(root, rules) if dates.plausible(c, reference))
    found = next(candidates, None)
    if found is None:
        found = _htmldate(root, reference)
        if found is None or not dates.plausible(found, reference):
            return None
    elif found.precision < 2:
        found = dates.most_precise(found, (c for c in candidates if c is not None))
    return found.with_zone(rules.timezone).isoformat()


def _date_candidates(
    root: lxml.html.HtmlElement, rules: ExtractionRules
) -> Iterator[dates.Instant | None]:
    for selector in rules.published:
        for text in selected_text(root, selector):
            for pattern in rules.date_formats:
                yield dates.from_pattern(text, pattern, datetime.max)
            yield dates.from_string(text)
    article = ld_article(root)
    for key in ("datePublished", "dateCreated"):
        if article and isinstance(article.get(key), str):
            yield _parse_date(article[key])
    for value in meta(root, *_PUBLISHED_META):
        yield _parse_date(value)
    for element in root.iterfind(".//*[@itemprop='datePublished']"):
        yield _parse_date(element.get("datetime") or element.get("content") or text_of(element))
    yield dates.from_url(urlsplit(_declared_url(root) or "").path)
    for element in root.iterfind(".//time[@datetime]"):
        yield dates.from_string(element.get("datetime", ""))
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
