"""CDXJ indexes: cdxj-indexer's own lines, sorted, written beside the WARC, merged in order."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import (
    CdxjError,
    StreamedIndex,
    ensure_index,
    index_path,
    index_warc,
    merge_indexes,
    write_index,
)
from archive.records import HttpRequest, HttpResponse
from archive.warc import RollingWarcWriter
from tests.archive._support import ALPHA, T0, SampleRun, write_sample_run

CDXJ_INDEXER = str(Path(sys.executable).with_name("cdxj-indexer"))
LINE = re.compile(r"^(\S+) (\d{14}) (\{.*\})$")


@pytest.fixture
def run(tmp_path: Path) -> SampleRun:
    return write_sample_run(tmp_path / "data")


def cdxj_indexer_cli(warc: Path) -> list[str]:
    result = subprocess.run(
        [CDXJ_INDEXER, "--sort", str(warc)], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_lines_are_exactly_cdxj_indexers(run: SampleRun) -> None:
    assert len(run.warcs) == 2
    for warc in run.warcs:
        ours = index_warc(warc)
        assert ours == cdxj_indexer_cli(warc)
        assert all(LINE.match(line) for line in ours)
        assert ours == sorted(ours)


def test_requests_and_warcinfo_are_not_indexed_metadata_is(run: SampleRun) -> None:
    """cdxj-indexer's defaults: response, revisit, resource and metadata records only."""
    for warc in run.warcs:
        records = {}
        with warc.open("rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                records[it.get_record_offset()] = record.rec_type
        indexed = {}
        for line in index_warc(warc):
            data = fields_of(line)
            assert data["filename"] == warc.name
            indexed[int(data["offset"])] = data
        assert {records[offset] for offset in indexed} == {"response", "metadata"}
        expected = {o for o, kind in records.items() if kind in ("response", "metadata")}
        assert set(indexed) == expected
        for offset, data in indexed.items():
            # a metadata line is told apart by having no HTTP status
            assert ("status" in data) == (records[offset] == "response")
            if records[offset] == "metadata":
                assert data["mime"] == "application/json"


def test_index_points_at_the_records(run: SampleRun) -> None:
    warc = run.warcs[0]
    data = warc.read_bytes()
    for line in index_warc(warc):
        fields = fields_of(line)
        start, length = int(fields["offset"]), int(fields["length"])
        record = next(ArchiveIterator(io.BytesIO(data[start : start + length])))
        assert record.rec_headers["WARC-Target-URI"] == fields["url"]
        assert record.rec_headers["WARC-Payload-Digest"] == fields["digest"]


def test_capture_lines_carry_status_mime_and_time(run: SampleRun) -> None:
    lines = index_warc(run.warcs[0])
    by_status = {}
    for line in lines:
        key, timestamp, _ = line.split(" ", 2)
        fields = fields_of(line)
        if "status" in fields:
            by_status[fields["status"]] = (key, timestamp, fields)
    assert set(by_status) == {"200", "301", "404"}
    key, timestamp, fields = by_status["200"]
    assert (key, timestamp) == ("example,news)/2026/01/02/alpha", T0.strftime("%Y%m%d%H%M%S"))
    assert fields["mime"] == "text/html"
    assert by_status["404"][2]["mime"] == "text/plain"
    assert "mime" not in by_status["301"][2]  # no Content-Type: cdxj-indexer leaves it out
    assert by_status["301"][0] == "example,news)/alpha"  # http and https share a key


def test_write_index_puts_the_lines_beside_the_warc(run: SampleRun) -> None:
    warc = run.warcs[0]
    target = write_index(warc)
    assert target == warc.with_name(warc.name.removesuffix(".warc.gz") + ".cdxj")
    assert target.read_text(encoding="utf-8") == "".join(f"{line}\n" for line in index_warc(warc))
    assert sorted(p.name for p in warc.parent.iterdir()) == sorted(
        [run.warcs[0].name, run.warcs[1].name, target.name]
    )  # no temporary file left behind


def test_index_path_names(tmp_path: Path) -> None:
    assert index_path(tmp_path / "a-00001.warc.gz") == tmp_path / "a-00001.cdxj"
    assert index_path(tmp_path / "b.warc") == tmp_path / "b.cdxj"
    with pytest.raises(CdxjError, match="not named like a closed WARC"):
        index_path(tmp_path / "c.warc.gz.open")


def test_open_files_are_not_indexed(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, prefix="test")
    writer.write_metadata("https://news.example/", b"{}", concurrent_to="<urn:uuid:x>")
    [open_file] = tmp_path.iterdir()
    with pytest.raises(CdxjError, match="still being written"):
        index_warc(open_file)
    writer.close()


def test_unreadable_warc_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CdxjError, match="cannot index"):
        index_warc(tmp_path / "absent.warc.gz")


