"""Replay: re-run the crawl from its archive with no network, and resolve revisits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import Crawl, SecondNight, dead_proxy, read_articles


def newsarchive(*args: str, proxy_env: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if proxy_env:
        # Any attempt to reach the network goes to a port where nothing listens.
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env[name] = proxy_env
    return subprocess.run([sys.executable, "-m", "newsarchive", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def without_crawl_times(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {url: {k: v for k, v in a.items() if k != "fetched"} for url, a in found.items()}


def without_stories(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A replay never touches the catalog, so it puts no article in a story thread: every
    line's ``story`` is null, where the crawl's named the thread the catalog gave it."""
    assert all(a["story"] is None for a in found.values())
    return {url: {k: v for k, v in a.items() if k != "story"} for url, a in found.items()}


def test_replay_from_warcs_equals_the_crawl(crawl: Crawl, tmp_path: Path) -> None:
    result = newsarchive("crawl", "--replay", str(crawl.run_dir), "--data", str(tmp_path),
                         "--run-id", "replay", proxy_env=dead_proxy())
    assert result.returncode == 0, result.stdout + result.stderr
    replay = tmp_path / "runs" / "replay"
    crawled = {url: {k: v for k, v in a.items() if k != "story"}
               for url, a in read_articles(crawl.run_dir).items()}
    assert without_crawl_times(without_stories(read_articles(replay))) == without_crawl_times(crawled)
    # Capture times come from the archive too.
    assert without_stories(read_articles(replay)) == crawled
    report = json.loads((replay / "report.json").read_text())
    assert report["replay"]["hits"] == crawl.report["stats"]["archive/responses"]
    assert report["replay"]["misses"] == 0
    assert not (replay / "warc").exists(), "a replay must not write an archive of its own"
    assert "replayed:" in result.stdout


def test_replay_from_the_wacz_equals_the_crawl(crawl: Crawl, tmp_path: Path) -> None:
    [wacz] = crawl.run_dir.glob("*.wacz")
    result = newsarchive("crawl", "--replay", str(wacz), "--data", str(tmp_path),
                         "--run-id", "replay", proxy_env=dead_proxy())
    assert result.returncode == 0, result.stdout + result.stderr
    assert without_stories(read_articles(tmp_path / "runs" / "replay")) == {
        url: {k: v for k, v in a.items() if k != "story"}
        for url, a in read_articles(crawl.run_dir).items()}


def test_a_url_not_in_the_archive_is_a_counted_miss(crawl: Crawl, tmp_path: Path) -> None:
    site = tmp_path / "elsewhere.toml"
    site.write_text('name = "elsewhere"\nhosts = ["news.elsewhere.example"]\n'
                    '[start]\nlistings = ["https://news.elsewhere.example/world"]\n'
                    "[links]\narticles = ['/story/']\n")
    result = newsarchive("crawl", "elsewhere", "--sites", str(site), "--replay", str(crawl.run_dir),
                         "--data", str(tmp_path), "--run-id", "miss", proxy_env=dead_proxy())
    assert result.returncode == 1
    report = json.loads((tmp_path / "runs" / "miss" / "report.json").read_text())
    assert report["replay"]["misses"] == 2  # robots.txt and the listing
    assert report["sites"]["elsewhere"]["failed"] == {"http_404": 1}
    assert "1 not in it" not in result.stdout and "2 not in it" in result.stdout


def test_second_night_stores_unchanged_pages_as_revisits_and_replay_resolves_them(
    crawl: Crawl, second_night: SecondNight, tmp_path: Path
) -> None:
    assert second_night.returncode == 0, second_night.output
    data, night2 = second_night.data_dir, second_night.run_dir
    report = json.loads((night2 / "report.json").read_text())
    # The fixture server sends the same bytes every night: every 200 response is a revisit.
    ok = crawl.report["stats"]["downloader/response_status_count/200"]
    assert report["archive"]["revisits"] == ok
    second = read_articles(night2)
    assert without_crawl_times(second) != {}  # the articles are still extracted and written
    assert {u: a["text"] for u, a in second.items()} == {u: a["text"] for u, a in read_articles(crawl.run_dir).items()}
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check",
                            *map(str, sorted((night2 / "warc").glob("*.warc.gz")))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # Replaying night 2 needs night 1's payloads: give it the whole data dir, at night 2's time.
    # The latest of night 2: nearer to every night-2 capture than any of night 1 (all earlier).
    at = max(a["fetched"] for a in second.values())[:19].replace("-", "").replace(":", "").replace("T", "")
    replay = newsarchive("crawl", "--replay", str(data), "--at", at, "--data", str(tmp_path / "out"),
                         "--run-id", "replay-2", proxy_env=dead_proxy())
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert without_stories(read_articles(tmp_path / "out" / "runs" / "replay-2")) == {
        url: {k: v for k, v in a.items() if k != "story"} for url, a in second.items()}
