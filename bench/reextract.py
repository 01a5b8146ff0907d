"""Re-extraction rate from an archive: all cores against one process, on the same pages.

    bench/reextract.py DATA_DIR [--copies N] [--workers N]

DATA_DIR holds ``html/*.html.gz`` (as ../shared/bench/aeb-dev does). Each page is archived
``--copies`` times under distinct URLs in a temporary WARC archive, then re-extracted twice:
once in a single process, once with a worker per core. Both runs must give the same articles.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Run as a script from the repository root: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.reader import Archive
from archive.records import HttpRequest, HttpResponse
from archive.warc import RollingWarcWriter
from crawler.siteconfig import load_sites
from model.layout import RunLayout
from newsarchive.reextract import RunFiles, reextract

SITE = """
name = "bench"
hosts = ["bench.example"]
[start]
listings = ["https://bench.example/"]
[links]
articles = ['^https://bench\\.example/\\d+/']
"""


def build_archive(pages: list[bytes], copies: int, layout: RunLayout) -> int:
    count = 0
    with RollingWarcWriter(layout.warc_dir, max_size=100_000_000) as writer:
        for copy in range(copies):
            for number, page in enumerate(pages):
                body = gzip.compress(page, mtime=0)
                writer.write_exchange(
                    f"https://bench.example/{copy}/{number}.html",
                    HttpRequest("GET", f"/{copy}/{number}.html", [("Host", "bench.example")]),
                    HttpResponse(200, [("Content-Type", "text/html; charset=utf-8"),
                                       ("Content-Encoding", "gzip"),
                                       ("Content-Length", str(len(body)))], body),
                )
                count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--copies", type=int, default=26, help="archive each page N times")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    pages = [gzip.decompress(p.read_bytes()) for p in sorted((args.data_dir / "html").glob("*.html.gz"))]
    if not pages:
        print(f"no html/*.html.gz in {args.data_dir}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "bench.toml"
        site.write_text(SITE)
        sites = load_sites([site], ["bench"])
        layout = RunLayout(Path(tmp) / "data", "bench")
        count = build_archive(pages, args.copies, layout)
        archive = Archive.open(layout.data_dir / "runs")
        run = RunFiles(layout, archive.files_in(layout.run_dir))
        files = run.files
        print(f"{count} archived pages in {len(files)} WARC file(s); {os.cpu_count()} cores\n")
        rates = {}
        outputs = {}
        for label, workers in (("single process", 1), (f"{args.workers} workers", args.workers)):
            started = time.perf_counter()
            result = reextract(archive, run, sites, workers=workers)
            elapsed = time.perf_counter() - started
            rates[label] = result.pages / elapsed
            outputs[label] = layout.articles_path.read_text()
            print(f"{label:<16} {result.pages} pages, {result.articles} articles, "
                  f"{result.failed} failed, {elapsed:6.1f} s, {rates[label]:6.1f} pages/s")
        single, pooled = rates.values()
        same = len(set(outputs.values())) == 1
        print(f"\nreextract with {args.workers} workers ÷ single process = {pooled / single:.2f}"
              f" (identical output: {'yes' if same else 'NO'})")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
