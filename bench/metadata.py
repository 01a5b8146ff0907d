"""Metadata benchmark: our title, date, authors and language on real pages, against expectations.

Usage (from the repository root):

    .venv/bin/python bench/metadata.py REAL_HTML_DIR [--aeb AEB_DIR] [--repeat N]

REAL_HTML_DIR is the shared ``real-html`` folder: its README maps each page file to the page's
URL, which picks the site rules (``SiteRegistry.for_url``). Expectations come from the
files next to the pages: ``dw/fundus_DW.json`` (keyed by layout) for the three fundus DW pages and
``*.metadata.json`` + ``*.expected.txt`` for China Daily; pages without them are reported with our
values only, to be checked by eye. Each page gets a table of field, expected, ours, verdict, the
body's first and last characters with a shingle F1, and the time taken by the metadata functions
on the parsed tree (parsing not included).

``--aeb AEB_DIR`` also times the metadata functions on the article-extraction-benchmark pages
(``ground-truth.json`` + ``html/<id>.html.gz``), with htmldate's cost on the same pages for scale.
Times are the best of ``--repeat`` runs of each function on the same tree.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as `python bench/metadata.py`, Python puts bench/ (not the repository root) on sys.path.
_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

import lxml.html  # noqa: E402

from bench.evaluation import score_page  # noqa: E402
from bench.realpages import RealPage, load_real_pages  # noqa: E402
from crawler.siteconfig import load_sites  # noqa: E402
from pipelines import authors, identity, language, published, title  # noqa: E402
from pipelines._html import clean_space, parse  # noqa: E402
from pipelines.extraction import GENERIC_RULES, extract  # noqa: E402
from pipelines.rules import ExtractionRules  # noqa: E402

FIELDS = ("title", "published", "authors", "canonical_url", "declared_language")
SHOWN_CHARS = 80
CELL_CHARS = 64
MetadataFn = Callable[[lxml.html.HtmlElement, ExtractionRules, str, datetime], Any]
METADATA: dict[str, MetadataFn] = {
    "title": lambda root, rules, url, ref: title.title(root, rules),
    "published": lambda root, rules, url, ref: published.published(root, rules, ref),
    "authors": lambda root, rules, url, ref: authors.authors(root, rules),
    "canonical_url": lambda root, rules, url, ref: identity.canonical_url(root, url),
    "declared_language": lambda root, rules, url, ref: language.declared_language(root),
}


@dataclass
class Timing:
    """Seconds per field: on the first run over a fresh tree, and the best of all runs (the
    others add the noise of whatever else the machine is doing)."""

    first: dict[str, float] = field(default_factory=dict)
    best: dict[str, float] = field(default_factory=dict)


def timed_metadata(
    root: lxml.html.HtmlElement, rules: ExtractionRules, url: str, reference: datetime,
    repeat: int = 1,
) -> tuple[dict[str, Any], Timing]:
    """Each metadata field of a parsed page, and the time each took."""
    values: dict[str, Any] = {}
    timing = Timing()
    for _ in range(repeat):
        for name, function in METADATA.items():
            start = time.perf_counter()
            values[name] = function(root, rules, url, reference)
            elapsed = time.perf_counter() - start
            timing.first.setdefault(name, elapsed)
            timing.best[name] = min(timing.best.get(name, elapsed), elapsed)
    return values, timing


def same_published(expected: str, ours: str | None) -> bool:
    """Same date; same instant (to the second) when the expectation has a time.

    A naive midnight in the expectations ("2023-04-28 00:00:00") is how those tools write a page
    that gives only a date, so it is compared as a date.
    """
    if ours is None:
        return False
    want = datetime.fromisoformat(expected)
    got = datetime.fromisoformat(ours) if "T" in ours else None
    if want.date().isoformat() != ours[:10]:
        return False
    if want.tzinfo is None and want.time() == datetime.min.time():
        return True
    if got is None:
        return False
    if want.tzinfo is None or got.tzinfo is None:
        return want.replace(microsecond=0, tzinfo=None) == got.replace(tzinfo=None)
    return want.replace(microsecond=0) == got


def verdict(field_name: str, expected: Any, ours: Any) -> str:
    if expected is None:
        return "n/a"
    if field_name == "published":
        ok = same_published(expected, ours)
    elif field_name == "title":
        ok = ours is not None and clean_space(expected) == clean_space(ours)
    else:
        ok = expected == ours
    return "OK" if ok else "MISMATCH"


def _cell(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _ends(text: str) -> tuple[str, str]:
    flat = clean_space(text)
    return flat[:SHOWN_CHARS], flat[-SHOWN_CHARS:]


def report_page(
    page: RealPage, rules: ExtractionRules, reference: datetime, repeat: int
) -> dict[str, str]:
    """Print one page's table; return the verdict of each compared field."""
    values, timing = timed_metadata(parse(page.html), rules, page.url, reference, repeat)
    article = extract(page.url, page.html, rules=rules, fetched=reference)
    want = page.expected
    rows = [
        ("title", want.title, article.title),
        ("published", want.published, article.published),
        ("authors", want.authors, article.authors),
        ("language", want.language, article.language),
    ]
    print(f"\n== {page.name}  [{rules.site or 'generic rules'}]\n   {page.url}")
    print(f"   {'field':<10} {'expected':<{CELL_CHARS}} {'ours':<{CELL_CHARS}} verdict")
    verdicts = {}
    for name, expected, ours in rows:
        verdicts[name] = verdict(name, expected, ours)
        print(f"   {name:<10} {_cell(expected):<{CELL_CHARS}} {_cell(ours):<{CELL_CHARS}} "
              f"{verdicts[name]}")
    print(f"   declared language {values['declared_language']!r}, "
          f"canonical {values['canonical_url']}")
    ours_first, ours_last = _ends(article.text)
    print(f"   body ours      first: {ours_first!r}\n                  last:  {ours_last!r}")
    if want.body is not None:
        first, last = _ends(want.body)
        print(f"   body expected  first: {first!r}\n                  last:  {last!r}")
        print(f"   body shingle F1 {score_page(want.body, article.text).f1:.3f}")
    for label, seconds in (("first run", timing.first), (f"best of {repeat}", timing.best)):
        detail = ", ".join(f"{k} {v * 1000:.2f}" for k, v in seconds.items())
        print(f"   metadata time, {label}: {sum(seconds.values()) * 1000:.2f} ms ({detail})")
    return verdicts


