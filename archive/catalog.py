"""The catalog: what the archive holds, per URL, in one SQLite file (``<data>/catalog.sqlite``).

    captures   every HTTP response archived (revisits and 304s included): its run, WARC file,
               offset and length, record type and id, date, status, payload digest, ETag and
               Last-Modified (:mod:`archive.catalog_captures`: the per-URL lookups of dedupe and
               packing)
    catalogued_runs  the runs whose captures are all in
    versions   each distinct text of an article, in order (1, 2, ...), with its metadata and the
               run that first archived it; ``versions_fts`` indexes title and text (FTS5)
    urls       per URL, derived from both: site, canonical URL, first and last seen, last checked
               (latest 200 or 304), the validators and payload digest of the latest 200, the
               sha256 of the latest text and the number of versions

It is an index, never the record: the WARCs and each run's ``articles.jsonl`` are, and
:func:`archive.catalog_build.rebuild` makes the same catalog from them. The crawl adds versions as
articles are written (:class:`CatalogSink`) and a run's captures when the run ends; ``urls`` is
recomputed from the other two (:meth:`Catalog.refresh_urls`), so the order in which rows arrive
does not matter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import catalog_captures
from archive.catalog_captures import StoredCapture

CATALOG_NAME = "catalog.sqlite"
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    warc_filename TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    site TEXT,
    date TEXT NOT NULL,
    status INTEGER NOT NULL,
    payload_digest TEXT,
    etag TEXT,
    last_modified TEXT,
    record_type TEXT,
    record_id TEXT,
    warc_date TEXT,
    warc_length INTEGER,
    PRIMARY KEY (warc_filename, warc_offset)
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url, date);
CREATE INDEX IF NOT EXISTS responses_by_url ON captures (url, date) WHERE record_type = 'response';
CREATE TABLE IF NOT EXISTS catalogued_runs (run_id TEXT PRIMARY KEY, captures INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    site TEXT,
    canonical_url TEXT,
    title TEXT,
    published TEXT,
    language TEXT,
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL,
    run_id TEXT NOT NULL,
    fetched TEXT,
    warc_filename TEXT,
    warc_offset INTEGER,
    text_path TEXT,
    UNIQUE (url, version)
);
CREATE VIRTUAL TABLE IF NOT EXISTS versions_fts USING fts5(
    title, text, content='versions', content_rowid='id', tokenize='unicode61'
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT,
    canonical_url TEXT,
    first_seen TEXT,
    last_seen TEXT,
    last_status INTEGER,
    last_checked TEXT,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    text_sha256 TEXT,
    versions INTEGER NOT NULL
);
"""


class CatalogError(Exception):
    """The catalog could not be opened or written."""


@dataclass(frozen=True)
class KnownPage:
    """What the catalog knows of an archived article: enough to ask the server if it changed."""

    url: str
    last_checked: str | None  # ISO 8601 of the latest 200 or 304
    etag: str | None
    last_modified: str | None
    versions: int


@dataclass(frozen=True)
class Hit:
    """One archived version matching a search."""

    title: str | None
    published: str | None
    site: str | None
    url: str
    version: int
    language: str | None
    snippet: str


