"""The benchmark sets under a directory, their pages, and how each set is scored.

Two kinds of set: a shingle set holds ``ground-truth.json`` (``{"<id>": {"articleBody": ...,
"url": ...}}``), scored with :mod:`bench.evaluation`; a snippet set holds ``evaldata.json``
(``{"<id>": {"url": ..., "with": [...], "without": [...]}}``), scored with trafilatura's snippet
metric (:func:`snippet_summary`). Both keep the pages in ``html/<id>.html.gz``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.evaluation import score_page as shingle_score
from bench.evaluation import shingles, summarize, tokens

TRUTH_FILES = {"ground-truth.json": "shingles", "evaldata.json": "snippets"}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    path: Path
    truth: str = ""  # shingle sets
    with_: tuple[str, ...] = ()  # snippet sets: must be in the text
    without: tuple[str, ...] = ()  # snippet sets: must not

    def html(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


@dataclass
class BenchSet:
    name: str
    kind: str  # "shingles" or "snippets"
    pages: list[Page] = field(default_factory=list)


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float


def find_sets(directory: Path) -> list[Path]:
    """``directory`` itself if it is a set, else its subdirectories that are, sorted."""
    if any((directory / name).is_file() for name in TRUTH_FILES):
        return [directory]
    return sorted(d for d in directory.iterdir() if any((d / n).is_file() for n in TRUTH_FILES))


def load_set(directory: Path, limit: int | None = None, ids: Iterable[str] | None = None) -> BenchSet:
    """A set's pages, sorted by id (the first ``limit``, or only ``ids``)."""
    name, kind = next((n, k) for n, k in TRUTH_FILES.items() if (directory / n).is_file())
    truth = json.loads((directory / name).read_text(encoding="utf-8"))
    chosen = sorted(truth) if ids is None else [i for i in ids if i in truth]
    bench = BenchSet(directory.name, kind)
    for page_id in chosen[:limit]:
        entry = truth[page_id]
        bench.pages.append(Page(
            id=page_id,
            url=entry.get("url", ""),
            path=directory / "html" / f"{page_id}.html.gz",
            truth=entry.get("articleBody", ""),
            with_=tuple(entry.get("with", ())),
            without=tuple(entry.get("without", ())),
        ))
    return bench


def _collapse_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def snippet_counts(page: Page, text: str) -> tuple[int, int, int]:
    """(tp, fp, fn) of one page: ``with`` snippets found, ``without`` found, ``with`` missed."""
    found = _collapse_space(text)
    wanted = [_collapse_space(s) for s in page.with_]
    unwanted = [_collapse_space(s) for s in page.without]
    tp = sum(1 for s in wanted if found and s in found)
    fp = sum(1 for s in unwanted if found and s in found)
    return tp, fp, len(wanted) - tp


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def snippet_summary(pages: Sequence[Page], texts: Sequence[str]) -> Scores:
    """trafilatura's metric: precision and recall over all snippets of all pages together."""
    tp = fp = fn = 0
    for page, text in zip(pages, texts, strict=True):
        a, b, c = snippet_counts(page, text)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Scores(_f1(precision, recall), precision, recall)


def page_f1(bench: BenchSet, page: Page, text: str) -> float:
    """One page's score, for ranking pages."""
    if bench.kind == "shingles":
        return shingle_score(page.truth, text).f1
    tp, fp, fn = snippet_counts(page, text)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return _f1(precision, recall)


def score(bench: BenchSet, texts: Sequence[str]) -> Scores:
    if bench.kind == "snippets":
        return snippet_summary(bench.pages, texts)
    summary = summarize(shingle_score(p.truth, t) for p, t in zip(bench.pages, texts, strict=True))
    return Scores(summary.f1, summary.precision, summary.recall)


# A collapse: both baselines find an article of this many words or more...
COLLAPSE_MIN_WORDS = 100
# ...and ours keeps less than this share of the shingles of each.
COLLAPSE_SHARE = 0.3


def kept_share(reference: str, text: str) -> float:
    """The share of ``reference``'s shingles (as a multiset) that ``text`` has too."""
    ref = shingles(tokens(reference))
    total = sum(ref.values())
    return sum((ref & shingles(tokens(text))).values()) / total if total else 1.0


def is_collapse(ours: str, baselines: Sequence[str]) -> bool:
    """Every baseline finds 100+ words and ours keeps under 30% of what each found."""
    if not baselines or any(len(tokens(b)) < COLLAPSE_MIN_WORDS for b in baselines):
        return False
    return all(kept_share(b, ours) < COLLAPSE_SHARE for b in baselines)


def outscores(bench: BenchSet, page: Page, ours: str, baselines: Sequence[str]) -> bool:
    """Whether ours scores at least as well as every baseline against the page's own truth.

    The shingle test of :func:`is_collapse` takes what the baselines found for the article;
    where ours does as well as each of them by the set's truth, what ours left out of their
    text was not article (a list of related posts both took in), and ours has not collapsed.
    """
    mine = page_f1(bench, page, ours)
    return all(mine >= page_f1(bench, page, b) for b in baselines)
