"""The start of a night after a year of nights: night 366 against night 2.

    bench/history.py [--runs 365] [--urls 3000] [--articles 50] [--keep DIR]

A year of nightly runs is faked quickly, with the archive's own writer rather than 365 crawls:
each run one WARC (indexed as the crawl indexes it) of ``--urls`` pages of ``bench.example``,
night 1 as responses and every later night as revisits of night 1's (a few pages changed each
night, stored whole), a ``report.json``, and the catalog rows the crawl would have added when
the run ended (no WACZ packages and no article texts: nothing at the start of a night reads
them). One data directory gets night 1 alone, another all ``--runs`` nights. Then a small
loopback site (``--articles`` of the same pages, served by tests/fixtures/server.py) is crawled
into each as a whole ``newsarchive crawl`` process (incremental off, so that every page is
fetched and looked up for dedupe): night 2, and night ``runs + 1``.

Printed: the history's size and how long faking it took; for each night the time from process
start to the site's first request, and the night's wall time; the ratios of the later night to
night 2 (target: about 1); and, for scale, what the start used to cost: reading every run's CDXJ
(``Archive.open`` of ``runs/``), timed here in this process.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from the repository root: make the repository importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.catalog import CATALOG_NAME, Catalog  # noqa: E402
from archive.cdxj import index_path, write_index  # noqa: E402
from archive.lookup import url_key  # noqa: E402
from archive.reader import Archive  # noqa: E402
from archive.records import (  # noqa: E402
    HttpRequest,
    HttpResponse,
    RecordLocation,
    payload_digest,
    warc_date,
)
from archive.warc import RollingWarcWriter  # noqa: E402
from bench.nights import HOST, SITE, article  # noqa: E402
from tests.fixtures.process import FixtureServer  # noqa: E402

FIRST_NIGHT = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# A revisit record as the writer writes it (archive/warc.py), filled in: 1 ms a record through
# warcio on this machine would take half an hour for a year; this takes about a minute.
REVISIT = (
    "WARC/1.1\r\nWARC-Type: revisit\r\nWARC-Record-ID: {id}\r\nWARC-Target-URI: {url}\r\n"
    "WARC-Date: {date}\r\nWARC-Warcinfo-ID: {info}\r\nWARC-Profile: " + PROFILE + "\r\n"
    "WARC-Refers-To-Target-URI: {url}\r\nWARC-Refers-To-Date: {first}\r\n"
    "WARC-Refers-To: {ref}\r\nWARC-Payload-Digest: {digest}\r\n"
    "Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n"
    "\r\n{http}\r\n\r\n"
)
WARCINFO = (
    "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: {id}\r\nWARC-Date: {date}\r\n"
    "WARC-Filename: {name}\r\nContent-Type: application/warc-fields\r\n"
    "Content-Length: {length}\r\n\r\n{body}\r\n\r\n"
)


def page_url(number: int) -> str:
    return f"http://{HOST}/news/{number}.html"


@functools.cache
def page_key(number: int) -> str:
    return url_key(page_url(number))


@functools.cache
def page_body(number: int) -> bytes:
    return article(number, 1, random.Random(number)).encode("utf-8")


def http_head(body: bytes) -> str:
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )


def gzip_member(text: str) -> bytes:
    # A small window and little memory: 30 µs a record where the defaults took 500.
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + 9, 1)
    return packer.compress(text.encode("utf-8")) + packer.flush()


@dataclass(frozen=True)
class Original:
    url: str
    location: RecordLocation
    digest: str


def first_night(data: Path, urls: int, catalog: Catalog) -> dict[int, Original]:
    """Night 1 through the archive's writer and indexer, as the crawl writes it."""
    run_dir = data / "runs" / "night-001"
    originals = {}
    with RollingWarcWriter(
        run_dir / "warc", clock=lambda: FIRST_NIGHT, on_close=write_index
    ) as writer:
        for number in range(urls):
            body = page_body(number)
            request = HttpRequest("GET", f"/news/{number}.html", [("Host", HOST)], b"")
            head = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
            location = writer.write_exchange(
                page_url(number), request, HttpResponse(200, head, body)
            )
            originals[number] = Original(page_url(number), location, payload_digest(body))
    add_rows(catalog, "night-001", FIRST_NIGHT, "response", originals.values(), urls)
    return originals


