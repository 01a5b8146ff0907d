"""Lookups over sorted CDXJ lines: a URL's captures, and the one nearest a time."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import CdxjError, index_warc, merge_indexes, write_index
from archive.lookup import captures, lines_for, nearest, parse_capture, url_key
from archive.records import article_uri
from tests.archive._support import ALPHA, BETA, MISSING, OLD, T0, SampleRun, write_sample_run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    return write_sample_run(tmp_path_factory.mktemp("lookup") / "data")


@pytest.fixture(scope="module")
def lines(run: SampleRun) -> list[str]:
    return list(merge_indexes(write_index(warc) for warc in run.warcs))


def test_captures_of_a_url_oldest_first_without_metadata(run: SampleRun, lines: list[str]) -> None:
    found = list(captures(lines, ALPHA))
    assert [c.timestamp for c in found] == [
        T0.strftime("%Y%m%d%H%M%S"),
        (T0 + timedelta(hours=1)).strftime("%Y%m%d%H%M%S"),
    ]
    assert [(c.status, c.mime, c.url) for c in found] == [(200, "text/html", ALPHA)] * 2
    # the two metadata records of ALPHA are indexed under their own URI, not the page's
    assert len(list(lines_for(lines, url_key(ALPHA)))) == 2
    assert len(list(lines_for(lines, url_key(article_uri(ALPHA))))) == 2
    first = run.capture(ALPHA, T0)
    assert (found[0].filename, found[0].offset, found[0].length) == (
        first.location.filename,
        first.location.offset,
        first.location.length,
    )


def test_a_capture_leads_to_its_record(run: SampleRun, lines: list[str]) -> None:
    [capture] = captures(lines, BETA)
    data = (run.layout.warc_dir / capture.filename).read_bytes()
    chunk = data[capture.offset : capture.offset + capture.length]
    record = next(ArchiveIterator(io.BytesIO(chunk)))
    assert record.rec_type == "response"
    assert record.rec_headers["WARC-Payload-Digest"] == capture.digest
    assert record.http_headers["Content-Encoding"] == "gzip"  # stored as received
    assert record.content_stream().read() == run.capture(BETA, capture.moment).body


def test_errors_and_redirects_are_captures_too(lines: list[str]) -> None:
    [missing] = captures(lines, MISSING)
    assert (missing.status, missing.mime) == (404, "text/plain")
    [moved] = captures(lines, OLD)
    assert (moved.status, moved.mime) == (301, None)


def test_url_variants_share_captures(lines: list[str]) -> None:
    assert list(captures(lines, "https://www.news.example/alpha")) == list(captures(lines, OLD))
    assert list(captures(lines, "HTTPS://NEWS.EXAMPLE/2026/01/02/alpha#top")) == list(
        captures(lines, ALPHA)
    )
    assert list(captures(lines, "https://news.example/2026/01/02/alph")) == []
    assert list(captures(lines, "https://other.example/")) == []


def test_streams_and_lists_give_the_same_answer(lines: list[str]) -> None:
    for url in (ALPHA, BETA, MISSING, OLD, "https://zzz.example/"):
        assert list(captures(iter(lines), url)) == list(captures(lines, url))


def test_nearest_capture(lines: list[str]) -> None:
    alpha = list(captures(lines, ALPHA))
    first, second = alpha
    assert nearest(alpha, first.timestamp) == first
    # the metadata record, 3 s after the first response, is never the answer
    after_metadata = (T0 + timedelta(seconds=3)).strftime("%Y%m%d%H%M%S")
    assert nearest(captures(lines, ALPHA), after_metadata) == first
    assert nearest(alpha, T0 + timedelta(minutes=29)) == first
    assert nearest(alpha, T0 + timedelta(minutes=31)) == second
    assert nearest(alpha, "2027") == second  # short timestamps are padded as pywb pads them
    assert nearest(alpha, "2025") == first
    assert nearest(alpha, T0 + timedelta(minutes=30)) == first  # a tie: the one seen first
    assert nearest([], "20260102030405") is None


def test_nearest_composes_with_filters(lines: list[str]) -> None:
    ok = (c for c in captures(lines, ALPHA) if c.status == 200 and c.moment > T0)
    best = nearest(ok, T0)
    assert best is not None and best.moment == T0 + timedelta(hours=1)


def test_bad_timestamps_are_refused(lines: list[str]) -> None:
    with pytest.raises(ValueError, match="1 to 14 digits"):
        nearest(captures(lines, ALPHA), "2026-01-02")
    with pytest.raises(ValueError, match="no time zone"):
        nearest(captures(lines, ALPHA), datetime(2026, 1, 2))


def test_broken_lines_are_reported() -> None:
    with pytest.raises(CdxjError, match="not a CDXJ capture line"):
        parse_capture('com,example)/ 20260102030405 {"status": "200"}')
    with pytest.raises(CdxjError, match="not a CDXJ capture line"):
        parse_capture("com,example)/ 20260102030405 not json")


def test_lookup_on_one_file_index(run: SampleRun) -> None:
    lines = index_warc(run.warcs[0])
    assert [c.url for c in captures(lines, ALPHA)] == [ALPHA]
