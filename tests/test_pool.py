"""Extraction in a pool of processes gives the articles one process gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Crawl, FixtureServer, read_articles

# Where each capture went, and its story thread: a thread's id is its first article's, and the
# pool hands articles back in the order they finish, not the order they were fetched.
PER_CAPTURE = ("fetched", "warc_filename", "warc_offset", "warc_record_id", "story")


def test_the_pool_extracts_what_one_process_extracts(
    crawl: Crawl, fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    assert crawl.report["stats"]["extraction/workers"] == max(os.cpu_count() or 1, 1)
    data = tmp_path / "data"
    one = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data), "--proxy",
         fixture_server[0].proxy, "--delay-scale", "0", "--run-id", "one", "--set",
         "RETRY_TIMES=0", "--set", "EXTRACT_WORKERS=1"],
        capture_output=True, text=True, timeout=300,
    )
    assert one.returncode == 0, one.stdout + one.stderr

    def comparable(articles: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
        return {url: {k: v for k, v in a.items() if k not in PER_CAPTURE}
                for url, a in articles.items()}

    assert comparable(read_articles(data / "runs" / "one")) == comparable(
        read_articles(crawl.run_dir))
