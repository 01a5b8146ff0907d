"""The per-exchange capture the recording download handler fills from the connection."""

from __future__ import annotations

from crawler.handlers._wire import MAX_HEAD, WireCapture

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"


def test_the_head_is_found_across_reads_and_the_body_is_not_kept() -> None:
    capture = WireCapture()
    for piece in (HEAD[:10], HEAD[10:-1], HEAD[-1:] + b"bo", b"dy"):
        capture.received(piece)
    assert capture.response_head == HEAD
    capture.sent(b"GET / HTTP/1.1\r\n")
    capture.sent(b"Host: a\r\n\r\n")
    assert capture.request == b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def test_interim_responses_are_skipped() -> None:
    capture = WireCapture()
    capture.received(b"HTTP/1.1 100 Continue\r\n\r\n" + HEAD)
    assert capture.response_head == HEAD
    switching = WireCapture()
    switching.received(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")
    assert switching.response_head is not None


def test_a_head_without_end_is_given_up() -> None:
    capture = WireCapture()
    capture.received(b"HTTP/1.1 200 OK\r\nX: " + b"y" * MAX_HEAD)
    capture.received(b"\r\n\r\n")
    assert capture.response_head is None


def test_the_first_cut_wins_and_takes_the_body_so_far() -> None:
    capture = WireCapture()
    capture.partial_body = lambda: b"so far"
    capture.cut("disconnect")
    capture.cut("length", b"other")
    assert (capture.truncated, capture.body) == ("disconnect", b"so far")
