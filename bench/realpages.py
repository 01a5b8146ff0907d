"""The real pages of ``shared/real-html`` and what is expected of them, for bench/metadata.py."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# fundus_DW.json keys its expectations by DW page layout; the README dates each fundus page's layout.
FUNDUS_LAYOUTS = {
    "fundus_DW_2023_04_28": "V1",
    "fundus_DW_2023_06_13": "V2",
    "fundus_DW_2024_01_30": "V2_1",
}
_README_ROW = re.compile(r"^\|\s*([\w./-]+\.html\.gz)\s*\|\s*(https?://\S+)", re.M)


@dataclass
class Expected:
    title: str | None = None
    published: str | None = None
    authors: list[str] | None = None
    language: str | None = None
    body: str | None = None


@dataclass
class RealPage:
    name: str  # file name without .html.gz
    url: str
    html: bytes
    expected: Expected = field(default_factory=Expected)


def page_urls(real_dir: Path) -> dict[str, str]:
    """Page file (relative to real_dir) -> URL, from the README's table."""
    readme = (real_dir / "README.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in _README_ROW.finditer(readme)}


def fundus_body(body: dict[str, Any]) -> str:
    parts = list(body.get("summary", []))
    for section in body.get("sections", []):
        parts += section.get("headline", []) + section.get("paragraphs", [])
    return "\n\n".join(parts)


def expectations(real_dir: Path, relative: str) -> Expected:
    path = real_dir / relative
    name = path.name.removesuffix(".html.gz")
    if name in FUNDUS_LAYOUTS:
        data = json.loads((path.parent / "fundus_DW.json").read_text(encoding="utf-8"))
        want = data[FUNDUS_LAYOUTS[name]]
        return Expected(
            title=want.get("title"), published=want.get("publishing_date"),
            authors=want.get("authors"), body=fundus_body(want.get("body", {})),
        )
    meta_file = path.with_name(f"{name}.metadata.json")
    if meta_file.exists():
        want = json.loads(meta_file.read_text(encoding="utf-8"))
        text_file = path.with_name(f"{name}.expected.txt")
        return Expected(
            title=want.get("title"), published=want.get("publish_date"),
            authors=want.get("authors"), language=want.get("language") or None,
            body=text_file.read_text(encoding="utf-8") if text_file.exists() else None,
        )
    return Expected()


def load_real_pages(real_dir: Path) -> list[RealPage]:
    return [
        RealPage(
            name=Path(relative).name.removesuffix(".html.gz"),
            url=url,
            html=gzip.decompress((real_dir / relative).read_bytes()),
            expected=expectations(real_dir, relative),
        )
        for relative, url in sorted(page_urls(real_dir).items())
    ]
