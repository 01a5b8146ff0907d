"""A crawl killed with SIGKILL at random moments, resumed each time, loses nothing.

Each moment is a random point in the archive's growth: the crawl is killed once its open WARC
has grown past a random number of bytes (zero: as soon as the file exists). The next crawl
repairs the killed run before it starts (under the data directory's lock).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from archive.catalog import CATALOG_NAME, Catalog
from archive.reader import Archive, decoded_body
from tests.conftest import Crawl, FixtureServer, fixture_file, read_articles

KILLS = 20
SEED = 20261201


def crawl_command(server: FixtureServer, data: Path, run_id: str) -> list[str]:
    return [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data), "--proxy",
            server.proxy, "--delay-scale", "0", "--run-id", run_id, "--set", "RETRY_TIMES=0"]


def _size(paths: list[Path]) -> int:
    """Bytes in the files that still exist: the crawl renames an open WARC when it closes it."""
    total = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            total += path.stat().st_size
    return total


def kill_when_archive_reaches(process: subprocess.Popen[bytes], data: Path, size: int) -> bool:
    """SIGKILL the crawl once its open WARCs hold ``size`` bytes; False if it ended first."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        open_files = list(data.glob("runs/*/warc/*.open"))
        if open_files and _size(open_files) >= size:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait(timeout=60)
    return False


def test_killed_crawls_resume_and_lose_nothing(
    crawl: Crawl, fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    server, _ = fixture_server
    data = tmp_path / "data"
    total = sum(p.stat().st_size for p in crawl.run_dir.glob("warc/*.warc.gz"))
    moments = random.Random(SEED)
    killed = 0
    for n in range(KILLS):
        size = 0 if n % 5 == 0 else moments.randrange(total)
        process = subprocess.Popen(crawl_command(server, data, f"night-{n:02d}"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += kill_when_archive_reaches(process, data, size)
    assert killed >= KILLS // 2, "the crawls ended before most kills: the test kills nothing"
    final = subprocess.run(crawl_command(server, data, "final"), capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr

    assert not list(data.rglob("*.open")) and not list(data.rglob("*.tmp"))
    warcs = sorted(data.glob("runs/*/warc/*.warc.gz"))
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check",
                            *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    archive = Archive.open(data / "runs")
    seen: set[str] = set()
    for run in sorted((data / "runs").iterdir()):
        report = json.loads((run / "report.json").read_text())
        assert run.name == "final" or report.get("status") == "interrupted" or (
            report["finish_reason"] == "finished"), run.name
        if any((run / "warc").glob("*.warc.gz")):
            assert (run / f"{run.name}.wacz").exists(), run.name
        lines = (run / "articles.jsonl").read_text().splitlines() if (
            run / "articles.jsonl").exists() else []
        articles = read_articles(run) if lines else {}
        assert len(articles) == len(lines), f"{run.name} lists an article twice"
        for url, article in articles.items():
            holding = [c for c in archive.captures(url) if c.url == url
                       and (c.filename, c.offset) == (article["warc_filename"],
                                                      article["warc_offset"])]
            assert holding, f"{run.name}: {url} names no record of its page"
            page = decoded_body(archive.read(holding[0]))
            assert page == fixture_file(url).read_bytes(), url
        seen |= set(articles)
    assert seen >= {a["url"] for a in crawl.articles}
    # Every killed run's captures reached the catalog (the next start caught them up), so
    # later nights dedupe against them.
    catalog = Catalog.open_readonly(data / CATALOG_NAME)
    assert catalog.runs() == {run.name for run in (data / "runs").iterdir()}
    catalog.close()
    assert os.path.exists(data / ".lock")  # left in place; the kernel's lock died with each crawl
