"""End to end: the WARC holds each exchange as it went over the wire.

A crawl with the real Scrapy downloader, our recording handler and WARC extension, through the
raw-socket fixture server (:mod:`tests.fixtures.wire_server`) as HTTP proxy (http://) and CONNECT
tunnel (https://), compared with the server's log of the exact bytes it received and sent.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.records import split_head
from tests.fixtures.wire_server import CASES, LIMIT

ROOT = Path(__file__).resolve().parents[2]
WARCIO = str(Path(sys.executable).with_name("warcio"))
# Repeats of keep-alive cases, so that connections carry several exchanges.
PATHS = [p for p in CASES if p != "/robots.txt"] + ["/gzip?again=1", "/odd?again=1"]
URLS = [f"{scheme}://wire.test{path}" for scheme in ("http", "https") for path in PATHS]
CUT = {"/big": "length", "/big-chunked": "length", "/short": "disconnect"}


@dataclass
class Record:
    headers: dict[str, str]
    block: bytes  # the HTTP head and body as stored


@dataclass
class WireCrawl:
    log: list[dict[str, Any]]
    records: dict[tuple[str, str], Record]  # (WARC-Type, target URI)
    warcs: list[Path]
    report: dict[str, Any]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("wire") / "wire.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.wire_server", "--log", str(log)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:"), "wire server printed no URL"
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def run_crawl(tmp: Path, log: Path, urls: list[str], host: str, *options: str) -> WireCrawl:
    """Crawl ``urls`` as the listings of one site on ``host``; return the server log and WARCs."""
    config = tmp / "wire.toml"
    config.write_text(
        f'name = "wire"\nhosts = ["{host}"]\n'
        "[politeness]\ndownload_delay = 0\nconcurrency = 2\n"
        f"[start]\nlistings = {json.dumps(urls)}\n"
        "[links]\narticles = ['^https?://[^/]+/article/']\n"
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "newsarchive", "crawl", "wire", "--sites", str(config),
            "--data", str(tmp / "data"), *options, "--run-id", "wire",
            "--delay-scale", "0", "--set", "RETRY_TIMES=0", "--set", f"DOWNLOAD_MAXSIZE={LIMIT}",
            "--set", "WARC_DEDUPE_ENABLED=false",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    run = tmp / "data" / "runs" / "wire"
    assert (run / "report.json").exists(), result.stdout + result.stderr
    warcs = sorted((run / "warc").glob("*.warc.gz"))
    records = {}
    for path in warcs:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                if record.rec_type in ("request", "response"):
                    uri = record.rec_headers["WARC-Target-URI"]
                    headers = dict(record.rec_headers.headers)
                    records[record.rec_type, uri] = Record(headers, record.raw_stream.read())
    return WireCrawl(
        log=[json.loads(line) for line in log.read_text().splitlines()],
        records=records, warcs=warcs, report=json.loads((run / "report.json").read_text()),
    )


@pytest.fixture(scope="module")
def crawl(server: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> WireCrawl:
    url, log = server
    return run_crawl(tmp_path_factory.mktemp("wire-crawl"), log, URLS, "wire.test", "--proxy", url)


def exchange(crawl: WireCrawl, url: str) -> tuple[bytes, bytes]:
    """The request the server received for ``url`` and the response it sent, from its log."""
    scheme, _, rest = url.partition("://")
    path = "/" + rest.partition("/")[2]
    found = [
        line for line in crawl.log
        if line["response"] and (line["tunnel"] is not None) == (scheme == "https")
        and line["target"] in (path, url)
    ]
    assert len(found) == 1, f"{url}: {len(found)} exchanges in the server log"
    return base64.b64decode(found[0]["request"]), base64.b64decode(found[0]["response"])


def dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out, rest = out + rest[:size], rest[size + 2:]


def stored_form(sent: bytes, path: str) -> bytes:
    """What the response record should hold for a response sent as ``sent``."""
    head, body = split_head(sent)
    if b"chunked" in head.lower():
        head = head.replace(b"Transfer-Encoding:", b"X-Archive-Orig-Transfer-Encoding:")
        head = head.replace(b"transfer-encoding:", b"X-Archive-Orig-transfer-encoding:")
        body = dechunk(body)
    if CUT.get(path) == "length":
        body = body[:LIMIT]
    return head + body


@pytest.mark.parametrize("url", URLS)
def test_the_response_record_holds_what_the_server_sent(crawl: WireCrawl, url: str) -> None:
    path = "/" + url.split("://", 1)[1].partition("/")[2]
    _, sent = exchange(crawl, url)
    record = crawl.records["response", url]
    assert record.block == stored_form(sent, path)
    assert record.headers.get("WARC-Truncated") == CUT.get(path)


@pytest.mark.parametrize("url", URLS)
def test_the_request_record_holds_what_the_server_received(crawl: WireCrawl, url: str) -> None:
    received, _ = exchange(crawl, url)
    assert crawl.records["request", url].block == received
    # Sent as HTTP/1.1 whatever the response's protocol (HTTP/1.0 for /http10).
    assert received.split(b"\r\n", 1)[0].endswith(b" HTTP/1.1")


def test_odd_heads_are_kept_as_sent(crawl: WireCrawl) -> None:
    head, _ = split_head(crawl.records["response", "https://wire.test/odd"].block)
    assert head.startswith(b"HTTP/1.1 200 Fine Thanks\r\nServer: wire/1\r\nETag: \"v1\"\r\n")
    assert b"Set-Cookie: a=1; Path=/\r\n" in head and b"set-cookie: b=2\r\n" in head
    assert b"X-Tight:no-space\r\nset-cookie" in head and b"Connection: keep-alive\r\n" in head
    head10, _ = split_head(crawl.records["response", "http://wire.test/http10"].block)
    assert head10 == b"HTTP/1.0 200 Okay Then\r\nContent-Type: text/html\r\n\r\n"


def test_trailers_and_chunk_framing_are_not_in_the_payload(crawl: WireCrawl) -> None:
    _, body = split_head(crawl.records["response", "http://wire.test/chunked"].block)
    assert body.startswith(b"<html>") and body.endswith(b"</html>\n")
    assert b"X-Checksum" not in body


def test_connections_are_kept_alive_and_split_per_exchange(crawl: WireCrawl) -> None:
    answered = [line for line in crawl.log if line["response"]]
    per_connection: dict[int, int] = {}
    for line in answered:
        per_connection[line["conn"]] = per_connection.get(line["conn"], 0) + 1
    # Exchanges that shared a connection were each stored as their own (the tests above).
    assert max(per_connection.values()) >= 2, per_connection
    assert any(line["tunnel"] for line in crawl.log)  # https went through CONNECT


def test_truncated_captures_are_reported(crawl: WireCrawl) -> None:
    assert crawl.report["archive"]["truncated"] == {"length": 4, "disconnect": 2}
    assert crawl.report["stats"]["archive/truncated/length"] == 4


def test_warcio_check_passes(crawl: WireCrawl) -> None:
    assert crawl.warcs
    result = subprocess.run([WARCIO, "check", *map(str, crawl.warcs)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_direct_requests_are_recorded_in_origin_form(
    server: tuple[str, Path], crawl: WireCrawl, tmp_path: Path
) -> None:
    url, log = server
    urls = [f"{url}/odd", f"{url}/chunked", f"{url}/short"]
    direct = run_crawl(tmp_path, log, [*urls, f"{url}/stall"], "127.0.0.1",
                       "--set", "DOWNLOAD_TIMEOUT=2")
    for target in urls:
        path = "/" + target.split("://", 1)[1].partition("/")[2]
        received, sent = exchange(direct, target)
        assert received.startswith(f"GET {path} HTTP/1.1\r\n".encode())
        assert direct.records["request", target].block == received
        assert direct.records["response", target].block == stored_form(sent, path)
    # The server stalled mid-body: archived as far as received when the download timed out.
    received, sent = exchange(direct, f"{url}/stall")
    stalled = direct.records["response", f"{url}/stall"]
    assert stalled.block == sent
    assert stalled.headers["WARC-Truncated"] == "time"
    assert direct.report["archive"]["truncated"] == {"disconnect": 1, "time": 1}
