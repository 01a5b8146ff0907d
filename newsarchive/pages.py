"""``newsarchive extract``: saved pages in, one JSON object per article out.

One bad page (unreadable, a gzip bomb, markup that defeats the parser, no text) is a line on
stderr and a failure, never the end of the batch; a reader that goes away (``| head``) ends it
quietly.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from crawler.siteconfig import SiteRegistry, load_sites
from pipelines._html import parse
from pipelines.extraction import extract
from pipelines.identity import canonical_url

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
MAX_PAGE_BYTES = 64 * 1024 * 1024  # as the archive reader's cap


def extract_pages(args: argparse.Namespace) -> int:
    files = list(_html_files(args.path))
    if args.url and len(files) != 1:
        print("newsarchive: --url needs exactly one file", file=sys.stderr)
        return 2
    if not files:
        print("newsarchive: no .html or .html.gz files found", file=sys.stderr)
        return 1
    sites = load_sites(args.sites)
    failures = 0
    try:
        for path in files:
            record = _extract_file(path, args.url, sites)
            if record is None:
                failures += 1
                continue
            print(json.dumps(record, ensure_ascii=False, sort_keys=True))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and don't let the interpreter's own
        # flush at exit complain about the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 1 if failures else 0


def _extract_file(path: Path, url: str | None, sites: SiteRegistry) -> dict[str, Any] | None:
    """One page as a JSON-able record; ``None`` (with a line on stderr) if it gives no article."""
    try:
        html = _read_page(path)
        tree = parse(html)  # once: for the canonical URL that picks the rules, and to extract
        page_url = url or canonical_url(tree, path.resolve().as_uri())
        site = sites.for_url(page_url)
        article = extract(page_url, html, rules=site.rules if site else None, tree=tree)
    except (OSError, EOFError, ValueError) as exc:
        print(f"newsarchive: cannot read {path}: {exc}", file=sys.stderr)
        return None
    except Exception as exc:  # one bad page must not end the batch: say which, go on
        print(f"newsarchive: cannot extract {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    if not article.text:
        print(f"newsarchive: no article text found in {path}", file=sys.stderr)
        return None
    return {**article.to_dict(), "source": str(path)}


def _html_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.name.lower().endswith(HTML_SUFFIXES))
        else:
            yield path


def _read_page(path: Path) -> bytes:
    """The page's bytes, gunzipped if need be, refused past MAX_PAGE_BYTES (a gzip bomb)."""
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        reader = gzip.GzipFile(fileobj=raw) if gzipped else raw
        data = reader.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise ValueError(f"larger than {MAX_PAGE_BYTES} bytes once decompressed: not read")
    return data
