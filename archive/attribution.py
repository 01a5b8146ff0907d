"""Who an article quotes: sentences that attribute something to another news outlet.

Three forms, the ones wire copy and state media use: a dateline or source in brackets
("Pyongyang, February 28 (KCNA) --", "(Xinhua)"), "according to <outlet>", and "<outlet>
said / reported / quoted". Outlets are data (:data:`OUTLETS`): the names they go by, and the
site of ours that is the outlet, where one is. An outlet never quotes itself: KCNA's own
datelines are not quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# outlet key -> (the site of ours that is this outlet or None, the names it goes by in text)
OUTLETS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "kcna": ("kcna", ("KCNA", "Korean Central News Agency")),
    "xinhua": (None, ("Xinhua", "Xinhua News Agency")),
    "chinadaily": ("chinadaily", ("China Daily",)),
    "cgtn": ("cgtn", ("CGTN", "China Global Television Network")),
    "dw": ("dw", ("DW", "Deutsche Welle")),
    "vietnamnews": ("vietnamnews", ("Viet Nam News", "Việt Nam News", "VNS")),
    "vna": (None, ("VNA", "Vietnam News Agency", "Viet Nam News Agency")),
    "yonhap": (None, ("Yonhap", "Yonhap News Agency")),
    "rodong": (None, ("Rodong Sinmun",)),
    "reuters": (None, ("Reuters",)),
    "ap": (None, ("AP", "Associated Press", "the Associated Press")),
    "afp": (None, ("AFP", "Agence France-Presse")),
    "dpa": (None, ("dpa", "DPA")),
    "tass": (None, ("TASS", "Tass")),
    "kyodo": (None, ("Kyodo", "Kyodo News")),
    "bbc": (None, ("BBC",)),
}

_VERBS = r"(?:said|says|reported|reports|quoted|quotes|cited|announced|stated|wrote)"
_PREFIX = r"(?:the\s+)?(?:official\s+|state(?:-run)?\s+|state\s+media\s+|news\s+agency\s+)?"
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘A-Z(])")


@dataclass(frozen=True)
class Quote:
    """One sentence of an article attributing something to an outlet."""

    outlet: str  # key of :data:`OUTLETS`
    site: str | None  # the site of ours that is that outlet, if any
    sentence: str


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """One pattern per outlet: its names in brackets, after "according to", or before a verb
    of saying. Case-sensitive: "AP" and "DW" are names, "ap" and "dw" are not."""
    patterns = []
    for key, (_site, names) in OUTLETS.items():
        name = "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")"
        patterns.append(
            (
                key,
                re.compile(
                    rf"\(\s*{name}\s*\)"
                    rf"|[Aa]ccording\s+to\s+{_PREFIX}{name}\b"
                    rf"|(?<![\w-]){name}(?:'s)?\s+(?:\w+\s+){{0,2}}?{_VERBS}\b"
                    rf"|\b{_VERBS}\s+(?:by\s+)?{_PREFIX}{name}\b"
                ),
            )
        )
    return patterns


def sentences(text: str) -> list[str]:
    """The text's sentences, roughly: split after . ! ? before a capital or a quote."""
    found = []
    for paragraph in text.splitlines():
        found += [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return found


def quotes(text: str, site: str | None = None) -> list[Quote]:
    """The sentences of ``text`` that quote an outlet (the first sentence per outlet), leaving
    out the outlet that is ``site`` itself."""
    found: dict[str, Quote] = {}
    named = [(key, pattern) for key, pattern in _patterns()
             if any(name in text for name in OUTLETS[key][1]) and OUTLETS[key][0] != site]
    for sentence in sentences(text) if named else []:
        for key, pattern in named:
            outlet_site = OUTLETS[key][0]
            if key in found:
                continue
            if pattern.search(sentence):
                found[key] = Quote(key, outlet_site, sentence[:500])
    return list(found.values())
