"""Tests for the fixture web server the crawler tests run against.

The crawler tests trust this server to behave like the real sites as an
HTTP/HTTPS proxy and to log exactly the bytes it sent, so those promises are
checked here at the wire level and once end to end through real Scrapy.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import ssl
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures import server as server_module
from tests.fixtures.client import dechunk, fetch, log_lines, raw_exchange, raw_get
from tests.fixtures.process import FixtureServer
from tests.fixtures.server import transfer_mode

HTTP_HOST = "www.kcna.kp"
HTTPS_HOST = "www.dw.com"
# Paths chosen for their transfer mode (checked in test_chosen_paths_modes).
GZIP_PATH = "/page.html"  # gzip + Content-Length
CHUNKED_PATH = "/en/page.html"  # identity + chunked
BOTH_PATH = "/news/page.html"  # gzip + chunked


def page(label: str, size: int = 3000) -> bytes:
    """An HTML page larger than one 1000-byte chunk, distinct per label."""
    filler = "".join(f"<p>{label} paragraph {i}</p>\n" for i in range(size // 20))
    return f"<html><head><title>{label}</title></head><body>\n{filler}</body></html>\n".encode()


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for host in (HTTP_HOST, HTTPS_HOST):
        for path in (GZIP_PATH, CHUNKED_PATH, BOTH_PATH):
            file = root / host / path.lstrip("/")
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(page(f"{host}{path}"))
        (root / host / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (root / HTTP_HOST / "en" / "index.kcmsf").write_bytes(page("kcna index"))
    (root / HTTP_HOST / "index.html").write_bytes(page("kcna home"))
    (root / HTTP_HOST / "list").write_bytes(page("list page 1"))
    (root / HTTP_HOST / "list?page=2").write_bytes(page("list page 2"))
    (root / HTTPS_HOST / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>\n')
    (root / "secret.txt").write_text("outside any host directory\n")
    (root / "_routes.json").write_text(json.dumps({
        f"https://{HTTPS_HOST}/en/old": {"status": 301, "location": f"https://{HTTPS_HOST}/en/new"},
        f"http://{HTTP_HOST}/boom": {"status": 500},
    }))
    return root


@pytest.fixture
def server(web_root: Path, tmp_path: Path) -> Iterator[FixtureServer]:
    with FixtureServer(web_root, tmp_path / "log.jsonl") as running:
        yield running


def test_chosen_paths_modes() -> None:
    assert transfer_mode(GZIP_PATH) == (True, False)
    assert transfer_mode(CHUNKED_PATH) == (False, True)
    assert transfer_mode(BOTH_PATH) == (True, True)
    assert transfer_mode("/robots.txt") == (False, False)


def test_direct_get_uses_host_header(server: FixtureServer, web_root: Path) -> None:
    response, body = fetch(server, GZIP_PATH, {"Host": f"{HTTPS_HOST}:8080",
                                               "Accept-Encoding": "identity"})
    assert response.status == 200
    assert body == (web_root / HTTPS_HOST / "page.html").read_bytes()
    assert response.getheader("Server") == "fixture"
    assert response.getheader("Date")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Content-Encoding") is None
    assert log_lines(server)[-1]["url"] == f"http://{HTTPS_HOST}{GZIP_PATH}"


def test_proxy_get_with_absolute_uri(server: FixtureServer, web_root: Path) -> None:
    response, body = fetch(server, f"http://{HTTP_HOST}/en/index.kcmsf",
                           {"Accept-Encoding": "identity"})
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert body == (web_root / HTTP_HOST / "en" / "index.kcmsf").read_bytes()
    response, body = fetch(server, f"http://{HTTP_HOST}", {})  # empty path -> index.html
    assert body == (web_root / HTTP_HOST / "index.html").read_bytes()


def test_gzip_with_content_length_matches_log(server: FixtureServer, web_root: Path) -> None:
    original = (web_root / HTTP_HOST / "page.html").read_bytes()
    head, wire = raw_get(server, f"http://{HTTP_HOST}{GZIP_PATH}")
    assert b"\r\nContent-Encoding: gzip\r\n" in head
    assert f"\r\nContent-Length: {len(wire)}\r\n".encode() in head
    assert b"Transfer-Encoding" not in head
    assert gzip.decompress(wire) == original
    assert wire == gzip.compress(original, mtime=0)  # deterministic
    record = log_lines(server)[-1]
    assert isinstance(record.pop("time"), float)  # when it was answered (time.time())
    assert record == {
        "url": f"http://{HTTP_HOST}{GZIP_PATH}", "method": "GET", "status": 200,
        "content_encoding": "gzip", "chunked": False,
        "body_sha256": hashlib.sha256(wire).hexdigest(), "body_length": len(wire)}


def test_gzip_only_when_accepted(server: FixtureServer, web_root: Path) -> None:
    for accept in ("identity", "gzip;q=0", "br"):
        head, wire = raw_get(server, f"http://{HTTP_HOST}{GZIP_PATH}", accept)
        assert b"Content-Encoding" not in head
        assert wire == (web_root / HTTP_HOST / "page.html").read_bytes()
    head, wire = raw_get(server, f"http://{HTTP_HOST}{GZIP_PATH}", "deflate, *;q=0.1")
    assert b"Content-Encoding: gzip" in head


def test_chunked_identity(server: FixtureServer, web_root: Path) -> None:
    original = (web_root / HTTP_HOST / "en" / "page.html").read_bytes()
    head, wire = raw_get(server, f"http://{HTTP_HOST}{CHUNKED_PATH}")
    assert b"\r\nTransfer-Encoding: chunked\r\n" in head
    assert b"Content-Length" not in head and b"Content-Encoding" not in head
    payload, sizes = dechunk(wire)
    assert payload == original
    assert len(sizes) > 1 and max(sizes) <= 1000
    record = log_lines(server)[-1]
    assert (record["chunked"], record["content_encoding"]) == (True, None)
    assert record["body_sha256"] == hashlib.sha256(original).hexdigest()


def test_gzip_and_chunked(server: FixtureServer, web_root: Path) -> None:
    original = (web_root / HTTP_HOST / "news" / "page.html").read_bytes()
    head, wire = raw_get(server, f"http://{HTTP_HOST}{BOTH_PATH}")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Encoding: gzip" in head
    payload, _ = dechunk(wire)
    assert gzip.decompress(payload) == original
    record = log_lines(server)[-1]
    assert record["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert record["body_length"] == len(payload)


def test_https_through_connect_tunnel(server: FixtureServer, web_root: Path) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=context)
    conn.set_tunnel(HTTPS_HOST, 443)
    try:
        for path in (CHUNKED_PATH, GZIP_PATH):  # two requests: keep-alive inside the tunnel
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            body = response.read()
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            assert response.status == 200
            assert body == (web_root / HTTPS_HOST / path.lstrip("/")).read_bytes()
    finally:
        conn.close()
    urls = [record["url"] for record in log_lines(server)]
    assert urls == [f"https://{HTTPS_HOST}{CHUNKED_PATH}", f"https://{HTTPS_HOST}{GZIP_PATH}"]


def test_not_found_and_traversal(server: FixtureServer) -> None:
    for target in (f"http://{HTTP_HOST}/missing.html", f"http://{HTTP_HOST}/../secret.txt",
                   f"http://{HTTP_HOST}/%2e%2e/secret.txt", f"http://{HTTP_HOST}/..%2f_routes.json",
                   f"http://{HTTP_HOST}/en/../../{HTTPS_HOST}/page.html", "http://../secret.txt"):
        response, body = fetch(server, target, {})
        assert response.status == 404, target
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert b"404" in body
    head, _ = raw_exchange(server, b"GET /../../etc/passwd HTTP/1.1\r\nHost: www.kcna.kp\r\n"
                                   b"Connection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ")


def test_routes(server: FixtureServer) -> None:
    response, body = fetch(server, f"https://{HTTPS_HOST}/en/old", {})
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HTTPS_HOST}/en/new"
    assert b"301" in body
    response, _ = fetch(server, f"http://{HTTP_HOST}/boom?x=1", {})
    assert response.status == 500
    assert log_lines(server)[-1]["status"] == 500


def test_query_strings(server: FixtureServer, web_root: Path) -> None:
    _, body = fetch(server, f"http://{HTTP_HOST}/list?page=2", {})
    assert body == (web_root / HTTP_HOST / "list?page=2").read_bytes()
    _, body = fetch(server, f"http://{HTTP_HOST}/list?page=3", {})
    assert body == (web_root / HTTP_HOST / "list").read_bytes()
    assert log_lines(server)[-1]["url"] == f"http://{HTTP_HOST}/list?page=3"


def test_content_types_and_robots(server: FixtureServer) -> None:
    response, body = fetch(server, f"http://{HTTP_HOST}/robots.txt", {"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert response.getheader("Content-Encoding") is None
    assert response.getheader("Content-Length") == str(len(body))
    assert body.startswith(b"User-agent")
    response, _ = fetch(server, f"https://{HTTPS_HOST}/sitemap.xml", {})
    assert response.getheader("Content-Type") == "application/xml; charset=utf-8"
    response, _ = fetch(server, f"http://{HTTP_HOST}/list", {})
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert server_module.content_type("feed.rss") == "application/rss+xml; charset=utf-8"
    assert server_module.content_type("feed.atom") == "application/atom+xml; charset=utf-8"
    assert server_module.content_type("x.aspx") == "text/html; charset=utf-8"
    assert server_module.content_type("logo.png") == "image/png"


def test_head(server: FixtureServer) -> None:
    head, body = raw_exchange(server, f"HEAD http://{HTTP_HOST}{GZIP_PATH} HTTP/1.1\r\n"
                                      "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n".encode())
    assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Encoding: gzip" in head
    assert b"Content-Length: " in head and body == b""
    assert log_lines(server)[-1]["method"] == "HEAD"


def test_keep_alive(server: FixtureServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in (GZIP_PATH, CHUNKED_PATH, BOTH_PATH, "/robots.txt"):
            conn.request("GET", f"http://{HTTP_HOST}{path}")
            response = conn.getresponse()
            response.read()
            assert response.getheader("Connection") == "keep-alive"
        assert len({record["url"] for record in log_lines(server)}) == 4
    finally:
        conn.close()


def test_concurrent_requests_log_whole_lines(server: FixtureServer) -> None:
    paths = [GZIP_PATH, CHUNKED_PATH, BOTH_PATH, "/robots.txt", "/missing"] * 8
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(
            lambda path: fetch(server, f"http://{HTTP_HOST}{path}", {})[0].status, paths))
    assert statuses.count(404) == 8 and statuses.count(200) == 32
    assert len(log_lines(server)) == len(paths)  # every line parses as JSON


def test_start_failure_reports_stderr(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not a directory"):
        FixtureServer(tmp_path / "missing").start()


def test_stop_is_clean(web_root: Path) -> None:
    server = FixtureServer(web_root).start()
    assert server.url.startswith("http://127.0.0.1:") and server.proxy == server.url
    assert server.stop() == 0




def test_scrapy_crawls_through_proxy(server: FixtureServer, web_root: Path) -> None:
    script = Path(__file__).parent / "fixtures" / "crawl_through_proxy.py"
    http_url = f"http://{HTTP_HOST}{GZIP_PATH}"  # gzip + Content-Length
    https_url = f"https://{HTTPS_HOST}{BOTH_PATH}"  # gzip + chunked, over CONNECT + TLS
    proc = subprocess.run([sys.executable, str(script), server.proxy, http_url, https_url],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout.strip().splitlines()[-1])
    by_url = {result["url"]: result for result in output["results"]}
    assert set(by_url) == {http_url, https_url}
    for url, file in ((http_url, web_root / HTTP_HOST / "page.html"),
                      (https_url, web_root / HTTPS_HOST / "news" / "page.html")):
        assert by_url[url]["status"] == 200
        assert by_url[url]["body"] == file.read_text()  # decompressed and de-chunked
        headers = by_url[url]["headers"]
        assert "content-encoding" not in headers  # HttpCompressionMiddleware removed it
        assert "transfer-encoding" not in headers  # Twisted de-chunks and drops it
        assert headers["server"] == "fixture"
    sent = {record["url"]: record for record in log_lines(server)}
    # Content-Length still describes the gzip bytes on the wire, as logged.
    assert by_url[http_url]["headers"]["content-length"] == str(sent[http_url]["body_length"])
    stats = output["stats"]
    assert stats["response_received_count"] == 2
    assert stats["downloader/response_status_count/200"] == 2
    assert stats["httpcompression/response_count"] == 2
    assert (sent[http_url]["content_encoding"], sent[http_url]["chunked"]) == ("gzip", False)
    assert (sent[https_url]["content_encoding"], sent[https_url]["chunked"]) == ("gzip", True)
