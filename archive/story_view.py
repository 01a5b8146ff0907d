"""Reading story threads back: a thread's articles on a timeline, with copies and quotes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from archive.story_store import StoryStore


@dataclass
class Member:
    url: str
    site: str | None
    day: str
    title: str | None
    copy_of: tuple[str, float] | None = None  # (original URL, containment)
    quotes: list[tuple[str, str | None]] = field(default_factory=list)  # (outlet, its site)


@dataclass
class Thread:
    story: str
    first_day: str
    last_day: str
    title: str | None
    members: list[Member]

    @property
    def sites(self) -> list[str]:
        return sorted({m.site or "unknown" for m in self.members})

    def quoted(self) -> list[tuple[Member, str, Member | None]]:
        """(quoting article, outlet, the thread's article from that outlet, if it has one)."""
        found = []
        for member in self.members:
            for outlet, site in member.quotes:
                source = next((m for m in self.members if site and m.site == site), None)
                found.append((member, outlet, source))
        return found


def threads(
    store: StoryStore, since: str | None = None, site: str | None = None, min_size: int = 1,
    limit: int | None = None,
) -> list[Thread]:
    """Threads whose last day is ``since`` or later, with an article of ``site``, of at least
    ``min_size`` articles, latest first."""
    if not store.has_tables():
        return []
    rows = store.db.execute(
        "SELECT id FROM stories AS s WHERE size >= :size AND (:since IS NULL OR last_day >= :since)"
        " AND (:site IS NULL OR EXISTS (SELECT 1 FROM story_members AS m"
        " WHERE m.story = s.id AND m.site = :site))"
        " ORDER BY last_day DESC, size DESC, id LIMIT :limit",
        {"size": min_size, "since": since, "site": site, "limit": limit or -1}).fetchall()
    return [t for (story,) in rows if (t := thread(store, story)) is not None]


def thread(store: StoryStore, story: str) -> Thread | None:
    db = store.db
    head = db.execute("SELECT first_day, last_day, title FROM stories WHERE id = ?",
                      (story,)).fetchone()
    if head is None:
        return None
    members = [Member(url, site, day, title) for url, site, day, title in db.execute(
        "SELECT m.url, m.site, m.day, (SELECT title FROM versions WHERE url = m.url"
        " ORDER BY version DESC LIMIT 1) FROM story_members AS m WHERE m.story = ?"
        " ORDER BY m.day, m.url", (story,))]
    by_url = {m.url: m for m in members}
    marks = ",".join("?" * len(by_url))
    for url, original, share in db.execute(
            f"SELECT url, original, containment FROM story_copies WHERE url IN ({marks})"
            " ORDER BY containment", list(by_url)):
        by_url[url].copy_of = (original, share)
    for url, outlet, site in db.execute(
            f"SELECT url, outlet, site FROM story_quotes WHERE url IN ({marks}) ORDER BY outlet",
            list(by_url)):
        by_url[url].quotes.append((outlet, site))
    return Thread(story, head[0], head[1], head[2], members)


def story_of(store: StoryStore, url: str) -> str | None:
    try:
        return store.story_of(url) if store.has_tables() else None
    except sqlite3.Error:
        return None
