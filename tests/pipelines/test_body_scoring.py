"""How the main content is chosen: text is scored once, where it is."""

from __future__ import annotations

from tests.pipelines.test_body import PARAGRAPHS, extract, page, paras

CAPTIONS = [
    f"Picture {n}: the old tram depot, closed since 1962, which the city, after a long "
    "quarrel, will rebuild as the line's workshop." for n in range(1, 9)
]


def test_list_items_holding_paragraphs_are_not_scored_twice() -> None:
    """A list of captioned pictures beside the story: each item's paragraph is scored, and
    the item holding it is not scored again with the same text."""
    items = "".join(f"<li><h3>{n}/8</h3><p>{c}</p></li>" for n, c in enumerate(CAPTIONS, 1))
    pictures = f'<div class="pictures"><ul class="legends">{items}</ul></div>'
    assert extract(page(paras(*PARAGRAPHS), after=pictures)) == PARAGRAPHS
