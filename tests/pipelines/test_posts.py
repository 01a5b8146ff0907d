"""Threads: a question and its answers are read together, not the longest answer alone."""

from __future__ import annotations

from tests.pipelines.test_body import PARAGRAPHS, extract, paras

QUESTION = "Why does the tram line take ten years to build, when the bus lane took only one?"


def thread(posts: list[str], post_class: str = "post-text") -> str:
    boxes = "".join(f'<div class="answer"><div class="{post_class}">{p}</div></div>' for p in posts)
    return f"""<html><body><nav><a href="/">Home</a></nav>
    <div class="main"><h1>Tram line</h1>
    <div class="question"><div class="{post_class}">{paras(QUESTION)}</div></div>
    <div class="answers">{boxes}</div></div>
    <footer><p>Questions and answers about the city, by its readers, since 2009.</p></footer>
    </body></html>"""


def test_the_question_is_read_with_its_answers() -> None:
    # The first answer is long enough that, alone, it would be taken for the page's text.
    answers = [paras(*PARAGRAPHS * 3), paras(PARAGRAPHS[0]), paras(PARAGRAPHS[1])]
    got = extract(thread(answers), title="Tram line")
    assert got[0] == QUESTION
    assert got.count(PARAGRAPHS[0]) == 4


def test_boxes_of_one_class_that_hold_next_to_nothing_are_no_thread() -> None:
    answers = [paras(*PARAGRAPHS, *PARAGRAPHS), "<p>Yes.</p>", "<p>No.</p>"]
    got = extract(thread(answers), title="Tram line")
    assert QUESTION not in got
