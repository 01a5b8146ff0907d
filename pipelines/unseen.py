"""What a reader does not see as part of the page: hidden elements, and dialogs over it (a
login, a sign-up) that show only when called up. Neither is the article, whatever it holds."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines._html import Words
from pipelines.running_text import in_prose

# "hidden" only as a whole class name: "field--label-hidden" hides the label, not the field.
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|is-hidden|d-none)(?:$|\s)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
_DIALOG = Words(r"(?<![a-z])(?:modal|dialog|login)(?![a-z])")
# A state of the page's frame ("dialog-off-canvas-main-canvas", "article modal-enabled"), not a
# dialog: these words say the box holds the page.
_FRAME = Words(r"article|body|canvas|content|main|story|entry|post|text")


def is_hidden(element: HtmlElement) -> bool:
    get = element.get
    style, classes = get("style"), get("class")
    return (
        get("hidden") is not None
        or get("aria-hidden") == "true"
        or (bool(style) and _says(style, _HIDDEN_STYLE, "none", "hidden"))
        or (bool(classes) and _says(classes, _HIDDEN_CLASS, "hidden", "d-none"))
    )


def _says(value: str, pattern: re.Pattern[str], word: str, other: str) -> bool:
    """Whether ``pattern`` (case-blind, matching only text with ``word`` or ``other``) is found
    in ``value``: most values hold neither (looked for in lowercased ASCII), and no pattern runs."""
    if value.isascii():
        lowered = value.lower()
        if word not in lowered and other not in lowered:
            return False
    return pattern.search(value) is not None


def is_dialog(element: HtmlElement, marker: str) -> bool:
    """A dialog by its role, or by the words of its class and id (``marker``)."""
    return (
        element.get("role") in _DIALOG_ROLES
        or element.get("aria-modal") == "true"
        or (
            bool(marker) and _DIALOG.search(marker) and not _FRAME.search(marker)
            and not in_prose(element)
        )
    )
