"""Dedupe from the catalog over several nights, written by the real writer: each night's
unchanged page is a revisit of the latest earlier response, found with one catalog query, and a
run the catalog missed (a crash, a data directory older than the catalog) is caught up once."""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.catalog import CATALOG_NAME, Catalog
from archive.catalog_build import add_run, bring_up_to_date
from archive.dedupe import PayloadIndex
from archive.originals import originals_of
from archive.reader import Archive, decoded_body
from archive.records import HttpRequest, HttpResponse, RecordLocation, payload_digest
from archive.warc import RollingWarcWriter
from model.layout import RunLayout
from tests.archive._support import T0, Clock, rows

URL = "https://news.example/2026/01/02/ferry"
PAGES = [b"<p>The ferry leaves at noon.</p>", b"<p>The ferry leaves at dawn.</p>"]


def site_of(url: str) -> str:
    return "example"


def night(data: Path, number: int, body: bytes, killed: str = "") -> RecordLocation:
    """Night ``number``: fetch the page once, stored as a revisit when the catalog says it is
    unchanged; the run's captures go to the catalog when it ends. A run ``killed`` before
    that gets its report from the repair, with an article line naming the page's record if
    ``killed`` is "after the article" (else the crawl died before extracting it)."""
    layout = RunLayout(data, f"night-{number}")
    payloads = PayloadIndex.of_earlier_runs(data)
    writer = RollingWarcWriter(layout.warc_dir, clock=Clock(T0 + timedelta(days=number)))
    request = HttpRequest("GET", "/2026/01/02/ferry", [("Host", "news.example")])
    response = HttpResponse(200, [("Content-Length", str(len(body)))], body)
    earlier = payloads.match(URL, payload_digest(body))
    if earlier is None:
        location = writer.write_exchange(URL, request, response)
    else:
        location = writer.write_revisit(URL, request, response, refers_to_uri=earlier.url,
                                        refers_to_date=earlier.date, refers_to=earlier.record_id)
    writer.close()
    payloads.close()
    report: dict[str, object] = {"run_id": layout.run_id}
    if not killed:
        catalog = Catalog.open(data / CATALOG_NAME)
        add_run(catalog, layout.run_dir, site_of)
        catalog.close()
    else:
        report.update(status="interrupted", repair={"warcs_closed": 1})
    if killed == "after the article":
        layout.articles_path.write_text(json.dumps({
            "url": URL, "warc_filename": location.filename, "warc_offset": location.offset}) + "\n")
    layout.report_path.write_text(json.dumps(report))
    return location


def test_revisits_refer_to_the_latest_response_never_to_a_revisit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    one = night(data, 1, PAGES[0])
    two, three = night(data, 2, PAGES[0]), night(data, 3, PAGES[0])
    four = night(data, 4, PAGES[1])  # changed: stored whole
    five = night(data, 5, PAGES[1])
    archive = Archive.open(data / "runs")
    records = {r.location.record_id: r for r in archive.responses()}
    assert [records[loc.record_id].record_type for loc in (one, two, three, four, five)] == [
        "response", "revisit", "revisit", "response", "revisit"]
    refers = {r.location.record_id: r for r in archive.responses(resolve=False)}
    assert refers[two.record_id].body == b""  # unresolved, as the catalog reads a run
    for revisit, original in ((two, one), (three, one), (five, four)):
        # The reader resolves each revisit to the very response the catalog named.
        assert decoded_body(records[revisit.record_id]) == decoded_body(
            records[original.record_id])
    catalog = Catalog.open_readonly(data / CATALOG_NAME)
    latest = catalog.latest_response(URL)
    assert latest is not None and latest.record_id == four.record_id
    assert catalog.runs() == {f"night-{n}" for n in range(1, 6)}
    catalog.close()


