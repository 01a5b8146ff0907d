"""End to end: crawl the five fixture sites over loopback, then check texts, metadata and WARCs."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import SITES, Crawl, expected

WARCIO = str(Path(sys.executable).with_name("warcio"))
CDXJ_INDEXER = str(Path(sys.executable).with_name("cdxj-indexer"))


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def warc_files(crawl: Crawl) -> list[Path]:
    return sorted((crawl.run_dir / "warc").glob("*.warc.gz"))


def records(crawl: Crawl) -> list[tuple[Path, Any, bytes]]:
    found = []
    for path in warc_files(crawl):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                found.append((path, record, record.raw_stream.read()))
    return found


def dateline_year(published: str) -> str:
    # A year-less dateline takes the capture year, or the year before if the day is still ahead.
    now = datetime.now(UTC)
    month_day = published[5:10]
    year = now.year if month_day <= now.strftime("%m-%d") else now.year - 1
    return published.replace("YYYY", str(year))


def test_crawl_succeeds_for_every_site(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.output
    for site in SITES:
        assert crawl.report["sites"][site]["status"] == "ok", crawl.report["sites"][site]
    assert crawl.report["finish_reason"] == "finished"
    stats = crawl.report["stats"]
    assert stats["response_received_count"] > 0
    assert stats.get("log_count/ERROR", 0) == 0, crawl.output
    assert "test-run: finished" in crawl.output


@pytest.mark.parametrize("site", SITES)
def test_every_article_is_archived_clean(crawl: Crawl, site: str) -> None:
    want = expected(site)
    got = {a["url"]: a for a in crawl.articles if a["site"] == site}
    assert set(got) == {a["url"] for a in want["articles"]}
    for article in want["articles"]:
        have = got[article["url"]]
        text = have["text"]
        for phrase in want["boilerplate"]:
            assert phrase not in text, f"{article['url']}: boilerplate {phrase!r} in the text"
        paras = paragraphs(text)
        assert paras[0] == article["first_paragraph"], article["url"]
        assert paras[-1] == article["last_paragraph"], article["url"]
        for subhead in article["subheads"]:
            assert subhead in paras, f"{article['url']}: subhead {subhead!r} lost"
        assert len(paras) == article["paragraphs"], article["url"]
        assert have["title"] == article["title"]
        assert have["published"] == dateline_year(article["published"])
        assert have["authors"] == article["authors"]
        assert have["language"] == "en"
        assert have["canonical_url"] == article["url"]
        assert have["sha256"] == hashlib.sha256(text.encode()).hexdigest()
        assert have["word_count"] == len(re.findall(r"\w+", text)) > 100
        assert (crawl.data_dir / have["text_path"]).read_text(encoding="utf-8") == text + "\n"
        assert have["text_path"].startswith(f"text/{site}/{have['published'][:10]}/")


@pytest.mark.parametrize("site", SITES)
def test_robots_and_missing_pages(crawl: Crawl, site: str) -> None:
    want = expected(site)
    fetched = {entry["url"] for entry in crawl.server_log}
    assert want["disallowed_url"] not in fetched, "robots.txt was not obeyed"
    assert want["missing_url"] in fetched
    assert crawl.report["sites"][site]["failed"].get("http_404", 0) >= 1


def test_every_warc_passes_warcio_check(crawl: Crawl) -> None:
    files = warc_files(crawl)
    assert len(files) > 1, "WARC_MAX_SIZE should have rolled the archive over"
    names = {p.name for p in (crawl.run_dir / "warc").iterdir()}
    assert names == {p.name for p in files} | {p.name.removesuffix(".warc.gz") + ".cdxj" for p in files}
    result = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_response_payloads_are_the_bytes_the_server_sent(crawl: Crawl) -> None:
    sent = {(e["url"], e["body_sha256"]) for e in crawl.server_log if e["method"] == "GET"}
    archived = set()
    for _, record, payload in records(crawl):
        if record.rec_type != "response":
            continue
        url = record.rec_headers["WARC-Target-URI"]
        archived.add((url, hashlib.sha256(payload).hexdigest()))
        encoding = record.http_headers.get_header("Content-Encoding")
        if encoding == "gzip":
            assert payload[:2] == b"\x1f\x8b", url
        assert record.http_headers.get_header("Transfer-Encoding") is None, url
    assert archived == sent
    log = crawl.server_log
    assert any(e["chunked"] for e in log) and any(e["content_encoding"] == "gzip" for e in log)


def test_records_are_paired_and_articles_point_at_them(crawl: Crawl) -> None:
    all_records = records(crawl)
    by_id = {r.rec_headers["WARC-Record-ID"]: (p, r) for p, r, _ in all_records}
    responses = {i for i, (_, r) in by_id.items() if r.rec_type == "response"}
    requests = [r for _, r, _ in all_records if r.rec_type == "request"]
    assert {r.rec_headers["WARC-Concurrent-To"] for r in requests} == responses
    metadata = {r.rec_headers["WARC-Concurrent-To"]: json.loads(body)
                for _, r, body in all_records if r.rec_type == "metadata"}
    assert len(metadata) == len(crawl.articles)
    for article in crawl.articles:
        path, record = by_id[article["warc_record_id"]]
        assert record.rec_headers["WARC-Target-URI"] == article["url"]
        assert path.name == article["warc_filename"]
        with path.open("rb") as fh:
            fh.seek(article["warc_offset"])
            assert next(iter(ArchiveIterator(fh))).rec_headers["WARC-Record-ID"] == record.rec_headers["WARC-Record-ID"]
        assert metadata[article["warc_record_id"]]["text"] == article["text"]
    for path in warc_files(crawl):
        with path.open("rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"


def test_warcs_are_indexable(crawl: Crawl) -> None:
    files = list(map(str, warc_files(crawl)))
    result = subprocess.run([CDXJ_INDEXER, *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    indexed = "\n".join(line for line in result.stdout.splitlines())
    for article in crawl.articles:
        assert json.dumps(article["url"]) in indexed
    result = subprocess.run([WARCIO, "index", *files], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.count('"response"') >= len(crawl.articles)


def test_non_article_pages_are_archived_without_text(crawl: Crawl) -> None:
    archived = {r.rec_headers["WARC-Target-URI"] for _, r, _ in records(crawl) if r.rec_type == "response"}
    article_urls = {a["url"] for a in crawl.articles}
    listings = archived - article_urls
    assert any(u.endswith("/robots.txt") for u in listings)
    assert any("rss" in u or "sitemap" in u for u in listings)
    assert len(listings) >= 5 + len(SITES)


@pytest.mark.parametrize("site", SITES)
def test_unreadable_pages_are_archived_counted_and_skipped(crawl: Crawl, site: str) -> None:
    """A video page with no text, a page of random bytes: archived, counted, never fatal."""
    unreadable = expected(site)["unreadable_urls"]
    archived = {r.rec_headers["WARC-Target-URI"] for _, r, _ in records(crawl) if r.rec_type == "response"}
    assert set(unreadable) <= archived
    assert not set(unreadable) & {a["url"] for a in crawl.articles}
    assert crawl.report["sites"][site]["failed"].get("no_body", 0) == len(unreadable)