class Catalog:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Catalog:
        """Open (or create) the catalog at ``path``, in WAL mode."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            catalog_captures.upgrade(db)
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as exc:
            raise CatalogError(f"cannot open the catalog {path}: {exc}") from exc
        return cls(db, path)

    @classmethod
    def open_readonly(cls, path: Path) -> Catalog:
        """Open an existing catalog for reading only: a crawl may be writing it meanwhile. One
        older than this schema is upgraded first (a read-only connection cannot add tables)."""
        try:
            db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                db.close()
                cls.open(path).close()
                db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=30)
            db.execute("SELECT 1 FROM versions LIMIT 1")
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot read the catalog {path}: {exc}") from exc
        return cls(db, Path(path))

    def latest_texts(self) -> Iterator[tuple[str, str, str]]:
        """(site, language, text) of the latest version of every URL's text."""
        yield from self._db.execute(
            "SELECT COALESCE(site, 'unknown'), COALESCE(NULLIF(language, ''), 'und'), text"
            " FROM versions AS v WHERE version ="
            " (SELECT MAX(version) FROM versions WHERE url = v.url)")

    def sizes(self) -> tuple[int, int]:
        """How many URLs and text versions the catalog holds."""
        urls = self._db.execute("SELECT COUNT(*) FROM urls").fetchone()[0]
        versions = self._db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        return int(urls), int(versions)

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for the tables kept beside these (:mod:`archive.story_store`)."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file."""
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Writing ---------------------------------------------------------------------------------

    def add_capture(self, capture: Mapping[str, Any]) -> None:
        """One archived response (keys as the ``captures`` columns); a capture already there
        (same file and offset) is left as it is."""
        columns = catalog_captures.CAPTURE_COLUMNS
        self._db.execute(
            f"INSERT OR IGNORE INTO captures ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})",
            catalog_captures.capture_row(dict(capture)))

    def add_run(self, run_id: str, captures: int) -> None:
        """Note that every capture of the run is in."""
        self._db.execute("INSERT OR REPLACE INTO catalogued_runs VALUES (?, ?)", (run_id, captures))

    def runs(self) -> set[str]:
        """The runs whose captures are all in."""
        return {row[0] for row in self._db.execute("SELECT run_id FROM catalogued_runs")}

    def add_version(self, article: Mapping[str, Any], run_id: str) -> bool:
        """An article as in ``articles.jsonl`` (with its ``version``); False if that version of
        that URL is already in (the same text archived again)."""
        row = {key: article.get(key) for key in (
            "url", "site", "canonical_url", "title", "published", "language", "sha256", "text",
            "fetched", "warc_filename", "warc_offset", "text_path")}
        row.update(version=int(article.get("version") or 1), run_id=run_id)
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO versions (url, version, site, canonical_url, title, published,"
            " language, sha256, text, run_id, fetched, warc_filename, warc_offset, text_path)"
            " VALUES (:url, :version, :site, :canonical_url, :title, :published, :language,"
            " :sha256, :text, :run_id, :fetched, :warc_filename, :warc_offset, :text_path)", row)
        if cursor.rowcount != 1:
            return False
        self._db.execute("INSERT INTO versions_fts (rowid, title, text) VALUES (?, ?, ?)",
                         (cursor.lastrowid, row["title"] or "", row["text"] or ""))
        return True

    def refresh_urls(self, urls: Iterable[str] | None = None) -> None:
        """Recompute the ``urls`` table from captures and versions: every URL, or only ``urls``
        (those of the run just added, so that a night's cost does not grow with the archive)."""
        with self.transaction():
            if urls is None:
                self._db.execute("DELETE FROM urls")
                self._db.execute(catalog_captures.refresh_sql(None))
                return
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS scope (url TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM temp.scope")
            self._db.executemany("INSERT OR IGNORE INTO temp.scope VALUES (?)",
                                 ((url,) for url in urls))
            scope = "SELECT url FROM temp.scope"
            self._db.execute(f"DELETE FROM urls WHERE url IN ({scope})")
            self._db.execute(catalog_captures.refresh_sql(scope))

    # Reading ---------------------------------------------------------------------------------

    def known(self, url: str) -> KnownPage | None:
        """The URL if the archive holds a page from it (a 200, whether or not it gave a text),
        or its latest answer was that it is gone (404, 410); else None."""
        row = self._db.execute(
            "SELECT url, last_checked, etag, last_modified, versions FROM urls WHERE url = ?"
            " AND (payload_digest IS NOT NULL OR last_status IN (404, 410))", (url,)).fetchone()
        return KnownPage(*row) if row else None

    def latest_response(self, url: str) -> StoredCapture | None:
        """The latest 200 response record of ``url`` (never a revisit), if any."""
        return catalog_captures.latest_response(self._db, url)

    def original(self, url: str, digest: str, until: str) -> StoredCapture | None:
        """The latest response record of ``url`` with payload ``digest``, dated ``until`` (ISO
        8601, UTC) or before: the original a revisit refers to."""
        return catalog_captures.original(self._db, url, digest, until)

    def next_version(self, url: str, sha256: str) -> tuple[int, str]:
        """The version a text fetched from ``url`` is, and whether it is ``new`` (the URL's
        first), ``changed`` (differs from the latest) or ``unchanged`` (the latest again)."""
        row = self._db.execute(
            "SELECT version, sha256 FROM versions WHERE url = ? ORDER BY version DESC LIMIT 1",
            (url,)).fetchone()
        if row is None:
            return 1, "new"
        latest, latest_sha = int(row[0]), row[1]
        return (latest, "unchanged") if latest_sha == sha256 else (latest + 1, "changed")

    def search(
        self, query: str, site: str | None = None, since: str | None = None,
        language: str | None = None, limit: int = 20,
    ) -> list[Hit]:
        """Archived versions matching ``query`` (FTS5 syntax, else its words), best first."""
        sql = (
            "SELECT v.title, v.published, v.site, v.url, v.version, v.language,"
            " snippet(versions_fts, 1, '[', ']', ' ... ', 16)"
            " FROM versions_fts JOIN versions AS v ON v.id = versions_fts.rowid"
            " WHERE versions_fts MATCH :query"
            " AND (:site IS NULL OR v.site = :site)"
            " AND (:since IS NULL OR COALESCE(v.published, v.fetched) >= :since)"
            " AND (:language IS NULL OR v.language = :language)"
            " ORDER BY bm25(versions_fts), v.url, v.version LIMIT :limit")
        params = {"site": site, "since": since, "language": language, "limit": limit}
        try:
            rows = self._db.execute(sql, {**params, "query": query}).fetchall()
        except sqlite3.OperationalError:  # not FTS5 syntax: every word, as typed
            words = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
            rows = self._db.execute(sql, {**params, "query": words or '""'}).fetchall()
        return [Hit(*row) for row in rows]