def time_aeb(aeb_dir: Path, reference: datetime, repeat: int) -> None:
    """Mean metadata time per page over the benchmark pages, with htmldate's for comparison."""
    from htmldate import find_date  # imported untimed: the import alone takes a while

    truth = json.loads((aeb_dir / "ground-truth.json").read_text(encoding="utf-8"))
    timings: list[Timing] = []
    htmldate_seconds: list[float] = []
    undated = 0
    for page_id in sorted(truth):
        html = gzip.decompress((aeb_dir / "html" / f"{page_id}.html.gz").read_bytes())
        url = truth[page_id].get("url", "")
        values, timing = timed_metadata(parse(html), GENERIC_RULES, url, reference, repeat)
        undated += values["published"] is None
        timings.append(timing)
        root = parse(html)
        start = time.perf_counter()
        find_date(root, original_date=True, extensive_search=False, outputformat="%Y-%m-%d",
                  max_date=reference.strftime("%Y-%m-%d"))
        htmldate_seconds.append(time.perf_counter() - start)
    print(f"\n== metadata time on {len(timings)} pages of {aeb_dir} (generic rules, parsed tree);"
          f" {undated} page(s) without a date")
    for label in ("first", "best"):
        totals = [sum(getattr(t, label).values()) * 1000 for t in timings]
        fields = ", ".join(
            f"{name} {statistics.mean(getattr(t, label)[name] for t in timings) * 1000:.2f}"
            for name in FIELDS
        )
        print(f"   {'first run' if label == 'first' else f'best of {repeat}'}: mean "
              f"{statistics.mean(totals):.2f} ms/page, median {statistics.median(totals):.2f}, "
              f"max {max(totals):.2f}; per field (mean ms) {fields}")
    print(f"   htmldate alone on every page: mean {statistics.mean(htmldate_seconds) * 1000:.2f} "
          f"ms, max {max(htmldate_seconds) * 1000:.2f}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("real_dir", type=Path, help="the real-html folder (README.md + pages)")
    parser.add_argument("--aeb", type=Path, metavar="AEB_DIR",
                        help="also time metadata on these benchmark pages")
    parser.add_argument("--repeat", type=int, default=5, metavar="N",
                        help="time each field N times per page, keep the best (default 5)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pages = load_real_pages(args.real_dir)
    if not pages:
        print(f"error: no pages listed in {args.real_dir / 'README.md'}", file=sys.stderr)
        return 2
    sites = load_sites()
    reference = datetime.now(UTC)
    extract(pages[0].url, pages[0].html)  # untimed: lazy imports and caches
    counts: dict[str, int] = {}
    for page in pages:
        site = sites.for_url(page.url)
        rules = site.rules if site else GENERIC_RULES
        for result in report_page(page, rules, reference, args.repeat).values():
            counts[result] = counts.get(result, 0) + 1
    print("\n" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.aeb is not None:
        time_aeb(args.aeb, reference, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
