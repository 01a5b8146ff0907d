"""The authors: people named in the site's byline rules, JSON-LD, meta tags or a byline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from pipelines._html import clean_space, json_ld, ld_article, ld_types, text_of
from pipelines._names import is_person, looks_like_name, markup_names, split_names
from pipelines.identity import SITE_META, site_names
from pipelines.rules import ExtractionRules
from pipelines.selectors import as_list, elements, meta_values, selected_text

_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "byl",
                "parsely-author", "sailthru.author")
# Elements a byline is usually in, in page order. Found through their attributes, which the
# XPath engine does several times faster than testing every element.
_BYLINES = etree.XPath(
    "(//@class[contains(., 'byline') or contains(., 'author')] | //@itemprop[. = 'author']"
    " | //@rel[. = 'author'])/.."
)
_NOT_BYLINE_TAGS = frozenset({"meta", "link", "script", "html", "body", "main", "article",
                              "section"})
_BYLINE_NOISE = re.compile(r"avatar|image|img|photo|bio|about|description|comment", re.I)
# "<strong>Author</strong> Jane Doe", "<dt>Autorin/Autor</dt><dd>Jane Doe</dd>"
_AUTHOR_LABELS = frozenset({
    "author", "authors", "by", "autor", "autorin", "autoren", "auteur", "auteurs", "autore",
    "autori", "autora", "autores", "reporter", "автор", "作者", "记者",
})
_LABEL_TAGS = ("strong", "b", "dt", "th", "label", "em")


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
    metas = meta_values(root, (*_AUTHOR_META, *SITE_META))
    sites: set[str] | None = None
    for group, in_markup in _author_groups(root, article, metas):
        group = [name for name in group if looks_like_name(name)]
        if group:
            sites = site_names(root, article, metas) if sites is None else sites
            people = [name for name in group if is_person(name, sites)]
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
    for element in elements(_BYLINES(root)):
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
    for author in as_list(article.get("author")) or as_list(article.get("creator")):
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
    return [n for name in as_list(author.get("name")) if isinstance(name, str)
            for n in split_names(name)]

