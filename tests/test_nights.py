"""Several nights into one data directory: revisits name their originals exactly, and each
night's WACZ replays on its own, though the WARCs stay deduplicated."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.catalog import CATALOG_NAME, Catalog
from archive.reader import Archive, decoded_body
from newsarchive.cli import main
from tests.archive._pywb import get, serve
from tests.archive._support import archive_tool
from tests.conftest import (
    Crawl,
    FixtureServer,
    SecondNight,
    crawl_night,
    fixture_file,
    read_articles,
)


def records(run_dir: Path) -> list[Any]:
    """(type, headers) of every record in a run's WARCs."""
    found = []
    for path in sorted((run_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            found += [(r.rec_type, dict(r.rec_headers.headers)) for r in ArchiveIterator(fh)]
    return found


def test_revisits_name_the_original_response_exactly(third_night: SecondNight) -> None:
    assert third_night.returncode == 0, third_night.output
    runs = third_night.data_dir / "runs"
    night1 = {h["WARC-Record-ID"]: (kind, h) for kind, h in records(runs / "test-run")}
    for night in ("night-2", "night-3"):
        revisits = [h for kind, h in records(runs / night) if kind == "revisit"]
        assert revisits, f"{night} stored no revisits"
        for revisit in revisits:
            kind, original = night1[revisit["WARC-Refers-To"]]  # night 1's: never a revisit
            assert kind == "response"
            assert revisit["WARC-Refers-To-Target-URI"] == original["WARC-Target-URI"]
            assert revisit["WARC-Refers-To-Date"] == original["WARC-Date"]
            assert revisit["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    for night in ("test-run", "night-2", "night-3"):
        for kind, headers in records(runs / night):
            assert kind == "warcinfo" or headers.get("WARC-Warcinfo-ID"), (night, kind)
    # Dedupe looked them up in the catalog, which holds every run once it has ended.
    catalog = Catalog.open_readonly(third_night.data_dir / CATALOG_NAME)
    assert catalog.runs() == {"test-run", "night-2", "night-3"}
    catalog.close()


def test_a_data_directory_without_a_catalog_still_dedupes(
    crawl: Crawl, fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data_dir)
    for leftover in data_dir.glob(f"{CATALOG_NAME}*"):
        leftover.unlink()  # as written before there was a catalog
    night2 = crawl_night(fixture_server[0], data_dir, "night-2")
    assert night2.returncode == 0, night2.output
    night1 = {h["WARC-Record-ID"] for kind, h in records(data_dir / "runs" / "test-run")
              if kind == "response"}
    revisits = [h for kind, h in records(night2.run_dir) if kind == "revisit"]
    assert revisits and all(h["WARC-Refers-To"] in night1 for h in revisits)
    catalog = Catalog.open_readonly(data_dir / CATALOG_NAME)  # built once, then kept
    assert catalog.runs() == {"test-run", "night-2"}
    catalog.close()


def test_the_second_night_s_wacz_alone_replays_in_pywb(
    third_night: SecondNight, tmp_path: Path
) -> None:
    night2 = third_night.data_dir / "runs" / "night-2"
    wacz = night2 / "night-2.wacz"
    with zipfile.ZipFile(wacz) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()[1:]]
        members = package.namelist()
    assert pages and "archive/night-2-originals.warc.gz" in members
    # The data directory's WARCs stay deduplicated: no night-2 WARC holds a copy of night 1.
    assert all(kind != "response" or h["WARC-Target-URI"] not in {p["url"] for p in pages}
               for kind, h in records(night2))
    alone = shutil.copy(wacz, tmp_path / "night-2.wacz")  # nothing else of the data dir
    # Our own reader (replay, `replay serve`) reads it alone too.
    own = Archive.open(Path(alone))
    for page in pages:
        capture = own.lookup(page["url"])
        assert capture is not None, page["url"]
        assert decoded_body(own.read(capture)) == fixture_file(page["url"]).read_bytes()
    assert not [r for r in own.responses() if r.location.filename.endswith("-originals.warc.gz")]
    root = tmp_path / "pywb"
    root.mkdir()
    manager = str(archive_tool("wb-manager"))
    for command in (["init", "night2"], ["add", "--unpack-wacz", "night2", str(alone)]):
        subprocess.run([manager, *command], cwd=root, check=True, capture_output=True, timeout=120)
    (root / "config.yaml").write_text("collections: {}\n", encoding="utf-8")
    with serve(root) as url:
        for page in pages:
            stamp = page["ts"][:19].replace("-", "").replace(":", "").replace("T", "")
            reply = get(f"{url}/night2/{stamp}id_/{page['url']}")
            assert reply.status == 200, (page["url"], reply.body[:300])
            assert reply.body == fixture_file(page["url"]).read_bytes(), page["url"]


def test_the_data_directory_opens_as_one_collection_in_pywb(
    third_night: SecondNight, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", "pywb-config", str(third_night.data_dir)]) == 0
    root = tmp_path / "pywb"
    root.mkdir()
    (root / "config.yaml").write_text(capsys.readouterr().out, encoding="utf-8")
    night3 = read_articles(third_night.data_dir / "runs" / "night-3")
    assert night3
    with serve(root) as url:
        for page_url, article in night3.items():  # every one a revisit of night 1
            stamp = article["fetched"][:19].replace("-", "").replace(":", "").replace("T", "")
            reply = get(f"{url}/newsarchive/{stamp}id_/{page_url}")
            assert reply.status == 200, (page_url, reply.body[:300])
            assert reply.body == fixture_file(page_url).read_bytes(), page_url