def test_the_revisits_name_their_original_exactly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    one = night(data, 1, PAGES[0])
    night(data, 2, PAGES[0])
    three = night(data, 3, PAGES[0])
    warcs = sorted((data / "runs" / "night-3" / "warc").glob("*.warc.gz"))
    with warcs[0].open("rb") as fh:
        revisit = next(r for r in ArchiveIterator(fh) if r.rec_type == "revisit")
        headers = dict(revisit.rec_headers.headers)
    assert headers["WARC-Record-ID"] == three.record_id
    assert headers["WARC-Refers-To"] == one.record_id
    assert headers["WARC-Refers-To-Date"] == (T0 + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_run_the_catalog_missed_is_caught_up_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    night(data, 1, PAGES[0])
    (data / CATALOG_NAME).unlink()  # a data directory from before the catalog
    for suffix in ("-wal", "-shm"):
        (data / (CATALOG_NAME + suffix)).unlink(missing_ok=True)
    two = night(data, 2, PAGES[0])  # builds it, once, and dedupes against night 1
    kinds = {r.location.record_id: r.record_type
             for r in Archive.open(data / "runs").responses(resolve=False)}
    assert kinds[two.record_id] == "revisit"
    catalog = Catalog.open_readonly(data / CATALOG_NAME)
    assert catalog.runs() == {"night-1", "night-2"}
    catalog.close()
    # A killed run: its captures never reached the catalog; once repaired (it has its report),
    # the next start adds them, and only them.
    three = night(data, 3, PAGES[1], killed="after the article")
    assert bring_up_to_date(data, site_of) == 1
    assert bring_up_to_date(data, site_of) == 0
    payloads = PayloadIndex.of_earlier_runs(data)
    assert payloads.match(URL, payload_digest(PAGES[0])) is None  # changed on night 3
    found = payloads.match(URL, payload_digest(PAGES[1]))
    payloads.close()
    assert found is not None and found.record_id == three.record_id
    # Killed before its page gave an article: left out, so that the page is fetched again.
    night(data, 4, PAGES[0], killed="before the article")
    assert bring_up_to_date(data, site_of) == 1
    catalog = Catalog.open_readonly(data / CATALOG_NAME)
    latest = catalog.latest_response(URL)
    assert latest is not None and latest.record_id == three.record_id
    assert "night-4" in catalog.runs()
    catalog.close()
    # A run still being written (no report yet) is not caught up.
    (data / "runs" / "night-9" / "warc").mkdir(parents=True)
    assert bring_up_to_date(data, site_of) == 0


def test_a_catalog_from_before_record_ids_is_upgraded_and_refilled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    night(data, 1, PAGES[0])
    path = data / CATALOG_NAME
    db = sqlite3.connect(path)  # the first catalogs' captures: no record type, id or length
    db.executescript("DROP TABLE captures; DROP TABLE catalogued_runs; CREATE TABLE captures ("
                     "warc_filename TEXT NOT NULL, warc_offset INTEGER NOT NULL, run_id TEXT,"
                     " url TEXT, site TEXT, date TEXT, status INTEGER, payload_digest TEXT,"
                     " etag TEXT, last_modified TEXT, PRIMARY KEY (warc_filename, warc_offset));"
                     " INSERT INTO captures VALUES ('w', 0, 'night-1', 'u', NULL, 'd', 200, NULL,"
                     " NULL, NULL);")
    db.close()
    assert bring_up_to_date(data, site_of) == 1
    catalog = Catalog.open_readonly(path)
    latest = catalog.latest_response(URL)
    assert latest is not None and latest.run_id == "night-1" and latest.warc_length
    assert [row[0] for row in rows(catalog, "captures")] != ["w"]
    catalog.close()


def test_a_wacz_gets_its_originals_from_the_catalog(tmp_path: Path) -> None:
    data = tmp_path / "data"
    one = night(data, 1, PAGES[0])
    night(data, 2, PAGES[0])
    lines = Archive.open(data / "runs" / "night-2").index_lines()
    holder, originals = originals_of(lines, data)
    assert [(c.filename, c.offset) for c in originals] == [(one.filename, one.offset)]
    assert holder.size == 0  # read from its own WARC, not from an index of every run
    record = gzip.decompress(holder.raw_record(originals[0]))
    assert f"WARC-Record-ID: {one.record_id}".encode() in record
