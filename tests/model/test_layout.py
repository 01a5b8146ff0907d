"""File names for article text: safe whatever the URL holds, unique per URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.layout import RunLayout, article_file_name

HOSTILE = [
    "https://evil.example/../../etc/passwd",
    "https://evil.example/%2e%2e/%2e%2e/x",
    "https://evil.example/a/b/..%2F..%2Fsecret.html",
    "https://evil.example/\x00nul",
    "https://evil.example/" + "a" * 5000,
    "https://evil.example/CON",
    "https://evil.example/",
    "https://evil.example/тест/статья-про-ёлку.html",
    "https://evil.example/a?b=../../c",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_file_names_are_safe(url: str, tmp_path: Path) -> None:
    layout = RunLayout(tmp_path, "run")
    path = layout.text_path("../site", "../../day", url)
    name = path.name
    assert path.resolve().is_relative_to(layout.text_dir.resolve())
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert len(name.encode()) <= 100
    assert name.endswith(".txt")
    # A name that can really be created.
    path.parent.mkdir(parents=True)
    path.write_text("x")


def test_names_are_readable_and_unique() -> None:
    first = article_file_name("https://www.dw.com/en/kim-trump-meet-in-vietnam/a-47712345")
    assert first.startswith("a-47712345-")
    assert article_file_name("https://news.cgtn.com/news/2019-03-01/Trump-Kim/index.html").startswith("trump-kim-")
    assert article_file_name("https://x.example/a?id=1") != article_file_name("https://x.example/a?id=2")


def test_run_id_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="run id"):
        RunLayout(tmp_path, "../escape")
