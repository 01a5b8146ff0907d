"""The replay server under load, misuse and attack (issue 9): real HTTP over 127.0.0.1.

The archive is a WARC written here with warcio, holding what other tools archive and ours
would not write: a response with the origin's own Server, Date, Connection and CSP headers,
one stored chunked, and a large one to hang up on.
"""

from __future__ import annotations

import http.client
import io
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.reader import Archive
from archive.server import ReplayServer

PAGE = "https://news.example/page"
CHUNKED = "https://news.example/chunked"
BIG = "https://news.example/big"
MOVED = "https://news.example/moved"
PAGE_BODY = b'<html><script src="https://cdn.example/x.js"></script><p>archived</p></html>'
BIG_BODY = b"x" * (8 * 1024 * 1024)
DEADLINE = 60.0  # seconds for a whole test's traffic: generous on two shared cores


def _write_warc(path: Path) -> None:
    page_headers = [
        ("Server", "nginx/1.2"), ("Date", "Fri, 02 Jan 2026 03:04:05 GMT"),
        ("Content-Type", "text/html"), ("Content-Length", str(len(PAGE_BODY))),
        ("Connection", "keep-alive"), ("Content-Security-Policy", "default-src *"),
    ]
    chunked_headers = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
    big_headers = [("Content-Type", "application/octet-stream"),
                   ("Content-Length", str(len(BIG_BODY)))]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, status, headers, body in (
            (PAGE, "200 OK", page_headers, PAGE_BODY),
            (CHUNKED, "200 OK", chunked_headers, b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
            (BIG, "200 OK", big_headers, BIG_BODY),
            (MOVED, "301 Moved Permanently", [("Location", "/page")], b""),
        ):
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": "2026-01-02T03:04:05Z"},
            )
            writer.write_record(record)


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("replay-archive")
    _write_warc(directory / "sample.warc.gz")
    return directory


@contextmanager
def running(archive_dir: Path, **limits: float) -> Iterator[ReplayServer]:
    with ReplayServer(Archive.open(archive_dir), **limits) as replay:
        thread = threading.Thread(target=replay.serve_forever, daemon=True)
        thread.start()
        try:
            yield replay
        finally:
            replay.shutdown()
            thread.join()


@pytest.fixture(scope="module")
def server(archive_dir: Path) -> Iterator[ReplayServer]:
    # Few workers, so that idle connections outnumber them many times over.
    with running(archive_dir, workers=4, request_timeout=2.0) as replay:
        yield replay


def port_of(server: ReplayServer) -> int:
    return server.server_address[1]


