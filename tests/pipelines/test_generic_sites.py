"""Generic extraction (no site rules) on hand-written pages of sites nobody tuned for: the
article wins over a longer list of dated teasers, a cookie banner and a long sidebar, and the
date is the article's."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.extraction import extract

FETCHED = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
ARTICLE = [
    "The regional assembly on Thursday adopted a plan to rebuild the northern harbour, which "
    "was badly damaged by storms two winters ago and has been closed to larger ships since.",
    "Work on the breakwater will start in May, the assembly said, and the first berths should "
    "reopen to cargo ships by the end of next year, ahead of the fishing season.",
    "The plan, estimated at 240 million, will be paid for by the region, the national "
    "government and a loan from a development bank, according to the finance committee.",
    "Fishermen, who have had to land their catch at a port forty kilometres away, welcomed the "
    "decision but asked that smaller boats be allowed back into the inner basin sooner.",
    "Environmental groups said they would watch the dredging closely, since the bay is home to "
    "seagrass meadows that shelter young fish and were spared by the storms.",
    "The assembly will vote on the detailed budget in June, after a public consultation that "
    "opens next week in the town hall and online.",
]
TEASER = "Delegation of the ministry of culture visits the provincial museum of natural history"


def article_html(date_line: str = "2026-03-12") -> str:
    return (
        '<div class="article"><h1>Assembly adopts plan to rebuild the northern harbour</h1>'
        f'<p class="date">{date_line}</p>'
        + "".join(f"<p>{p}</p>" for p in ARTICLE)
        + "</div>"
    )


def teaser_list(count: int = 20) -> str:
    items = "".join(
        f'<li><a href="/news/{n}.html">{TEASER}, part {n}</a> '
        f'<span class="date">2026-02-{n:02d}</span></li>'
        for n in range(1, count + 1)
    )
    return f'<div class="more"><h3>More From Home News</h3><ul>{items}</ul></div>'


def words(text: str) -> int:
    return len(text.split())


def test_article_followed_by_a_longer_list_of_dated_teasers() -> None:
    html = (
        "<html><head><title>Assembly adopts plan to rebuild the northern harbour</title></head>"
        f"<body><div class='main'>{article_html()}{teaser_list()}</div></body></html>"
    )
    assert words(teaser_list()) > words(" ".join(ARTICLE))  # the list is the longer text
    article = extract("https://news.example.org/article/2026/harbour.html", html, fetched=FETCHED)
    assert article.text.split("\n\n") == ARTICLE
    assert TEASER not in article.text
    assert article.published == "2026-03-12"


def test_cookie_banner_is_not_the_article() -> None:
    banner = (
        '<div id="consent"><p>This website uses cookies to improve your experience, to show '
        "personalised content and ads, and to analyse our traffic. We also share information "
        "about your use of our site with our advertising and analytics partners, who may combine "
        "it with other information you have provided to them.</p>"
        '<p><a href="/privacy">Read More</a> <button>Accept</button></p></div>'
    )
    html = (
        "<html><head><title>Assembly adopts plan</title></head><body>"
        f"{banner}<main>{article_html()}</main></body></html>"
    )
    article = extract("https://blog.example.org/harbour", html, fetched=FETCHED)
    assert article.text.split("\n\n") == ARTICLE
    assert "cookies" not in article.text


def test_long_sidebar_is_not_the_article() -> None:
    entries = "".join(
        f"<li><h4><a href='/p/{n}'>Opinion: why the old harbour still matters, part {n}</a></h4>"
        f"<p>A look back at the years when the harbour was the heart of the town, the fish "
        f"market and the ferries, and what we lost, chapter {n}.</p></li>"
        for n in range(30)
    )
    html = (
        "<html><head><title>Assembly adopts plan</title></head><body>"
        f"<div class='wrap'><div class='col-main'>{article_html()}</div>"
        f"<div class='col-side'><h3>From our columnists</h3><ul>{entries}</ul></div></div>"
        "</body></html>"
    )
    article = extract("https://paper.example.org/harbour", html, fetched=FETCHED)
    assert article.text.split("\n\n") == ARTICLE
    assert "columnists" not in article.text and "old harbour still matters" not in article.text
