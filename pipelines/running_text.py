"""Whether an element is part of the running text around it: a link or an inline element
whose words are the sentence's, whatever its class says it does (a popup, a share, a dateline)."""

from __future__ import annotations

from lxml.html import HtmlElement

# A link with this many words right before and after it is part of a sentence.
_PROSE_WORDS = 3
# Inline elements, and how many words of the paragraph must follow one for it to be running text.
_INLINE = frozenset({"span", "em", "strong", "b", "i", "small", "time", "abbr"})
_RUN_ON_WORDS = 5


def in_a_sentence(element: HtmlElement) -> bool:
    """An inline element that the paragraph's text runs on after ("<span class=dateline>KOBE
    - </span>A total of..."): part of the sentence, whatever its class."""
    return element.tag in _INLINE and len((element.tail or "").split()) >= _RUN_ON_WORDS


def in_prose(element: HtmlElement) -> bool:
    """A link in running text: its class says what the link does (a popup, a share), but
    its words are the sentence's. Running text shows in the words just before and after it."""
    if element.tag != "a":
        return False
    previous = element.getprevious()
    if previous is not None:
        before = previous.tail or ""
    else:
        parent = element.getparent()
        before = (parent.text or "") if parent is not None else ""
    return _letter_words(before) + _letter_words(element.tail or "") >= _PROSE_WORDS


def _letter_words(text: str) -> int:
    return sum(1 for word in text.split() if any(c.isalpha() for c in word))
