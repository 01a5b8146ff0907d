"""The command line: ``newsarchive extract`` on fixture pages, and a crawl with no network."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.cli import main
from tests.conftest import dead_proxy, expected, fixture_file


@pytest.mark.parametrize("site", ["kcna", "chinadaily", "vietnamnews", "dw", "cgtn"])
def test_extract_prints_the_article(site: str, capsys: pytest.CaptureFixture[str]) -> None:
    want = next(a for a in expected(site)["articles"] if "YYYY" not in a["published"])
    path = fixture_file(want["url"])
    assert main(["extract", str(path), "--url", want["url"]]) == 0
    [line] = capsys.readouterr().out.splitlines()
    got = json.loads(line)
    assert got["source"] == str(path)
    assert got["url"] == got["canonical_url"] == want["url"]
    assert got["site"] == site
    assert (got["title"], got["published"], got["authors"]) == (
        want["title"], want["published"], want["authors"])
    paragraphs = got["text"].split("\n\n")
    assert (paragraphs[0], paragraphs[-1]) == (want["first_paragraph"], want["last_paragraph"])
    assert got["language"] == "en" and got["word_count"] > 100
    assert got["warc_filename"] is None  # not from an archive


def test_extract_finds_url_and_site_from_the_page(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Without --url, the canonical link names the page and picks the site's rules; .gz works."""
    want = expected("dw")["articles"][0]
    page = tmp_path / "saved" / "page.html.gz"
    page.parent.mkdir()
    page.write_bytes(gzip.compress(fixture_file(want["url"]).read_bytes()))
    assert main(["extract", str(tmp_path)]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["url"], got["site"], got["title"]) == (want["url"], "dw", want["title"])


def test_extract_of_nothing_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path)]) == 1
    assert "no .html" in capsys.readouterr().err


def test_bad_site_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\nhosts = ['x.example']\n[start]\nfeeds = ['https://x.example/f']\n")
    assert main(["crawl", "--sites", str(bad), "--data", str(tmp_path)]) == 2
    assert "needs at least one pattern" in capsys.readouterr().err


def test_crawl_without_network_ends_with_a_summary(tmp_path: Path) -> None:
    """Nothing listens on the proxy port: every request fails, and the crawl says so plainly."""
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "dw", "cgtn", "--data", str(tmp_path),
         "--proxy", dead_proxy(), "--delay-scale", "0", "--set", "RETRY_TIMES=0",
         "--run-id", "offline"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "run offline: finished"
    for site in ("dw", "cgtn"):
        [line] = [ln for ln in lines if ln.split()[0] == site]
        assert "failed" in line and "0 articles" in line and "ConnectionRefusedError" in line
    report = json.loads((tmp_path / "runs" / "offline" / "report.json").read_text())
    assert report["sites"]["dw"]["status"] == "failed"


def test_extract_starts_without_the_crawler(tmp_path: Path) -> None:
    """``extract`` is a short process: it must not pay for importing Scrapy, Twisted or plotly."""
    want = expected("dw")["articles"][0]
    script = (
        "import sys\nfrom newsarchive.cli import main\n"
        f"status = main(['extract', {str(fixture_file(want['url']))!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'plotly'})\n"
        "print(status, *heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, cwd=Path(__file__).resolve().parent.parent)
    assert done.stderr.split() == ["0"], done.stderr
    assert json.loads(done.stdout)["title"] == want["title"]
