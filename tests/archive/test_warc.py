"""The WARC writer: deterministic bytes, valid records, offsets that point at records, rollover."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.records import HttpRequest, HttpResponse
from archive.warc import RollingWarcWriter

WARCIO = str(Path(sys.executable).with_name("warcio"))
BODY = b"\x1f\x8b" + bytes(range(256)) * 8  # binary, like a gzip body as received


def fixed_writer(directory: Path, max_size: int = 10_000_000) -> RollingWarcWriter:
    counter = itertools.count()
    return RollingWarcWriter(
        directory,
        prefix="test",
        max_size=max_size,
        info={"hostname": "testhost"},
        clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        make_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
    )


def write_sample(writer: RollingWarcWriter, count: int = 3) -> list[str]:
    ids = []
    for i in range(count):
        location = writer.write_exchange(
            f"https://news.example/a/{i}",
            HttpRequest("GET", f"/a/{i}", [("Host", "news.example"), ("Accept", "*/*")]),
            HttpResponse(200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                               ("Content-Length", str(len(BODY)))], BODY),
        )
        writer.write_metadata(f"https://news.example/a/{i}", b'{"title": "x"}',
                              concurrent_to=location.record_id)
        ids.append(location.record_id)
    writer.close()
    return ids


def test_same_input_gives_same_bytes(tmp_path: Path) -> None:
    for name in ("one", "two"):
        write_sample(fixed_writer(tmp_path / name))
    first = sorted((tmp_path / "one").iterdir())
    second = sorted((tmp_path / "two").iterdir())
    assert [p.name for p in first] == [p.name for p in second] == ["test-20260102030405000-00001.warc.gz"]
    assert first[0].read_bytes() == second[0].read_bytes()


def test_records_pass_warcio_check_and_payload_is_kept(tmp_path: Path) -> None:
    write_sample(fixed_writer(tmp_path))
    [path] = tmp_path.iterdir()
    check = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout
    with path.open("rb") as fh:
        records = list(ArchiveIterator(fh))
    kinds = [r.rec_type for r in records]
    assert kinds == ["warcinfo"] + ["response", "request", "metadata"] * 3


def test_record_locations_point_at_the_records(tmp_path: Path) -> None:
    writer = fixed_writer(tmp_path)
    location = writer.write_exchange(
        "https://news.example/x", HttpRequest("GET", "/x", [("Host", "news.example")]),
        HttpResponse(404, [("Content-Type", "text/plain")], b"gone"),
    )
    writer.close()
    data = (tmp_path / location.filename).read_bytes()
    record = next(ArchiveIterator(io.BytesIO(data[location.offset:location.offset + location.length])))
    assert record.rec_type == "response"
    assert record.rec_headers["WARC-Record-ID"] == location.record_id
    assert record.http_headers.statusline == "404 Not Found"
    assert record.content_stream().read() == b"gone"


def test_request_and_metadata_point_to_the_response(tmp_path: Path) -> None:
    ids = write_sample(fixed_writer(tmp_path), count=1)
    [path] = tmp_path.iterdir()
    with path.open("rb") as fh:
        records = {r.rec_type: r.rec_headers for r in ArchiveIterator(fh)}
    assert records["request"]["WARC-Concurrent-To"] == ids[0]
    assert records["metadata"]["WARC-Concurrent-To"] == ids[0]
    assert records["warcinfo"]["WARC-Filename"] == path.name
    assert records["response"]["WARC-Payload-Digest"].startswith("sha1:")


def test_rollover_closes_and_renames_files(tmp_path: Path) -> None:
    writer = fixed_writer(tmp_path, max_size=3000)
    write_sample(writer, count=4)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) > 1
    assert not any(n.endswith(".open") for n in names)
    assert names == sorted(p.name for p in writer.closed_files)
    total = 0
    for path in tmp_path.iterdir():
        with path.open("rb") as fh:
            records = list(ArchiveIterator(fh))
        assert records[0].rec_type == "warcinfo"  # every file opens with its warcinfo
        total += sum(r.rec_type == "response" for r in records)
    assert total == 4


def test_open_file_has_open_suffix_until_closed(tmp_path: Path) -> None:
    writer = fixed_writer(tmp_path)
    writer.write_metadata("https://news.example/", b"{}", concurrent_to="<urn:uuid:x>")
    assert [p.name for p in tmp_path.iterdir()] == ["test-20260102030405000-00001.warc.gz.open"]
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["test-20260102030405000-00001.warc.gz"]


def test_round_trip_rewrite_gives_identical_records(tmp_path: Path) -> None:
    write_sample(fixed_writer(tmp_path / "a"), count=2)
    [original] = (tmp_path / "a").iterdir()
    rewriter = fixed_writer(tmp_path / "b")
    with original.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                rewriter.write_exchange(
                    record.rec_headers["WARC-Target-URI"],
                    HttpRequest("GET", "/a/" + record.rec_headers["WARC-Target-URI"][-1],
                                [("Host", "news.example"), ("Accept", "*/*")]),
                    HttpResponse(200, record.http_headers.headers, record.raw_stream.read()),
                )
    rewriter.close()
    with original.open("rb") as a, next((tmp_path / "b").iterdir()).open("rb") as b:
        first = [(r.rec_headers["WARC-Payload-Digest"], r.raw_stream.read())
                 for r in ArchiveIterator(a) if r.rec_type == "response"]
        second = [(r.rec_headers["WARC-Payload-Digest"], r.raw_stream.read())
                  for r in ArchiveIterator(b) if r.rec_type == "response"]
    assert first == second
    assert first[0][1] == BODY


def test_bad_max_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_size"):
        RollingWarcWriter(tmp_path, max_size=0)


def test_revisit_record_refers_to_the_original(tmp_path: Path) -> None:
    writer = fixed_writer(tmp_path)
    request = HttpRequest("GET", "/a", [("Host", "news.example")])
    response = HttpResponse(200, [("Content-Type", "text/html")], BODY)
    first = writer.write_exchange("https://news.example/a", request, response)
    again = writer.write_revisit("https://news.example/a", request, response,
                                 refers_to_uri="https://news.example/a",
                                 refers_to_date="2026-01-02T03:04:05.000000Z")
    writer.close()
    path = tmp_path / first.filename
    check = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with path.open("rb") as fh:
        records = {r.rec_headers["WARC-Record-ID"]: r.rec_headers for r in ArchiveIterator(fh)}
    revisit = records[again.record_id]
    assert revisit["WARC-Type"] == "revisit"
    assert revisit["WARC-Profile"].endswith("/revisit/identical-payload-digest")
    assert revisit["WARC-Payload-Digest"] == records[first.record_id]["WARC-Payload-Digest"]
    assert revisit["WARC-Refers-To-Target-URI"] == "https://news.example/a"
    assert revisit["WARC-Refers-To-Date"] == "2026-01-02T03:04:05.000000Z"
    assert again.length < first.length  # the payload is not stored twice
