"""The publication date: site rules, then what the page declares, then htmldate.

Never after the capture time; with the offset the page gives (else the site's); a date only when
the page gives no time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from pipelines import datelines, dates
from pipelines._html import ld_article, text_of
from pipelines.identity import declared_url
from pipelines.rules import ExtractionRules
from pipelines.selectors import elements, meta, selected_text
from pipelines.title import TITLE_SEPARATORS

logger = logging.getLogger(__name__)

# In order of preference: the first that gives a plausible date wins.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "og:published_time", "datepublished", "og:datepublished", "publishdate", "publish-date",
    "publish_date", "pubdate", "og:pubdate", "pub_date", "published", "published_at",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.date", "dcterms.created", "citation_publication_date", "citation_date",
    "article.published", "date", "datecreated",
)
# Microdata outside <meta>: <time itemprop="datePublished" datetime="...">.
_DATE_PUBLISHED = etree.XPath("//@itemprop[. = 'datePublished']/..")


def published(
    root: lxml.html.HtmlElement, rules: ExtractionRules, reference: datetime,
    url: str | None = None,
) -> str | None:
    """The publication date as ISO 8601: the first plausible of the site's rules, JSON-LD, meta
    tags, microdata, the URL, date lines near the headline, the first <time>, a date in the
    title; htmldate, over the page without its teasers, as a last resort.

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
                yield dates.from_pattern(text, pattern, reference, rules.timezone)
            yield dates.from_string(text)
    article = ld_article(root)
    for prop in ("datePublished", "dateCreated"):
        if article and isinstance(article.get(prop), str):
            yield _parse_date(article[prop])
    for value in meta(root, *_PUBLISHED_META):
        yield _parse_date(value)
    for element in elements(_DATE_PUBLISHED(root)):
        yield _parse_date(element.get("datetime") or element.get("content") or text_of(element))
    yield dates.from_url(urlsplit(declared_url(root) or url or "").path)
    yield from datelines.near_title(root, rules)
    # The first <time> only: later ones are as often in lists of other articles.
    times = (dates.from_string(e.get("datetime", "")) for e in root.iterfind(".//time[@datetime]"))
    yield next((t for t in times if t is not None), None)
    for text in [*meta(root, "og:title"), *map(text_of, root.iterfind(".//title"))]:
        for part in TITLE_SEPARATORS.split(text):
            yield dates.from_text(part, whole=True)


def _parse_date(text: str) -> dates.Instant | None:
    return dates.from_string(text) or dates.from_text(text)


def _htmldate(root: lxml.html.HtmlElement, reference: datetime) -> dates.Instant | None:
    # Imported here: htmldate pulls in dateparser-sized modules; most pages never get this far.
    from htmldate import find_date

    try:
        found = find_date(
            datelines.without_teasers(root), original_date=True, extensive_search=False, outputformat="%Y-%m-%d",
            max_date=reference.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError) as exc:
        logger.debug("htmldate failed: %s", exc)
        return None
    return dates.from_string(found) if found else None

