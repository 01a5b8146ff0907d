"""Extraction in a pool of processes gives the articles one process gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Crawl, FixtureServer, SecondNight, read_articles

# Where each capture went, and its story thread: a thread's id is its first article's, and the
# pool hands articles back in the order they finish, not the order they were fetched.
PER_CAPTURE = ("fetched", "warc_filename", "warc_offset", "warc_record_id", "story")


def crawl_with(server: FixtureServer, data: Path, run_id: str, setting: str) -> None:
    """A crawl of the fixture sites into ``data`` with one setting changed; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data), "--proxy",
         server.proxy, "--delay-scale", "0", "--run-id", run_id, "--set", "RETRY_TIMES=0",
         "--set", setting],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pool_extracts_what_one_process_extracts(
    crawl: Crawl, fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    assert crawl.report["stats"]["extraction/workers"] == max(os.cpu_count() or 1, 1)
    data = tmp_path / "data"
    crawl_with(fixture_server[0], data, "one", "EXTRACT_WORKERS=1")

    def comparable(articles: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
        return {url: {k: v for k, v in a.items() if k not in PER_CAPTURE}
                for url, a in articles.items()}

    assert comparable(read_articles(data / "runs" / "one")) == comparable(
        read_articles(crawl.run_dir))


def test_a_worker_hands_back_the_story_features_without_loading_datasketch() -> None:
    # The story stage's text features are made in the worker, beside the article; a worker
    # never imports datasketch (numpy and scipy: +50 MB a process); the features never reach
    # an output.
    page = (b"<html><head><title>Floods in the south</title></head><body><article>"
            + b"<p>Heavy rain flooded villages in the south, and thousands moved to schools"
            + b" and temples while the water rose, officials said on Monday.</p>" * 6
            + b"</article></body></html>")
    script = (
        "import sys\n"
        "from crawler._pool import extract_page\n"
        f"article = extract_page('http://dw.example/a', {page!r}, site='dw',"
        " story_features=True, content_type='text/html; charset=utf-8')\n"
        "features = article.story_features\n"
        "assert features.features.hashes and features.features.shingles, features\n"
        "assert 'story_features' not in article.to_dict()\n"
        "assert 'datasketch' not in sys.modules and 'numpy' not in sys.modules\n"
        "off = extract_page('http://dw.example/a', b'', site='dw', story_features=False)\n"
        "assert off.story_features is None\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr


def test_story_features_are_worked_out_only_for_articles_the_story_stage_will_place(
    crawl: Crawl, second_night: SecondNight, fixture_server: tuple[FixtureServer, Path],
    tmp_path: Path,
) -> None:
    # Night 1: every article is new, so each one's features are made in the pool.
    stats = crawl.report["stats"]
    assert stats["extraction/story_features"] == stats["extraction/articles"] > 0
    # Night 2 fetches every article again: each URL is in a thread already and keeps it, so
    # none of the work is done, and the threads are night 1's.
    night_2 = json.loads((second_night.run_dir / "report.json").read_text())["stats"]
    assert night_2["extraction/articles"] == stats["extraction/articles"]
    assert night_2.get("extraction/story_features", 0) == 0
    first = {url: a["story"] for url, a in read_articles(crawl.run_dir).items()}
    again = {url: a["story"] for url, a in read_articles(second_night.run_dir).items()}
    assert again == first
    # No catalog, so no story stage: nothing is worked out for it.
    data = tmp_path / "data"
    crawl_with(fixture_server[0], data, "bare", "CATALOG_ENABLED=false")
    bare = json.loads((data / "runs" / "bare" / "report.json").read_text())["stats"]
    assert bare["extraction/articles"] == stats["extraction/articles"]
    assert "extraction/story_features" not in bare
