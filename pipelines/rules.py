"""Site rules for extraction: data from a site's config, applied by the generic extractor."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone
from typing import Any

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.etree import XPathError

# The named groups a date pattern may use (pipelines.dates.from_pattern reads them).
DATE_GROUPS = ("year", "juche", "month", "month_name", "day", "hour", "minute", "second")
_KEYS = ("title", "body", "drop", "drop_text", "strip_text", "published", "date_formats",
         "authors", "author_pattern")

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
        for key in data:
            if key not in _KEYS:
                close = difflib.get_close_matches(key, _KEYS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(_KEYS)}"
                raise RulesError(f"unknown key {key!r} in [extract]; {hint}")
        author_pattern = data.get("author_pattern")
        if author_pattern is not None and not isinstance(author_pattern, str):
            raise RulesError(f"[extract] author_pattern must be a string, got {author_pattern!r}")
        return cls(
            site=site,
            language=language,
            timezone=parse_utc_offset(tz) if tz else None,
            title=_selectors(data, "title"),
            body=_selectors(data, "body"),
            drop=_selectors(data, "drop"),
            drop_text=tuple(_regex(p, "drop_text") for p in _strings(data, "drop_text")),
            strip_text=tuple(_regex(p, "strip_text") for p in _strings(data, "strip_text")),
            published=_selectors(data, "published"),
            date_formats=tuple(_date_format(p) for p in _strings(data, "date_formats")),
            authors=_selectors(data, "authors"),
            author_pattern=(
                _regex(author_pattern, "author_pattern", required=("author",)) if author_pattern
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


def _selectors(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """CSS selectors, each compiled once here so that a typo fails before the crawl."""
    selectors = _strings(data, key)
    for selector in selectors:
        try:
            CSSSelector(selector.removesuffix("::text"))
        except (SelectorError, XPathError, SyntaxError, ValueError) as exc:
            raise RulesError(f"[extract] {key}: bad CSS selector {selector!r}: {exc}") from exc
    return selectors


def _date_format(pattern: str) -> re.Pattern[str]:
    """A date pattern: a regex whose named groups are all known, with a day and a month."""
    compiled = _regex(pattern, "date_formats")
    unknown = [g for g in compiled.groupindex if g not in DATE_GROUPS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], DATE_GROUPS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise RulesError(f"[extract] date_formats: unknown group {unknown[0]!r} in {pattern!r};"
                         f" {hint}known groups: {', '.join(DATE_GROUPS)}")
    groups = set(compiled.groupindex)
    if "day" not in groups or not groups & {"month", "month_name"}:
        raise RulesError(f"[extract] date_formats: {pattern!r} needs the groups 'day' and"
                         " 'month' or 'month_name'")
    return compiled


def _regex(pattern: str, key: str, required: Sequence[str] = ()) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise RulesError(f"[extract] {key}: bad regular expression {pattern!r}: {exc}") from exc
    missing = [g for g in required if g not in compiled.groupindex]
    if missing:
        raise RulesError(f"[extract] {key}: {pattern!r} needs the named group {missing[0]!r},"
                         f" e.g. (?P<{missing[0]}>...)")
    return compiled
