"""Turning an article container into paragraphs, and keeping only the article's.

Block-level elements break paragraphs (a table row is one); skipped elements (figures, asides,
scripts) contribute nothing. Then the paragraphs that are not article go: repeats, credits and
teasers (site and generic patterns), link-only lines, garbled text, the headline and the date or
byline lines above the text, and everything after an end-of-article marker.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from pipelines._html import clean_space
from pipelines.labels import is_label
from pipelines.links import home_site, is_link, is_link_list, site_of
from pipelines.rules import ExtractionRules

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "tfoot", "thead", "tr", "ul", "br",
})
CELL_TAGS = frozenset({"td", "th"})
# Never text of the article, whatever they hold.
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "button", "select", "textarea",
    "input", "object", "embed", "video", "audio", "canvas", "map", "figure", "figcaption",
    "nav", "head", "title", "meta", "link", "aside", "footer", "label", "option", "dialog", "rt", "rp",
})
# Lines that are credits or teasers on any site. _SHORT: a line of at most 15 words (a pattern's
# start, after a quick look for a character the pattern needs: counting words is slow).
_SHORT = r"^(?=(?:\S+\s+){0,14}\S*$)"
GENERIC_DROP_TEXT = tuple(
    re.compile(p, re.I)
    for p in (
        r"^(?:read|see) (?:more|also)\s*:",
        r"^(?:also read|related|recommended|more on this|related (?:news|articles?|stories|posts))\s*:?$",
        r"^(?:also read|related|recommended)\s*:",
        r"\[(?:photo|image|picture)s?/[^\]]*\]\s*$",
        r"^(?:photo|image|picture)s?\s*(?:credit)?\s*:\s",
        r"/(?<!\S/)\s*[A-Z][\w.&]*\s+(?:photo|image)s?\s*$",
        r"[—–]\s*[A-Z][\w./& ]{1,40}\s+photos?\s*$",
        r"^advert(?:isement)?$",
        r"^(?:share|share this|share this article|print|email|join the conversation)$",
        r"^(?:(?:image|photo|picture|slide) \d+ of \d+\s*)+$",
        r"^(?:\d+\s+){2,}\d+$",  # pagination: "1 2 3 4 5"
        r"^follow us on\b",
        # Wire-photo captions: "In this Dec. 12, 2006, file photo, ... (NASA via AP, File)"
        r"^in this (?:[\w.,'’-]+ ){0,8}(?:file )?(?:photo|image|picture)\b",
        r"\((?:[\w. ]+ via )?(?:AP|Reuters|AFP|Getty Images)(?: Photo)?(?:/[^)]*)?, File\)$",
        # Short credit lines, in the languages of the pages we read: "Foto: ...", "(Credit: ...)",
        # "Quelle: ...", a caption ending "© Agency / Name".
        r"^(?=[^:]*:)" + _SHORT + r"\(?(?:fotos?|bild(?:er)?|titelbild|beitragsbild|bildquelle"
        r"|credits?|crédits?(?: photos?)?|photos?|quelle|source)\s*:\s",
        r"^(?=[^©]*©)" + _SHORT + r".*©\s*[^.!?]{1,60}$",
    )
)
_LINK_ONLY_MAX_WORDS = 30
# ...unless it is this many links: a list of them (a tag cloud), not one long linked sentence.
_LINK_LIST_MIN = 3
# A link that shows its address (a web or mail address) is a reference the text gives, not a teaser.
_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+\.[\w.-]+$", re.I)
# A figure with this many words of paragraphs is a slide of a gallery, not a caption.
_SLIDE_WORDS = 30
# A line seen before is boilerplate ("Advertisement", a repeated caption) when it is this short;
# a longer one is the author's (a refrain, a quoted passage) and stays.
_REPEAT_MAX_WORDS = 11
# Trailing labels go only from below this many words of text (a page of a few words is kept whole).
_TEXT_ABOVE_LABELS = 50
_MAX_TRAILING_LABELS = 3
_ITEM_TAGS = frozenset({"li", "tr", "dt", "dd"})


@dataclass
class _Block:
    text: str
    link_chars: int
    links: int = 0  # <a> elements opened in it
    listed: bool = False  # an item of a list or a row of a table
    outbound: int = 0  # links of it to other sites
    gap: bool = False  # no text: where furniture with text was set aside


def paragraphs(
    containers: Iterable[HtmlElement], rules: ExtractionRules, title: str | None,
    skip: Collection[HtmlElement] = (),
) -> list[str]:
    """The article's paragraphs from its containers, in order, boilerplate lines removed;
    the elements in ``skip`` are left out (their tails, which belong to the parent, are kept)."""
    containers = list(containers)
    home = home_site(containers[0]) if containers else None
    blocks: list[_Block] = []
    for container in containers:
        blocks.extend(_blocks(container, skip, home))
    return _trim(_filter(blocks, rules), title)


def _blocks(container: HtmlElement, skip: Collection[HtmlElement], home: str | None) -> list[_Block]:
    """Split a container into blocks of text at block-level elements; table rows are blocks."""
    blocks: list[_Block] = []
    parts: list[str] = []
    link_chars = 0
    link_count = 0
    outbound = 0
    items = 0  # list items and table rows open

    def flush() -> None:
        nonlocal link_chars, link_count, outbound
        text = clean_space("".join(parts))
        if text:
            blocks.append(_Block(text, link_chars, link_count, items > 0, outbound))
        parts.clear()
        link_chars = link_count = outbound = 0

    # Iteratively, not by recursion: pages nest elements thousands deep.
    walker = etree.iterwalk(container, events=("start", "end", "comment", "pi"))
    skipped: set[HtmlElement] = set()
    silent: set[HtmlElement] = set()  # empty blocks inside a line of text
    links = 0  # <a> elements open
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event in ("comment", "pi"):
            tag = ""  # no text of its own, and no end event: only its tail below
        elif event == "start":
            if not tag or element in skip or (tag in SKIP_TAGS and not is_slide(element)):
                skipped.add(element)
                walker.skip_subtree()
                if element in skip and tag in BLOCK_TAGS and is_link_list(element):
                    flush()
                    blocks.append(_Block("", 0, gap=True))  # links set aside here
                continue
            if tag in BLOCK_TAGS and _breaks_line(element, parts):
                flush()
                items += tag in _ITEM_TAGS
            elif tag in BLOCK_TAGS:
                silent.add(element)
            elif tag in CELL_TAGS:
                parts.append(" ")
            link = tag == "a" and is_link(element)
            links += link
            link_count += link
            if link and home and site_of(element.get("href") or "") not in (None, home):
                outbound += 1
            if element.text:
                parts.append(element.text)
                if links:
                    link_chars += len(element.text.strip())
            continue
        elif element not in skipped:
            links -= tag == "a" and is_link(element)
            if tag in BLOCK_TAGS and element not in silent:
                flush()
                items -= tag in _ITEM_TAGS
        if element.tail and element is not container:
            parts.append(element.tail)
            if links:
                link_chars += len(element.tail.strip())
    flush()
    return blocks


def _breaks_line(element: HtmlElement, pending: list[str]) -> bool:
    """Whether a block element ends the line of text before it: not when it is empty (an
    ad slot or a widget's placeholder dropped into a sentence), unless it is a <br> or <hr>."""
    if element.tag in ("br", "hr") or not "".join(pending).strip():
        return True
    return bool(element.text_content().strip())


def is_slide(element: HtmlElement) -> bool:
    """A figure whose caption is paragraphs of prose: a slide of a gallery that is the article
    (a photo per item, the item's text in its caption), not a photo credit. Likewise a
    <noscript> of paragraphs that is all its parent shows: the content a script would
    render, as readers without scripts (as we are) get it; not a banner beside the page."""
    if element.tag not in ("figure", "figcaption", "noscript") or element.find(".//p") is None:
        return False
    words = len(element.text_content().split())
    if element.tag == "noscript":
        return words >= _SLIDE_WORDS and _alone(element, words)
    return words >= _SLIDE_WORDS


def _alone(element: HtmlElement, words: int) -> bool:
    """Whether ``element``'s siblings show next to no text beside its ``words``."""
    parent = element.getparent()
    if parent is None:
        return True
    others = len((parent.text or "").split()) + sum(
        len(((c.text_content() if c.tag not in SKIP_TAGS else "") + (c.tail or "")).split())
        for c in parent if c is not element and isinstance(c.tag, str)
    )
    return others < 0.2 * words


def _filter(blocks: Iterable[_Block], rules: ExtractionRules) -> list[_Block]:
    seen: set[str] = set()
    kept: list[_Block] = []
    patterns = rules.drop_text + GENERIC_DROP_TEXT
    after_kept = False  # whether the block before this one was kept
    for block in blocks:
        text, was_after_kept, after_kept = block.text, after_kept, False
        if block.gap:
            if was_after_kept and is_label(kept[-1].text) and not _END_OF_ARTICLE.match(kept[-1].text):
                kept.pop()  # the heading of furniture set aside goes with it
            continue
        if text in seen and len(text.split()) < _REPEAT_MAX_WORDS:
            continue
        seen.add(text)
        if any(p.search(text) for p in patterns):
            continue
        if _is_link_only(block) and not _ADDRESS.match(text):
            if was_after_kept and is_label(kept[-1].text) and not _END_OF_ARTICLE.match(kept[-1].text):
                kept.pop()  # the heading of a list of links goes with them (an end mark stays)
            elif was_after_kept and block.links == 1 and block.outbound == 1:
                kept.append(block)  # a link out of the site, in the text: what the text is about
                after_kept = True
            continue
        if _is_garbled(text):
            continue
        kept.append(block)
        after_kept = True
    return kept


# A block that is just one of these ends the article: what follows is the site's, not the story's.
_END_OF_ARTICLE = re.compile(
    r"^(?:tags|tagged(?: with)?|topics|related links|more stories|(?:what to )?read next|you may also like"
    r"|you might also like|recommended for you|a word to our loyal readers|about the author"
    r"|more (?:great )?[\w.]+ stories|(?:das|dieses) (?:thema )?könnte (?:sie|dich) auch interessieren"
    r"|zum weiterlesen|weitere (?:artikel|beiträge)|sur le même sujet|dans la même rubrique"
    r"|te puede interesar|(?:noticias|artículos) relacionad[oa]s)\s*[:!]?$", re.I)
_DATE_LIKE = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:19|20)\d{2}\b"
)
_SHORT_WORDS = 10
# Unicode categories of characters no text holds: controls, surrogates, private use, unassigned.
_GARBAGE = frozenset({"Cc", "Cs", "Co", "Cn"})


