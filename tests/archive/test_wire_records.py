"""HTTP messages as they went over the wire: parsed for their fields, stored byte for byte."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.records import HttpRequest, HttpResponse, parse_head, payload_digest, split_head
from archive.warc import RollingWarcWriter

WARCIO = str(Path(sys.executable).with_name("warcio"))
HEAD = (b"HTTP/1.1 200 Fine Thanks\r\nETag: \"v1\"\r\nSet-Cookie: a=1\r\nbroken line\r\n"
        b"set-cookie: b=2\r\nX-Folded: one,\r\n\ttwo\r\nTransfer-Encoding: chunked\r\n\r\n")
REQUEST = (b"GET http://news.example/a?x=1 HTTP/1.1\r\nHost: news.example\r\n"
           b"proxy-authorization: Basic c2VjcmV0\r\n  continued\r\nAccept: */*\r\n\r\n")


def test_parse_head_keeps_order_case_and_repeats() -> None:
    first, fields = parse_head(HEAD)
    assert first == "HTTP/1.1 200 Fine Thanks"
    assert fields == [("ETag", '"v1"'), ("Set-Cookie", "a=1"), ("set-cookie", "b=2"),
                      ("X-Folded", "one, two"), ("Transfer-Encoding", "chunked")]
    assert parse_head(b"HTTP/1.0 200 OK\nA: 1\n\n") == ("HTTP/1.0 200 OK", [("A", "1")])


def test_a_response_from_the_wire_marks_its_removed_transfer_coding() -> None:
    response = HttpResponse.from_wire(HEAD, b"body")
    assert (response.protocol, response.status, response.reason) == ("HTTP/1.1", 200, "Fine Thanks")
    assert response.raw_head == HEAD.replace(b"Transfer-Encoding", b"X-Archive-Orig-Transfer-Encoding")
    assert ("X-Archive-Orig-Transfer-Encoding", "chunked") in response.headers
    assert HttpResponse.from_wire(HEAD, b"", transfer_decoded=False).raw_head == HEAD
    with pytest.raises(ValueError, match="status line"):
        HttpResponse.from_wire(b"garbage\r\n\r\n", b"")


def test_a_request_from_the_wire_leaves_out_credentials() -> None:
    request = HttpRequest.from_wire(REQUEST + b"a=1", omit=["Proxy-Authorization"])
    assert (request.method, request.target, request.protocol) == (
        "GET", "http://news.example/a?x=1", "HTTP/1.1")
    assert request.raw_head == (b"GET http://news.example/a?x=1 HTTP/1.1\r\nHost: news.example\r\n"
                                b"Accept: */*\r\n\r\n")
    assert request.body == b"a=1"
    assert split_head(REQUEST + b"a=1")[1] == b"a=1"


def test_heads_from_the_wire_are_written_byte_for_byte(tmp_path: Path) -> None:
    counter = itertools.count()
    writer = RollingWarcWriter(
        tmp_path, prefix="test", clock=lambda: datetime(2026, 1, 2, tzinfo=UTC),
        make_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
    )
    response = HttpResponse.from_wire(HEAD, b"partial bo")
    request = HttpRequest.from_wire(REQUEST, omit=["Proxy-Authorization"])
    writer.write_exchange("http://news.example/a?x=1", request, response, truncated="length")
    writer.close()
    (path,) = tmp_path.glob("*.warc.gz")
    assert subprocess.run([WARCIO, "check", str(path)], capture_output=True).returncode == 0
    with path.open("rb") as fh:
        records = {r.rec_type: (r.rec_headers, r.raw_stream.read())
                   for r in ArchiveIterator(fh, no_record_parse=True)}
    headers, block = records["response"]
    assert block == response.raw_head + b"partial bo"
    assert headers["WARC-Truncated"] == "length"
    assert headers["WARC-Payload-Digest"] == payload_digest(b"partial bo")
    headers, block = records["request"]
    assert block == request.raw_head
    assert "WARC-Truncated" not in headers
