"""Article-body extraction metric (shingle matching).

Our own implementation of the article-extraction-benchmark metric:

1. tokens are the matches of ``\\w+`` (Unicode) in the text;
2. shingles are the runs of 4 consecutive tokens; a text of 1-3 tokens is
   one shorter shingle and a text without tokens has no shingles;
3. per page, true and predicted shingles are compared as multisets:
   tp = sum of min(count_true, count_pred), fp = predicted excess,
   fn = true excess, then the three are normalised by their sum;
4. precision = tp / (tp + fp), recall = tp / (tp + fn), except: fp = fn = 0
   gives 1 for both, tp = fp = 0 gives precision 0, tp = fn = 0 recall 0;
5. precision is averaged over the pages with tp + fp > 0, recall over the
   pages with tp + fn > 0, and F1 is computed from those two means;
6. accuracy is the share of pages whose token list equals the truth's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SHINGLE_SIZE = 4

_TOKEN_RE = re.compile(r"\w+")  # str patterns are Unicode-aware by default
_SPACE_RE = re.compile(r"\s+")


def tokens(text: str) -> list[str]:
    """The ``\\w+`` tokens of ``text``, in order."""
    return _TOKEN_RE.findall(text)


def _shingle_list(toks: Sequence[str]) -> list[tuple[str, ...]]:
    if not toks:
        return []
    if len(toks) < SHINGLE_SIZE:
        return [tuple(toks)]
    return [tuple(toks[i : i + SHINGLE_SIZE]) for i in range(len(toks) - SHINGLE_SIZE + 1)]


def shingles(toks: Sequence[str]) -> Counter[tuple[str, ...]]:
    """The multiset of shingles of a token list."""
    return Counter(_shingle_list(toks))


@dataclass(frozen=True)
class PageScore:
    """Score of one page.

    ``tp``, ``fp`` and ``fn`` are normalised so that they sum to 1 (all three
    are 0 when neither text has any token). ``precision`` is ``None`` when the
    page does not enter the precision mean (tp + fp == 0, i.e. nothing was
    predicted), ``recall`` is ``None`` when the page does not enter the
    recall mean (tp + fn == 0, i.e. the truth is empty).
    """

    tp: float
    fp: float
    fn: float
    precision: float | None
    recall: float | None
    exact: bool

    @property
    def f1(self) -> float:
        """Per-page F1, for ranking pages (not part of the benchmark)."""
        if self.precision is None and self.recall is None:
            return 1.0  # nothing to find and nothing predicted
        p = self.precision or 0.0
        r = self.recall or 0.0
        return 2 * p * r / (p + r) if p + r > 0 else 0.0


@dataclass(frozen=True)
class Summary:
    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def score_page(truth: str, prediction: str) -> PageScore:
    """Compare one predicted article body with the true one."""
    true_toks, pred_toks = tokens(truth), tokens(prediction)
    true_sh, pred_sh = shingles(true_toks), shingles(pred_toks)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(
        tp=tp,
        fp=fp,
        fn=fn,
        precision=_precision(tp, fp, fn) if tp + fp > 0 else None,
        recall=_recall(tp, fp, fn) if tp + fn > 0 else None,
        exact=true_toks == pred_toks,
    )


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarize(scores: Iterable[PageScore]) -> Summary:
    """Benchmark figures over pages; means of no pages count as 0."""
    pages = list(scores)
    precision = _mean([s.precision for s in pages if s.precision is not None])
    recall = _mean([s.recall for s in pages if s.recall is not None])
    pr = precision + recall
    return Summary(
        f1=2 * precision * recall / pr if pr > 0 else 0.0,
        precision=precision,
        recall=recall,
        accuracy=_mean([1.0 if s.exact else 0.0 for s in pages]),
        pages=len(pages),
    )


def _unmatched_fragments(text: str, other: Counter[tuple[str, ...]]) -> list[str]:
    """Fragments of ``text`` made of the shingles that ``other`` lacks.

    With repeated shingles, the first occurrences are taken as matched and
    the later ones as unmatched. Overlapping or touching unmatched shingles
    are merged into one run, cut from the original text (punctuation kept,
    whitespace collapsed).
    """
    matches = list(_TOKEN_RE.finditer(text))
    toks = [m.group() for m in matches]
    budget = Counter(other)
    runs: list[list[int]] = []  # [first token, last token], inclusive
    for start, shingle in enumerate(_shingle_list(toks)):
        if budget[shingle] > 0:
            budget[shingle] -= 1
            continue
        end = start + len(shingle) - 1
        if runs and start <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [_SPACE_RE.sub(" ", text[matches[a].start() : matches[b].end()]) for a, b in runs]


def diff_shingles(truth: str, prediction: str) -> tuple[list[str], list[str]]:
    """Readable fragments (missed, wrongly_kept).

    ``missed`` are the runs of the truth whose shingles were not predicted
    (false negatives); ``wrongly_kept`` the runs of the prediction whose
    shingles are not in the truth (false positives).
    """
    true_sh = shingles(tokens(truth))
    pred_sh = shingles(tokens(prediction))
    return (
        _unmatched_fragments(truth, pred_sh),
        _unmatched_fragments(prediction, true_sh),
    )
