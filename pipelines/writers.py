"""The run's own outputs: ``articles.jsonl`` and one clean ``.txt`` per article.

Both are :class:`~model.sink.ArticleSink`\\ s, written the same way by the crawl and by
re-extraction (:func:`article_sinks`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

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
        # A name no other process uses: two runs writing the same article never share it.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(article.text + "\n", encoding="utf-8")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def close(self) -> None:
        pass


class JsonLines:
    """The run's ``articles.jsonl``: one article a line, with the path of its text file.

    Each line is written whole, unbuffered, so a crash loses at most the article being written,
    and a failed write (disk full) is cut back off.
    """

    name = "jsonl"

    def __init__(self, layout: RunLayout, path: Path | None = None) -> None:
        self.layout = layout
        self.path = path or layout.articles_path
        self._file: BinaryIO | None = None

    def write(self, article: Article) -> None:
        record = article.to_dict()
        text_path = self.layout.article_text_path(article)
        record["text_path"] = text_path.relative_to(self.layout.data_dir).as_posix()
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab", buffering=0)
        end = self._file.seek(0, os.SEEK_END)
        try:
            view = memoryview(line)
            while view:
                view = view[self._file.write(view) or 0:]
        except OSError:
            self._file.truncate(end)  # whole lines only, even when the disk fills mid-line
            raise

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
