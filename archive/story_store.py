"""Story threads in the catalog: the tables, and the indexed look-ups a night's assignment makes.

    stories        one row per thread: its first and last day, size, first title
    story_members  article (URL) -> thread, with its site, day and when it joined
    story_terms    a thread's summed term counts (its heaviest :data:`CENTRE_TERMS`), with the
                   thread's last day: indexed by (term, last_day), so an article reads only
                   threads active in its window
    story_df       per term, how many articles have it (the IDF of the TF-IDF weights);
                   ``story_meta`` holds the number of articles
    story_bands    per article, its MinHash's LSH band keys, indexed: candidate copies are
                   the articles sharing a band key, found without reading the others
    story_copies   article -> the earlier article it copies, with the share of its shingles
                   found there (containment)
    story_quotes   article -> an outlet it quotes, the outlet's site if it is one of ours,
                   and the sentence

Every look-up goes through an index keyed by the article's own terms or band keys, so assigning
a night costs in proportion to the night, not to the archive.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

WINDOW_DAYS = 3  # a thread takes articles dated up to this many days after its last one

CENTRE_TERMS = 60  # a thread keeps its heaviest terms only: comparing one costs the same always
COMMON_KEY = 100  # articles sharing one LSH band key, past which the key is a stock phrase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY, first_day TEXT NOT NULL, last_day TEXT NOT NULL,
    size INTEGER NOT NULL, title TEXT
);
CREATE INDEX IF NOT EXISTS stories_by_last_day ON stories (last_day);
CREATE TABLE IF NOT EXISTS story_members (
    url TEXT PRIMARY KEY, story TEXT NOT NULL, site TEXT, day TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_members_by_story ON story_members (story, day);
CREATE TABLE IF NOT EXISTS story_terms (
    story TEXT NOT NULL, term TEXT NOT NULL, weight REAL NOT NULL, last_day TEXT NOT NULL,
    PRIMARY KEY (story, term)
);
CREATE INDEX IF NOT EXISTS story_terms_by_term ON story_terms (term, last_day);
CREATE TABLE IF NOT EXISTS story_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS story_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS story_bands (
    band INTEGER NOT NULL, key INTEGER NOT NULL, url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_bands_by_key ON story_bands (band, key);
CREATE TABLE IF NOT EXISTS story_copies (
    url TEXT NOT NULL, original TEXT NOT NULL, containment REAL NOT NULL,
    PRIMARY KEY (url, original)
);
CREATE INDEX IF NOT EXISTS story_copies_by_original ON story_copies (original);
CREATE TABLE IF NOT EXISTS story_quotes (
    url TEXT NOT NULL, outlet TEXT NOT NULL, site TEXT, sentence TEXT NOT NULL,
    PRIMARY KEY (url, outlet)
);
"""


