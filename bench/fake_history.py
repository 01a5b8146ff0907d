"""A year of nightly runs, faked quickly, as the crawl would have left them in a data directory.

Night 1 is written through the archive's own writer and indexer: ``--urls`` pages of
``bench.example``, as responses. Every later night holds a revisit of night 1's response for each
page (an unchanged site), filled into a record template like the writer's (warcio takes about
1 ms a record on this machine, half an hour for a year; this takes minutes), with its CDXJ index,
its ``report.json``, and the catalog rows the crawl adds when a run ends. No WACZ packages and no
article texts: nothing at the start of a night reads them.
"""

from __future__ import annotations

import functools
import gzip
import json
import random
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.catalog import CATALOG_NAME, Catalog
from archive.cdxj import index_path, write_index
from archive.lookup import url_key
from archive.records import HttpRequest, HttpResponse, RecordLocation, payload_digest, warc_date
from archive.warc import RollingWarcWriter
from bench.nights import HOST, article
from tests.fixtures.server import transfer_mode

FIRST_NIGHT = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
REVISIT = ("WARC/1.1\r\nWARC-Type: revisit\r\nWARC-Record-ID: {id}\r\nWARC-Target-URI: {url}\r\n"
           "WARC-Date: {date}\r\nWARC-Warcinfo-ID: {info}\r\nWARC-Profile: " + PROFILE + "\r\n"
           "WARC-Refers-To-Target-URI: {url}\r\nWARC-Refers-To-Date: {first}\r\n"
           "WARC-Refers-To: {ref}\r\nWARC-Payload-Digest: {digest}\r\n"
           "Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n"
           "\r\n{http}\r\n\r\n")
WARCINFO = ("WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: {id}\r\nWARC-Date: {date}\r\n"
            "WARC-Filename: {name}\r\nContent-Type: application/warc-fields\r\n"
            "Content-Length: {length}\r\n\r\n{body}\r\n\r\n")


def page_url(number: int) -> str:
    return f"http://{HOST}/news/{number}.html"


@functools.cache
def page_key(number: int) -> str:
    return url_key(page_url(number))


@functools.cache
def page_body(number: int) -> bytes:
    return article(number, 1, random.Random(number)).encode("utf-8")


@functools.cache
def payload(number: int) -> tuple[bytes, list[tuple[str, str]]]:
    """The page's payload and headers as the fixture server sends it (gzipped, for most
    paths), so that a crawl of that server finds the pages unchanged."""
    body, headers = page_body(number), [("Content-Type", "text/html; charset=utf-8")]
    if transfer_mode(f"/news/{number}.html")[0]:
        body, headers = gzip.compress(body, mtime=0), [*headers, ("Content-Encoding", "gzip")]
    return body, [*headers, ("Content-Length", str(len(body)))]


def gzip_member(text: str) -> bytes:
    # A small window and little memory: 30 µs a record where the defaults took 500.
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + 9, 1)
    return packer.compress(text.encode("utf-8")) + packer.flush()


@dataclass(frozen=True)
class Record:
    url: str
    location: RecordLocation
    digest: str


def first_night(data: Path, urls: int, catalog: Catalog) -> dict[int, Record]:
    """Night 1 through the archive's writer and indexer, as the crawl writes it."""
    originals = {}
    with RollingWarcWriter(data / "runs" / "night-001" / "warc", clock=lambda: FIRST_NIGHT,
                           on_close=write_index) as writer:
        for number in range(urls):
            body, head = payload(number)
            request = HttpRequest("GET", f"/news/{number}.html", [("Host", HOST)], b"")
            location = writer.write_exchange(page_url(number), request,
                                             HttpResponse(200, head, body))
            originals[number] = Record(page_url(number), location, payload_digest(body))
    add_rows(catalog, "night-001", FIRST_NIGHT, "response", originals.values())
    return originals


def later_night(data: Path, night: int, catalog: Catalog, originals: dict[int, Record]) -> None:
    """Night ``night``: every page unchanged, a revisit of night 1's response."""
    run_id, moment = f"night-{night:03d}", FIRST_NIGHT + timedelta(days=night - 1)
    date, first = warc_date(moment), warc_date(FIRST_NIGHT)
    name = f"newsarchive-{moment:%Y%m%d%H%M%S%f}"[:29] + "-00001.warc.gz"
    warc = data / "runs" / run_id / "warc" / name
    warc.parent.mkdir(parents=True)
    info, fields = f"<urn:uuid:{uuid.uuid4()}>", f"isPartOf: {run_id}\r\n"
    members = [gzip_member(WARCINFO.format(id=info, date=date, name=name, length=len(fields),
                                           body=fields))]
    offset, lines, written = len(members[0]), [], []
    for number, original in originals.items():
        url = page_url(number)
        head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in payload(number)[1])
        head += "\r\n"
        record_id = f"<urn:uuid:{uuid.uuid4()}>"
        member = gzip_member(REVISIT.format(
            id=record_id, url=url, date=date, info=info, first=first, digest=original.digest,
            ref=original.location.record_id, length=len(head.encode()), http=head))
        written.append(Record(url, RecordLocation(name, offset, len(member), record_id),
                              original.digest))
        lines.append(f"{page_key(number)} {moment:%Y%m%d%H%M%S} " + json.dumps({
            "url": url, "mime": "warc/revisit", "status": "200", "digest": original.digest,
            "length": str(len(member)), "offset": str(offset), "filename": name}))
        members.append(member)
        offset += len(member)
    warc.write_bytes(b"".join(members))
    index_path(warc).write_text("".join(line + "\n" for line in sorted(lines)))
    add_rows(catalog, run_id, moment, "revisit", written)


def add_rows(catalog: Catalog, run_id: str, moment: datetime, kind: str,
             records: Iterable[Record]) -> None:
    """The catalog rows and the report the crawl would have written when the run ended."""
    count = 0
    with catalog.transaction():
        for record in records:
            catalog.add_capture({
                "warc_filename": record.location.filename, "warc_offset": record.location.offset,
                "run_id": run_id, "url": record.url, "site": "bench", "date": warc_date(moment),
                "status": 200, "payload_digest": record.digest, "record_type": kind,
                "record_id": record.location.record_id, "warc_date": warc_date(moment),
                "warc_length": record.location.length})
            count += 1
        catalog.add_run(run_id, count)
    (catalog.path.parent / "runs" / run_id / "report.json").write_text(json.dumps(
        {"run_id": run_id, "status": "ok", "sites": {}, "archive": {"files": []}}))


def fake_history(data: Path, runs: int, urls: int) -> None:
    """``runs`` nights of ``urls`` pages each into the data directory ``data``."""
    catalog = Catalog.open(data / CATALOG_NAME)
    try:
        originals = first_night(data, urls, catalog)
        for night in range(2, runs + 1):
            later_night(data, night, catalog, originals)
        catalog.refresh_urls()
        catalog.checkpoint()
    finally:
        catalog.close()
