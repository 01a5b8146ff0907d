"""How the main content is chosen: text is scored once, where it is."""

from __future__ import annotations

from tests.pipelines.test_body import PARAGRAPHS, extract, page, paras

CAPTIONS = [
    f"Picture {n}: the old tram depot, closed since 1962, which the city, after a long "
    "quarrel, will rebuild as the line's workshop."
    for n in range(1, 9)
]


def test_list_items_holding_paragraphs_are_not_scored_twice() -> None:
    """A list of captioned pictures beside the story: each item's paragraph is scored, and
    the item holding it is not scored again with the same text."""
    items = "".join(f"<li><h3>{n}/8</h3><p>{c}</p></li>" for n, c in enumerate(CAPTIONS, 1))
    pictures = f'<div class="pictures"><ul class="legends">{items}</ul></div>'
    assert extract(page(paras(*PARAGRAPHS), after=pictures)) == PARAGRAPHS


def test_link_in_a_sentence_keeps_its_words_whatever_its_class() -> None:
    """A link's class says what it does (a popup note, a share), not that its words are
    furniture: inside a sentence they are the sentence's. A link standing alone still goes."""
    sentence = (
        'The council approved the <a class="popup" href="#">new tram line</a> on Tuesday, '
        "ending a debate that had lasted for almost a decade and divided the city's parties."
    )
    alone = '<p><a class="share-popup" href="#">Share this story by email</a></p>'
    got = extract(page(f"<p>{sentence}</p>{alone}" + paras(*PARAGRAPHS[1:])))
    assert got[0].startswith("The council approved the new tram line on Tuesday, ending")
    assert not any("Share" in p for p in got)


def test_story_body_split_into_numbered_parts_is_read_whole() -> None:
    """The body in numbered boxes, each in a box of its own with a picture between: the
    longer part wins the scoring, the numbered parts before and after it come with it."""
    first = f'<div class="wrap"><div class="body body-1">{paras(*PARAGRAPHS[:2])}</div></div>'
    second = f'<div class="wrap"><div class="body body-2">{paras(*CAPTIONS[:6])}</div></div>'
    article = f"<article>{first}<figure><img src=a.jpg></figure>{second}</article>"
    assert extract(page(article)) == PARAGRAPHS[:2] + CAPTIONS[:6]


def test_readers_replies_are_comments() -> None:
    """A thread of replies under the post is readers' comments, by another name."""
    reply = (
        '<div class="reply"><p>I tried this for a year, and honestly, it worked, but only '
        "once I had stopped carrying my cards around with me, which took a while.</p></div>"
    )
    article = (
        f'<div class="column"><div class="post">{paras(*PARAGRAPHS)}</div>'
        f'<section class="replies">{reply * 2}</section></div>'
    )
    assert extract(page(article)) == PARAGRAPHS


def test_video_player_controls_are_furniture() -> None:
    """A video player's labels (quality menu, caption styles, countdown) are not text."""
    player = (
        '<div class="vp-wrap"><div id="main-player" class="video-player">'
        "<div>Auto High (HD) Medium Low</div><div>Captions will look like this</div>"
        "<div>Your video will play in 00:25</div></div></div>"
    )
    assert extract(page(paras(PARAGRAPHS[0]) + player + paras(*PARAGRAPHS[1:]))) == PARAGRAPHS


def test_what_to_read_next_ends_the_article() -> None:
    after = "<p>What to Read Next</p><p>City News</p><p>Harbour Weekly</p>"
    assert extract(page(paras(*PARAGRAPHS) + after)) == PARAGRAPHS


def test_empty_block_inside_a_line_does_not_break_it() -> None:
    """An empty box dropped into a sentence (an ad slot, a browser add-on's badge) leaves the
    sentence whole: its linked words are not cut off as a line of their own."""
    line = (
        '<div>The council approved the <a href="/tram">new tram line</a><div class="slot">'
        "<div></div></div> on Tuesday, ending a debate that had lasted for almost a decade.</div>"
    )
    got = extract(page(line + paras(*PARAGRAPHS[1:])))
    assert got[0] == (
        "The council approved the new tram line on Tuesday, ending a debate that had lasted "
        "for almost a decade."
    )


