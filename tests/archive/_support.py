"""A small run written by the real WARC writer, and the third-party archive tools to check it with.

The run has two closed WARC files: an article fetched twice (gzip-encoded, as servers send it),
a second article with non-ASCII text, a 404 and a redirect, and a metadata record (the extracted
article as JSON) after each article's response, as the crawl writes them.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.records import HttpRequest, HttpResponse, RecordLocation, article_uri
from archive.warc import RollingWarcWriter
from model.layout import RunLayout
from tests.fixtures.process import stop_process

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ALPHA = "https://news.example/2026/01/02/alpha"
BETA = "https://news.example/2026/01/02/beta"
MISSING = "https://news.example/missing"
OLD = "http://news.example/alpha"
RUN_ID = "run-1"

# Where `make install` puts pywb and py-wacz: a venv of their own, because pywb's dependency
# brotlipy installs a `brotli` package that shadows the Brotli module Scrapy decodes with.
TOOLS_ENV = "NEWSARCHIVE_ARCHIVE_TOOLS"
TOOLS_DIR = Path(sys.prefix) / "tools" / "bin"


class Clock:
    """A clock the test sets: every record written gets the time it shows."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Capture:
    url: str
    moment: datetime
    status: int
    body: bytes  # as the server meant it, before any Content-Encoding
    location: RecordLocation

    @property
    def timestamp(self) -> str:
        return self.moment.strftime("%Y%m%d%H%M%S")


@dataclass
class SampleRun:
    layout: RunLayout
    warcs: list[Path] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)
    metadata: list[tuple[str, datetime, RecordLocation]] = field(default_factory=list)
    articles: list[dict[str, object]] = field(default_factory=list)

    def capture(self, url: str, moment: datetime) -> Capture:
        return next(c for c in self.captures if c.url == url and c.moment == moment)


def html(title: str, text: str) -> bytes:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    return page.encode("utf-8")


def write_sample_run(data_dir: Path) -> SampleRun:
    run = SampleRun(RunLayout(data_dir, RUN_ID))
    clock = Clock(T0)
    counter = itertools.count()
    writer = RollingWarcWriter(
        run.layout.warc_dir,
        prefix="test",
        info={"hostname": "testhost", "isPartOf": RUN_ID},
        clock=clock,
        make_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
    )

    def fetch(
        url: str,
        moment: datetime,
        status: int,
        body: bytes,
        headers: list[tuple[str, str]],
        encode: bool = False,
    ) -> Capture:
        clock.moment = moment
        wire = gzip.compress(body, mtime=0) if encode else body
        if encode:
            headers = [*headers, ("Content-Encoding", "gzip")]
        headers = [*headers, ("Content-Length", str(len(wire)))]
        path = url.split("/", 3)[3] if url.count("/") > 2 else ""
        location = writer.write_exchange(
            url,
            HttpRequest("GET", "/" + path, [("Host", "news.example"), ("Accept-Encoding", "gzip")]),
            HttpResponse(status, headers, wire),
        )
        capture = Capture(url, moment, status, body, location)
        run.captures.append(capture)
        return capture

    def article(capture: Capture, title: str, text: str) -> None:
        record = {
            "url": capture.url,
            "canonical_url": capture.url,
            "site": "example",
            "title": title,
            "text": text,
            "published": None,
            "authors": [],
            "language": "en",
            "word_count": len(text.split()),
            "sha256": "",
            "fetched": capture.moment.isoformat(),
            "warc_filename": capture.location.filename,
            "warc_offset": capture.location.offset,
            "warc_record_id": capture.location.record_id,
            "text_path": None,
        }
        clock.moment = capture.moment + timedelta(seconds=3)  # extraction takes a moment
        payload = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        meta = writer.write_metadata(article_uri(capture.url), payload, concurrent_to=capture.location.record_id)
        run.metadata.append((capture.url, clock.moment, meta))
        run.articles.append(record)

    page = [("Content-Type", "text/html; charset=utf-8")]
    first = fetch(ALPHA, T0, 200, html("Alpha", "First version."), page, encode=True)
    article(first, "Alpha", "First version.")
    fetch(OLD, T0 + timedelta(seconds=10), 301, b"", [("Location", ALPHA)])
    fetch(MISSING, T0 + timedelta(seconds=11), 404, b"gone\n", [("Content-Type", "text/plain")])
    writer.close()

    beta = fetch(
        BETA,
        T0 + timedelta(minutes=5),
        200,
        html("Hà Nội", "Tin tức — hôm nay."),
        page,
        encode=True,
    )
    article(beta, "Hà Nội", "Tin tức — hôm nay.")
    second = fetch(
        ALPHA, T0 + timedelta(hours=1), 200, html("Alpha", "Second version."), page, encode=True
    )
    article(second, "Alpha", "Second version.")
    writer.close()

    run.warcs = list(writer.closed_files)
    with run.layout.articles_path.open("w", encoding="utf-8") as fh:
        for record in run.articles:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return run


def archive_tool(name: str) -> Path:
    """A command of the archive tools' venv (pywb, py-wacz), which `make install` creates."""
    folder = Path(os.environ[TOOLS_ENV]) if os.environ.get(TOOLS_ENV) else TOOLS_DIR
    tool = folder / name
    if not tool.exists():
        message = (
            f"{tool} not found: install pywb and wacz in their own venv "
            f"(`make install`), or point {TOOLS_ENV} at the bin/ folder of one"
        )
        pytest.fail(message)
    return tool


@contextlib.contextmanager
def url_server(command: list[str], log_path: Path, what: str,
               cwd: Path | None = None) -> Iterator[str]:
    """Run a server that prints its URL as its first line, until the block ends; give the URL.
    Its stderr goes to ``log_path``, shown if it does not start."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=log, text=True)
    assert server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        if not url:
            server.wait(timeout=30)
            pytest.fail(f"{what} did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        yield url
    finally:
        stop_process(server, timeout=15)
        server.stdout.close()


def rows(catalog: Catalog, table: str) -> list[tuple[Any, ...]]:
    """Every row of a catalog's table but its row ids, sorted: for comparing two catalogs."""
    columns = {"captures": "*", "urls": "*", "versions":
               "url, version, site, canonical_url, title, published, language, sha256, text,"
               " run_id, fetched, warc_filename, warc_offset, text_path"}[table]
    sql = f"SELECT {columns} FROM {table}"
    return sorted(catalog.connection.execute(sql).fetchall(), key=repr)
