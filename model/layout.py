"""Where a run's files go under the data directory.

    <data>/runs/<run_id>/warc/*.warc.gz     the archive, as received
    <data>/runs/<run_id>/articles.jsonl     one Article per line
    <data>/runs/<run_id>/report.json        what the run did and what failed
    <data>/runs/<run_id>/crawl.log
    <data>/text/<site>/<YYYY-MM-DD>/<name>.txt   clean text, by publication date
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from model.article import Article

_UNSAFE = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 80
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def new_run_id(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class RunLayout:
    data_dir: Path
    run_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if not _RUN_ID.match(self.run_id):
            raise ValueError(f"run id {self.run_id!r} must be letters, digits, '.', '_' or '-'")

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "runs" / self.run_id

    @property
    def warc_dir(self) -> Path:
        return self.run_dir / "warc"

    @property
    def articles_path(self) -> Path:
        return self.run_dir / "articles.jsonl"

    @property
    def report_path(self) -> Path:
        return self.run_dir / "report.json"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "crawl.log"

    @property
    def text_dir(self) -> Path:
        return self.data_dir / "text"

    def article_text_path(self, article: Article) -> Path:
        """Where an article's clean text goes: by site and publication (else capture) day."""
        day = (article.published or article.fetched or "")[:10] or None
        return self.text_path(article.site, day, article.url, article.version)

    def text_path(self, site: str | None, day: str | None, url: str, version: int = 1) -> Path:
        """A file name for an article's text that nothing in the URL can subvert."""
        folder = day if day and _DAY.match(day) else "undated"
        name = article_file_name(url, version)
        return self.text_dir / safe_name(site or "unknown") / folder / name


def article_file_name(url: str, version: int = 1) -> str:
    """``<slug>-<hash>.txt``: readable, filesystem-safe, and unique per URL; a later version of
    the text goes beside the first, as ``<slug>-<hash>.v2.txt``."""
    path = unquote(urlsplit(url).path)
    segments = [s for s in path.split("/") if s and s not in ("index.html", "index.htm")]
    last = segments[-1] if segments else ""
    last = re.sub(r"\.(html?|php|aspx?|kcmsf)$", "", last, flags=re.I)
    slug = safe_name(last)[:_SLUG_MAX].strip("-") or "article"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}.txt" if version <= 1 else f"{slug}-{digest}.v{version}.txt"


def safe_name(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-") or "x"