class StoryStore:
    """The story tables of one catalog connection."""

    def __init__(self, db: sqlite3.Connection, create: bool = True) -> None:
        self.db = db
        if create:
            db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (or the one already open on the connection)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def has_tables(self) -> bool:
        return (
            self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'story_members'").fetchone()
            is not None
        )

    # Assignment ------------------------------------------------------------------------------

    def story_of(self, url: str) -> str | None:
        row = self.db.execute("SELECT story FROM story_members WHERE url = ?", (url,)).fetchone()
        return str(row[0]) if row else None

    def count_terms(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """Add one article with these terms to the document frequencies; the frequencies of
        its terms and the number of articles, it included."""
        terms = list(terms)
        self.db.executemany(
            "INSERT INTO story_df VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1",
            [(t,) for t in terms])
        self.db.execute("INSERT INTO story_meta VALUES ('documents', 1)"
                        " ON CONFLICT (key) DO UPDATE SET value = value + 1")
        return self.frequencies(terms)

    def frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """The document frequencies of ``terms`` (at least 1), and the number of articles."""
        terms = list(terms)
        found = dict.fromkeys(terms, 1)
        for chunk in _chunks(terms):
            found.update(self.db.execute(
                f"SELECT term, df FROM story_df WHERE term IN ({_marks(chunk)})", chunk))
        row = self.db.execute("SELECT value FROM story_meta WHERE key = 'documents'").fetchone()
        return found, int(row[0]) if row else 0

    def active_stories(self, terms: list[str], since: str, until: str) -> list[str]:
        """The threads holding any of ``terms`` whose days overlap [since, until]."""
        return [story for (story,) in self.db.execute(
            "SELECT s.id FROM stories AS s WHERE s.id IN (SELECT story FROM story_terms"
            f" WHERE term IN ({_marks(terms)}) AND last_day >= ?) AND s.first_day <= ?",
            [*terms, since, until])]

    def terms_of(self, stories: list[str]) -> list[tuple[str, str, float, int]]:
        """(story, term, count, the term's document frequency) of every term each of
        ``stories`` keeps: one indexed read, not a second look-up of the frequencies."""
        if not stories:
            return []
        return self.db.execute(
            "SELECT t.story, t.term, t.weight, COALESCE(d.df, 1) FROM story_terms AS t"
            f" LEFT JOIN story_df AS d ON d.term = t.term WHERE t.story IN ({_marks(stories)})",
            stories).fetchall()

    def join(
        self, url: str, story: str, member: dict[str, Any], terms: dict[str, float],
        title: str | None,
    ) -> None:
        """Add ``url`` to ``story`` (opened if new), its term counts to the thread's, of which
        the thread keeps the heaviest :data:`CENTRE_TERMS`."""
        day = member["day"]
        self.db.execute(
            "INSERT INTO stories VALUES (?, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET"
            " first_day = MIN(first_day, excluded.first_day),"
            " last_day = MAX(last_day, excluded.last_day), size = size + 1",
            (story, day, day, title))
        last_day = self.db.execute(
            "SELECT last_day FROM stories WHERE id = ?", (story,)).fetchone()[0]
        self.db.execute("UPDATE story_terms SET last_day = ? WHERE story = ? AND last_day < ?",
                        (last_day, story, last_day))
        self.db.executemany(
            "INSERT INTO story_terms VALUES (?, ?, ?, ?) ON CONFLICT (story, term)"
            " DO UPDATE SET weight = weight + excluded.weight",
            [(story, t, w, last_day) for t, w in terms.items()])
        self.db.execute(
            "DELETE FROM story_terms WHERE story = ? AND term NOT IN (SELECT term FROM"
            " story_terms WHERE story = ? ORDER BY weight DESC, term LIMIT ?)",
            (story, story, CENTRE_TERMS))
        self.db.execute("INSERT INTO story_members VALUES (?, ?, ?, ?, ?)",
                        (url, story, member.get("site"), day, member["joined_at"]))

    def band_matches(self, keys: list[tuple[int, int]], least: int = 2, most: int = 10) -> set[str]:
        """Articles sharing at least ``least`` LSH band keys with these, the ``most`` that share
        the most: text that merely shares the site's turns of phrase stays out of the check.
        A key more than :data:`COMMON_KEY` articles share is a stock phrase, not a copy, and is
        left out: reading it whole would cost in proportion to the archive."""
        if not keys:
            return set()
        read = " UNION ALL ".join(
            ["SELECT * FROM (SELECT band, url FROM story_bands WHERE band = ? AND key = ?"
             " LIMIT ?)"] * len(keys))
        rows: dict[int, list[str]] = {}  # per band (an article has one key in each)
        parameters = [v for band, key in keys for v in (band, key, COMMON_KEY + 1)]
        for band, url in self.db.execute(read, parameters):
            rows.setdefault(band, []).append(url)
        shared: dict[str, int] = {}
        for urls in rows.values():
            if len(urls) <= COMMON_KEY:
                for url in urls:
                    shared[url] = shared.get(url, 0) + 1
        ranked = sorted((-n, url) for url, n in shared.items() if n >= least)
        return {url for _, url in ranked[:most]}

    def add_bands(self, url: str, keys: list[tuple[int, int]]) -> None:
        self.db.executemany(
            "INSERT INTO story_bands VALUES (?, ?, ?)", [(band, key, url) for band, key in keys]
        )

    def banded_sample(
        self, bands: int, limit: int = 5
    ) -> list[tuple[list[str], set[tuple[int, int]]]]:
        """(its texts, its band keys) of the first ``limit`` articles given band keys (which
        an article gets all at once, ``bands`` rows one after another), read from the head of the
        table, a cost that does not grow with it. Every text of the URL: a crawl makes the keys
        of its first, a rebuild of its latest."""
        keys: dict[str, set[tuple[int, int]]] = {}
        for url, band, key in self.db.execute(
                "SELECT url, band, key FROM story_bands ORDER BY rowid LIMIT ?",
                ((limit + 1) * bands,)):
            keys.setdefault(url, set()).add((band, key))
        whole = list(keys)[:limit] if len(keys) > limit else list(keys)
        return [([text for (text,) in self.db.execute(
            "SELECT text FROM versions WHERE url = ?", (url,))], keys[url]) for url in whole]

    def add_copy(self, url: str, original: str, containment: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO story_copies VALUES (?, ?, ?)",
            (url, original, round(containment, 4)),
        )

    def add_quote(self, url: str, outlet: str, site: str | None, sentence: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO story_quotes VALUES (?, ?, ?, ?)", (url, outlet, site, sentence)
        )

    def load(
        self,
        threads: Iterable[tuple[str, str, str, int, str | None, dict[str, float]]],
        members: Iterable[tuple[str, str, str | None, str, str]],
        bands: Iterable[tuple[int, int, str]],
        df: dict[str, int],
        documents: int,
    ) -> None:
        """Insert archived threads in bulk, in the rows :meth:`join`, :meth:`add_bands` and
        :meth:`count_terms` leave: threads as (id, first day, last day, size, title, kept term
        counts), members as (url, story, site, day, joined at), bands as (band, key, url), the
        document frequencies and the number of articles (for a benchmark's archive)."""
        with self.transaction():
            for story, first, last, size, title, terms in threads:
                self.db.execute("INSERT INTO stories VALUES (?, ?, ?, ?, ?)",
                                (story, first, last, size, title))
                self.db.executemany("INSERT INTO story_terms VALUES (?, ?, ?, ?)",
                                    [(story, t, w, last) for t, w in terms.items()])
            self.db.executemany("INSERT INTO story_members VALUES (?, ?, ?, ?, ?)", members)
            self.db.executemany("INSERT INTO story_bands VALUES (?, ?, ?)", bands)
            self.db.executemany("INSERT INTO story_df VALUES (?, ?) ON CONFLICT (term)"
                                " DO UPDATE SET df = df + excluded.df", df.items())
            self.db.execute("INSERT INTO story_meta VALUES ('documents', ?) ON CONFLICT (key)"
                            " DO UPDATE SET value = value + excluded.value", (documents,))

    def member(self, url: str) -> tuple[str, str | None, str, str] | None:
        """(story, site, day, text) of an assigned article, its latest text."""
        row = self.db.execute(
            "SELECT m.story, m.site, m.day, v.text FROM story_members AS m"
            " JOIN versions AS v ON v.url = m.url WHERE m.url = ?"
            " ORDER BY v.version DESC LIMIT 1",
            (url,),
        ).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def unassigned(self) -> Iterator[dict[str, Any]]:
        """The latest text of every URL not in a thread yet, oldest first."""
        yield from (
            dict(
                zip(
                    ("url", "site", "title", "text", "published", "fetched", "run_id"),
                    row,
                    strict=True,
                )
            )
            for row in self.db.execute(
                "SELECT v.url, v.site, v.title, v.text, v.published, v.fetched, v.run_id"
                " FROM versions AS v LEFT JOIN story_members AS m ON m.url = v.url"
                " WHERE m.url IS NULL AND v.version ="
                " (SELECT MAX(version) FROM versions WHERE url = v.url)"
                " ORDER BY COALESCE(v.published, v.fetched), v.fetched, v.url"
            ).fetchall()
        )


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: list[Any]) -> str:
    return ",".join("?" * len(items))
