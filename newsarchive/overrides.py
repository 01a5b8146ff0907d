"""``-s NAME=VALUE``: checked against the settings that exist, and converted to their type.

A misspelt name would be taken silently by Scrapy and change nothing; a value of the wrong type
fails deep inside Twisted. Both are refused here, before anything runs, with one line.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from scrapy.settings import Settings

_KINDS = {"bool": "true or false", "int": "a whole number", "float": "a number",
          "dict": "a JSON object", "list": "a list", "tuple": "a list"}


class OverrideError(ValueError):
    """A ``-s`` item that names no setting, or holds a value the setting can't take."""


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    known = Settings()
    known.setmodule("crawler.settings", priority="project")
    defaults = known.copy_to_dict()
    parsed: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise OverrideError(f"-s {item!r}: expected NAME=VALUE")
        if name not in defaults:
            close = difflib.get_close_matches(name, defaults, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise OverrideError(f"-s {name}: no such setting{hint}")
        parsed[name] = _convert(name, value, defaults[name])
    return parsed


def _convert(name: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return Settings({name: value}).getbool(name)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, (dict, list, tuple)):
            loaded = json.loads(value) if value.strip()[:1] in ("{", "[") else None
            if isinstance(default, dict) and not isinstance(loaded, dict):
                raise ValueError("expected a JSON object")
            if not isinstance(default, dict):
                return loaded if isinstance(loaded, list) else [v for v in value.split(",") if v]
            return loaded
    except ValueError as exc:
        kind = _KINDS.get(type(default).__name__, type(default).__name__)
        raise OverrideError(f"-s {name}={value!r}: expected {kind} ({exc})") from None
    return value
