"""WACZ packages of a run: layout, digests, pages, index, and py-wacz's own validation."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.cdxj import index_path, index_warc
from archive.lookup import captures
from archive.wacz import INDEX_ENTRY, PAGES_ENTRY, WaczError, build_wacz, page_entry
from tests.archive._support import (
    ALPHA,
    BETA,
    RUN_ID,
    SampleRun,
    archive_tool,
    write_sample_run,
)

BUILT = datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


def clock() -> datetime:
    return BUILT


@pytest.fixture
def run(tmp_path: Path) -> SampleRun:
    return write_sample_run(tmp_path / "data")


@pytest.fixture
def wacz(run: SampleRun) -> Path:
    return build_wacz(run.layout.run_dir, clock=clock)


def test_default_name_and_layout(run: SampleRun, wacz: Path) -> None:
    assert wacz == run.layout.run_dir / f"{RUN_ID}.wacz"
    with zipfile.ZipFile(wacz) as package:
        infos = {info.filename: info for info in package.infolist()}
        assert list(infos) == [
            *(f"archive/{warc.name}" for warc in run.warcs),
            INDEX_ENTRY,
            PAGES_ENTRY,
            "datapackage.json",
            "datapackage-digest.json",
        ]
        for warc in run.warcs:
            info = infos[f"archive/{warc.name}"]
            assert info.compress_type == zipfile.ZIP_STORED  # so readers can seek into it
            assert package.read(info) == warc.read_bytes()
        assert {info.date_time for info in infos.values()} == {(2026, 2, 3, 4, 5, 6)}
        assert package.testzip() is None
    assert not [p for p in run.layout.run_dir.iterdir() if p.name.endswith(".tmp")]


def test_datapackage_lists_every_file_with_its_digest(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        manifest_bytes = package.read("datapackage.json")
        manifest = json.loads(manifest_bytes)
        digest = json.loads(package.read("datapackage-digest.json"))
        assert manifest["profile"] == "data-package"
        assert manifest["wacz_version"] == "1.1.1"
        assert manifest["created"] == "2026-02-03T04:05:06Z"
        assert manifest["software"].startswith("newsarchive")
        listed = {resource["path"]: resource for resource in manifest["resources"]}
        contents = set(package.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        assert set(listed) == contents
        for path, resource in listed.items():
            data = package.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
            assert resource["name"] == path.rsplit("/", 1)[-1]
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(manifest_bytes).hexdigest(),
    }


def test_index_is_the_merged_per_file_indexes(run: SampleRun, wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        lines = package.read(INDEX_ENTRY).decode("utf-8").splitlines()
    assert lines == sorted(line for warc in run.warcs for line in index_warc(warc))
    for warc in run.warcs:  # written beside the WARCs on the way, for pywb and later lookups
        assert index_path(warc).read_text(encoding="utf-8").splitlines() == index_warc(warc)


def test_pages_are_the_articles_each_with_its_capture(run: SampleRun, wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as package:
        pages_text = package.read(PAGES_ENTRY).decode("utf-8")
        index = package.read(INDEX_ENTRY).decode("utf-8").splitlines()
    header, *pages = [json.loads(line) for line in pages_text.splitlines()]
    assert pages_text.splitlines()[0] == (
        '{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}'
    )
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert [(p["url"], p["ts"], p["title"], p["text"]) for p in pages] == [
        (ALPHA, "2026-01-02T03:04:05Z", "Alpha", "First version."),
        (BETA, "2026-01-02T03:09:05Z", "Hà Nội", "Tin tức — hôm nay."),
        (ALPHA, "2026-01-02T04:04:05Z", "Alpha", "Second version."),
    ]
    assert "Hà Nội" in pages_text  # UTF-8, not \\u escapes
    assert len({p["id"] for p in pages}) == 3
    for page, article in zip(pages, run.articles, strict=True):
        # the page's id is its response record's UUID, and its ts that capture's time
        record_uuid = str(article["warc_record_id"]).strip("<>").removeprefix("urn:uuid:")
        assert page["id"] == record_uuid.replace("-", "")
        timestamp = page["ts"].replace("-", "").replace("T", "").replace(":", "")[:14]
        assert timestamp in {c.timestamp for c in captures(index, page["url"])}


def test_same_run_same_bytes(run: SampleRun, tmp_path: Path) -> None:
    first = build_wacz(run.layout.run_dir, tmp_path / "one.wacz", clock=clock)
    second = build_wacz(run.layout.run_dir, tmp_path / "two.wacz", clock=clock)
    assert first.read_bytes() == second.read_bytes()


def test_run_without_articles_has_a_pages_header_only(run: SampleRun) -> None:
    run.layout.articles_path.unlink()
    wacz = build_wacz(run.layout.run_dir, clock=clock)
    with zipfile.ZipFile(wacz) as package:
        assert package.read(PAGES_ENTRY).decode().splitlines() == [
            '{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}'
        ]


def test_bad_article_lines_are_skipped_and_logged(
    run: SampleRun, caplog: pytest.LogCaptureFixture
) -> None:
    with run.layout.articles_path.open("a", encoding="utf-8") as fh:
        fh.write('{"url": "https://news.example/x"}\n{"url": "https://news.exa')
    with caplog.at_level(logging.WARNING, logger="archive.wacz"):
        wacz = build_wacz(run.layout.run_dir, clock=clock)
    with zipfile.ZipFile(wacz) as package:
        assert len(package.read(PAGES_ENTRY).decode().splitlines()) == 1 + 3
    assert [record.args for record in caplog.records] == [
        (run.layout.articles_path, 4),  # no fetch time
        (run.layout.articles_path, 5),  # cut short
    ]


def test_page_entry() -> None:
    article = {"url": "https://a.example/", "fetched": "2026-01-02T05:04:05.123456+02:00"}
    entry = page_entry({**article, "title": "", "text": ""})
    assert entry is not None
    assert {k: v for k, v in entry.items() if k != "id"} == {
        "url": "https://a.example/",
        "ts": "2026-01-02T03:04:05Z",
    }
    assert page_entry({"url": "https://a.example/"}) is None
    assert page_entry({**article, "fetched": "yesterday"}) is None


def test_open_warc_files_are_refused(run: SampleRun) -> None:
    (run.layout.warc_dir / "test-x-00003.warc.gz.open").write_bytes(b"")
    with pytest.raises(WaczError, match="still open"):
        build_wacz(run.layout.run_dir, clock=clock)
    assert not (run.layout.run_dir / f"{RUN_ID}.wacz").exists()


def test_a_run_needs_warc_files(tmp_path: Path) -> None:
    with pytest.raises(WaczError, match="no run at"):
        build_wacz(tmp_path / "data" / "runs" / "nothing")
    (tmp_path / "data" / "runs" / "empty" / "warc").mkdir(parents=True)
    with pytest.raises(WaczError, match="has no WARC files"):
        build_wacz(tmp_path / "data" / "runs" / "empty")


def test_py_wacz_validates_the_package(wacz: Path) -> None:
    validate = subprocess.run(
        [str(archive_tool("wacz")), "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "Validation succeeded, the passed WACZ is valid" in validate.stdout
