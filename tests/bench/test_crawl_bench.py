"""The crawl benchmark's parts: the generated site and the process-tree sampler."""

from __future__ import annotations

import gzip
import http.client
import subprocess
import sys
from pathlib import Path

import psutil

from bench import nginx
from bench.crawl import ceiling
from bench.newssite import HOST, article, site_config, write_site
from bench.processtree import Usage, run_measured
from crawler.siteconfig import load_sites
from pipelines.extraction import extract
from tests.conftest import read_articles, unavailable
from tests.fixtures.process import REPO_ROOT


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


def test_nginx_serves_the_site_to_a_crawl_as_its_proxy(tmp_path: Path) -> None:
    if not nginx.available():
        unavailable("nginx is not installed (make install puts Debian's nginx-light there)")
    urls = write_site(tmp_path / "web", 4)
    sites = tmp_path / "bench.toml"
    sites.write_text(site_config(4))
    with nginx.NginxServer(tmp_path / "web") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", urls[2], headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(body).decode() == article(2)  # the host taken from the URL
        connection.request("GET", f"http://{HOST}/robots.txt")
        missing = connection.getresponse()
        missing.read()
        assert missing.status == 404
        connection.close()
        data = tmp_path / "data"
        done = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "bench", "--data", str(data),
             "--sites", str(sites), "--proxy", server.proxy, "--delay-scale", "0",
             "-s", "EXTRACT_WORKERS=1"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        pid = server.pid
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(read_articles(next((data / "runs").iterdir()))) == 4
    assert not psutil.pid_exists(pid)  # stopped with the block


def test_the_ceiling_is_the_least_cpu_a_page_can_cost() -> None:
    def usage(cpu: float) -> Usage:
        return Usage(wall=10.0, cpu=cpu, peak_rss=0, returncode=0)

    rows = {"a bare": (1000, usage(3.0), 0.0), "b alone": (1000, usage(8.0), 0.0),
            "c pool off": (1000, usage(19.0), 0.0), "d shipped": (1000, usage(20.0), 1.0)}
    rate = {"b": 250.0, "c": 52.6}
    line = ceiling(rows, rate, cores=2)
    # (1) 8 + 3 + 1 ms a page on 2 cores: 166.7 pages/s, 0.67 of b; (2) 19 + 1 ms: 100 pages/s
    assert "= 12.0 ms" in line and "d <= 166.7 pages/s, d / b <= 0.67" in line
    assert "= 20.0 ms, so d <= 100.0 pages/s, d / c <= 1.90" in line
