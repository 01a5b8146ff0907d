"""Charset and markup robustness: wrong or missing charset declarations, deep nesting, entities
in titles. The pages are written here, by hand."""

from __future__ import annotations

import pytest

from pipelines._html import decode, parse
from pipelines.extraction import extract

RUSSIAN = (
    "Городской совет утвердил новую трамвайную линию во вторник, завершив спор, который "
    "длился почти десять лет и разделял две крупнейшие партии города."
)
JAPANESE = (
    "市議会は火曜日、新しい路面電車の路線を承認した。十年近く続いた議論に決着がつき、"
    "建設は来年の春に始まる予定で、最初の電車は二〇二八年に走る見込みだという。"
)
CHINESE = (
    "市议会周二批准了新的有轨电车线路，结束了持续近十年的争论。根据交通部门的说法，"
    "工程预计明年春天开工，首批电车将于二零二八年投入运营，时间表将于六月公布。"
)


def page(text: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<html><head>{meta}<title>Council backs tram line</title></head><body>"
            f"<article><p>{text}</p><p>{text}</p></article></body></html>")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(RUSSIAN, "windows-1251"), (JAPANESE, "shift_jis"), (CHINESE, "gb2312")],
)
def test_page_declared_utf8_but_encoded_otherwise(text: str, encoding: str) -> None:
    html = page(text, "utf-8").encode(encoding)
    assert text in decode(html)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(RUSSIAN, "windows-1251"), (JAPANESE, "shift_jis"), (CHINESE, "gb2312"), (RUSSIAN, "utf-8")],
)
def test_page_without_declaration(text: str, encoding: str) -> None:
    html = page(text, None).encode(encoding)
    assert text in extract("https://example.org/tram", html).text


@pytest.mark.parametrize("declared", ["gb2312", "shift_jis", "windows-1251", "iso-8859-1"])
def test_page_written_in_utf8_but_declared_otherwise(declared: str) -> None:
    """GB18030 and single-byte charsets decode any bytes, into mojibake, without an error:
    bytes that are valid UTF-8 (beyond ASCII) are UTF-8, whatever the template declares."""
    for text in (CHINESE, RUSSIAN):
        html = page(text, declared).encode("utf-8")
        assert text in decode(html)
        assert text in decode(html, f"text/html; charset={declared}")


def test_declared_charset_is_kept_when_it_decodes() -> None:
    html = page(RUSSIAN, "windows-1251").encode("windows-1251")
    assert RUSSIAN in decode(html)
    # The HTTP header wins over the page's own <meta>, as in browsers.
    assert RUSSIAN in decode(page(RUSSIAN, "iso-8859-1").encode("koi8-r"), "text/html; charset=koi8-r")


def test_a_few_bad_bytes_dont_change_the_charset() -> None:
    html = page("Zürich’s council backs the tram line, after a decade of debate.", "utf-8")
    data = html.encode("utf-8").replace(b"</body>", b"\xff\xfe</body>")
    assert "Zürich’s council" in decode(data)


def test_nesting_deeper_than_libxml2s_default_limit_loses_no_text() -> None:
    deep = "<div>" * 600 + "<p>The deepest paragraph of the page, which must not be lost.</p>" + "</div>" * 600
    html = f"<html><body>{deep}<p>A paragraph after the deep part.</p></body></html>"
    text = parse(html).text_content()
    assert "The deepest paragraph" in text
    assert "A paragraph after the deep part." in text
    paragraph = ("The council approved the new tram line on Tuesday, ending a debate that had "
                 "lasted for almost a decade and divided the city's two largest parties. ")
    article = "<div>" * 2000 + f"<p>{paragraph * 3}</p>" * 3 + "</div>" * 2000
    assert paragraph.strip() in extract("https://example.org/deep", f"<html><body>{article}</body></html>").text


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Caf&amp;eacute; owners &amp;amp; the tram">',
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Caf&eacute; owners &amp; the tram"}</script>',
        "<title>Caf&amp;eacute; owners &amp;amp; the tram</title>",
    ],
)
def test_title_entities_are_decoded(head: str) -> None:
    html = f"<html><head>{head}</head><body><p>Text.</p></body></html>"
    assert extract("https://example.org/cafe", html).title == "Café owners & the tram"
