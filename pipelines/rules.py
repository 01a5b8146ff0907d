"""Site rules for extraction: data from a site's config, applied by the generic extractor."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone
from typing import Any


class RulesError(ValueError):
    """A site's extraction rules are malformed."""


@dataclass(frozen=True)
class ExtractionRules:
    """How to read one site's article pages. Every field is optional; empty means "generic".

    Selectors are CSS (cssselect); a selector ending in ``::text`` reads the element's own text.
    ``date_formats`` are regular expressions with named groups (``year``, ``juche``, ``month``,
    ``month_name``, ``day``, ``hour``, ``minute``, ``second``) so that calendars like KCNA's Juche
    years need no code.
    """

    site: str | None = None
    language: str | None = None
    timezone: timezone | None = None
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()
    strip_text: tuple[re.Pattern[str], ...] = ()
    published: tuple[str, ...] = ()
    date_formats: tuple[re.Pattern[str], ...] = ()
    authors: tuple[str, ...] = ()
    author_pattern: re.Pattern[str] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, site: str | None = None, language: str | None = None,
        tz: str | None = None,
    ) -> ExtractionRules:
        """Build rules from the ``[extract]`` table of a site config."""
        known = {"title", "body", "drop", "drop_text", "strip_text", "published", "date_formats",
                 "authors", "author_pattern"}
        unknown = set(data) - known
        if unknown:
            raise RulesError(f"unknown keys in [extract]: {sorted(unknown)}; known: {sorted(known)}")
        return cls(
            site=site,
            language=language,
            timezone=parse_utc_offset(tz) if tz else None,
            title=_strings(data, "title"),
            body=_strings(data, "body"),
            drop=_strings(data, "drop"),
            drop_text=tuple(_regex(p, "drop_text") for p in _strings(data, "drop_text")),
            strip_text=tuple(_regex(p, "strip_text") for p in _strings(data, "strip_text")),
            published=_strings(data, "published"),
            date_formats=tuple(_regex(p, "date_formats") for p in _strings(data, "date_formats")),
            authors=_strings(data, "authors"),
            author_pattern=(
                _regex(data["author_pattern"], "author_pattern") if data.get("author_pattern")
                else None
            ),
        )


    def stripped(self, paragraphs: list[str]) -> list[str]:
        """The paragraphs with the ``strip_text`` matches cut out (an end mark such as KCNA's
        "-0-"); a paragraph with nothing left goes."""
        if not self.strip_text:
            return paragraphs
        kept = []
        for text in paragraphs:
            for pattern in self.strip_text:
                text = pattern.sub("", text).strip()
            if text:
                kept.append(text)
        return kept


def parse_utc_offset(value: str) -> timezone:
    """Parse ``+09:00`` / ``-0500`` / ``Z`` into a fixed-offset timezone."""
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})|Z|UTC", value.strip())
    if not match:
        raise RulesError(f"timezone {value!r} is not a UTC offset like '+09:00'")
    if match.group(1) is None:
        return UTC
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"[extract] {key} must be a list of strings, got {value!r}")
    return tuple(value)


def _regex(pattern: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RulesError(f"[extract] {key}: bad regular expression {pattern!r}: {exc}") from exc