def later_night(data: Path, night: int, catalog: Catalog, originals: dict[int, Original]) -> None:
    """Night ``night``: every page unchanged, a revisit of night 1's response."""
    run_id, moment = f"night-{night:03d}", FIRST_NIGHT + timedelta(days=night - 1)
    date, first = warc_date(moment), warc_date(FIRST_NIGHT)
    name = f"newsarchive-{moment:%Y%m%d%H%M%S%f}"[:29] + "-00001.warc.gz"
    warc = data / "runs" / run_id / "warc" / name
    warc.parent.mkdir(parents=True)
    info_id = f"<urn:uuid:{uuid.uuid4()}>"
    fields = f"isPartOf: {run_id}\r\n"
    members = [
        gzip_member(
            WARCINFO.format(id=info_id, date=date, name=name, length=len(fields), body=fields)
        )
    ]
    offset, lines, written = len(members[0]), [], []
    for number, original in originals.items():
        url, head = page_url(number), http_head(page_body(number))
        record_id = f"<urn:uuid:{uuid.uuid4()}>"
        member = gzip_member(
            REVISIT.format(
                id=record_id,
                url=url,
                date=date,
                info=info_id,
                first=first,
                digest=original.digest,
                ref=original.location.record_id,
                length=len(head.encode()),
                http=head,
            )
        )
        location = RecordLocation(name, offset, len(member), record_id)
        written.append(Original(url, location, original.digest))
        lines.append(
            f"{page_key(number)} {moment:%Y%m%d%H%M%S} "
            + json.dumps(
                {
                    "url": url,
                    "mime": "warc/revisit",
                    "status": "200",
                    "digest": original.digest,
                    "length": str(len(member)),
                    "offset": str(offset),
                    "filename": name,
                }
            )
        )
        members.append(member)
        offset += len(member)
    warc.write_bytes(b"".join(members))
    index_path(warc).write_text("".join(line + "\n" for line in sorted(lines)))
    add_rows(catalog, run_id, moment, "revisit", written, len(written))


def add_rows(
    catalog: Catalog,
    run_id: str,
    moment: datetime,
    kind: str,
    records: Iterable[Original],
    count: int,
) -> None:
    """The catalog rows and report the crawl would have written when the run ended."""
    with catalog.transaction():
        for record in records:
            catalog.add_capture(
                {
                    "warc_filename": record.location.filename,
                    "warc_offset": record.location.offset,
                    "run_id": run_id,
                    "url": record.url,
                    "site": "bench",
                    "date": warc_date(moment),
                    "status": 200,
                    "payload_digest": record.digest,
                    "record_type": kind,
                    "record_id": record.location.record_id,
                    "warc_date": warc_date(moment),
                    "warc_length": record.location.length,
                }
            )
        catalog.add_run(run_id, count)
    (catalog.path.parent / "runs" / run_id / "report.json").write_text(
        json.dumps({"run_id": run_id, "status": "ok", "sites": {}, "archive": {"files": []}})
    )


def fake_history(data: Path, runs: int, urls: int) -> None:
    catalog = Catalog.open(data / CATALOG_NAME)
    try:
        originals = first_night(data, urls, catalog)
        for night in range(2, runs + 1):
            later_night(data, night, catalog, originals)
        catalog.refresh_urls()
        catalog.checkpoint()
    finally:
        catalog.close()


def night(
    server: FixtureServer,
    data: Path,
    sites: Path,
    log: Path,
    run_id: str,
) -> tuple[float, float, dict[str, object]]:
    """(seconds to the first request, wall seconds, the run's stats) of one crawl."""
    before = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsarchive",
            "crawl",
            "bench",
            "--data",
            str(data),
            "--sites",
            str(sites),
            "--proxy",
            server.proxy,
            "--delay-scale",
            "0",
            "--run-id",
            run_id,
            "--set",
            "INCREMENTAL_ENABLED=false",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = None
    while process.poll() is None:
        if first is None and log.exists() and log.stat().st_size > before:
            first = time.perf_counter() - started
        time.sleep(0.002)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"the crawl of {run_id} exited {process.returncode}")
    report = json.loads((data / "runs" / run_id / "report.json").read_text())
    return first if first is not None else wall, wall, report.get("stats", {})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=365, help="nights of history (default 365)")
    parser.add_argument("--urls", type=int, default=3000, help="pages per night (default 3000)")
    parser.add_argument("--articles", type=int, default=50, help="pages the measured nights fetch")
    parser.add_argument("--keep", type=Path, help="fake the history here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        web, log, sites = root / "web", root / "sent.jsonl", root / "bench.toml"
        one, year = root / "one-night", root / "year"
        started = time.perf_counter()
        fake_history(one, 1, args.urls)
        fake_history(year, args.runs, args.urls)
        faked = time.perf_counter() - started
        records = sum(1 for _ in (year / "runs").glob("*/warc/*.warc.gz"))
        sites.write_text(SITE)
        (web / HOST / "news").mkdir(parents=True, exist_ok=True)
        links = "".join(f"<li><a href='/news/{n}.html'>{n}</a></li>" for n in range(args.articles))
        (web / HOST / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
        for n in range(args.articles):
            (web / HOST / "news" / f"{n}.html").write_bytes(page_body(n))
        with FixtureServer(web, log) as server:
            two = night(server, one, sites, log, "night-002")
            later = night(server, year, sites, log, f"night-{args.runs + 1:03d}")
        reading = time.perf_counter()
        lines = Archive.open(year / "runs").size
        reading = time.perf_counter() - reading
    print(
        f"history: {args.runs} runs x {args.urls} pages ({records} WARC files), faked in"
        f" {faked:.1f} s"
    )
    for name, (first, wall, stats) in (("night 2", two), (f"night {args.runs + 1}", later)):
        print(
            f"{name:>9}: first request after {first:6.2f} s, night {wall:6.2f} s"
            f" ({stats.get('archive/revisits', 0)} revisits of"
            f" {stats.get('archive/responses', 0)} responses)"
        )
    print(
        f"night {args.runs + 1} / night 2: start {later[0] / two[0]:.3f},"
        f" night {later[1] / two[1]:.3f}"
    )
    print(f"for scale, the old start: reading every run's CDXJ ({lines} lines) {reading:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