def _trim(blocks: list[_Block], title: str | None) -> list[str]:
    """Drop the headline, the date and byline lines above the text, whatever follows an
    end-of-article marker, and the labels left below the last paragraph (headings of what was
    dropped, "Contact:"); the items of a list that ends the article stay."""
    headline = clean_space(title or "").casefold()
    kept: list[_Block] = []
    for block in blocks:
        text = block.text
        if headline and text.casefold() == headline:
            continue
        if not kept and len(text.split()) < _SHORT_WORDS and (
            _DATE_LIKE.search(text) or text.lower().startswith("by ")
        ):
            continue
        if kept and _END_OF_ARTICLE.match(text):
            break
        kept.append(block)
    labels = 0
    while labels < len(kept) and _is_trailing_label(kept[: len(kept) - labels]):
        labels += 1
    if labels <= _MAX_TRAILING_LABELS:  # more are a list of short lines, not labels
        del kept[len(kept) - labels :]
    return [block.text for block in kept]


def _is_trailing_label(kept: list[_Block]) -> bool:
    """Whether the last block is a label below the text (not a list's last item, nor all the
    text of a short page)."""
    last = kept[-1]
    above = sum(len(b.text.split()) for b in kept[:-1])
    return is_label(last.text) and not last.listed and above >= _TEXT_ABOVE_LABELS


def _is_garbled(text: str) -> bool:
    """Undecodable bytes (U+FFFD) or control characters throughout: binary data or a wrong
    charset. Format characters (soft hyphens, joiners, direction marks) are text."""
    if "\ufffd" not in text and text.isprintable():
        return False
    bad = sum(1 for c in text if c == "\ufffd" or unicodedata.category(c) in _GARBAGE)
    return bad > 0.05 * len(text)


def _is_link_only(block: _Block) -> bool:
    """A short paragraph that is all link text: a teaser pointing elsewhere."""
    letters = len(block.text.replace(" ", ""))
    if letters == 0:
        return False
    label, colon, rest = block.text.partition(": ")
    if colon and len(label.split()) <= 3 and label.replace(" ", "").isalpha():
        # "Main article: X", "See also: X, Y": a cross-reference, the links after its label.
        letters = len(rest.replace(" ", ""))
    return block.link_chars >= 0.9 * letters and (
        len(block.text.split()) <= _LINK_ONLY_MAX_WORDS or block.links >= _LINK_LIST_MIN
    )
