"""Writing articles out: ``articles.jsonl`` for the run and one ``.txt`` per article."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import IO

from model.article import Article
from model.layout import RunLayout

logger = logging.getLogger(__name__)


class ArticleWriter:
    """Append articles to the run's JSON Lines file and write their clean text.

    Each JSON line is flushed as written, so a crash loses at most the article being written.
    Text files are written to a temporary name and renamed, so no reader sees half a file.
    """

    def __init__(self, layout: RunLayout, jsonl_path: Path | None = None) -> None:
        self.layout = layout
        self.jsonl_path = jsonl_path or layout.articles_path
        self._jsonl: IO[str] | None = None
        self.written = 0

    def write(self, article: Article) -> Path:
        day = (article.published or article.fetched or "")[:10] or None
        path = self.layout.text_path(article.site, day, article.url)
        _write_atomically(path, article.text + "\n")
        record = article.to_dict()
        record["text_path"] = path.relative_to(self.layout.data_dir).as_posix()
        jsonl = self._open()
        jsonl.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        jsonl.flush()
        self.written += 1
        return path

    def close(self) -> None:
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None

    def _open(self) -> IO[str]:
        if self._jsonl is None:
            self.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
            self._jsonl = self.jsonl_path.open("a", encoding="utf-8")
        return self._jsonl


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
