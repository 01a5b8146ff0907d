"""Shared fixtures: the fixture web server and one crawl of all five fixture sites through it.

The crawl runs once per test session, in a subprocess (Twisted's reactor can't be restarted in
the pytest process), with the real site configs and the real Scrapy downloader; only the proxy
differs from a real run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.fixtures.process import FixtureServer

FIXTURES = Path(__file__).parent / "fixtures"
WEB_ROOT = FIXTURES / "web"
EXPECTED = FIXTURES / "expected"
SITES = ("kcna", "chinadaily", "vietnamnews", "dw", "cgtn")


@dataclass
class Crawl:
    data_dir: Path
    run_dir: Path
    server_log: list[dict[str, Any]]
    report: dict[str, Any]
    articles: list[dict[str, Any]]
    returncode: int
    output: str


def unavailable(message: str) -> NoReturn:
    """A tool or data set a test needs is absent: CI must have it, so there a failure; elsewhere
    a skip that says what is missing."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def fixture_file(url: str) -> Path:
    """The file the fixture server answers ``url`` with."""
    host, _, path = url.split("://", 1)[1].partition("/")
    file = WEB_ROOT / host / path
    return file / "index.html" if file.is_dir() else file


def dead_proxy() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def read_articles(run_dir: Path) -> dict[str, dict[str, Any]]:
    """A run's articles.jsonl, by URL."""
    lines = (run_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return {a["url"]: a for a in map(json.loads, lines)}


def expected(site: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPECTED / f"{site}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureServer, Path]]:
    log = tmp_path_factory.mktemp("server") / "sent.jsonl"
    with FixtureServer(WEB_ROOT, log) as server:
        yield server, log


@pytest.fixture(scope="session")
def crawl(
    fixture_server: tuple[FixtureServer, Path], tmp_path_factory: pytest.TempPathFactory
) -> Crawl:
    server, log = fixture_server
    data_dir = tmp_path_factory.mktemp("data")
    result = subprocess.run(
        [
            sys.executable, "-m", "newsarchive", "crawl", "--data", str(data_dir),
            "--proxy", server.proxy, "--delay-scale", "0", "--run-id", "test-run",
            "--set", "RETRY_TIMES=0", "--set", "WARC_MAX_SIZE=60000",
        ],
        capture_output=True, text=True, timeout=600,
    )
    run_dir = data_dir / "runs" / "test-run"
    articles_path = run_dir / "articles.jsonl"
    articles = [json.loads(line) for line in articles_path.read_text().splitlines()] if (
        articles_path.exists()) else []
    report_path = run_dir / "report.json"
    assert report_path.exists(), result.stdout + result.stderr
    return Crawl(
        data_dir=data_dir,
        run_dir=run_dir,
        server_log=[json.loads(line) for line in log.read_text().splitlines()],
        report=json.loads(report_path.read_text()),
        articles=articles,
        returncode=result.returncode,
        output=result.stdout + result.stderr,
    )


@dataclass
class SecondNight:
    data_dir: Path  # night 1 (the session's crawl, "test-run") and night 2 ("night-2")
    run_dir: Path
    returncode: int
    output: str


def crawl_night(server: FixtureServer, data_dir: Path, run_id: str) -> SecondNight:
    """One more night of the fixture sites into ``data_dir``, dedupe on (the default), fetching
    every article again (not incremental), as the revisit tests need."""
    result = subprocess.run(
        [
            sys.executable, "-m", "newsarchive", "crawl", "--data", str(data_dir),
            "--proxy", server.proxy, "--delay-scale", "0", "--run-id", run_id,
            "--set", "RETRY_TIMES=0", "--set", "INCREMENTAL_ENABLED=false",
        ],
        capture_output=True, text=True, timeout=600,
    )
    return SecondNight(data_dir, data_dir / "runs" / run_id, result.returncode,
                       result.stdout + result.stderr)


@pytest.fixture(scope="session")
def second_night(
    crawl: Crawl, fixture_server: tuple[FixtureServer, Path], tmp_path_factory: pytest.TempPathFactory
) -> SecondNight:
    """The session's crawl, then a second night of it into the same data dir, dedupe on: the
    fixture server sends the same bytes again, so every 200 response becomes a revisit."""
    data_dir = tmp_path_factory.mktemp("two-nights") / "data"
    shutil.copytree(crawl.data_dir, data_dir)
    return crawl_night(fixture_server[0], data_dir, "night-2")


@pytest.fixture(scope="session")
def third_night(
    second_night: SecondNight, fixture_server: tuple[FixtureServer, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> SecondNight:
    """Nights 1 and 2, then a third: its revisits must still name night 1's responses."""
    data_dir = tmp_path_factory.mktemp("three-nights") / "data"
    shutil.copytree(second_night.data_dir, data_dir)
    return crawl_night(fixture_server[0], data_dir, "night-3")
