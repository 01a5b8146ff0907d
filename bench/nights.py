"""Incremental nights: the second night's requests and wall time against the first's.

    bench/nights.py [--articles N] [--changed N] [--new N]

A generated site of N articles (one listing page, a sitemap with ``lastmod``) is served by the
fixture server (tests/fixtures/server.py, with ETag and Last-Modified) and crawled twice into one
data directory as whole ``newsarchive crawl`` processes. Before the second night, ``--new``
articles are added and ``--changed`` ones rewritten (their ``lastmod`` moved on). Printed: each
night's requests served and wall time, and the ratio of the second to the first.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from the repository root: make the repository importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.process import FixtureServer  # noqa: E402

HOST = "bench.example"
SITE = f"""
name = "bench"
hosts = ["{HOST}"]
language = "en"
[politeness]
download_delay = 0
concurrency = 8
[start]
listings = ["http://{HOST}/"]
sitemaps = ["http://{HOST}/sitemap.xml"]
[links]
articles = ['^http://bench\\.example/news/\\d+\\.html$']
listing_depth = 0
max_articles = 0
"""
WORDS = ("council harbour minister rainfall export bridge school festival railway province"
         " reservoir farmers budget election museum vaccine orchestra satellite").split()


def article(number: int, edition: int, rng: random.Random) -> str:
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(8))
    return (f"<html lang='en'><head><title>Story {number}</title></head><body><article>"
            f"<h1>Story {number}</h1><p>Edition {edition} of story {number}.</p>{paragraphs}"
            "</article></body></html>")


def write_site(web: Path, numbers: range, lastmod: dict[int, str], rng: random.Random) -> None:
    site = web / HOST
    (site / "news").mkdir(parents=True, exist_ok=True)
    links = "".join(f"<li><a href='/news/{n}.html'>Story {n}</a></li>" for n in numbers)
    (site / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
    urls = "".join(f"<url><loc>http://{HOST}/news/{n}.html</loc><lastmod>{lastmod[n]}</lastmod>"
                   "</url>" for n in numbers)
    (site / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>")
    for n in numbers:
        page = site / "news" / f"{n}.html"
        if not page.exists():
            page.write_text(article(n, 1, rng))


def night(server: FixtureServer, data: Path, sites: Path, log: Path, run_id: str) -> tuple[int, float]:
    before = len(log.read_text().splitlines()) if log.exists() else 0
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "bench", "--data", str(data),
         "--sites", str(sites), "--proxy", server.proxy, "--delay-scale", "0",
         "--run-id", run_id], cwd=ROOT, check=True, capture_output=True, timeout=3600)
    elapsed = time.perf_counter() - started
    sent = [json.loads(line) for line in log.read_text().splitlines()[before:]]
    return len(sent), elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--new", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        web, data, log, sites = root / "web", root / "data", root / "sent.jsonl", root / "bench.toml"
        sites.write_text(SITE)
        first = range(args.articles)
        lastmod = {n: "2026-01-01" for n in range(args.articles + args.new)}
        write_site(web, first, lastmod, rng)
        with FixtureServer(web, log) as server:
            one = night(server, data, sites, log, "night-1")
            later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="seconds")
            for n in range(args.changed):
                (web / HOST / "news" / f"{n}.html").write_text(article(n, 2, rng))
                lastmod[n] = later
            write_site(web, range(args.articles + args.new), lastmod, rng)
            two = night(server, data, sites, log, "night-2")
    print(f"{args.articles} articles; night 2 adds {args.new} and changes {args.changed}")
    print(f"night 1: {one[0]:5d} requests  {one[1]:6.1f} s")
    print(f"night 2: {two[0]:5d} requests  {two[1]:6.1f} s")
    print(f"night 2 / night 1: requests {two[0] / one[0]:.3f}, wall time {two[1] / one[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