def test_short_label_lines_closing_the_text_are_dropped() -> None:
    """After the last sentence, a run of short lines without a sentence's end (a widget's
    heading, "Follow us") are labels; a closing line that ends like a sentence stays."""
    labels = "<p>Our Online Games</p><p>Play right from this page</p><p>Follow City News</p>"
    assert extract(page(paras(*PARAGRAPHS) + labels)) == PARAGRAPHS
    signed = paras(*PARAGRAPHS, "Reporting by Jane Doe.")
    assert extract(page(signed))[-1] == "Reporting by Jane Doe."
    chinese = "市议会周二批准了新的有轨电车线路，结束了持续近十年的争论"
    assert extract(page(paras(*PARAGRAPHS, chinese)))[-1] == chinese


def test_gallery_inside_the_article_is_furniture_however_long_its_captions() -> None:
    """A gallery of other pictures in the story: its captions, list items, may weigh as much
    as the story's prose, but do not hold it; the story's own paragraphs stay."""
    items = "".join(f"<li><h3>{n}/4</h3><p>{c}</p></li>" for n, c in enumerate(CAPTIONS[:4], 1))
    gallery = f'<div class="inline-gallery"><ul>{items}</ul></div>'
    story = paras(*PARAGRAPHS) + gallery + paras(*PARAGRAPHS)
    assert extract(page(f'<div class="text">{story}</div>')) == PARAGRAPHS * 2


def test_cross_reference_line_is_a_link_line() -> None:
    """'Main article: X' is links after a label: a pointer elsewhere, like a line of links.
    A line whose label has numbers in it (a date) is not such a label."""
    xref = '<p>Main article: <a href="/trams">Trams in the city</a></p>'
    dated = '<p>2 December 2019: <a href="/tv">Report on the evening news</a></p>'
    got = extract(page(paras(PARAGRAPHS[0]) + xref + dated + paras(*PARAGRAPHS[1:])))
    assert got == [PARAGRAPHS[0], "2 December 2019: Report on the evening news", *PARAGRAPHS[1:]]


LEAD = (
    "The city will have its tram again. After ten years of quarrels, the council has found "
    "the money, and the first line is to open before the next election."
)


def test_lead_in_the_header_above_the_body_is_read() -> None:
    """The opening paragraph in the header, under the headline and the byline, in a box apart
    from the body's: the story's first paragraph. A one-line summary there is not."""
    header = (
        "<header><h1>Council backs tram line</h1><p>By Ann Lee, 3 November 2026</p>"
        f'<div class="intro"><p>{LEAD}</p></div></header>'
    )
    body = f'<div class="share"><a href="#">Share</a></div><div class="text">{paras(*PARAGRAPHS)}</div>'
    assert extract(page(f"<article>{header}{body}</article>")) == [LEAD, *PARAGRAPHS]
    dek = "<header><h1>Council backs tram line</h1><p>The tram is back, the council says.</p></header>"
    assert extract(page(f"<article>{dek}{body}</article>")) == PARAGRAPHS


def test_a_brand_heading_in_the_site_header_is_not_the_headline() -> None:
    """A short <h1> whose words happen to be inside the headline's ("AP" in "Japan") is the
    site's name, not the headline: the promotion under it is not the story's opening."""
    promo = ("Independent journalism since 1887: we are funded by our readers. Support us with"
             " a subscription from one euro a month and read without limits.")
    title = "Japan opens its new tram line"
    html = (f'<html><head><title>x</title></head><body><div id="wrap"><header><h1 class="brand">'
            f'AP</h1><p>{promo}</p></header><div class="story"><h2>{title}</h2>'
            f"{paras(*PARAGRAPHS)}</div></div></body></html>")
    assert extract(html, title=title) == PARAGRAPHS
    # A headline the page's title (or og:title) says at more length is still the headline.
    header = f'<header><h1>Council backs tram line</h1><div class="intro"><p>{LEAD}</p></div></header>'
    body = f'<div class="text">{paras(*PARAGRAPHS)}</div>'
    longer = "Council backs tram line after a decade of quarrels over the old depot"
    assert extract(page(f"<article>{header}{body}</article>", title=longer),
                   title=longer) == [LEAD, *PARAGRAPHS]


