"""People's names in bylines and author fields: splitting, and telling a person from a site.

Pure string work, shared by the author and title code of :mod:`pipelines.metadata`. A name is
compared by its :func:`key` (letters and digits, case-folded), so that "The Verge", "the-verge"
and "theverge" are one name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from pipelines._html import clean_space

# Bylines longer than this are a block of the page, not a byline.
BYLINE_CHARS = 300
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||•|·|\band\b|\bund\b|&|\s/\s)\s*")
# "By Jane Doe", "Analysis by Jane Doe", "von Jane Doe" (only first: "Ursula von der Leyen").
_BY = re.compile(r"^(?:(?:[^\W\d_]+\s+){0,2}?by|von|par|por|door|av)\s+", re.I)
# Words that stand for a role, a desk or an organisation, not a person.
_NOT_NAME_WORDS = frozenset({
    "admin", "administrator", "staff", "editor", "editors", "redaktion", "newsroom", "anonymous",
    "unknown", "guest", "webmaster", "reporter", "reporters", "correspondent", "writer", "writers",
    "contributor", "contributing", "columnist", "photographer", "desk", "team", "by", "press",
    "news", "agency", "agencies", "media", "newspaper", "magazine", "network", "associated",
    "inc", "ltd", "llc", "gmbh", "corp", "bureau", "services", "online", "tv", "radio",
})
_NAME_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "do", "dos", "das", "du", "la",
    "le", "y", "e", "bin", "binti", "al", "el", "ibn", "ten", "ter", "zu", "and",
})
_NOT_A_PERSON = re.compile(r"www\.|://|@|\d|\.(?:com|org|net|gov|edu|info|io)\b", re.I)
_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"[^\W\d_]+")


def key(text: str) -> str:
    """A title or name reduced to its letters and digits, case-folded, for comparisons."""
    return _NON_WORD.sub("", text.casefold())


def split_names(text: str) -> list[str]:
    """"By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"]; "Text: Jane Doe" -> ["Jane Doe"]."""
    text = _BY.sub("", clean_space(text).rsplit(":", 1)[-1].strip())
    return [part.strip(" .") for part in _AUTHOR_SPLIT.split(text) if part.strip(" .")]


def markup_names(elements: Sequence[etree._Element], *, tail: bool = False) -> list[str]:
    """Names in byline elements (with ``tail``: in the text after each element).

    Element boundaries separate names ("<a>Jane Doe</a><span>Staff writer</span>"); a lone word
    is more often a label or a site than a name, except in scripts without case (Chinese).
    """
    pieces = [(e.tail or "") if tail else "\n".join(map(str, e.itertext())) for e in elements]
    if sum(map(len, pieces)) > BYLINE_CHARS:
        return []
    return [
        name for piece in pieces for line in piece.splitlines() for name in split_names(line)
        if " " in name or not _has_case(name)
    ]


def looks_like_name(name: str) -> bool:
    """A few capitalised words ("Jane van Doe", "严玉洁"), no digits, no address."""
    words = name.split()
    return (
        1 <= len(words) <= 6 and len(name) <= 60 and not _NOT_A_PERSON.search(name)
        and all(_capitalised(w) or w.casefold() in _NAME_PARTICLES for w in words)
    )


def is_person(name: str, site_names: set[str]) -> bool:
    """Not the site ("BBC News", "Telegraph Sport"), a role or a desk ("AP Sports Writer").

    ``site_names`` are the keys of the names the site goes by, its host name's labels among them.
    """
    parts = _WORD.findall(name.casefold())
    return (
        key(name) not in site_names
        and site_names.isdisjoint(parts)
        and _NOT_NAME_WORDS.isdisjoint(parts)
    )


def _capitalised(word: str) -> bool:
    """Starts with a capital letter, or with a letter of a script without case (Chinese)."""
    return word[0].isupper() or (word[0].isalpha() and not _has_case(word[0]))


def _has_case(text: str) -> bool:
    return text.upper() != text.lower()
