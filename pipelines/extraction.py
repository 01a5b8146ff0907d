"""Extraction: a pure function from a page's URL and HTML to an :class:`Article`.

It never imports Scrapy, so the same code runs in the crawl, in ``newsarchive extract``, in
re-extraction from the archive and in worker processes. The page is parsed once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from lxml.html import HtmlElement

from model.article import Article
from pipelines import language
from pipelines._html import clean_space, ld_article, parse
from pipelines.authors import authors as find_authors
from pipelines.body import body_paragraphs
from pipelines.identity import canonical_url
from pipelines.published import published as find_published
from pipelines.rules import ExtractionRules
from pipelines.title import title as find_title

GENERIC_RULES = ExtractionRules()
_WORD = re.compile(r"\w+", re.UNICODE)
# Below this the page's HTML probably holds no article (rendered by script, or paywalled): the
# JSON-LD articleBody, when there is a longer one, is the better text.
_FEW_WORDS = 40


def _ld_article_body(root: HtmlElement) -> str | None:
    article = ld_article(root)
    body = article.get("articleBody") if article else None
    return body if isinstance(body, str) else None


def _paragraphs_of(body: str | None) -> list[str]:
    """The JSON-LD articleBody as paragraphs, if it is long enough to stand in for the page."""
    paragraphs = [p for p in map(clean_space, re.split(r"\n\s*\n|\r?\n", body or "")) if p]
    return paragraphs if len(" ".join(paragraphs).split()) >= 2 * _FEW_WORDS else []


def extract(
    url: str,
    html: bytes | str,
    *,
    rules: ExtractionRules | None = None,
    content_type: str | None = None,
    fetched: datetime | None = None,
    tree: HtmlElement | None = None,
) -> Article:
    """Extract the article from one page.

    ``rules`` are the site's rules (generic extraction without them); ``content_type`` the HTTP
    header, for the charset; ``fetched`` the capture time, which bounds the publication date and
    supplies the year of year-less datelines; ``tree`` the page already parsed by
    :func:`pipelines._html.parse` from these bytes, when the caller had to parse it (to find the
    canonical URL that picks the site rules): the page is then not parsed twice.
    """
    rules = rules or GENERIC_RULES
    reference = fetched or datetime.now(UTC)
    root = tree if tree is not None else parse(html, content_type)
    # Metadata first (body extraction leaves the tree as it is, but reads it in its own way).
    title = find_title(root, rules)
    published = find_published(root, rules, reference, url)
    authors = find_authors(root, rules)
    canonical = canonical_url(root, url)
    declared = language.declared_language(root) or rules.language
    ld_body = _ld_article_body(root)  # before body extraction, which prunes <script> elements
    paragraphs = rules.stripped(body_paragraphs(root, rules, title))
    if len(" ".join(paragraphs).split()) < _FEW_WORDS:
        paragraphs = _paragraphs_of(ld_body) or paragraphs
    text = "\n\n".join(paragraphs)
    return Article(
        url=url,
        canonical_url=canonical,
        site=rules.site,
        title=title,
        text=text,
        published=published,
        authors=authors,
        language=language.detect(text, declared),
        word_count=len(_WORD.findall(text)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        fetched=fetched.astimezone(UTC).isoformat() if fetched else None,
    )