def test_a_long_comment_thread_stays_out_of_the_second_look() -> None:
    """Comments many times the post's length: the post holds little of the page's paragraph
    text, so the choice is made again without the unlikely candidates left out; the readers'
    comments stay out of that one too."""
    comment = (
        "<li class=\"comment-{n}\"><p>I tried this for a year, and honestly, it worked, but "
        "only once I had stopped carrying my cards around with me, which took a while, as "
        "anyone who has tried, in a city like this one, will know.</p></li>"
    )
    comments = '<ol class="commentlist">' + "".join(comment.format(n=n) for n in range(40)) + "</ol>"
    article = f'<div class="post"><div class="storycontent">{paras(*PARAGRAPHS * 3)}</div></div>'
    assert extract(page(f'<div class="content">{article}{comments}</div>')) == PARAGRAPHS * 3


def test_a_dialog_over_the_page_is_not_the_article() -> None:
    """A login dialog holding more text than the story (its messages, its help) is not read."""
    messages = "".join(
        f"<p>This e-mail address has no account yet, or the password given is wrong ({n}).</p>"
        for n in range(12)
    )
    for attributes in ('role="dialog"', 'class="x-dialog-login"'):
        dialog = f"<div {attributes}><form>{messages}</form></div>"
        assert extract(page(paras(*PARAGRAPHS), before=dialog)) == PARAGRAPHS


def test_a_list_of_other_stories_does_not_widen_the_choice() -> None:
    """Beside the story, a box of other stories under a "Related" heading, with blurbs: its
    text does not make the box holding both the article."""
    blurbs = "".join(
        f'<div class="item"><p>{t.replace("tram", "bus")}</p><a href="/s{n}">More</a></div>'
        for n, t in enumerate(PARAGRAPHS[:2])
    )
    related = f'<div class="list"><h3>Related stories</h3><h2>Read further</h2>{blurbs}</div>'
    assert extract(page(f'<article class="text">{paras(*PARAGRAPHS)}</article>{related}')) == PARAGRAPHS


def test_a_box_of_the_story_s_metadata_is_not_a_standfirst() -> None:
    meta = ('<div class="metadata"><p>Chat with us on our messenger channel, and find out what is '
            "happening in the world as it unfolds.</p></div>")
    article = f'{meta}<div class="text">{paras(*PARAGRAPHS)}</div>'
    assert extract(page(article)) == PARAGRAPHS


def test_a_what_to_read_next_heading_in_other_languages_ends_the_article() -> None:
    for heading in ("Das könnte Sie auch interessieren!", "Sur le même sujet", "Te puede interesar"):
        after = f"<p>{heading}</p><p>Harbour Weekly: the ferry's last summer, in pictures.</p>"
        assert extract(page(paras(*PARAGRAPHS) + after)) == PARAGRAPHS


def test_a_short_story_beside_teasers_and_a_dialog_is_read_the_same_every_time() -> None:
    """The text set aside (teasers that each end in "Read next", a dialog) is gathered box by
    box: read as one run in a set's order, which changes from one parse to the next, the cut
    after "Read next" dropped the dialog's help, and the dialog became the article."""
    story = ("The council met on Tuesday and agreed, after a short debate, to look again at the"
             " plans for the old tram depot next spring.")
    help_ = "".join(
        f"<p>Forgot your password, or never had one? We send a new one, within minutes, to the"
        f" e-mail address of your account, number {n}, and you can sign in again, at once.</p>"
        for n in range(14))
    teasers = "".join(
        f'<article class="teaser"><h3><a href="/t{n}">Other story {n}</a></h3><p>Short blurb'
        f" of another story number {n} on this site today.</p><p>Read next</p></article>"
        for n in (1, 2))
    html = (f'<article class="main"><h1>Council looks at depot</h1><p>{story}</p>'
            f'<section class="more">{teasers}</section></article>'
            f'<section role="dialog"><div class="form">{help_}</div></section>')
    found = [extract(page(html)) for _ in range(12)]  # each parse: its own order in a set
    assert story in found[0] and not any("password" in line for line in found[0])
    assert all(lines == found[0] for lines in found)