def get(
    server: ReplayServer, path: str, host: str | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of a GET on a connection of its own (``host``: the Host sent)."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=DEADLINE)
    headers = {"Host": host} if host is not None else {}
    connection.request("GET", path, headers=headers)
    reply = connection.getresponse()
    body = reply.read()
    connection.close()
    return reply.status, reply.headers, body


def test_200_concurrent_requests_are_all_answered(server: ReplayServer) -> None:
    start = threading.Barrier(200)

    def one() -> int:
        start.wait(DEADLINE)  # all connect at once: the listen backlog takes the burst
        return get(server, f"/2026/{PAGE}")[0]

    with ThreadPoolExecutor(200) as pool:
        futures = [pool.submit(one) for _ in range(200)]
        done, _ = wait(futures, timeout=DEADLINE)
    assert [f.result() for f in done] == [200] * 200


def test_idle_connections_do_not_block_a_new_request(archive_dir: Path) -> None:
    # Slow clients would hold a worker for request_timeout: longer than this test may last.
    with running(archive_dir, workers=4, request_timeout=4 * DEADLINE) as server:
        address = server.server_address
        silent = [socket.create_connection(address) for _ in range(60)]
        slow = [socket.create_connection(address) for _ in range(20)]
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1")  # a head never finished
        kept_alive = []
        for _ in range(20):
            connection = http.client.HTTPConnection(*address, timeout=DEADLINE)
            connection.request("GET", f"/2026/{PAGE}")
            connection.getresponse().read()
            kept_alive.append(connection)
        try:
            assert get(server, f"/2026/{PAGE}")[0] == 200  # 100 idle or slow, 4 workers
            for connection in kept_alive:  # and the idle ones were kept, not dropped
                connection.request("GET", f"/2026/{PAGE}")
                reply = connection.getresponse()
                assert reply.status == 200 and reply.read() == PAGE_BODY
        finally:
            for sock in silent + slow:
                sock.close()
            for connection in kept_alive:
                connection.close()


def test_a_slow_client_is_cut_off(server: ReplayServer) -> None:
    with socket.create_connection(server.server_address, timeout=DEADLINE) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.")  # and nothing more
        assert sock.recv(1024) == b""  # closed once the request timeout (2 s here) passed


def test_one_server_and_date_header_and_archived_ones_renamed(server: ReplayServer) -> None:
    _, headers, _ = get(server, f"/2026/{PAGE}")
    assert headers.get_all("Server") == [headers["Server"]]
    assert headers["Server"].startswith("newsarchive-replay")
    assert len(headers.get_all("Date") or []) == 1
    assert headers["X-Archive-Orig-Server"] == "nginx/1.2"
    assert headers["X-Archive-Orig-Date"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert headers["X-Archive-Orig-Connection"] == "keep-alive"
    assert headers["X-Archive-Orig-Content-Security-Policy"] == "default-src *"
    assert headers.get_all("Content-Length") == [str(len(PAGE_BODY))]
    assert "X-Archive-Orig-Content-Length" not in headers  # the same length: sent once

    _, headers, body = get(server, f"/2026/{CHUNKED}")
    assert body == b"hello world"  # de-chunked, framed by the server's Content-Length
    assert "Transfer-Encoding" not in headers
    assert headers["X-Archive-Orig-Transfer-Encoding"] == "chunked"
    assert headers["Content-Length"] == "11"


def test_an_archived_redirect_stays_in_the_archive(server: ReplayServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=DEADLINE)
    connection.request("GET", f"/2026/{MOVED}")
    reply = connection.getresponse()
    reply.read()
    connection.close()
    assert reply.status == 301 and reply.headers["Location"] == f"/20260102030405/{PAGE}"


def test_a_get_body_is_not_read_as_a_second_request(server: ReplayServer) -> None:
    host = f"127.0.0.1:{port_of(server)}"
    smuggled = f"GET /2026/{CHUNKED} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    first = (f"GET /2026/{PAGE} HTTP/1.1\r\nHost: {host}\r\n"
             f"Content-Length: {len(smuggled)}\r\n\r\n").encode() + smuggled
    second = f"GET /nowhere HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(server.server_address, timeout=DEADLINE) as sock:
        sock.sendall(first + second)
        received = b"".join(iter(lambda: sock.recv(65536), b""))  # until the server closes
    replies = list(_responses(received))
    assert [status for status, _ in replies] == [200, 404]
    assert replies[0][1] == PAGE_BODY


def _responses(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(status, body) of each response in ``data``, framed by their Content-Length."""
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.split(": ", 1) for line in lines)
        length = int(fields["Content-Length"])
        yield int(status_line.split()[1]), rest[:length]
        data = rest[length:]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", ""])
def test_a_wrong_host_is_refused(server: ReplayServer, host: str) -> None:
    status, _, body = get(server, f"/2026/{PAGE}", host=host.format(port=port_of(server)))
    assert status == 403 and b"archived" not in body


def test_local_hosts_and_proxy_targets_are_served(server: ReplayServer) -> None:
    port = port_of(server)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        assert get(server, f"/2026/{PAGE}", host=host)[0] == 200
    # As a proxy: an absolute URI, the Host its target's
    assert get(server, PAGE, host="news.example")[:3:2] == (200, PAGE_BODY)


def test_replayed_pages_carry_a_csp_that_allows_only_the_server(server: ReplayServer) -> None:
    for path in (f"/2026/{PAGE}", "/", PAGE):
        _, headers, _ = get(server, path)
        policies = headers.get_all("Content-Security-Policy") or []
        assert len(policies) == 1, path
        directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";"))
        assert directives["default-src"].split()[0] == "'self'"
        sources = " ".join(directives.values()).split()
        assert not any(s in ("*", "http:", "https:") or "://" in s for s in sources)


def test_a_client_hang_up_leaves_no_traceback(archive_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "replay", "serve", str(archive_dir),
         "--port", "0", "-v"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().split(" at ")[-1].strip().rstrip("/")
        address = ("127.0.0.1", int(url.rsplit(":", 1)[1]))
        request = f"GET /2026/{BIG} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n\r\n"
        for _ in range(5):  # take the start of 8 MB, then hang up (a reset: data left unread)
            with socket.create_connection(address, timeout=DEADLINE) as sock:
                sock.sendall(request.encode())
                assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        log = _stderr_until(process, "went away")
        with socket.create_connection(address, timeout=DEADLINE) as sock:  # still serving
            sock.sendall(request.replace("HTTP/1.1\r\n", "HTTP/1.0\r\n", 1).encode())
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    finally:
        process.terminate()
        _, rest = process.communicate(timeout=DEADLINE)
    log += rest
    assert "went away" in log
    assert "Traceback" not in log and " ERROR " not in log, log


def _stderr_until(process: subprocess.Popen[str], marker: str) -> str:
    """The server's stderr up to the first line holding ``marker`` (within the deadline)."""
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    seen = ""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        end = time.monotonic() + DEADLINE
        while marker not in seen and time.monotonic() < end:
            if selector.select(end - time.monotonic()):
                seen += process.stderr.read() or ""
    os.set_blocking(process.stderr.fileno(), True)
    return seen
