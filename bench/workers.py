"""Shared crawls: pages/s with 1, 2 and 4 workers through one Redis, extraction included.

    bench/workers.py [--articles N] [--sites S] [--workers 1,2,4]

S generated sites (hosts ``bench-<i>.example``, no delay, concurrency 4 each) with N articles in
all, listed on each site's front page, are served by the fixture server (tests/fixtures/server.py);
a redis-server is started on a free loopback port (tests/fixtures/redis_server.py). For each
worker count, that many ``newsarchive crawl --redis`` processes (each with its own data
directory, as on its own machine) crawl every site, and every article is extracted and written
as in any crawl. Printed per count: the pages served, the crawl's time (the first worker's start
to the last page served) and pages/s over it, and the wall time until every worker had exited
(process start-up and the idle timeout included); then the single-machine crawl (no Redis) as
the baseline. The machine's cores bound what more workers on one machine can give.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.nights import article  # noqa: E402
from tests.fixtures.process import FixtureServer  # noqa: E402
from tests.fixtures.redis_server import RedisServer, redis_binary  # noqa: E402


def site_config(i: int) -> str:
    host = f"bench-{i}.example"
    return f"""
name = "bench{i}"
hosts = ["{host}"]
language = "en"
[politeness]
download_delay = 0
concurrency = 4
[start]
listings = ["http://{host}/"]
[links]
articles = ['^http://bench-{i}\\.example/news/\\d+\\.html$']
listing_depth = 0
max_articles = 0
"""


def write_sites(root: Path, articles: int, sites: int) -> tuple[Path, Path]:
    web, configs = root / "web", root / "sites"
    configs.mkdir(parents=True)
    rng = random.Random(1)
    for i in range(sites):
        host = web / f"bench-{i}.example"
        (host / "news").mkdir(parents=True)
        numbers = range(i, articles, sites)
        links = "".join(f"<li><a href='/news/{n}.html'>Story {n}</a></li>" for n in numbers)
        (host / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
        for n in numbers:
            (host / "news" / f"{n}.html").write_text(article(n, 1, rng))
        (configs / f"bench{i}.toml").write_text(site_config(i))
    return web, configs


def crawl(count: int, root: Path, configs: Path, server: FixtureServer, log: Path,
          redis_url: str | None, settings: Sequence[str] = ()) -> tuple[int, float, float]:
    before = len(log.read_text().splitlines()) if log.exists() else 0
    key = f"bench-{count}-{time.monotonic_ns()}"
    names = sorted(p.stem for p in configs.glob("*.toml"))  # these sites only, no built-in one
    common = [*names, "--sites", str(configs), "--proxy", server.proxy, "-s", "PROGRESS_ENABLED=false",
              "-s", "CATALOG_ENABLED=false", "-s", "WACZ_ENABLED=false",
              *(f"--set={setting}" for setting in settings)]
    if redis_url:
        common += ["--redis", redis_url, "-s", f"REDIS_KEY={key}", "-s", "REDIS_IDLE_TIMEOUT=1"]
    started = time.time()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(root / f"{key}-{i}"),
         *common], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(count)]
    for proc in procs:
        proc.wait(timeout=3600)
    wall = time.time() - started
    sent = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    crawled = max(r["time"] for r in sent) - started
    for i in range(count):
        shutil.rmtree(root / f"{key}-{i}", ignore_errors=True)
    return len(sent), crawled, wall


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1200)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every worker (e.g. REDIS_POLITENESS_ENABLED=false)")
    args = parser.parse_args(argv)
    binary = redis_binary()
    if binary is None:
        print("redis-server is not installed: make install", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        web, configs = write_sites(root, args.articles, args.sites)
        log = root / "sent.jsonl"
        with FixtureServer(web, log) as server, RedisServer(binary) as redis_server:
            rows = [(f"{n} worker{'s' if n > 1 else ''}",
                     crawl(n, root, configs, server, log, redis_server.url, args.set))
                    for n in map(int, args.workers.split(","))]
            rows.append(("no Redis", crawl(1, root, configs, server, log, None)))
    print(f"{args.articles} articles on {args.sites} sites, extraction included")
    base = rows[0][1][0] / rows[0][1][1]
    for name, (pages, crawled, wall) in rows:
        rate = pages / crawled
        print(f"{name:>10}: {pages:5d} pages in {crawled:6.1f} s = {rate:6.1f} pages/s"
              f" ({rate / base:.2f}x);  all workers exited after {wall:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
