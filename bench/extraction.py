"""Article-body extraction benchmark: our extractor vs readability-lxml and trafilatura.

Usage (from the repository root):

    .venv/bin/python bench/extraction.py DATA_DIR [--errors N] [--limit N]
        [--only ours,readability,trafilatura]

DATA_DIR holds ``ground-truth.json`` (``{"<id>": {"articleBody": ..., "url": ...}}``)
and ``html/<id>.html.gz``. Every extractor runs on every page in this one process,
on one core; only the extraction call is timed (the pages are decompressed
beforehand, HTML decoding and parsing are part of each extractor's time). Scores
use pipelines.evaluation (shingle matching, as in the article-extraction-benchmark).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

# Run as `python bench/extraction.py`, Python puts bench/ (not the repository root)
# on sys.path; add the root so that the `pipelines` package can be imported.
_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from bench.evaluation import PageScore, Summary, diff_shingles, score_page, summarize  # noqa: E402

Extractor = Callable[[str, bytes], str]  # (url, html) -> article body text

EXTRACTORS = ("ours", "readability", "trafilatura")
FRAGMENT_CHARS = 300
FRAGMENTS_SHOWN = 5

# Elements whose text starts and ends a paragraph when a readability summary is
# turned into text (inline elements such as <a>, <b> or <span> join their neighbours).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")


class ExtractorUnavailable(Exception):
    pass


def html_to_text(html: str) -> str:
    """Text of an HTML fragment, block elements separated by blank lines."""
    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    parts: list[str] = []
    skipping = 0  # depth inside <script> and the like
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""  # "" for comments
        if event == "start":
            if tag in _SKIPPED_TAGS:
                skipping += 1
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if tag and not skipping and element.text:
                parts.append(element.text)
        else:
            if tag in _SKIPPED_TAGS:
                skipping -= 1
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if not skipping and element.tail and element is not root:
                parts.append(element.tail)
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK_RE.split("".join(parts)))
    return "\n\n".join(p for p in paragraphs if p)


def _ours() -> Extractor:
    try:
        from pipelines.extraction import extract
    except ModuleNotFoundError as exc:
        if exc.name in ("pipelines.extraction", "pipelines"):
            raise ExtractorUnavailable(
                "pipelines/extraction.py does not exist yet (the 'ours' extractor "
                "needs pipelines.extraction.extract(url, html) -> Article)"
            ) from exc
        raise ExtractorUnavailable(f"cannot import pipelines.extraction: {exc}") from exc
    except ImportError as exc:
        raise ExtractorUnavailable(f"cannot import pipelines.extraction: {exc}") from exc

    def run(url: str, html: bytes) -> str:
        text: str = extract(url, html).text
        return text

    return run


def _readability() -> Extractor:
    from readability import Document

    def run(url: str, html: bytes) -> str:
        return html_to_text(Document(html).summary())

    return run


def _trafilatura() -> Extractor:
    import trafilatura

    def run(url: str, html: bytes) -> str:
        text = trafilatura.extract(html, url=url, output_format="txt", include_comments=False)
        return text or ""

    return run


_FACTORIES: dict[str, Callable[[], Extractor]] = {
    "ours": _ours,
    "readability": _readability,
    "trafilatura": _trafilatura,
}


@dataclass
class Run:
    name: str
    extract: Extractor
    seconds: float = 0.0
    scores: list[PageScore] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (page id, error)
    texts: dict[str, str] = field(default_factory=dict)  # kept for --errors only


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    truth: str
    html: bytes


def load_pages(data_dir: Path, limit: int | None) -> list[Page]:
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit is not None else sorted(truth)
    return [
        Page(
            id=page_id,
            url=truth[page_id].get("url", ""),
            truth=truth[page_id].get("articleBody", ""),
            html=gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes()),
        )
        for page_id in ids
    ]


def run_all(runs: Sequence[Run], pages: Sequence[Page], keep_texts: set[str]) -> None:
    # One untimed call per extractor first, so that lazy imports and caches
    # filled on the first call are not charged to the first page.
    for run in runs:
        try:
            run.extract(pages[0].url, pages[0].html)
        except Exception:
            pass
    for page in pages:
        for run in runs:
            start = time.perf_counter()
            try:
                text = run.extract(page.url, page.html)
            except Exception as exc:  # a crash counts as an empty prediction
                text = ""
                run.failures.append((page.id, f"{type(exc).__name__}: {exc}"))
            run.seconds += time.perf_counter() - start
            run.scores.append(score_page(page.truth, text))
            if run.name in keep_texts:
                run.texts[page.id] = text


def print_table(runs: Sequence[Run]) -> dict[str, float]:
    speeds: dict[str, float] = {}
    print(
        f"{'extractor':<12} {'F1':>6} {'precision':>9} {'recall':>6} {'accuracy':>8} "
        f"{'pages/s':>8} {'failed':>6}"
    )
    for run in runs:
        summary: Summary = summarize(run.scores)
        speeds[run.name] = summary.pages / run.seconds if run.seconds > 0 else float("inf")
        print(
            f"{run.name:<12} {summary.f1:6.3f} {summary.precision:9.3f} {summary.recall:6.3f} "
            f"{summary.accuracy:8.3f} {speeds[run.name]:8.1f} {len(run.failures):6d}"
        )
    return speeds


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _show_fragments(label: str, fragments: list[str]) -> None:
    words = sum(len(f.split()) for f in fragments)
    print(f"  {label}: {len(fragments)} fragment(s), {words} words")
    largest = sorted(range(len(fragments)), key=lambda i: -len(fragments[i]))
    for i in sorted(largest[:FRAGMENTS_SHOWN]):
        fragment = fragments[i]
        if len(fragment) > FRAGMENT_CHARS:
            fragment = fragment[:FRAGMENT_CHARS].rstrip() + " [...]"
        print(f"    - {fragment}")
    if len(fragments) > FRAGMENTS_SHOWN:
        print(f"    (+{len(fragments) - FRAGMENTS_SHOWN} smaller fragment(s))")


def print_errors(run: Run, pages: Sequence[Page], count: int) -> None:
    worst = sorted(zip(pages, run.scores, strict=True), key=lambda ps: (ps[1].f1, ps[0].id))
    print(f"\nWorst {min(count, len(worst))} pages for {run.name} (per-page F1):")
    for page, score in worst[:count]:
        print(
            f"\n{page.id}  F1 {score.f1:.3f}  P {_fmt(score.precision)}  "
            f"R {_fmt(score.recall)}\n  {page.url}"
        )
        missed, kept = diff_shingles(page.truth, run.texts[page.id])
        _show_fragments("missed", missed)
        _show_fragments("wrongly kept", kept)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("data_dir", type=Path, help="directory with ground-truth.json and html/")
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="show the N pages where our extractor scores worst",
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="only the first N pages (sorted by id)"
    )
    parser.add_argument(
        "--only",
        default=",".join(EXTRACTORS),
        help="comma-separated extractors to run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    names = list(dict.fromkeys(n.strip() for n in args.only.split(",") if n.strip()))
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown or not names:
        parser.error(f"--only: unknown or no extractor {unknown}; choose from {EXTRACTORS}")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    args.names = names
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    runs: list[Run] = []
    for name in args.names:
        try:
            runs.append(Run(name, _FACTORIES[name]()))
        except ExtractorUnavailable as exc:
            others = ",".join(n for n in EXTRACTORS if n != name)
            print(f"error: {name}: {exc}\n(run with --only {others} to skip it)", file=sys.stderr)
            return 2
    pages = load_pages(args.data_dir, args.limit)
    if not pages:
        print(f"error: no pages in {args.data_dir}", file=sys.stderr)
        return 2
    run_all(runs, pages, keep_texts={"ours"} if args.errors > 0 else set())

    print(f"{len(pages)} pages from {args.data_dir}, one process, one core\n")
    speeds = print_table(runs)
    if "ours" in speeds:
        ratios = [f"÷ {n} = {speeds['ours'] / speeds[n]:.2f}" for n in speeds if n != "ours"]
        if ratios:
            print("\nours pages/s " + ", ".join(ratios))
    for run in runs:
        for page_id, error in run.failures[:5]:
            print(f"{run.name} failed on {page_id}: {error}", file=sys.stderr)
    if args.errors > 0:
        ours = next((run for run in runs if run.name == "ours"), None)
        if ours is None:
            print("\n--errors reports on 'ours', which was not run", file=sys.stderr)
        else:
            print_errors(ours, pages, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
