"""Hand-worked cases for the shingle-matching metric (bench.evaluation).

Reminder: shingles are runs of 4 ``\\w+`` tokens, a text of 1-3 tokens is one
shorter shingle, tp/fp/fn are multiset counts normalised by tp + fp + fn.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from bench.evaluation import (
    PageScore,
    diff_shingles,
    score_page,
    shingles,
    summarize,
    tokens,
)


def test_tokens_and_shingles() -> None:
    toks = tokens("The quick, brown fox -- jumps!")
    assert toks == ["The", "quick", "brown", "fox", "jumps"]
    # 5 tokens -> 5 - 4 + 1 = 2 shingles
    assert shingles(toks) == {
        ("The", "quick", "brown", "fox"): 1,
        ("quick", "brown", "fox", "jumps"): 1,
    }
    # fewer than 4 tokens: one shorter shingle; no token: no shingle
    assert shingles(["Hello", "world"]) == {("Hello", "world"): 1}
    assert shingles([]) == {}
    assert tokens(" ... -- !") == []


def test_identical_texts() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    # 9 tokens -> 6 shingles, all matched: tp = 6, fp = fn = 0 -> tp = 6/6 = 1
    score = score_page(text, text)
    assert score == PageScore(tp=1.0, fp=0.0, fn=0.0, precision=1.0, recall=1.0, exact=True)
    assert score.f1 == 1.0


def test_disjoint_texts() -> None:
    # truth: 5 tokens -> 2 shingles; prediction: 4 tokens -> 1 shingle
    # tp = 0, fp = 1, fn = 2, sum 3 -> fp = 1/3, fn = 2/3
    # precision = 0 / (0 + 1/3) = 0, recall = 0 / (0 + 2/3) = 0
    score = score_page("alpha beta gamma delta epsilon", "one two three four")
    assert score.tp == 0.0
    assert score.fp == pytest.approx(1 / 3)
    assert score.fn == pytest.approx(2 / 3)
    assert score.precision == 0.0
    assert score.recall == 0.0
    assert not score.exact
    assert score.f1 == 0.0


def test_missed_repeated_shingle_is_counted_as_multiset() -> None:
    # truth "a b c d a b c d": 8 tokens -> 5 shingles:
    #   abcd, bcda, cdab, dabc, abcd  (abcd twice)
    # prediction "a b c d": abcd once
    # tp = min(2, 1) = 1; fn = (2 - 1) + 1 + 1 + 1 = 4; fp = 0; sum 5
    # -> tp = 0.2, fn = 0.8; precision = 0.2 / 0.2 = 1; recall = 0.2 / 1 = 0.2
    score = score_page("a b c d a b c d", "a b c d")
    assert score.tp == pytest.approx(0.2)
    assert score.fp == 0.0
    assert score.fn == pytest.approx(0.8)
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx(0.2)
    # per-page F1 = 2 * 1 * 0.2 / 1.2 = 1/3
    assert score.f1 == pytest.approx(1 / 3)


def test_extra_repeated_shingle_is_counted_as_multiset() -> None:
    # truth "one two three four": one shingle 1234
    # prediction twice: 8 tokens -> 1234, 2341, 3412, 4123, 1234
    # tp = 1; fp = (2 - 1) + 1 + 1 + 1 = 4; fn = 0; sum 5
    # precision = 0.2 / (0.2 + 0.8) = 0.2 (a set comparison would give 1/4)
    # recall: fn = 0 but fp > 0, so tp / (tp + fn) = 0.2 / 0.2 = 1
    score = score_page("one two three four", "one two three four one two three four")
    assert score.tp == pytest.approx(0.2)
    assert score.fp == pytest.approx(0.8)
    assert score.fn == 0.0
    assert score.precision == pytest.approx(0.2)
    assert score.recall == pytest.approx(1.0)


def test_partial_overlap() -> None:
    # truth: 6 tokens -> 3 shingles: (A B C D) (B C D E) (C D E F)
    # prediction "A B C D X": 2 shingles (A B C D) (B C D X)
    # tp = 1, fp = 1, fn = 2, sum 4 -> 0.25 / 0.25 / 0.5
    # precision = 0.25 / 0.5 = 0.5; recall = 0.25 / 0.75 = 1/3
    score = score_page("A B C D E F", "A B C D X")
    assert (score.tp, score.fp, score.fn) == pytest.approx((0.25, 0.25, 0.5))
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1 / 3)


def test_short_texts() -> None:
    # 2 tokens each, same tokens -> one shingle (Hello, world) each; exact
    score = score_page("Hello world", "Hello, world!")
    assert (score.tp, score.fp, score.fn) == (1.0, 0.0, 0.0)
    assert score.precision == score.recall == 1.0
    assert score.exact

    # (Hello, world) vs (Hello, there, world): tp = 0, fp = fn = 1 -> 0.5 each
    score = score_page("Hello world", "Hello there world")
    assert (score.tp, score.fp, score.fn) == (0.0, 0.5, 0.5)
    assert score.precision == score.recall == 0.0

    # a short shingle never matches a 4-token one, even as a prefix:
    # truth (Breaking, news); prediction 5 tokens -> 2 shingles
    # tp = 0, fp = 2, fn = 1 -> fp = 2/3, fn = 1/3; P = R = 0
    score = score_page("Breaking news", "Breaking news today from Hanoi")
    assert score.fp == pytest.approx(2 / 3)
    assert score.fn == pytest.approx(1 / 3)
    assert score.precision == score.recall == 0.0


def test_empty_prediction() -> None:
    # truth 5 tokens -> 2 shingles, prediction none: tp = fp = 0, fn = 2 -> 1
    # precision: tp + fp == 0 -> not part of the precision mean (None)
    # recall: 0 / (0 + 1) = 0
    for prediction in ("", "  ... \n -- "):
        score = score_page("a b c d e", prediction)
        assert (score.tp, score.fp, score.fn) == (0.0, 0.0, 1.0)
        assert score.precision is None
        assert score.recall == 0.0
        assert not score.exact
        assert score.f1 == 0.0


def test_empty_truth() -> None:
    # prediction 5 tokens -> 2 shingles, truth none: fp = 2 -> 1
    # precision: tp = 0, fp > 0 -> 0 / (0 + 1) = 0
    # recall: tp + fn == 0 -> not part of the recall mean (None)
    score = score_page("", "x y z w v")
    assert (score.tp, score.fp, score.fn) == (0.0, 1.0, 0.0)
    assert score.precision == 0.0
    assert score.recall is None
    assert not score.exact


def test_both_empty() -> None:
    # no shingle at all: tp = fp = fn = 0 (nothing to normalise);
    # excluded from both means; token lists are equal ([] == []), so exact
    score = score_page("", "!")
    assert (score.tp, score.fp, score.fn) == (0.0, 0.0, 0.0)
    assert score.precision is None
    assert score.recall is None
    assert score.exact
    assert score.f1 == 1.0


def test_unicode_tokens() -> None:
    # (ruff RUF001/RUF003: the non-ASCII punctuation is the point of the test)
    assert tokens("HÀ NỘI – Thủ đô Hà Nội") == ["HÀ", "NỘI", "Thủ", "đô", "Hà", "Nội"]
    # Chinese has no spaces: a run of ideographs is one token, split only by
    # punctuation such as the ideographic comma and full stop
    chinese = "北京是中国的首都，上海是金融中心。"
    assert tokens(chinese) == ["北京是中国的首都", "上海是金融中心"]

    # 6 tokens -> 3 shingles each; "hà" differs from "Hà" (case kept), so the
    # two shingles containing token 5 differ: tp = 1, fp = 2, fn = 2 ->
    # tp = 0.2, precision = recall = 0.2 / 0.6 = 1/3
    score = score_page("HÀ NỘI – Thủ đô Hà Nội", "HÀ NỘI: Thủ đô hà Nội")
    assert score.tp == pytest.approx(0.2)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == pytest.approx(1 / 3)

    # same Chinese tokens with other punctuation: identical short shingle
    score = score_page(chinese, "北京是中国的首都. 上海是金融中心")
    assert score.exact
    assert score.precision == score.recall == 1.0


def test_no_unicode_normalisation() -> None:
    # As in the benchmark, text is not normalised: in NFD the combining marks
    # are not \w, so "NỘI" splits into "NO" and "I" and nothing matches.
    nfd = unicodedata.normalize("NFD", "HÀ NỘI")
    assert tokens(nfd) == ["HA", "NO", "I"]
    assert score_page("HÀ NỘI", nfd).tp == 0.0


def test_accuracy_ignores_punctuation_and_whitespace() -> None:
    truth = "Hello, world!\n\nSecond   paragraph — here."
    assert score_page(truth, "Hello world Second paragraph here").exact
    assert score_page(truth, "Hello world\tSecond paragraph here!!").exact
    # a different case, a missing or an extra token is not an exact match
    assert not score_page(truth, "hello world Second paragraph here").exact
    assert not score_page(truth, "Hello world Second paragraph").exact
    assert not score_page(truth, "Hello world Second paragraph here Share").exact


def test_summarize_averaging_rules() -> None:
    scores = [
        score_page("p q r s t", "p q r s t"),  # A: P = 1, R = 1, exact
        score_page("a b c d e", ""),  # B: P excluded (tp + fp = 0), R = 0
        score_page("a b c d a b c d", "a b c d"),  # C: P = 1, R = 0.2
        score_page("", "x y z w v"),  # D: P = 0, R excluded (tp + fn = 0)
        score_page("", ""),  # E: excluded from both, exact
    ]
    summary = summarize(scores)
    # precision over A, C, D = (1 + 1 + 0) / 3 = 2/3
    # (counting B as 0 would wrongly give 2/4 = 0.5)
    assert summary.precision == pytest.approx(2 / 3)
    # recall over A, B, C = (1 + 0 + 0.2) / 3 = 0.4
    assert summary.recall == pytest.approx(0.4)
    # F1 of the means = 2 * (2/3) * (2/5) / (2/3 + 2/5) = (8/15) / (16/15) = 0.5
    assert summary.f1 == pytest.approx(0.5)
    # exact pages: A and E -> 2 / 5
    assert summary.accuracy == pytest.approx(0.4)
    assert summary.pages == 5


def test_summarize_f1_is_not_mean_of_page_f1() -> None:
    # page 1: P = 1, R = 0.2 (case C above); page 2: identical, P = R = 1
    # means: P = 1, R = 0.6 -> F1 = 2 * 0.6 / 1.6 = 0.75
    # (the mean of per-page F1 would be (1/3 + 1) / 2 = 2/3)
    summary = summarize(iter([score_page("a b c d a b c d", "a b c d"), score_page("x y", "x y")]))
    assert summary.precision == pytest.approx(1.0)
    assert summary.recall == pytest.approx(0.6)
    assert summary.f1 == pytest.approx(0.75)
    assert summary.accuracy == pytest.approx(0.5)


def test_summarize_no_pages() -> None:
    summary = summarize([])
    assert (summary.f1, summary.precision, summary.recall) == (0.0, 0.0, 0.0)
    assert summary.accuracy == 0.0
    assert summary.pages == 0


def test_page_score_is_frozen() -> None:
    score = score_page("a", "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        score.tp = 0.5  # type: ignore[misc]


def test_diff_shingles_identical_and_empty() -> None:
    assert diff_shingles("Same text here, really.", "Same text here really") == ([], [])
    # nothing predicted: the whole truth is missed (whitespace collapsed)
    assert diff_shingles("Hi there,\n\nfriend.", "") == (["Hi there, friend"], [])
    assert diff_shingles("", "Share on Twitter") == ([], ["Share on Twitter"])


def test_diff_shingles_runs() -> None:
    truth = "One two three four five six seven eight nine ten."
    prediction = "One two three four five six. Share this on Twitter"
    # truth shingles 0-2 (up to "six") are predicted, 3-6 are not: the run
    # covers tokens 3..9, "four" .. "ten"; prediction shingles 3-6 are not in
    # the truth: tokens 3..9, "four" .. "Twitter" (punctuation kept)
    missed, kept = diff_shingles(truth, prediction)
    assert missed == ["four five six seven eight nine ten"]
    assert kept == ["four five six. Share this on Twitter"]


def test_diff_shingles_separate_runs_and_repeats() -> None:
    truth = "a b c d e f g h i j k l m n"
    prediction = "a b c d X f g h i j k l m n"
    # shingles 1-4 of the truth contain "e" (tokens 1..7: "b" .. "h"), the
    # same positions of the prediction contain "X"
    assert diff_shingles(truth, prediction) == (["b c d e f g h"], ["b c d X f g h"])

    # a dropped token breaks 3 prediction shingles but 4 truth shingles
    truth = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12"
    prediction = "w1 w2 w3 w4 w5 w6 w7 w8 w10 w11 w12"
    # truth shingles starting at 5..8 contain w9: tokens 5..11 (w6 .. w12);
    # prediction shingles starting at 5..7 span the join w8|w10: tokens 5..10
    missed, kept = diff_shingles(truth, prediction)
    assert missed == ["w6 w7 w8 w9 w10 w11 w12"]
    assert kept == ["w6 w7 w8 w10 w11 w12"]

    # two gaps far apart give two fragments on each side
    truth = " ".join(f"w{i}" for i in range(1, 19))  # w1 .. w18
    prediction = truth.replace("w4 ", "").replace("w15 ", "")
    # truth: w4 (index 3) breaks shingles 0..3 -> tokens 0..6 (w1 .. w7);
    # w15 (index 14) breaks shingles 11..14 -> tokens 11..17 (w12 .. w18)
    # prediction (16 tokens): shingles 0..2 -> w1 w2 w3 w5 w6 w7, and
    # shingles 10..12 -> w12 w13 w14 w16 w17 w18
    missed, kept = diff_shingles(truth, prediction)
    assert missed == ["w1 w2 w3 w4 w5 w6 w7", "w12 w13 w14 w15 w16 w17 w18"]
    assert kept == ["w1 w2 w3 w5 w6 w7", "w12 w13 w14 w16 w17 w18"]

    # repeats: the first occurrence of "a b c d" is matched, the second is not
    missed, kept = diff_shingles("a b c d a b c d", "a b c d")
    assert missed == ["b c d a b c d"]
    assert kept == []
