"""The run's own outputs: ``articles.jsonl`` and one clean ``.txt`` per article.

Both are :class:`~model.sink.ArticleSink`\\ s, written the same way by the crawl and by
re-extraction (:func:`article_sinks`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from model.article import Article
from model.layout import RunLayout
from model.sink import ArticleSink


def article_sinks(layout: RunLayout, jsonl_path: Path | None = None) -> list[ArticleSink]:
    """The outputs every run writes: the text files, then the JSON line that points at them."""
    return [TextFiles(layout), JsonLines(layout, jsonl_path)]


class TextFiles:
    """One ``.txt`` per article under ``<data>/text/<site>/<day>/``.

    Written to a temporary name and renamed, so no reader sees half a file.
    """

    name = "text"

    def __init__(self, layout: RunLayout) -> None:
        self.layout = layout

    def write(self, article: Article) -> None:
        path = self.layout.article_text_path(article)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(article.text + "\n", encoding="utf-8")
        os.replace(temporary, path)

    def close(self) -> None:
        pass


class JsonLines:
    """The run's ``articles.jsonl``: one article a line, with the path of its text file.

    Each line is flushed as written, so a crash loses at most the article being written.
    """

    name = "jsonl"

    def __init__(self, layout: RunLayout, path: Path | None = None) -> None:
        self.layout = layout
        self.path = path or layout.articles_path
        self._file: IO[str] | None = None

    def write(self, article: Article) -> None:
        record = article.to_dict()
        text_path = self.layout.article_text_path(article)
        record["text_path"] = text_path.relative_to(self.layout.data_dir).as_posix()
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
