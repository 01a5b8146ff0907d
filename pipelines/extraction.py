"""Extraction: a pure function from a page's URL and HTML to an :class:`Article`.

It never imports Scrapy, so the same code runs in the crawl, in ``newsarchive extract``, in
re-extraction from the archive and in worker processes. The page is parsed once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from pipelines import language, metadata
from pipelines._html import parse
from pipelines.article import Article
from pipelines.body import body_paragraphs
from pipelines.rules import ExtractionRules

GENERIC_RULES = ExtractionRules()
_WORD = re.compile(r"\w+", re.UNICODE)


def extract(
    url: str,
    html: bytes | str,
    *,
    rules: ExtractionRules | None = None,
    content_type: str | None = None,
    fetched: datetime | None = None,
) -> Article:
    """Extract the article from one page.

    ``rules`` are the site's rules (generic extraction without them); ``content_type`` the HTTP
    header, for the charset; ``fetched`` the capture time, which bounds the publication date and
    supplies the year of year-less datelines.
    """
    rules = rules or GENERIC_RULES
    reference = fetched or datetime.now(UTC)
    root = parse(html, content_type)
    # Metadata first: body extraction prunes the tree it works on.
    title = metadata.title(root, rules)
    published = metadata.published(root, rules, reference)
    authors = metadata.authors(root, rules)
    canonical = metadata.canonical_url(root, url)
    declared = metadata.declared_language(root) or rules.language
    text = "\n\n".join(body_paragraphs(root, rules, title))
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
