"""WARC gzip level: time and size of writing the same records at zlib levels 1-9.

    .venv/bin/python bench/warc_gzip.py DATA_DIR    # e.g. ../shared/bench/aeb-dev

Every page of ``DATA_DIR/html/*.html.gz`` is written, uncompressed as a server sending plain
HTML would, as a response record (with its request) by our writer at each level; prints MB/s
and size, and each level's speed and size against warcio's level 9.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.records import HttpRequest, HttpResponse
from archive.warc import RollingWarcWriter

LEVELS = (1, 3, 6, 9)


def write_all(pages: list[bytes], level: int, directory: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with RollingWarcWriter(directory, max_size=1 << 40, gzip_level=level) as writer:
        for number, page in enumerate(pages):
            writer.write_exchange(
                f"https://bench.example/{number}",
                HttpRequest("GET", f"/{number}", [("Host", "bench.example")]),
                HttpResponse(200, [("Content-Type", "text/html")], page),
            )
    seconds = time.perf_counter() - start
    return seconds, sum(p.stat().st_size for p in directory.glob("*.warc.gz"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args(argv)
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(args.data_dir.glob("html/*.html.gz"))]
    if not pages:
        print(f"no html/*.html.gz in {args.data_dir}", file=sys.stderr)
        return 2
    megabytes = sum(map(len, pages)) / 1e6
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for level in LEVELS:
            results[level] = write_all(pages, level, Path(tmp) / str(level))
    print(f"{len(pages)} pages, {megabytes:.1f} MB of HTML")
    base_seconds, base_size = results[9]
    for level, (seconds, size) in results.items():
        print(f"level {level}: {megabytes / seconds:6.1f} MB/s, {size / 1e6:6.2f} MB;"
              f" speed x{base_seconds / seconds:.2f}, size x{size / base_size:.3f} of level 9")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
