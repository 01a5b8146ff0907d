"""Shared crawls: three worker processes crawl the fixture sites through one real Redis.

Each worker is ``newsarchive crawl --redis URL`` with its own data directory, as on its own
machine; ``newsarchive merge`` makes their runs one. Compared with the session's single-machine
crawl of the same sites (tests/conftest.py).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import SITES, Crawl
from tests.fixtures.process import FixtureServer

BUILT_IN = Path(__file__).resolve().parents[2] / "crawler" / "sites"
DELAY = 0.5  # the politeness test's site, dw: seconds between two requests of any workers
WARCIO = Path(sys.executable).with_name("warcio")


@dataclass
class Workers:
    dirs: list[Path]
    merged: Path
    procs: list[subprocess.Popen[str]]
    outputs: list[str]
    merge: subprocess.CompletedProcess[str]
    server_log: list[dict[str, Any]]  # what the fixture server answered during this crawl
    killed: int | None = None  # the worker killed while it held requests


def site_files(folder: Path, delays: dict[str, float]) -> Path:
    """The built-in site configs with these delays (concurrency 1 where a delay is set)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SITES:
        text = (BUILT_IN / f"{name}.toml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^download_delay = .*$", f"download_delay = {delays.get(name, 0)}", text)
        if name in delays:
            text = re.sub(r"(?m)^concurrency = .*$", "concurrency = 1", text)
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def start_worker(data: Path, sites: Path, proxy: str, redis_url: str, key: str,
                 *settings: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data), "--sites", str(sites),
         "--proxy", proxy, "--redis", redis_url, "-s", f"REDIS_KEY={key}",
         "-s", "REDIS_IDLE_TIMEOUT=1", "-s", "REDIS_LEASE_SECONDS=3", "-s", "RETRY_TIMES=0",
         "-s", "DOWNLOAD_TIMEOUT=10", *settings],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_workers(tmp: Path, server: FixtureServer, log: Path, redis_url: str,
                delays: dict[str, float], kill_after: int | None = None,
                settings: tuple[str, ...] = ()) -> Workers:
    """Three workers; with ``kill_after``, once the fixture server has answered that many
    requests of this crawl, a worker holding requests (leases in Redis) is killed (SIGKILL)."""
    sites = site_files(tmp / "sites", delays)
    before = len(log.read_text().splitlines())
    key = f"test-{secrets.token_hex(4)}"
    dirs = [tmp / f"worker-{i}" for i in range(3)]
    procs = [start_worker(d, sites, server.proxy, redis_url, key, *settings) for d in dirs]
    killed = None
    if kill_after is not None:
        deadline = time.monotonic() + 120
        while killed is None:
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), (
                "no crawl to kill")
            if len(log.read_text().splitlines()) - before >= kill_after:
                killed = next((i for i, p in enumerate(procs)
                               if holds_requests(redis_url, key, p.pid)), None)
            time.sleep(0.05)
        procs[killed].send_signal(signal.SIGKILL)
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    merged = tmp / "merged"
    merge = subprocess.run(
        [sys.executable, "-m", "newsarchive", "merge", *map(str, dirs), "--data", str(merged),
         "--sites", str(sites)], capture_output=True, text=True, timeout=300)
    server_log = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    return Workers(dirs, merged, procs, outputs, merge, server_log, killed)


def holds_requests(redis_url: str, key: str, pid: int) -> bool:
    """Whether the worker of this pid holds leased requests (tokens are ``<host>-<pid>:...``)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return any(token.split(b":")[0].endswith(b"-%d" % pid)
                   for leases in client.scan_iter(f"{key}:*:leases:expiry")
                   for token in client.zrange(leases, 0, -1))
    finally:
        client.close()


def run_dir(data: Path) -> Path:
    (run,) = (data / "runs").iterdir()
    return run


def articles(data: Path) -> list[dict[str, Any]]:
    """A run's articles; a worker that archived none has no articles.jsonl."""
    path = run_dir(data) / "articles.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def three_workers(fixture_server: tuple[FixtureServer, Path], redis_url: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Workers:
    server, log = fixture_server
    # Two requests at a time per worker: no worker takes all of dw's requests to wait on them.
    return run_workers(tmp_path_factory.mktemp("shared"), server, log, redis_url, {"dw": DELAY},
                       settings=("-s", "CONCURRENT_REQUESTS=2"))


