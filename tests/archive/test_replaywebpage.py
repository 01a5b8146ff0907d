"""ReplayWeb.page (2.5.3, in headless Chromium) replays every page our WACZ lists.

The WACZ is the sample run's (``_support.write_sample_run``) as ``build_wacz`` packs it: one
night of full responses, every article gzip-encoded as servers send it. What the browser shows
is compared with the body the test archived and with what the archive reader reads back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from archive.reader import Archive, decoded_body
from archive.wacz import build_wacz
from tests.archive._support import ALPHA, MISSING, SampleRun, write_sample_run
from tests.archive.replaywebpage import Page, ReplayWebPage, chromium, open_wacz, read_pages
from tests.conftest import SecondNight


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleRun, Path]:
    run = write_sample_run(tmp_path_factory.mktemp("rwp-data"))
    return run, build_wacz(run.layout.run_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def rwp(
    night: tuple[SampleRun, Path], browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReplayWebPage]:
    with open_wacz(night[1], tmp_path_factory.mktemp("rwp"), browser) as opened:
        yield opened


def paragraphs(body: bytes) -> list[str]:
    """The text of each ``<p>`` of a page (the sample's pages are UTF-8 and say so only in HTTP)."""
    return [p.text_content() for p in lxml.html.fromstring(body.decode("utf-8")).iter("p")]


def test_every_listed_page_replays_with_its_archived_body(
    night: tuple[SampleRun, Path], rwp: ReplayWebPage
) -> None:
    run, wacz = night
    pages = read_pages(wacz)
    assert len(pages) == 3
    archive = Archive.open(wacz)
    for page in pages:
        capture = archive.lookup(page.url, page.timestamp)
        assert capture is not None, f"{page.url} at {page.ts} is listed but not indexed"
        archived = decoded_body(archive.read(capture))
        written = next(
            c for c in run.captures if c.url == page.url and c.timestamp == capture.timestamp
        ).body
        assert archived == written

        replay = rwp.replay_page(page)
        assert replay.replayed, replay
        assert replay.status == 200
        assert replay.paragraphs == paragraphs(written) == [page.text]
        assert replay.title == page.title


def test_a_gzip_encoded_capture_replays_decoded(
    night: tuple[SampleRun, Path], rwp: ReplayWebPage
) -> None:
    page = read_pages(night[1])[0]
    assert page.url == ALPHA
    archive = Archive.open(night[1])
    capture = archive.lookup(page.url, page.timestamp)
    assert capture is not None
    assert ("Content-Encoding", "gzip") in archive.read(capture).headers
    replay = rwp.replay_page(page)
    assert replay.paragraphs == ["First version."]
    assert "\ufffd" not in replay.text and "\x1f" not in replay.text


def test_a_page_not_in_the_archive_is_reported_as_not_replayed(rwp: ReplayWebPage) -> None:
    page = Page("https://news.example/2026/01/02/never-crawled", "2026-01-02T03:04:05Z")
    replay = rwp.replay_page(page)
    assert not replay.replayed
    assert replay.error == "notFound"
    assert replay.status == 404
    assert "Archived Page Not Found" in replay.text


def test_an_archived_error_replays_as_archived(
    night: tuple[SampleRun, Path], rwp: ReplayWebPage
) -> None:
    missing = next(c for c in night[0].captures if c.url == MISSING)
    replay = rwp.replay(MISSING, missing.timestamp)
    assert replay.replayed
    assert (replay.status, replay.text.strip()) == (404, "gone")


def test_every_page_of_the_second_nights_wacz_replays_on_its_own(
    second_night: SecondNight, browser: Any, tmp_path: Path
) -> None:
    assert second_night.returncode == 0, second_night.output[-3000:]
    wacz = next(second_night.run_dir.glob("*.wacz"))
    pages = read_pages(wacz)
    assert pages, f"{wacz} lists no pages"
    with open_wacz(wacz, tmp_path, browser) as night_two:
        replays = [night_two.replay_page(page) for page in pages]
    failed = [(r.url, r.timestamp, r.error, r.status) for r in replays if not r.replayed]
    assert not failed, f"{len(failed)} of {len(pages)} pages not replayed: {failed[:5]}"
    for page, replay in zip(pages, replays, strict=True):
        assert replay.status == 200, (page, replay.status)
        assert page.text and page.text.split()[0] in replay.text, (page.url, replay.text[:300])
