"""Crawl throughput and memory on every core, against a bare Scrapy spider and extraction alone.

    bench/crawl.py [--pages N] [--workers W] [--memory-pages M] [--web DIR] [--keep]
                   [--server nginx|python]

A generated news site of N article pages (bench/newssite.py: 50-200 KB each, mostly boilerplate,
seeded) is served on the loopback by nginx (bench/nginx.py) where it is installed, else by the
fixture server (tests/fixtures/server.py), whose CPU, on the same cores, is taken from the crawl.
First the server's own capacity is measured with a raw concurrent HTTP client, and its CPU is
sampled in every run below, to show it is not what bounds them. Then, in one run, pages/s of:

    a  a bare Scrapy spider fetching the same URLs (bench/bare_spider.py)
    b  our extraction alone over the same pages, in the crawl's pool of W processes, no Scrapy
       (the pool's job as the crawl runs it: the article and the story stage's text features)
    c  the full crawl with the pool off (EXTRACT_WORKERS=1: extraction in the crawl's process)
    d  the full crawl as shipped (EXTRACT_WORKERS=W; default 0, one per core)

The crawls are whole ``newsarchive crawl`` processes (archive, catalog, WACZ and all); pages/s is
over each process's whole life. For each: CPU seconds (the process and its workers), cores busy,
peak RSS of the process tree, and the CPU a page of the command's own process (without its
workers): the crawl's reactor, one thread, bounds d at 1000 / that pages/s. With
``--memory-pages M``, crawl d and ``reextract --workers 2`` run again over a site of M pages,
and their peak RSS is compared with that at N.

Last, the ceiling this machine puts on d whatever the crawl's design: its cores divided by the
CPU a page costs at the least, which is b's (the extraction) plus a's (fetching it with Scrapy)
plus the server's.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.worker_pool import spawned_pool  # noqa: E402
from bench import nginx  # noqa: E402
from bench.newssite import HOST, site_config, write_site  # noqa: E402
from bench.processtree import Usage, run_measured  # noqa: E402
from crawler._pool import extract_page  # noqa: E402
from crawler.siteconfig import load_sites  # noqa: E402
from tests.fixtures.process import FixtureServer  # noqa: E402

MB = 1 << 20
IN_FLIGHT = 8  # pages submitted per worker at a time in b, as reextract does


Server = FixtureServer | nginx.NginxServer


def server_capacity(server: Server, urls: list[str], clients: int = 16) -> float:
    """Pages/s the server gives a raw HTTP client with ``clients`` keep-alive connections."""
    todo = deque(urls)

    def fetch() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        while True:
            try:
                url = todo.popleft()
            except IndexError:
                break
            connection.request("GET", url, headers={"Host": HOST, "Accept-Encoding": "gzip"})
            connection.getresponse().read()
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=fetch) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(urls) / (time.perf_counter() - started)


def extraction_alone(web: Path, urls: list[str], sites: Path, workers: int) -> tuple[float, float]:
    """Seconds and CPU seconds to extract every page in a pool of ``workers``, files read here:
    the job the crawl's pool runs, the story stage's text features included."""
    rules = load_sites([sites], ["bench"])["bench"].rules
    before = os.times()
    started = time.perf_counter()
    pending: deque[Future[object]] = deque()
    with spawned_pool(workers) as pool:
        for url in urls:
            body = (web / HOST / url.split(f"{HOST}/", 1)[1]).read_bytes()
            pending.append(pool.submit(extract_page, url, body, site="bench", rules=rules,
                                       story_features=True,
                                       content_type="text/html; charset=utf-8"))
            while len(pending) >= IN_FLIGHT * workers:
                pending.popleft().result()
        for job in pending:
            job.result()
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return time.perf_counter() - started, cpu


class Bench:
    def __init__(self, root: Path, server: Server, workers: int) -> None:
        self.root = root
        self.server = server
        self.server_process = psutil.Process(server.pid)
        self.workers = workers
        self.rows: dict[str, tuple[int, Usage, float]] = {}

    def measure(self, label: str, pages: int, command: Sequence[str]) -> Usage:
        server_before = sum(self.server_process.cpu_times()[:2])
        usage = run_measured(command, ROOT, self.root / f"{label.split()[0]}.log")
        server_cpu = sum(self.server_process.cpu_times()[:2]) - server_before
        if usage.returncode != 0:
            print(f"{label}: exit status {usage.returncode}; see {self.root}", file=sys.stderr)
        self.rows[label] = (pages, usage, server_cpu)
        print(row(label, pages, usage, server_cpu), flush=True)
        return usage

    def crawl(self, label: str, pages: int, workers: int) -> Path:
        data = self.root / f"data-{label.split()[0]}"
        sites = self.root / f"bench-{pages}.toml"
        self.measure(label, pages, [
            sys.executable, "-m", "newsarchive", "crawl", "bench", "--data", str(data),
            "--sites", str(sites), "--proxy", self.server.proxy, "--delay-scale", "0",
            "-s", f"EXTRACT_WORKERS={workers}"])
        return data


def row(label: str, pages: int, usage: Usage, server_cpu: float) -> str:
    own = f"  own process {1000 * usage.own_cpu / pages:4.1f} ms/page" if usage.own_cpu else ""
    return (f"{label:<34} {pages:6d} pages {usage.wall:7.1f} s {pages / usage.wall:7.1f} pages/s"
            f"  cpu {usage.cpu:7.1f} s ({usage.cores:4.2f} cores)  peak RSS"
            f" {usage.peak_rss / MB:6.0f} MB  server {100 * server_cpu / usage.wall:3.0f}% of a core"
            f"{own}")


def ceiling(rows: dict[str, tuple[int, Usage, float]], rate: dict[str, float], cores: int) -> str:
    """The most pages/s any design of the crawl could reach on these cores, two ways. Each page
    costs at least its extraction (b's CPU a page), its fetching (a's) and its serving (the
    server's, in d); and spreading the work over processes does not make it less than the
    whole crawl's in one (c's CPU a page, plus the server's, on the other core in c)."""
    per_page = {key[0]: usage.cpu / pages for key, (pages, usage, _) in rows.items()}
    pages_d, _, server_d = next(v for k, v in rows.items() if k.startswith("d"))
    server = server_d / pages_d
    least = per_page["b"] + per_page["a"] + server
    whole = per_page["c"] + server
    return (f"ceiling on {cores} cores: (1) b {1000 * per_page['b']:.1f} + a"
            f" {1000 * per_page['a']:.1f} + server {1000 * server:.1f} = {1000 * least:.1f} ms of"
            f" CPU a page, so d <= {cores / least:.1f} pages/s, d / b <= {cores / least / rate['b']:.2f};"
            f"\n                     (2) c {1000 * per_page['c']:.1f} + server {1000 * server:.1f}"
            f" = {1000 * whole:.1f} ms, so d <= {cores / whole:.1f} pages/s,"
            f" d / c <= {cores / whole / rate['c']:.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="extraction processes of b and d (default: one per core)")
    parser.add_argument("--memory-pages", type=int, default=0, metavar="M",
                        help="also crawl and reextract a site of M pages and compare peak RSS")
    parser.add_argument("--web", type=Path, help="keep the generated site here, for later runs")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    parser.add_argument("--server", choices=("nginx", "python"),
                        default="nginx" if nginx.available() else "python",
                        help="nginx (default where installed) or the Python fixture server")
    args = parser.parse_args(argv)
    if args.pages < 1 or args.workers < 1 or args.memory_pages < 0:
        print("--pages and --workers must be at least 1", file=sys.stderr)
        return 2
    if args.server == "nginx" and not nginx.available():
        print("--server nginx: nginx is not installed (apt-get install nginx-light)",
              file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    web = args.web or root / "web"
    try:
        return run(args, root, web)
    finally:
        if args.keep:
            print(f"\nkept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path, web: Path) -> int:
    n, workers = args.pages, args.workers
    largest = max(n, args.memory_pages)
    started = time.perf_counter()
    urls = write_site(web, largest)[:n]
    if args.memory_pages:
        write_site(web, n)  # its own sitemap
    for pages in {n, largest}:
        (root / f"bench-{pages}.toml").write_text(site_config(pages))
    (root / "urls.txt").write_text("\n".join(urls) + "\n")
    size = sum((web / HOST / "news" / f"{i}.html").stat().st_size for i in range(n))
    print(f"{n} pages of {size / n / 1024:.0f} KB on average (site written in"
          f" {time.perf_counter() - started:.0f} s); {os.cpu_count()} cores,"
          f" load average {os.getloadavg()[0]:.2f} before the runs\n")
    server: Server = nginx.NginxServer(web) if args.server == "nginx" else FixtureServer(web)
    with server:
        bench = Bench(root, server, workers)
        capacity = server_capacity(server, urls[: min(n, 2_000)])
        print(f"server ({args.server}) capacity (raw client, 16 connections):"
              f" {capacity:.0f} pages/s\n")
        bench.measure("a bare Scrapy spider", n, [
            sys.executable, "bench/bare_spider.py", str(root / "urls.txt"),
            "--proxy", server.proxy, "--concurrency", "16"])
        wall, cpu = extraction_alone(web, urls, root / f"bench-{n}.toml", workers)
        bench.rows["b"] = (n, Usage(wall, cpu, 0, 0), 0.0)
        print(row(f"b extraction alone, {workers} workers", n, Usage(wall, cpu, 0, 0), 0.0))
        bench.crawl("c full crawl, pool off", n, 1)
        data = bench.crawl(f"d full crawl, {workers} workers", n, workers)
        rate = {key[0]: pages / usage.wall for key, (pages, usage, _) in bench.rows.items()}
        print(f"\nd / b = {rate['d'] / rate['b']:.2f}   d / c = {rate['d'] / rate['c']:.2f}"
              f"   d / a = {rate['d'] / rate['a']:.2f}")
        print(ceiling(bench.rows, rate, os.cpu_count() or 1))
        reextract = bench.measure("r reextract --workers 2", n, [
            sys.executable, "-m", "newsarchive", "reextract", str(data), "--workers", "2",
            "--sites", str(root / f"bench-{n}.toml")])
        if args.memory_pages:
            print()
            crawl_n = bench.rows[f"d full crawl, {workers} workers"][1]
            bench.crawl(f"D full crawl, {workers} workers", largest, workers)
            big = bench.measure("R reextract --workers 2", largest, [
                sys.executable, "-m", "newsarchive", "reextract", str(root / "data-D"),
                "--workers", "2", "--sites", str(root / f"bench-{largest}.toml")])
            crawl_m = bench.rows[f"D full crawl, {workers} workers"][1]
            print(f"\npeak RSS at {largest} / at {n} pages: crawl"
                  f" {crawl_m.peak_rss / crawl_n.peak_rss:.2f}, reextract"
                  f" {big.peak_rss / reextract.peak_rss:.2f}")
    print(f"load average after the runs: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
