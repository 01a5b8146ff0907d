"""The page's own account of where it is: its canonical URL and the names its site goes by."""

from __future__ import annotations

from itertools import chain
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from pipelines._names import key
from pipelines.selectors import as_list, meta

SITE_NAME_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher",
                  "dc.publisher", "twitter:site")
SITE_META = (*SITE_NAME_META, "og:url")


def canonical_url(root: lxml.html.HtmlElement, url: str) -> str:
    declared = declared_url(root)
    return (_absolute(url, declared) or url) if declared else url


def declared_url(
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



def site_names(
    root: lxml.html.HtmlElement, article: dict[str, Any] | None, metas: dict[str, list[str]]
) -> set[str]:
    """Keys of the names the site goes by: og:site_name, the article's publisher, its host name's
    labels. ``metas`` holds at least the values of SITE_META."""
    names = {key(value.lstrip("@")) for name in SITE_NAME_META for value in metas.get(name, ())}
    for publisher in as_list(article.get("publisher")) if article else ():
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(key(publisher["name"]))
    host = urlsplit(declared_url(root, metas) or "").hostname or ""
    labels = host.split(".")
    names.update(label for label in labels[:-1] if label != "www")
    names.discard("")
    return names