def test_every_worker_finishes_the_same_run(three_workers: Workers) -> None:
    for proc, output in zip(three_workers.procs, three_workers.outputs, strict=True):
        assert proc.returncode == 0, output
    assert len({run_dir(d).name for d in three_workers.dirs}) == 1


def test_every_article_is_archived_exactly_once(three_workers: Workers, crawl: Crawl) -> None:
    urls = [a["url"] for d in three_workers.dirs for a in articles(d)]
    assert len(urls) == len(set(urls))
    assert set(urls) == {a["url"] for a in crawl.articles}


def test_each_worker_writes_its_own_valid_warcs(three_workers: Workers) -> None:
    writers = 0
    for data, proc in zip(three_workers.dirs, three_workers.procs, strict=True):
        warcs = sorted((run_dir(data) / "warc").glob("*.warc.gz"))
        writers += bool(warcs)
        for warc in warcs:
            # Heritrix style: the worker's host and pid in the name.
            assert re.fullmatch(rf"newsarchive-[A-Za-z0-9.-]+-{proc.pid}-\d{{17}}-\d{{5}}\.warc\.gz",
                                warc.name), warc.name
            check = subprocess.run([str(WARCIO), "check", "-v", str(warc)], capture_output=True,
                                   text=True, timeout=120)
            assert check.returncode == 0, check.stdout + check.stderr
    assert writers >= 2  # the work was shared


def test_one_merged_run(three_workers: Workers, crawl: Crawl) -> None:
    assert three_workers.merge.returncode == 0, three_workers.merge.stdout + three_workers.merge.stderr
    run = run_dir(three_workers.merged)
    report = json.loads((run / "report.json").read_text())
    assert report["merged_from"] == 3 and report["finish_reason"] == "finished"
    for name, site in report["sites"].items():
        assert site["status"] == "ok"
        assert site["articles"] == crawl.report["sites"][name]["articles"]
        assert site["articles_unique"] == crawl.report["sites"][name]["articles_unique"]
    assert sorted(report["archive"]["files"]) == sorted(
        w.name for d in three_workers.dirs for w in (run_dir(d) / "warc").glob("*.warc.gz"))
    merged = articles(three_workers.merged)
    assert {a["url"] for a in merged} == {a["url"] for a in crawl.articles}
    assert all((three_workers.merged / a["text_path"]).is_file() for a in merged)
    assert (run / f"{run.name}.wacz").is_file()
    assert (three_workers.merged / "catalog.sqlite").is_file()


def test_a_sites_delay_holds_across_workers(three_workers: Workers) -> None:
    times = sorted(r["time"] for r in three_workers.server_log if "://www.dw.com/" in r["url"])
    assert len(times) >= 5
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= DELAY, gaps
    # ... though more than one worker fetched the site
    fetched_dw = [d for d in three_workers.dirs if any(
        "com,dw)" in cdxj.read_text() for cdxj in (run_dir(d) / "warc").glob("*.cdxj"))]
    assert len(fetched_dw) >= 2


def test_a_killed_workers_requests_are_fetched_by_the_others(
    fixture_server: tuple[FixtureServer, Path], redis_url: str,
    tmp_path_factory: pytest.TempPathFactory, crawl: Crawl,
) -> None:
    server, log = fixture_server
    delays = dict.fromkeys(SITES, 0.3)  # long enough to be killed in the middle
    workers = run_workers(tmp_path_factory.mktemp("killed"), server, log, redis_url, delays,
                          kill_after=15)
    assert workers.killed is not None
    assert workers.procs[workers.killed].returncode == -signal.SIGKILL
    others = [i for i in range(3) if i != workers.killed]
    for i in others:
        assert workers.procs[i].returncode == 0, workers.outputs[i]
    reports = [json.loads((run_dir(workers.dirs[i]) / "report.json").read_text()) for i in others]
    assert sum(r["stats"].get("redis/reclaimed", 0) for r in reports) >= 1
    assert workers.merge.returncode == 0, workers.merge.stdout + workers.merge.stderr
    merged = {a["url"] for a in articles(workers.merged)}
    assert merged == {a["url"] for a in crawl.articles}  # nothing missing
    report = json.loads((run_dir(workers.merged) / "report.json").read_text())
    assert all(site["status"] == "ok" for site in report["sites"].values())
