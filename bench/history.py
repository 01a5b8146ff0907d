"""The start of a night after a year of nights: against the start after one night.

    bench/history.py [--runs 365] [--urls 3000] [--articles 50] [--rounds 3] [--keep DIR]

Two data directories are faked (bench/fake_history.py: night 1 through the archive's writer,
later nights as revisits of it, with their indexes, reports and catalog rows, as the crawl leaves
them): one with night 1 alone, one with ``--runs`` nights of ``--urls`` pages. A small loopback
site (``--articles`` of the same pages, served by tests/fixtures/server.py) is then crawled into
each as a whole ``newsarchive crawl`` process (incremental off, so that every page is fetched
and looked up for dedupe), ``--rounds`` times, alternately.

Printed, for each directory: the median time from process start to the site's first request and
of the whole night, how many responses became revisits, and, timed in this process (best of 5),
the start's pieces that could grow with the runs: the repair scan of ``runs/``, the catalog's
catch-up, and the dedupe index opened and asked about each page; then the ratios of the year to
the one night (target: about 1), and, for scale, what the start used to cost: reading every
run's CDXJ (``Archive.open`` of ``runs/``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

# Run as a script from the repository root: make the repository importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.catalog import CATALOG_NAME  # noqa: E402
from archive.catalog_build import bring_up_to_date  # noqa: E402
from archive.dedupe import PayloadIndex  # noqa: E402
from archive.reader import Archive  # noqa: E402
from archive.records import payload_digest  # noqa: E402
from bench.fake_history import fake_history, page_body, page_url, payload  # noqa: E402
from bench.nights import HOST, SITE  # noqa: E402
from newsarchive.catalog import catalogued_runs  # noqa: E402
from newsarchive.repair import interrupted_runs  # noqa: E402
from tests.fixtures.process import FixtureServer  # noqa: E402


def night(server: FixtureServer, data: Path, sites: Path, log: Path, run_id: str,
          ) -> tuple[float, float, dict[str, object]]:
    """(seconds to the site's first request, wall seconds, the run's stats) of one crawl."""
    before = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl", "bench", "--data", str(data),
         "--sites", str(sites), "--proxy", server.proxy, "--delay-scale", "0",
         "--run-id", run_id, "--set", "INCREMENTAL_ENABLED=false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while process.poll() is None:  # the server logs each request before it answers
        if first is None and log.exists() and log.stat().st_size > before:
            first = time.perf_counter() - started
        time.sleep(0.002)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"the crawl of {run_id} into {data} exited {process.returncode}")
    report = json.loads((data / "runs" / run_id / "report.json").read_text())
    return first if first is not None else wall, wall, report.get("stats", {})


def start_pieces(data: Path, probes: int) -> tuple[float, float, float]:
    """In this process, the best of 5: (the repair scan, the catalog's catch-up, the dedupe
    index opened and asked about ``probes`` pages), in seconds."""
    best = [float("inf")] * 3
    digests = [payload_digest(payload(n)[0]) for n in range(probes)]
    for _ in range(5):
        started = time.perf_counter()
        interrupted_runs(data, catalogued_runs(data))
        scanned = time.perf_counter()
        bring_up_to_date(data, lambda url: "bench")
        caught_up = time.perf_counter()
        payloads = PayloadIndex.of_earlier_runs(data)
        found = sum(payloads.match(page_url(n), d) is not None for n, d in enumerate(digests))
        payloads.close()
        looked_up = time.perf_counter()
        assert found == probes, f"{found} of {probes} pages found in the catalog"
        times = (scanned - started, caught_up - scanned, looked_up - caught_up)
        best = [min(b, t) for b, t in zip(best, times, strict=True)]
    return best[0], best[1], best[2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=365, help="nights of history (default 365)")
    parser.add_argument("--urls", type=int, default=3000, help="pages per night (default 3000)")
    parser.add_argument("--articles", type=int, default=50, help="pages the measured nights fetch")
    parser.add_argument("--rounds", type=int, default=3, help="crawls into each (median taken)")
    parser.add_argument("--keep", type=Path,
                        help="fake the history here and keep it; reused if already there")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        web, log, sites = root / "web", root / "sent.jsonl", root / "bench.toml"
        one, year = root / "one-night", root / "year"
        started = time.perf_counter()
        if not (year / CATALOG_NAME).exists():
            fake_history(one, 1, args.urls)
            fake_history(year, args.runs, args.urls)
        faked = time.perf_counter() - started
        before = {d: sum(1 for _ in (d / "runs").iterdir()) for d in (one, year)}
        sites.write_text(SITE)
        (web / HOST / "news").mkdir(parents=True, exist_ok=True)
        links = "".join(f"<li><a href='/news/{n}.html'>{n}</a></li>" for n in range(args.articles))
        (web / HOST / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
        for n in range(args.articles):
            (web / HOST / "news" / f"{n}.html").write_bytes(page_body(n))
        pieces = {data: start_pieces(data, args.articles) for data in (one, year)}
        crawls: dict[Path, list[tuple[float, float, dict[str, object]]]] = {one: [], year: []}
        stamp = datetime.now(UTC).strftime("%H%M%S")
        with FixtureServer(web, log) as server:
            for round_ in range(args.rounds):  # alternately, so that the load hits both alike
                for data in (one, year):
                    run_id = f"measured-{stamp}-{round_}"
                    crawls[data].append(night(server, data, sites, log, run_id))
        reading = time.perf_counter()
        lines = Archive.open(year / "runs").size
        reading = time.perf_counter() - reading
    print(f"history: {before[year]} runs x {args.urls} pages"
          f" ({f'faked in {faked:.1f} s' if faked > 1 else 'kept from before'});"
          f" {args.rounds} crawls of {args.articles} pages into it and into a {before[one]}-run one")
    figures = {}
    for data in (one, year):
        first = statistics.median(c[0] for c in crawls[data])
        wall = statistics.median(c[1] for c in crawls[data])
        stats = crawls[data][-1][2]
        figures[data] = (first, wall)
        scan, catch, lookup = pieces[data]
        print(f"after {before[data]:>3} runs: first request after {first:6.2f} s, night"
              f" {wall:6.2f} s (medians; {stats.get('archive/revisits', 0)} revisits of"
              f" {stats.get('archive/responses', 0)} responses); in-process: repair scan"
              f" {scan * 1000:.1f} ms, catalog catch-up {catch * 1000:.1f} ms, dedupe index"
              f" open + {args.articles} lookups {lookup * 1000:.1f} ms")
    print(f"{before[year]} runs / {before[one]} run: start"
          f" {figures[year][0] / figures[one][0]:.3f}, night {figures[year][1] / figures[one][1]:.3f}")
    print(f"for scale, the old start: reading every run's CDXJ ({lines} lines) {reading:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
