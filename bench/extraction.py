"""Article-body extraction benchmark: our extractor vs readability-lxml and trafilatura.

Usage (from the repository root):

    .venv/bin/python bench/extraction.py DIR [--errors N] [--limit N] [--cache DIR]
        [--only ours,readability,trafilatura] [--speed-pages N]

DIR is one benchmark set or a directory of them (``../shared/bench`` holds aeb-dev,
readability-dev and snippets-dev). A set with ``ground-truth.json`` is scored with the shingle
F1 of the article-extraction benchmark (bench/evaluation.py), one with ``evaldata.json`` with
trafilatura's must / must-not snippet F1 (bench/sets.py). Every extractor runs on every page in
this one process; only the extraction call is timed.

Per set it prints F1, precision and recall of each extractor, ours against the best baseline,
and our collapses: pages where both baselines find an article of 100+ words and ours keeps less
than 30% of the shingles of each, unless ours scores at least as well as both against the
page's truth (then what it left out of their text was not article: such pages are listed
apart). Then both ``newsarchive extract`` and trafilatura run as
whole processes over the same page files, and the ratio of their pages/s is printed.

``--cache DIR`` keeps the baselines' outputs between runs (keyed by library versions), for
quick iterations on ours; a run for the record runs without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Run as `python bench/extraction.py`, Python puts bench/ (not the repository root)
# on sys.path; add the root so that the `pipelines` package can be imported.
_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from bench import speed  # noqa: E402
from bench.evaluation import diff_shingles  # noqa: E402
from bench.extractors import (  # noqa: E402
    BASELINES,
    EXTRACTORS,
    FACTORIES,
    Extractor,
    ExtractorUnavailable,
    versions,
)
from bench.sets import (  # noqa: E402
    BenchSet,
    Scores,
    find_sets,
    is_collapse,
    kept_share,
    load_set,
    outscores,
    page_f1,
    score,
)

FRAGMENT_CHARS = 300
FRAGMENTS_SHOWN = 5


@dataclass
class Run:
    name: str
    seconds: float = 0.0
    texts: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (page id, error)


def run_extractor(name: str, extract: Extractor, bench: BenchSet) -> Run:
    run = Run(name)
    for page in bench.pages:
        html = page.html()
        start = time.perf_counter()
        try:
            text = extract(page.url, html)
        except Exception as exc:  # a crash counts as an empty prediction
            text = ""
            run.failures.append((page.id, f"{type(exc).__name__}: {exc}"))
        run.seconds += time.perf_counter() - start
        run.texts.append(text)
    return run


def _cached_run(name: str, extract: Extractor, bench: BenchSet, cache: Path | None) -> Run:
    if cache is None or name == "ours":
        return run_extractor(name, extract, bench)
    key = "-".join(f"{k}{v}" for k, v in sorted(versions().items()))
    path = cache / f"{bench.name}.{name}.{key}.json"
    ids = [p.id for p in bench.pages]
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        if all(i in data["texts"] for i in ids):
            return Run(name, data["seconds"] * len(ids) / len(data["texts"]),
                       [data["texts"][i] for i in ids])
    run = run_extractor(name, extract, bench)
    cache.mkdir(parents=True, exist_ok=True)
    texts = dict(zip(ids, run.texts, strict=True))
    path.write_text(json.dumps({"seconds": run.seconds, "texts": texts}), encoding="utf-8")
    return run


def collapses(bench: BenchSet, runs: dict[str, Run]) -> tuple[list[str], list[str]]:
    """Ids of the pages where ours collapses against the baselines, and of those where the
    shingle test alone says so but ours scores at least as well as both against the truth."""
    if "ours" not in runs or not all(b in runs for b in BASELINES):
        return [], []
    found: list[str] = []
    cleared: list[str] = []
    for i, page in enumerate(bench.pages):
        ours, baselines = runs["ours"].texts[i], [runs[b].texts[i] for b in BASELINES]
        if is_collapse(ours, baselines):
            (cleared if outscores(bench, page, ours, baselines) else found).append(page.id)
    return found, cleared


def print_set(bench: BenchSet, runs: dict[str, Run]) -> dict[str, Scores]:
    metric = "shingle F1" if bench.kind == "shingles" else "snippet F1"
    print(f"\n== {bench.name}: {len(bench.pages)} pages, {metric}")
    print(f"{'extractor':<12} {'F1':>6} {'precision':>9} {'recall':>6} {'pages/s':>8} {'failed':>6}")
    scores: dict[str, Scores] = {}
    for name, run in runs.items():
        s = scores[name] = score(bench, run.texts)
        pps = len(run.texts) / run.seconds if run.seconds else float("inf")
        print(f"{name:<12} {s.f1:6.3f} {s.precision:9.3f} {s.recall:6.3f} {pps:8.1f} "
              f"{len(run.failures):6d}")
    baselines = [scores[b] for b in BASELINES if b in scores]
    if "ours" in scores and baselines:
        ours = scores["ours"]
        best_f1 = max(b.f1 for b in baselines)
        best_p = max(b.precision for b in baselines)
        print(f"ours vs best baseline: F1 {ours.f1 - best_f1:+.3f} (ratio {ours.f1 / best_f1:.3f}), "
              f"precision {ours.precision - best_p:+.3f} (ratio {ours.precision / best_p:.3f})")
    found, cleared = collapses(bench, runs)
    if len(runs) == len(EXTRACTORS):
        print(f"ours collapses: {len(found)}" + (f"  ({', '.join(found)})" if found else ""))
        if cleared:
            print(f"  not counted (ours keeps under 30% of both, but scores at least as well as "
                  f"both against the truth): {', '.join(cleared)}")
    return scores


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


def print_errors(bench: BenchSet, runs: dict[str, Run], count: int) -> None:
    ours = runs["ours"].texts
    ranked = sorted(range(len(ours)), key=lambda i: (page_f1(bench, bench.pages[i], ours[i]),
                                                     bench.pages[i].id))
    print(f"\nWorst {min(count, len(ranked))} pages of {bench.name} for ours (per-page F1):")
    for i in ranked[:count]:
        page, text = bench.pages[i], ours[i]
        shares = "  ".join(f"keeps {kept_share(runs[b].texts[i], text):.2f} of {b}"
                           for b in BASELINES if b in runs)
        print(f"\n{page.id}  F1 {page_f1(bench, page, text):.3f}  {shares}\n  {page.url}")
        if bench.kind == "shingles":
            missed, kept = diff_shingles(page.truth, text)
            _show_fragments("missed", missed)
            _show_fragments("wrongly kept", kept)
        else:
            flat = " ".join(text.split())
            print("  missed:", [s for s in page.with_ if " ".join(s.split()) not in flat])
            print("  wrongly kept:", [s for s in page.without if " ".join(s.split()) in flat])


def print_speed(benches: Sequence[BenchSet], pages: int | None) -> None:
    files = [p.path for b in benches for p in b.pages]
    if pages is not None and 0 < pages < len(files):
        step = len(files) / pages
        files = [files[int(i * step)] for i in range(pages)]
    ours, other = speed.whole_process(files, _REPO_ROOT)
    print(f"\n== whole-process speed, {len(files)} page files, one process each")
    for t in (ours, other):
        print(f"{t.name:<12} {t.seconds:7.1f} s {t.pages_per_second:8.1f} pages/s "
              f"{t.pages_per_cpu_second:8.1f} pages/CPU-s ({t.lines} JSON lines)")
    print(f"newsarchive extract pages/s ÷ trafilatura = "
          f"{ours.pages_per_second / other.pages_per_second:.2f} "
          f"(per CPU second: {ours.pages_per_cpu_second / other.pages_per_cpu_second:.2f})")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("data_dir", type=Path, help="a benchmark set or a directory of sets")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="show the N pages of each set where ours scores worst")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only the first N pages of each set (sorted by id)")
    parser.add_argument("--only", default=",".join(EXTRACTORS),
                        help="comma-separated extractors to run (default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="keep the baselines' outputs here between runs")
    parser.add_argument("--speed-pages", type=int, default=None, metavar="N",
                        help="whole-process timing on N pages spread over the sets "
                             "(default: all; 0 skips it)")
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
    try:
        extractors = {name: FACTORIES[name]() for name in args.names}
    except ExtractorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    benches = [load_set(d, args.limit) for d in find_sets(args.data_dir)]
    if not any(b.pages for b in benches):
        print(f"error: no benchmark pages in {args.data_dir}", file=sys.stderr)
        return 2
    print(f"{sum(len(b.pages) for b in benches)} pages in {len(benches)} set(s) "
          f"from {args.data_dir}, one process")
    for bench in benches:
        runs = {n: _cached_run(n, e, bench, args.cache) for n, e in extractors.items()}
        print_set(bench, runs)
        for run in runs.values():
            for page_id, error in run.failures[:5]:
                print(f"{run.name} failed on {page_id}: {error}", file=sys.stderr)
        if args.errors > 0 and "ours" in runs:
            print_errors(bench, runs, args.errors)
    if args.speed_pages != 0 and "ours" in extractors:
        print_speed(benches, args.speed_pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
