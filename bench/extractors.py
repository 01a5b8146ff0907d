"""The extractors the benchmark compares, each as ``(url, html bytes) -> article text``."""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html
from lxml import etree

Extractor = Callable[[str, bytes], str]  # (url, html) -> article body text

EXTRACTORS = ("ours", "readability", "trafilatura")
BASELINES = ("readability", "trafilatura")

# Elements whose text starts and ends a paragraph when a readability summary is
# turned into text (inline elements such as <a>, <b> or <span> join their neighbours).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")


class ExtractorUnavailable(Exception):
    pass


def html_to_text(html: str) -> str:
    """Text of an HTML fragment, block elements separated by blank lines."""
    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    parts: list[str] = []
    skipping = 0  # depth inside <script> and the like
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""  # "" for comments
        if event == "start":
            if tag in _SKIPPED_TAGS:
                skipping += 1
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if tag and not skipping and element.text:
                parts.append(element.text)
        else:
            if tag in _SKIPPED_TAGS:
                skipping -= 1
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if not skipping and element.tail and element is not root:
                parts.append(element.tail)
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK_RE.split("".join(parts)))
    return "\n\n".join(p for p in paragraphs if p)


def _ours() -> Extractor:
    try:
        from pipelines.extraction import extract
    except ImportError as exc:
        raise ExtractorUnavailable(f"cannot import pipelines.extraction: {exc}") from exc

    def run(url: str, html: bytes) -> str:
        text: str = extract(url, html).text
        return text

    return run


def _readability() -> Extractor:
    from readability import Document

    def run(url: str, html: bytes) -> str:
        return html_to_text(Document(html).summary())

    return run


def _trafilatura() -> Extractor:
    import trafilatura

    def run(url: str, html: bytes) -> str:
        text = trafilatura.extract(html, url=url, output_format="txt", include_comments=False)
        return text or ""

    return run


FACTORIES: dict[str, Callable[[], Extractor]] = {
    "ours": _ours,
    "readability": _readability,
    "trafilatura": _trafilatura,
}


def versions() -> dict[str, str]:
    """Versions of the baseline libraries, to key cached outputs."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("readability-lxml", "trafilatura", "lxml"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found
