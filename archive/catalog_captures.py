"""The catalog's captures as an index of the archive's records, per URL.

Dedupe (:mod:`archive.dedupe`) asks it for the latest earlier response of a URL, and WACZ packing
(:mod:`archive.originals`) for the response a revisit refers to: each one indexed query on
``captures (url, date)``, whose cost does not grow with the number of runs, where reading every
run's CDXJ at the start of each night did (17.5 s after a year of nightly 3,000-page runs).

So that the catalog can answer for every record, each capture row names its record exactly (type,
``WARC-Record-ID``, ``WARC-Date`` as written, length), and ``catalogued_runs`` lists the runs
whose captures are all in: a run is added when it ends, or at a later start if it was not (a crash,
the catalog off, a data directory older than the catalog): :func:`archive.catalog_build.catch_up`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

CAPTURE_COLUMNS = (
    "warc_filename",
    "warc_offset",
    "run_id",
    "url",
    "site",
    "date",
    "status",
    "payload_digest",
    "etag",
    "last_modified",
    "record_type",
    "record_id",
    "warc_date",
    "warc_length",
)
# Added to the captures of the first catalogs: their rows are dropped and read again from the
# WARCs (the runs table starts empty, so every run is caught up once).
_RECORD_COLUMNS = {
    "record_type": "TEXT",
    "record_id": "TEXT",
    "warc_date": "TEXT",
    "warc_length": "INTEGER",
}


@dataclass(frozen=True)
class StoredCapture:
    """A response record in the archive, as the catalog knows it."""

    url: str
    run_id: str
    warc_filename: str
    warc_offset: int
    warc_length: int | None
    record_id: str
    warc_date: str  # exactly as written
    date: str  # ISO 8601, UTC, microseconds: what captures are ordered by
    status: int
    payload_digest: str | None


_STORED = (
    "SELECT url, run_id, warc_filename, warc_offset, warc_length, record_id, warc_date,"
    " date, status, payload_digest FROM captures"
)
_LATEST = " ORDER BY date DESC, warc_filename DESC, warc_offset DESC LIMIT 1"


def upgrade(db: sqlite3.Connection) -> None:
    """Give a catalog written before captures named their records the columns it lacks."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(captures)")}
    if not columns or _RECORD_COLUMNS.keys() <= columns:
        return  # a new catalog, or one up to date
    db.execute("BEGIN")
    for name, kind in _RECORD_COLUMNS.items():
        if name not in columns:
            db.execute(f"ALTER TABLE captures ADD COLUMN {name} {kind}")
    db.execute("DELETE FROM captures")
    db.execute("DROP TABLE IF EXISTS catalogued_runs")
    db.execute("COMMIT")


def latest_response(db: sqlite3.Connection, url: str) -> StoredCapture | None:
    """The latest 200 response record of exactly ``url`` (never a revisit)."""
    row = db.execute(
        f"{_STORED} WHERE url = ? AND status = 200 AND record_type = 'response'{_LATEST}", (url,)
    ).fetchone()
    return StoredCapture(*row) if row else None


def original(db: sqlite3.Connection, url: str, digest: str, until: str) -> StoredCapture | None:
    """The latest response record of ``url`` with this payload, dated ``until`` or before."""
    row = db.execute(
        f"{_STORED} WHERE url = ? AND payload_digest = ? AND date <= ?"
        f" AND record_type = 'response'{_LATEST}",
        (url, digest, until),
    ).fetchone()
    return StoredCapture(*row) if row else None


def capture_row(capture: dict[str, object]) -> dict[str, object]:
    """A capture as the columns want it: names missing are NULL, the type ``response``."""
    row = {name: capture.get(name) for name in CAPTURE_COLUMNS}
    row["record_type"] = row["record_type"] or "response"
    return row


# The urls table, recomputed from captures and versions (the same whatever order they came in),
# for every URL or only those ``scope`` names.
def refresh_sql(scope: str | None) -> str:
    where = f"WHERE url IN ({scope})" if scope else ""
    also = f"AND url IN ({scope})" if scope else ""
    return f"""
WITH seen AS (
    SELECT url, MIN(date) AS first_seen, MAX(date) AS last_seen,
           MAX(CASE WHEN status IN (200, 304) THEN date END) AS last_checked, MAX(site) AS site
    FROM captures {where} GROUP BY url
), latest AS (
    SELECT url, status, ROW_NUMBER() OVER (
        PARTITION BY url ORDER BY date DESC, warc_filename DESC, warc_offset DESC) AS n
    FROM captures {where}
), ok AS (
    SELECT url, etag, last_modified, payload_digest, ROW_NUMBER() OVER (
        PARTITION BY url ORDER BY date DESC, warc_filename DESC, warc_offset DESC) AS n
    FROM captures WHERE status = 200 {also}
), text AS (
    SELECT url, site, canonical_url, sha256, COUNT(*) OVER (PARTITION BY url) AS versions,
           ROW_NUMBER() OVER (PARTITION BY url ORDER BY version DESC) AS n
    FROM versions {where}
)
INSERT INTO urls
SELECT s.url, COALESCE(t.site, s.site), t.canonical_url, s.first_seen, s.last_seen, l.status,
       s.last_checked, o.etag, o.last_modified, o.payload_digest, t.sha256,
       COALESCE(t.versions, 0)
FROM seen AS s
JOIN latest AS l ON l.url = s.url AND l.n = 1
LEFT JOIN ok AS o ON o.url = s.url AND o.n = 1
LEFT JOIN text AS t ON t.url = s.url AND t.n = 1
"""
