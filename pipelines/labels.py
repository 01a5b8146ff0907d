"""Labels: a few words that end no sentence, a heading or a label ("More on this", "Contact:"),
which over a list of links, or after the article's last sentence, belong to the site, not the story."""

from __future__ import annotations

import re

# A label: a line this short that ends no sentence.
_LABEL_MAX_WORDS = 5
_LABEL_MAX_CHARS = 50  # scripts written without spaces
_SENTENCE_END = re.compile(r"[.!?…。！？]\W*$")
# A label is a bare phrase: a parenthesis ("ed/rc (AFP, Reuters)", a sign-off) is not.
_NOT_BARE = re.compile(r"[()]")
# Scripts written without spaces (Chinese, Japanese, Thai) count a word per character.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def is_label(text: str) -> bool:
    """A few words that end no sentence."""
    return (
        len(text.split()) + len(_UNSPACED.findall(text)) <= _LABEL_MAX_WORDS
        and len(text) <= _LABEL_MAX_CHARS
        and not _SENTENCE_END.search(text)
        and not _NOT_BARE.search(text)
    )
