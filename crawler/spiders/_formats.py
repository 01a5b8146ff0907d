"""Reading the documents that lead to articles: feeds (RSS 2.0, RSS 1.0/RDF, Atom) and sitemaps,
as untrusted input (no entities, no network, decompression capped)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator

from lxml import etree
from scrapy.http import Response

# Feeds are parsed without entities or network access: a feed is untrusted input.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def feed_links(body: bytes) -> Iterator[str]:
    """Entry links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; nothing for anything else."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return
    if root is None:
        return
    for entry in root.iter("{*}item", "{*}entry"):
        link = None
        for child in entry.iterchildren("{*}link"):
            href = child.get("href")
            if href and child.get("rel", "alternate") == "alternate":
                link = href
                break
            if child.text and child.text.strip():
                link = child.text.strip()
                break
        link = link or entry.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if link:
            yield link


def sitemap_body(response: Response) -> bytes | None:
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
                body = fh.read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError):
            return None
        if len(body) > MAX_SITEMAP_BYTES:
            return None
    return body if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000] else None
