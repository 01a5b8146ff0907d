"""The collapse test of bench/sets.py: shingle overlap with both baselines, and the truth."""

from __future__ import annotations

from pathlib import Path

from bench.sets import BenchSet, Page, is_collapse, outscores

ARTICLE = " ".join(f"article{i} word{i}" for i in range(60))  # 120 words
TEASERS = " ".join(f"teaser{i} blurb{i}" for i in range(300))  # 600 words


def _page(truth: str) -> tuple[BenchSet, Page]:
    page = Page(id="p", url="", path=Path("p.html.gz"), truth=truth)
    return BenchSet("s", "shingles", [page]), page


def test_ours_losing_the_article_is_a_collapse() -> None:
    bench, page = _page(ARTICLE)
    baselines = [ARTICLE, ARTICLE + " " + TEASERS]
    ours = "Accept cookies. This website uses cookies to improve your experience."
    assert is_collapse(ours, baselines)
    assert not outscores(bench, page, ours, baselines)


def test_baselines_taking_in_a_teaser_list_is_not_ours_collapsing() -> None:
    bench, page = _page(ARTICLE)
    baselines = [ARTICLE + " " + TEASERS, TEASERS + " " + ARTICLE]
    # Ours keeps the article only: under 30% of what each baseline found...
    assert is_collapse(ARTICLE, baselines)
    # ...but it scores at least as well as both against the truth: what it left out was not
    # article.
    assert outscores(bench, page, ARTICLE, baselines)


def test_snippet_sets_compare_snippet_scores() -> None:
    page = Page(id="p", url="", path=Path("p.html.gz"), with_=("article0 word0",),
                without=("teaser1 blurb1",))
    bench = BenchSet("s", "snippets", [page])
    assert outscores(bench, page, ARTICLE, [ARTICLE + " " + TEASERS])
    assert not outscores(bench, page, TEASERS, [ARTICLE])
