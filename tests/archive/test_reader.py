"""The archive reader: responses in order with revisits resolved, files left open by a crash,
WACZ and loose WARCs read once, and decompression that stops at a cap."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from archive.reader import Archive, ArchivedResponse, decoded_body
from archive.records import ArchiveReadError, HttpRequest, HttpResponse, RecordLocation
from archive.wacz import build_wacz
from archive.warc import RollingWarcWriter
from tests.archive._support import ALPHA, BETA, MISSING, OLD, T0, SampleRun, write_sample_run


@pytest.fixture
def run(tmp_path: Path) -> SampleRun:
    return write_sample_run(tmp_path / "data")


def test_responses_come_in_archive_order(run: SampleRun) -> None:
    archive = Archive.open(run.layout.warc_dir)
    found = list(archive.responses())
    assert [(r.url, r.status) for r in found] == [
        (ALPHA, 200), (OLD, 301), (MISSING, 404), (BETA, 200), (ALPHA, 200)]
    assert [r.location for r in found] == [c.location for c in run.captures]
    assert [decoded_body(r) for r in found] == [c.body for c in run.captures]


def test_want_picks_what_is_read(run: SampleRun) -> None:
    archive = Archive.open(run.layout.warc_dir)
    assert [r.url for r in archive.responses(lambda url: url == BETA)] == [BETA]
    first = run.warcs[0].name
    assert {r.location.filename for r in archive.responses(files=[first])} == {first}


def test_a_revisit_is_read_as_its_original(run: SampleRun, tmp_path: Path) -> None:
    alpha = run.captures[0]
    night2 = tmp_path / "data" / "runs" / "night-2" / "warc"
    with RollingWarcWriter(night2, prefix="night2") as writer:
        location = writer.write_revisit(
            ALPHA, HttpRequest("GET", "/2026/01/02/alpha", [("Host", "news.example")]),
            HttpResponse(200, [("Content-Encoding", "gzip")], gzip.compress(alpha.body, mtime=0)),
            refers_to_uri=ALPHA, refers_to_date="2026-01-02T03:04:05Z",
        )
    archive = Archive.open(tmp_path / "data")
    [revisit] = archive.responses(files=archive.files_in(night2))
    assert revisit.location == location
    assert decoded_body(revisit) == alpha.body


def test_an_open_warc_is_read_to_its_last_whole_record(run: SampleRun, tmp_path: Path) -> None:
    closed = run.warcs[1]
    data = closed.read_bytes()
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    # A crawl killed while writing the last record: the file is still .open and ends mid-record.
    cut = run.captures[-1].location.offset + run.captures[-1].location.length // 2
    (crashed / (closed.name + ".open")).write_bytes(data[:cut])
    archive = Archive.open(crashed)
    found = list(archive.responses())
    assert [r.url for r in found] == [BETA]
    assert decoded_body(found[0]) == run.captures[3].body
    assert archive.lookup(BETA) is not None and archive.lookup(ALPHA) is None


def test_a_warc_both_loose_and_in_its_wacz_is_read_once(run: SampleRun) -> None:
    build_wacz(run.layout.run_dir)
    archive = Archive.open(run.layout.run_dir)
    assert len(list(archive.responses())) == len(run.captures)
    packed = run.layout.run_dir.parent / "packed-only"
    packed.mkdir()
    shutil.copy(run.layout.run_dir / f"{run.layout.run_id}.wacz", packed)
    from_wacz = Archive.open(packed)
    assert [decoded_body(r) for r in from_wacz.responses()] == [c.body for c in run.captures]
    assert from_wacz.files_in(packed) == sorted(p.name for p in run.warcs)


def test_decompression_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    response = ArchivedResponse(
        url="https://news.example/bomb", status=200,
        headers=[("Content-Encoding", "gzip")], body=bomb, protocol="HTTP/1.1",
        date=T0, location=RecordLocation("x.warc.gz", 0, 0, "<urn:uuid:x>"),
    )
    with pytest.raises(ArchiveReadError, match="inflates past 1000000 bytes"):
        decoded_body(response, max_bytes=1_000_000)
    assert len(decoded_body(response, max_bytes=5_000_000)) == 5_000_000


def test_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveReadError, match="no WARC or WACZ files"):
        Archive.open(tmp_path)
    with pytest.raises(ArchiveReadError, match="does not exist"):
        Archive.open(tmp_path / "absent")

