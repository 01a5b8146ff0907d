"""Whole-process speed: ``newsarchive extract`` against trafilatura on the same page files.

Each runs as one fresh process over all the files (start-up and imports included), the way a
user would run either; the figure is pages per second of wall time.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# trafilatura as a whole process: read each .html.gz, extract, print one JSON object per page
# (what `newsarchive extract` does too).
_TRAFILATURA_SCRIPT = """
import gzip, json, sys
import trafilatura
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        html = gzip.decompress(f.read())
    text = trafilatura.extract(html, output_format="txt", include_comments=False)
    print(json.dumps({"source": name, "text": text or ""}, ensure_ascii=False))
"""


@dataclass(frozen=True)
class Timing:
    name: str
    pages: int
    seconds: float
    lines: int  # JSON lines printed: one per page when all went well
    cpu_seconds: float = 0.0  # user + system time of the process: steady on a shared machine

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else float("inf")

    @property
    def pages_per_cpu_second(self) -> float:
        return self.pages / self.cpu_seconds if self.cpu_seconds else float("inf")


def _timed(name: str, command: Sequence[str], pages: int, cwd: Path) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # Exit 1 with a JSON line per page that gave an article: pages without text are counted
    # failures (said on stderr), not a failed run.
    if done.returncode not in (0, 1) or not done.stdout:
        tail = done.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"{name} exited with {done.returncode}: {tail}")
    return Timing(name, pages, seconds, done.stdout.count(b"\n"), cpu)


def whole_process(files: Sequence[Path], repo: Path) -> tuple[Timing, Timing]:
    """(ours, trafilatura), each one process over all ``files``."""
    names = [str(f) for f in files]
    ours = _timed("ours", [sys.executable, "-m", "newsarchive", "extract", *names], len(files), repo)
    other = _timed(
        "trafilatura", [sys.executable, "-c", _TRAFILATURA_SCRIPT, *names], len(files), repo
    )
    return ours, other
