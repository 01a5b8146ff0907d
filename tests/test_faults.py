"""Faults and bad input: a clear answer, nothing lost, nothing let in (issue 9's table, row by
row; the replay server's rows are in tests/archive/test_server_hardening.py, the crawl caps,
redirects and name resolution in their own tests)."""

from __future__ import annotations

import gzip
import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.records import HttpRequest, HttpResponse
from archive.warc import RollingWarcWriter
from tests.archive._support import html
from tests.conftest import WEB_ROOT, FixtureServer

NEWSARCHIVE = [sys.executable, "-m", "newsarchive"]
WARCIO = str(Path(sys.executable).with_name("warcio"))


def crawl_args(server: FixtureServer, data: Path, *extra: str) -> list[str]:
    return [*NEWSARCHIVE, "crawl", "--data", str(data), "--proxy", server.proxy,
            "--set", "RETRY_TIMES=0", *extra]


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_crawl_is_an_interrupted_run(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path, signum: int, status: int
) -> None:
    data = tmp_path / "data"
    crawl = subprocess.Popen([*crawl_args(fixture_server[0], data, "--delay-scale", "0.05",
                                          "--run-id", "stopped")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(data.glob("runs/*/warc/*.open")) and time.monotonic() < deadline:
        time.sleep(0.01)
    crawl.send_signal(signum)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == status, out + err
    assert "newsarchive: stopping" in err and "Traceback" not in err
    assert f"INTERRUPTED by {signal.Signals(signum).name}" in out
    report = json.loads((data / "runs" / "stopped" / "report.json").read_text())
    assert report["status"] == "interrupted"
    assert "ok" not in {site["status"] for site in report["sites"].values()}
    check = subprocess.run([WARCIO, "check", *map(str, data.glob("runs/*/warc/*.warc.gz"))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _limit_file_size(limit: int) -> None:
    # What a full disk does to a writer, without mounting one: writes past `limit` fail (EFBIG).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_stops_the_crawl_with_one_line_and_a_valid_archive(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    full = subprocess.run(crawl_args(fixture_server[0], data, "--delay-scale", "0", "-v",
                                     "--run-id", "full"),
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: _limit_file_size(40_000))
    assert full.returncode == 1, full.stdout + full.stderr
    assert "STOPPED: cannot write" in full.stdout
    assert "Traceback" not in full.stderr
    repair = subprocess.run([*NEWSARCHIVE, "repair", str(data)], capture_output=True, text=True,
                            timeout=120)
    assert repair.returncode == 0, repair.stdout + repair.stderr
    warcs = list(data.glob("runs/*/warc/*.warc.gz"))
    assert warcs and not list(data.rglob("*.open")) and not list(data.rglob("*.tmp"))
    check = subprocess.run([WARCIO, "check", *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for line in (data / "runs" / "full" / "articles.jsonl").read_text().splitlines():
        json.loads(line)  # whole lines only


def test_a_data_dir_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    refused = subprocess.run([*NEWSARCHIVE, "crawl", "dw", "--data", str(tmp_path / "data")],
                             capture_output=True, text=True, timeout=120,
                             preexec_fn=lambda: _limit_file_size(0))
    assert refused.returncode == 1
    assert one_line(refused.stderr).startswith("newsarchive: cannot write to ")


def _bomb_warc(directory: Path) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"a" * 100_000_000 + b"</p></body></html>")
    page = html("A page", "Some text of a page that is not a bomb at all, and quite long. " * 20)
    with RollingWarcWriter(directory, prefix="other-tool") as writer:
        for url, body, headers in (
            ("https://elsewhere.example/bomb", bomb, [("Content-Encoding", "gzip")]),
            ("https://elsewhere.example/page", page, []),
        ):
            writer.write_exchange(
                url, HttpRequest("GET", "/", [("Host", "elsewhere.example")]),
                HttpResponse(200, [("Content-Type", "text/html"), *headers], body),
            )


def test_a_gzip_bomb_in_a_warc_is_refused_not_inflated(tmp_path: Path) -> None:
    _bomb_warc(tmp_path / "warcs")
    out = tmp_path / "out"
    run = subprocess.run([*NEWSARCHIVE, "reextract", str(tmp_path / "warcs"), "--out", str(out),
                          "--workers", "1"], capture_output=True, text=True, timeout=300,
                         preexec_fn=lambda: resource.setrlimit(
                             resource.RLIMIT_AS, (2 << 30, 2 << 30)))
    assert run.returncode == 1, run.stdout + run.stderr  # one page failed, and says so
    assert "inflates past" in run.stderr and "MemoryError" not in run.stderr
    assert "1 articles from 2 archived pages" in run.stdout
    [article] = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert article["url"] == "https://elsewhere.example/page"


def test_extract_survives_bombs_deep_json_ld_and_garbage(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a-bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"b" * 70_000_000))
    deep = "[" * 200_000 + "]" * 200_000
    article = (WEB_ROOT / "www.dw.com" / "en").rglob("*")
    source = next(p for p in article if p.is_file())
    (pages / "b-deep.html").write_bytes(source.read_bytes().replace(
        b"</head>", f'<script type="application/ld+json">{deep}</script></head>'.encode()))
    (pages / "c-garbage.html").write_bytes(bytes(range(256)) * 40)
    result = subprocess.run([*NEWSARCHIVE, "extract", str(pages)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1  # two of three pages gave no article
    assert "Traceback" not in result.stderr
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [
        str(pages / "b-deep.html")]
    assert "a-bomb.html.gz" in result.stderr and "larger than" in result.stderr
    assert "no article text found in" in result.stderr and "c-garbage.html" in result.stderr
    piped = subprocess.run(f"{sys.executable} -m newsarchive extract {WEB_ROOT} | head -c 10",
                           shell=True, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


@pytest.mark.parametrize(("args", "named"), [
    (["crawl", "--data", "pyproject.toml"], "'pyproject.toml'"),
    (["crawl", "--run-id", "../x"], "'../x'"),
    (["crawl", "--replay", "data", "--at", "garbage"], "'garbage'"),
    (["crawl", "-s", "RETRY_TIMS=0"], "did you mean RETRY_TIMES?"),
    (["crawl", "-s", "RETRY_TIMES=lots"], "'lots'"),
    (["crawl", "nosuchsite"], "nosuchsite"),
    (["reextract", "data", "--workers", "-3"], "'-3'"),
    (["replay", "serve", "data", "--port", "99999"], "'99999'"),
])
def test_a_usage_mistake_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    result = subprocess.run([*NEWSARCHIVE, *args], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 2, result.stdout + result.stderr
    assert named in one_line(result.stderr)
