"""The catalog on its own: versions, the per-URL table whatever the order rows came in, what
counts as known, and search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from tests.archive._support import rows

URL = "https://news.example/a/1"


def capture(offset: int, date: str, status: int = 200, **extra: Any) -> dict[str, Any]:
    return {"warc_filename": "w.warc.gz", "warc_offset": offset, "run_id": "r", "url": URL,
            "site": "example", "date": date, "status": status, "payload_digest": f"sha1:{offset}",
            "etag": extra.get("etag"), "last_modified": extra.get("last_modified"), **extra}


def article(version: int, text: str) -> dict[str, Any]:
    return {"url": URL, "site": "example", "title": "Harbour news", "text": text,
            "sha256": str(hash(text)), "version": version, "language": "en",
            "published": "2026-11-30", "fetched": f"2026-12-0{version}T00:00:00+00:00"}


def fill(catalog: Catalog, captures_first: bool) -> None:
    captures = [capture(0, "2026-12-01T00:00:00Z", etag='"a"'),
                capture(10, "2026-12-02T00:00:00Z", etag='"b"'),
                capture(20, "2026-12-03T00:00:00Z", status=304)]
    articles = [article(1, "The ferry leaves at noon."), article(2, "The ferry leaves at dawn.")]
    steps = [lambda: [catalog.add_capture(c) for c in captures],
             lambda: [catalog.add_version(a, "r") for a in articles]]
    for step in steps if captures_first else reversed(steps):
        step()
    catalog.refresh_urls()


def test_the_url_table_is_the_same_whatever_the_order(tmp_path: Path) -> None:
    one, two = Catalog.open(tmp_path / "one.sqlite"), Catalog.open(tmp_path / "two.sqlite")
    fill(one, captures_first=True)
    fill(two, captures_first=False)
    assert rows(one, "urls") == rows(two, "urls")
    known = one.known(URL)
    assert known is not None and known.versions == 2
    assert known.etag == '"b"' and known.last_checked == "2026-12-03T00:00:00Z"  # the 304's date
    one.close()
    two.close()


def test_recomputing_one_run_s_urls_gives_what_recomputing_all_does(tmp_path: Path) -> None:
    whole, scoped = Catalog.open(tmp_path / "one.sqlite"), Catalog.open(tmp_path / "two.sqlite")
    other = {**capture(30, "2026-12-01T00:00:00Z"), "url": "https://news.example/b"}
    for catalog in (whole, scoped):
        fill(catalog, captures_first=True)
        catalog.add_capture(other)
        catalog.add_capture(capture(40, "2026-12-04T00:00:00Z", etag='"c"'))
    whole.refresh_urls()
    scoped.refresh_urls([URL])  # the URL of the run just added: the other is left as it was
    assert rows(scoped, "urls") != rows(whole, "urls")
    scoped.refresh_urls([other["url"]])
    assert rows(scoped, "urls") == rows(whole, "urls")
    known = scoped.known(URL)
    assert known is not None and known.etag == '"c"'
    whole.close()
    scoped.close()


def test_versions_new_changed_unchanged(tmp_path: Path) -> None:
    catalog = Catalog.open(tmp_path / "c.sqlite")
    assert catalog.next_version(URL, "x") == (1, "new")
    assert catalog.add_version(article(1, "first"), "r")
    first_sha = article(1, "first")["sha256"]
    assert catalog.next_version(URL, first_sha) == (1, "unchanged")
    assert catalog.next_version(URL, "other") == (2, "changed")
    assert not catalog.add_version(article(1, "first"), "r2")  # the same version again
    catalog.close()


def test_a_gone_page_is_known_and_a_failed_one_is_not(tmp_path: Path) -> None:
    catalog = Catalog.open(tmp_path / "c.sqlite")
    catalog.add_capture(capture(0, "2026-12-01T00:00:00Z", status=503))
    catalog.refresh_urls()
    assert catalog.known(URL) is None
    catalog.add_capture(capture(5, "2026-12-02T00:00:00Z", status=404))
    catalog.refresh_urls()
    assert catalog.known(URL) is not None
    catalog.close()


def test_search_takes_words_or_fts5_syntax(tmp_path: Path) -> None:
    catalog = Catalog.open(tmp_path / "c.sqlite")
    fill(catalog, captures_first=True)
    assert [h.version for h in catalog.search("ferry dawn")] == [2]
    assert [h.version for h in catalog.search('"leaves at noon"')] == [1]
    assert sorted(h.version for h in catalog.search("noon OR dawn")) == [1, 2]
    assert [h.version for h in catalog.search('dawn" AND (')] == []  # bad syntax: as words
    assert catalog.search("ferry", since="2027-01-01") == []
    assert catalog.search("ferry", language="de") == []
    assert "[dawn]" in catalog.search("dawn")[0].snippet
    catalog.close()