def test_write_index_as_the_writers_on_close_hook(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, prefix="test", max_size=1500, on_close=write_index)
    for i in range(3):
        writer.write_exchange(
            f"https://news.example/{i}",
            HttpRequest("GET", f"/{i}", [("Host", "news.example")]),
            HttpResponse(200, [("Content-Type", "text/plain")], b"x" * 1000),
        )
    writer.close()
    assert len(writer.closed_files) > 1
    for warc in writer.closed_files:
        assert index_path(warc).read_text(encoding="utf-8").splitlines() == index_warc(warc)


def test_streamed_index_equals_cdxj_indexers(tmp_path: Path) -> None:
    """Lines made as each record is written, across rollovers: responses (a raw head kept byte
    for byte among them), revisits and metadata records, as cdxj-indexer reads them back."""
    streamed = StreamedIndex(tmp_path)
    writer = RollingWarcWriter(tmp_path, prefix="test", max_size=3000,
                               on_record=streamed.add, on_close=streamed.close_file)
    for i in range(6):
        head = b"HTTP/1.1 200 OK\r\nContent-Type:  text/html; charset=utf-8\r\nX-A: 1\r\n\r\n"
        response = HttpResponse.from_wire(head, b"<p>%d</p>" % i) if i % 2 else HttpResponse(
            404 if i == 4 else 200, [("Content-Type", "text/plain")], b"x" * 1000)
        url = f"https://news.example/{i}?q=%C3%A9&a=b"
        request = HttpRequest("GET", f"/{i}", [("Host", "news.example")])
        location = writer.write_exchange(url, request, response)
        writer.write_metadata(f"urn:article:{url}", b'{"title": "t"}', concurrent_to=location.record_id)
        writer.write_revisit(url, request, response, refers_to_uri=url,
                             refers_to_date="2026-01-01T00:00:00Z")
    writer.close()
    assert len(writer.closed_files) > 2
    for warc in writer.closed_files:
        assert index_path(warc).read_text(encoding="utf-8").splitlines() == cdxj_indexer_cli(warc)
    assert not list(tmp_path.glob(".*"))  # the spilled lines are gone


def test_streamed_index_of_a_file_it_saw_no_record_of_indexes_the_file(tmp_path: Path) -> None:
    warc = RollingWarcWriter(tmp_path, prefix="test")
    warc.write_exchange("https://news.example/", HttpRequest("GET", "/", []),
                        HttpResponse(200, [("Content-Type", "text/html")], b"<p>a</p>"))
    warc.close()
    target = StreamedIndex(tmp_path).close_file(warc.closed_files[0])
    assert target.read_text(encoding="utf-8").splitlines() == index_warc(warc.closed_files[0])


def test_ensure_index_reuses_a_fresh_index_and_redoes_a_stale_one(run: SampleRun) -> None:
    warc = run.warcs[0]
    target = ensure_index(warc)
    target.write_text("stale\n", encoding="utf-8")
    assert ensure_index(warc).read_text(encoding="utf-8") == "stale\n"  # newer than the WARC
    stat = warc.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns - 1_000_000_000))
    assert ensure_index(warc).read_text(encoding="utf-8").splitlines() == index_warc(warc)


def test_merge_is_sorted_and_complete(run: SampleRun) -> None:
    paths = [write_index(warc) for warc in run.warcs]
    merged = merge_indexes(paths)
    assert iter(merged) is merged  # a stream, not a list
    lines = list(merged)
    assert lines == sorted(index_warc(run.warcs[0]) + index_warc(run.warcs[1]))
    # both files hold lines of ALPHA: merging interleaves them
    alpha = [line for line in lines if line.startswith("example,news)/2026/01/02/alpha ")]
    assert len({fields_of(line)["filename"] for line in alpha}) == 2
    assert all(fields_of(line)["url"] == ALPHA for line in alpha)


def test_merge_reports_a_missing_index(tmp_path: Path) -> None:
    with pytest.raises(CdxjError, match="cannot read index"):
        list(merge_indexes([tmp_path / "absent.cdxj"]))


def fields_of(line: str) -> dict[str, str]:
    match = LINE.match(line)
    assert match is not None, line
    data: dict[str, str] = json.loads(match.group(3))
    return data
