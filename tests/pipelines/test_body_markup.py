"""Body extraction on markup that hides or doubles the text: script fallbacks, ruby, live
commentary, stories loaded one after another."""

from __future__ import annotations

from tests.pipelines.test_body import PARAGRAPHS, extract, page, paras

OTHER = [
    "The harbour authority said on Monday that the ferry service would stop for the winter, "
    "leaving the islanders with a single boat a week, and only when the weather allows it.",
    "Fishermen, who depend on the ferry to sell their catch on the mainland, asked for a "
    "subsidy, which the authority, citing its budget, refused, at least for this year.",
    "A petition with three thousand names, nearly every adult on the islands, will be handed "
    "to the regional parliament next week, its organisers said, hoping for a vote in spring.",
    "The ministry said it would look at the matter again, without promising anything, and "
    "added that the harbour itself, long in need of repair, came first on its list of works.",
]


def test_noscript_that_is_all_its_parent_shows_is_the_article() -> None:
    article = f'<script type="text/template">{paras(*PARAGRAPHS)}</script><noscript>{paras(*PARAGRAPHS)}</noscript>'
    assert extract(page(article)) == PARAGRAPHS


def test_noscript_banner_beside_the_article_is_left_out() -> None:
    banner = f"<noscript>{paras(*OTHER)}</noscript>"
    assert extract(page(banner + paras(*PARAGRAPHS))) == PARAGRAPHS


def test_ruby_readings_are_not_text() -> None:
    sentence = "<ruby>法律<rp>(</rp><rt>ほうりつ</rt><rp>)</rp></ruby>ができて、体罰を禁止することになりました。"
    text = "".join(extract(page(f"<p>{sentence * 3}</p>" * 4), title=None))
    assert "法律ができて" in text
    assert "ほうりつ" not in text


def test_live_commentary_is_the_article_not_readers_comments() -> None:
    item = '<div class="live-match-comment"><div class="live-comment-body">{}</div></div>'
    minutes = "".join(item.format(p) for p in PARAGRAPHS)
    article = f'<div class="live-match-comments">{minutes}</div>'
    assert extract(page(article)) == PARAGRAPHS


def test_first_of_stories_loaded_one_after_another_is_the_page_s() -> None:
    def story(headline: str, texts: list[str]) -> str:
        return f'<div class="scroll"><article class="entry"><h1>{headline}</h1>{paras(*texts)}</article></div>'

    ours = PARAGRAPHS + OTHER
    longer = [f"Part {n}: {text}" for n in range(3) for text in OTHER]
    stories = story("Council backs tram line", ours) + story("Ferry stops for winter", longer)
    assert extract(page(stories)) == ours
