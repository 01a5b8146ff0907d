"""pywb replays our archive: from the WARCs with our per-file indexes, and from our WACZ.

pywb runs from the archive tools' venv (see ``_support.archive_tool``), in a subprocess, with
two collections: ``news`` reads the run's ``warc/`` folder, our ``*.cdxj`` files as its index;
``packed`` is our WACZ added with ``wb-manager add --unpack-wacz``, which keeps our index.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from archive.cdxj import merge_indexes, write_index
from archive.lookup import lines_for, url_key
from archive.wacz import build_wacz
from tests.archive._pywb import get, serve
from tests.archive._support import (
    ALPHA,
    BETA,
    MISSING,
    OLD,
    T0,
    SampleRun,
    archive_tool,
    write_sample_run,
)


@dataclass
class Wayback:
    url: str
    run: SampleRun


@pytest.fixture(scope="module")
def wayback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:
    root = tmp_path_factory.mktemp("pywb")
    run = write_collections(root)
    with serve(root) as url:
        yield Wayback(url, run)


def write_collections(root: Path) -> SampleRun:
    """``news``: the run's WARCs and our index files; ``packed``: the run's WACZ, added."""
    run = write_sample_run(root / "data")
    for warc in run.warcs:
        write_index(warc)
    wacz = build_wacz(run.layout.run_dir)
    manager = str(archive_tool("wb-manager"))
    for command in (["init", "packed"], ["add", "--unpack-wacz", "packed", str(wacz)]):
        subprocess.run([manager, *command], cwd=root, check=True, capture_output=True, timeout=120)
    warc_dir = run.layout.warc_dir
    (root / "config.yaml").write_text(
        f"collections:\n  news:\n    index_paths: {warc_dir}\n    archive_paths: {warc_dir}/\n",
        encoding="utf-8",
    )
    return run


@pytest.mark.parametrize("collection", ["news", "packed"])
def test_article_bodies_replay_as_received(wayback: Wayback, collection: str) -> None:
    for capture in [c for c in wayback.run.captures if c.status == 200]:
        reply = get(f"{wayback.url}/{collection}/{capture.timestamp}id_/{capture.url}")
        assert reply.status == 200, reply.body[:500]
        assert reply.body == capture.body  # the gzip-encoded body, decoded
        assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
        assert reply.headers["Memento-Datetime"] == capture.moment.strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )


def test_nearest_capture_is_replayed(wayback: Wayback) -> None:
    later = (T0 + timedelta(minutes=50)).strftime("%Y%m%d%H%M%S")
    reply = get(f"{wayback.url}/news/{later}id_/{ALPHA}")
    assert reply.status == 200
    assert reply.body == wayback.run.capture(ALPHA, T0 + timedelta(hours=1)).body


def test_errors_and_redirects_replay_as_received(wayback: Wayback) -> None:
    missing = wayback.run.captures[2]
    assert missing.url == MISSING
    reply = get(f"{wayback.url}/news/{missing.timestamp}id_/{MISSING}")
    assert (reply.status, reply.body) == (404, b"gone\n")
    moved = wayback.run.captures[1]
    assert moved.url == OLD
    reply = get(f"{wayback.url}/news/{moved.timestamp}id_/{OLD}")
    assert reply.status == 301
    assert reply.headers["Location"].endswith(ALPHA)


@pytest.mark.parametrize("url", [ALPHA, BETA, MISSING, OLD])
def test_cdx_api_lists_our_index_lines(wayback: Wayback, url: str) -> None:
    query = urllib.parse.urlencode({"url": url, "output": "json"})
    reply = get(f"{wayback.url}/news/cdx?{query}")
    assert reply.status == 200
    listed = [json.loads(line) for line in reply.body.decode().splitlines()]
    paths = sorted(wayback.run.layout.warc_dir.glob("*.cdxj"))
    ours = list(lines_for(list(merge_indexes(paths)), url_key(url)))
    assert listed, f"pywb lists no capture of {url}"
    assert [(e["urlkey"], e["timestamp"]) for e in listed] == [
        tuple(line.split(" ", 2)[:2]) for line in ours
    ]
    for entry, line in zip(listed, ours, strict=True):
        fields = json.loads(line.split(" ", 2)[2])
        assert {k: entry[k] for k in fields} == fields


def test_the_article_json_is_not_replayed_as_the_article(wayback: Wayback) -> None:
    _url, moment, _location = wayback.run.metadata[0]
    reply = get(f"{wayback.url}/news/{moment.strftime('%Y%m%d%H%M%S')}id_/{ALPHA}")
    assert reply.headers["Content-Type"].startswith("text/html")
