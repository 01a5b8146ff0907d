"""A page's links: where they point (its own site, or out of it), and boxes of them."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from pipelines._html import clean_space
from pipelines.identity import declared_url


def home_site(element: HtmlElement) -> str | None:
    """The page's own site, by the URL it declares, else by most of its absolute links."""
    root = element.getroottree().getroot()
    declared = site_of(declared_url(root) or "")
    if declared is not None:
        return declared
    sites = Counter(site_of(a.get("href") or "") for a in root.iter("a"))
    sites.pop(None, None)
    return sites.most_common(1)[0][0] if sites else None


def site_of(href: str) -> str | None:
    """The last two labels of a link's host ("example.com"); None for a relative link."""
    href = href.strip()
    host = urlsplit(href).hostname if href.startswith(("http:", "https:", "//")) else None
    return ".".join(host.split(".")[-2:]) if host else None


def is_link(element: HtmlElement) -> bool:
    """An <a> that leads somewhere or is a button: not paragraphs wrapped in an anchor with an
    empty target (what cleaners leave of ``javascript:`` ones), which are text made clickable."""
    if element.tag != "a":
        return False
    href = element.get("href")
    return href is None or bool(href.strip()) or element.find(".//p") is None


def is_link_list(element: HtmlElement) -> bool:
    """Mostly link text: a list of related stories, a table of contents, categories."""
    text = len(clean_space(element.text_content()))
    links = sum(len(clean_space(a.text_content())) for a in element.iter("a") if is_link(a))
    return text > 0 and links >= 0.5 * text
