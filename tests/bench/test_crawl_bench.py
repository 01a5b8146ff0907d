"""The crawl benchmark's parts: the generated site and the process-tree sampler."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.newssite import HOST, article, site_config, write_site
from bench.processtree import run_measured
from crawler.siteconfig import load_sites
from pipelines.extraction import extract


def test_pages_are_heavy_seeded_and_extractable(tmp_path: Path) -> None:
    sizes = [len(article(n).encode()) for n in range(30)]
    assert 50_000 <= min(sizes) and max(sizes) <= 200_000
    assert article(7) == article(7) != article(7, seed=2)
    sites = tmp_path / "bench.toml"
    sites.write_text(site_config(10))
    rules = load_sites([sites], ["bench"])["bench"].rules
    page = article(3)
    found = extract("http://bench.example/news/3.html", page.encode(), rules=rules)
    assert found.title and found.title in page
    assert 500 < len(found.text) < len(page) / 5  # the story, not the boilerplate around it
    assert "slot_" not in found.text and "Most read" not in found.text


def test_sites_of_several_sizes_share_their_pages(tmp_path: Path) -> None:
    small = write_site(tmp_path, 3)
    page = tmp_path / HOST / "news" / "1.html"
    before = page.stat().st_mtime_ns
    large = write_site(tmp_path, 5)
    assert large[:3] == small and page.stat().st_mtime_ns == before  # kept, not rewritten
    assert (tmp_path / HOST / "sitemap-3.xml").read_text().count("<loc>") == 3
    assert (tmp_path / HOST / "sitemap-5.xml").read_text().count("<loc>") == 5
    assert (tmp_path / HOST / "news" / "4.html").read_text() == article(4)


def test_peak_memory_sums_the_process_and_its_children(tmp_path: Path) -> None:
    hold = "b = b'x' * (150 << 20); import time; time.sleep(1.5)"  # written: resident
    parent = (f"import subprocess, sys; c = subprocess.Popen([sys.executable, '-c', {hold!r}]);"
              f" {hold}; c.wait()")
    usage = run_measured([sys.executable, "-c", parent], tmp_path, tmp_path / "log")
    assert usage.returncode == 0
    assert usage.peak_rss > 300 << 20  # both at once, not the larger of the two
    assert usage.cpu > 0
