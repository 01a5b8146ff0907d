"""Re-extraction from the archive gives back what the crawl extracted, on any number of cores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsarchive.cli import main
from newsarchive.lock import DataDirLock
from tests.conftest import Crawl, SecondNight, read_articles


@pytest.mark.parametrize("workers", ["1", "2"])
def test_reextract_reproduces_the_crawl(crawl: Crawl, tmp_path: Path, workers: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    run = data / "runs" / "test-run"
    shutil.rmtree(data / "text")
    assert main(["reextract", str(run), "--workers", workers]) == 0
    assert f"{len(crawl.articles)} articles" in capsys.readouterr().out
    assert read_articles(run) == read_articles(crawl.run_dir)
    assert len((run / "articles.jsonl").read_text().splitlines()) == len(crawl.articles)
    for article in crawl.articles:
        assert (data / str(article["text_path"])).read_text() == article["text"] + "\n"


def test_reextract_of_a_data_dir_and_a_bad_path(crawl: Crawl, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    assert main(["reextract", str(data)]) == 0
    assert "run test-run:" in capsys.readouterr().out
    assert main(["reextract", str(tmp_path / "nothing")]) == 2
    assert "is not a data directory" in capsys.readouterr().err


def test_reextract_waits_its_turn_behind_a_crawl_of_the_data_dir(
    crawl: Crawl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It replaces articles.jsonl and makes the catalog again: under a running crawl, whose
    # lines would go to a file no longer there, and whose catalog would be deleted.
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    articles = data / "runs" / "test-run" / "articles.jsonl"
    before = articles.stat().st_ino, articles.read_bytes()
    with DataDirLock(data):
        assert main(["reextract", str(data)]) == 2
    err = capsys.readouterr().err
    assert "is in use by another crawl (pid " in err and len(err.strip().splitlines()) == 1
    assert (articles.stat().st_ino, articles.read_bytes()) == before
    assert main(["reextract", str(data)]) == 0


def test_reextract_after_two_nights_with_dedupe_gives_the_crawls_articles(
    second_night: SecondNight, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert second_night.returncode == 0, second_night.output
    data = tmp_path / "data"
    shutil.copytree(second_night.data_dir, data)
    runs = [data / "runs" / "test-run", data / "runs" / "night-2"]
    crawled = {run.name: read_articles(run) for run in runs}
    # Night 2 archived its pages as revisits of night 1's: only the reader's resolution of them
    # gives re-extraction anything to extract.
    night2_records = {a["warc_record_id"] for a in crawled["night-2"].values()}
    assert crawled["night-2"] and night2_records.isdisjoint(
        a["warc_record_id"] for a in crawled["test-run"].values())
    shutil.rmtree(data / "text")
    assert main(["reextract", str(data)]) == 0
    out = capsys.readouterr().out
    for run in runs:
        assert f"run {run.name}: {len(crawled[run.name])} articles" in out
        assert read_articles(run) == crawled[run.name]
    for articles in crawled.values():
        for article in articles.values():
            assert (data / str(article["text_path"])).read_text() == article["text"] + "\n"


def test_one_warc_of_a_run_re_extracts_the_whole_run(crawl: Crawl, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    run = data / "runs" / "test-run"
    one = sorted((run / "warc").glob("*.warc.gz"))[0]
    assert len(list((run / "warc").glob("*.warc.gz"))) > 1  # the run spans several files
    assert main(["reextract", str(one)]) == 0
    assert read_articles(run) == read_articles(crawl.run_dir)  # never shrunk to one file's


def test_any_other_archive_needs_an_output_dir(crawl: Crawl, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "from-another-tool"
    elsewhere.mkdir()
    wacz = shutil.copy(crawl.run_dir / "test-run.wacz", elsewhere / "crawl.wacz")
    assert main(["reextract", str(wacz)]) == 2
    assert "give --out DIR" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["reextract", str(wacz), "--out", str(out)]) == 0
    found = read_articles(out)
    assert set(found) >= {a["url"] for a in crawl.articles}
    for url, article in read_articles(crawl.run_dir).items():
        assert found[url]["text"] == article["text"]
        assert (out / found[url]["text_path"]).read_text() == article["text"] + "\n"
