"""The replay server: pywb-style URLs, an index page, and an HTTP proxy, all from the archive."""

from __future__ import annotations

import gzip
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.reader import Archive
from archive.server import ReplayServer
from tests.conftest import Crawl, expected, fixture_file


@pytest.fixture(scope="module")
def server(crawl: Crawl) -> Iterator[ReplayServer]:
    with ReplayServer(Archive.open(crawl.run_dir)) as running:
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        yield running
        running.shutdown()
        thread.join()


def fetch(url: str, proxy: str | None = None) -> tuple[int, dict[str, str], bytes]:
    handlers = [urllib.request.ProxyHandler({"http": proxy} if proxy else {})]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=10) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def decoded(headers: dict[str, str], body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def test_wayback_url_serves_the_original_body(server: ReplayServer, crawl: Crawl) -> None:
    article = crawl.articles[0]
    stamp = article["fetched"][:19].replace("-", "").replace(":", "").replace("T", "")
    for prefix in (stamp, stamp + "id_", "2026"):
        status, headers, body = fetch(f"{server.url}/{prefix}/{article['url']}")
        assert status == 200
        assert decoded(headers, body) == fixture_file(article["url"]).read_bytes()
        assert "Memento-Datetime" in headers


def test_archived_errors_and_misses(server: ReplayServer) -> None:
    missing = expected("dw")["missing_url"]
    status, _, _ = fetch(f"{server.url}/2030/{missing}")
    assert status == 404  # archived as a 404
    status, _, body = fetch(f"{server.url}/2030/https://www.dw.com/en/never-crawled/a-1")
    assert status == 404 and b"Not in the archive" in body


def test_index_page_lists_the_captures(server: ReplayServer, crawl: Crawl) -> None:
    status, headers, body = fetch(server.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert all(a["url"] in page for a in crawl.articles)
    _, _, filtered = fetch(server.url + "/?q=kcna")
    assert b"kcna.kp" in filtered and b"dw.com" not in filtered


def test_works_as_an_http_proxy(server: ReplayServer) -> None:
    article = next(a for a in expected("kcna")["articles"] if a["url"].startswith("http://"))
    status, headers, body = fetch(article["url"], proxy=server.url)
    assert status == 200
    assert decoded(headers, body) == fixture_file(article["url"]).read_bytes()


def test_bad_archive_path_is_refused(tmp_path: Path) -> None:
    from newsarchive.cli import main

    assert main(["replay", "serve", str(tmp_path)]) == 2


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--port", "70000"], "'70000'"),
        (["--port", "-1"], "'-1'"),
        (["--port", "http"], "'http'"),
        (["--at", "garbage"], "'garbage'"),
        (["--at", "202612011200001"], "'202612011200001'"),
    ],
)
def test_serve_refuses_a_bad_option_in_one_line(
    crawl: Crawl, options: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsarchive.cli import main

    assert main(["replay", "serve", str(crawl.run_dir), *options]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and named in err and "expected" in err, err


def test_serve_refuses_a_busy_port_and_a_missing_path(
    crawl: Crawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsarchive.cli import main

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        assert main(["replay", "serve", str(crawl.run_dir), "--port", port]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"--port {port}" in err and "in use" in err, err

    missing = tmp_path / "nowhere"
    assert main(["replay", "serve", str(missing)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(missing) in err and "expected" in err, err
