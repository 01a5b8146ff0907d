"""End to end: crawl the five fixture sites over loopback, then check texts, metadata and WARCs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.cdxj import index_path
from tests.archive._support import archive_tool
from tests.conftest import SITES, Crawl, dead_proxy, expected, read_articles

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


PYONGYANG = timezone(timedelta(hours=9))
# One KCNA article archived under both URL schemes.
KCNA_TWINS = {
    "http://www.kcna.kp/en/article/detail/5d0c7e21a94b4f3e8c6a2b19f07d3e58",
    "http://www.kcna.kp/en/article/q/b5e8d1c3a7f94e2d6c0b9a8f7e6d5c4b.kcmsf",
}


def dateline_year(published: str) -> str:
    # A year-less dateline takes the capture year, or the year before if the day is still ahead
    # (in Pyongyang: KCNA is the only site with year-less dates).
    now = datetime.now(PYONGYANG)
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


def test_indexes_streamed_as_written_are_cdxj_indexers(crawl: Crawl) -> None:
    """Each WARC's index was made record by record while it was written (the crawl rolls over
    at 60 kB, so many files closed mid-crawl): the same lines cdxj-indexer reads from the file."""
    warcs = warc_files(crawl)
    assert len(warcs) > 3
    for warc in warcs:
        result = subprocess.run([CDXJ_INDEXER, "--sort", str(warc)], capture_output=True,
                                text=True, check=True)
        assert index_path(warc).read_text().splitlines() == result.stdout.splitlines(), warc
    assert "as written" in (crawl.run_dir / "crawl.log").read_text()
    assert not list(crawl.run_dir.rglob("*.cdxj-part"))  # the spilled lines are cleaned up


def test_wacz_packed_off_the_reactor_validates_and_is_reported(crawl: Crawl) -> None:
    package = crawl.run_dir / "test-run.wacz"
    assert crawl.report["archive"]["wacz"] == package.name  # the report waited for the thread
    validate = subprocess.run([str(archive_tool("wacz")), "validate", "-f", str(package)],
                              capture_output=True, text=True, timeout=120)
    assert validate.returncode == 0, validate.stdout + validate.stderr


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


def test_kcna_both_schemes_are_one_article_in_the_report(crawl: Crawl) -> None:
    kcna = [a for a in crawl.articles if a["site"] == "kcna"]
    urls = {a["url"] for a in kcna}
    assert any("/en/article/detail/" in u for u in urls) and any(u.endswith(".kcmsf") for u in urls)
    twins = [a for a in kcna if a["url"] in KCNA_TWINS]
    assert len(twins) == 2 and twins[0]["title"] == twins[1]["title"] and twins[0]["text"] == twins[1]["text"]
    summary = crawl.report["sites"]["kcna"]
    assert summary["articles"] == len(kcna) == len(expected("kcna")["articles"])
    # The old page says "2026.11.20.", the new one only "November 20": the same day until the
    # capture is a year later (the January replay below pins the capture date).
    same_day = twins[0]["published"] == twins[1]["published"]
    assert summary["articles_unique"] == len(kcna) - same_day
    for site in SITES:
        assert crawl.report["sites"][site]["articles_unique"] <= crawl.report["sites"][site]["articles"]


def redated_warc(crawl: Crawl, host: str, when: str, target: Path) -> Path:
    """The crawl's responses from ``host`` written again as if captured at ``when``."""
    with target.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for _, record, payload in records(crawl):
            uri = record.rec_headers["WARC-Target-URI"]
            if record.rec_type != "response" or f"://{host}/" not in uri:
                continue
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), length=len(payload),
                http_headers=record.http_headers, warc_headers_dict={"WARC-Date": when},
            ))
    return target


def test_kcna_replayed_in_january_dates_december_datelines_last_year(crawl: Crawl, tmp_path: Path) -> None:
    """A January 2027 capture: "December 31" is 2026-12-31, "January 2" is 2027-01-02; and the article
    under both schemes ("2026.11.20." and "November 20") is one article in the report."""
    warc = redated_warc(crawl, "www.kcna.kp", "2027-01-02T03:00:00Z", tmp_path / "january.warc.gz")
    env = {**os.environ, **dict.fromkeys(("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"),
                                         dead_proxy())}
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "crawl", "kcna", "--replay", str(warc), "--data",
         str(tmp_path / "data"), "--run-id", "january", "--delay-scale", "0"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    run = tmp_path / "data" / "runs" / "january"
    got = read_articles(run)
    assert set(got) == {a["url"] for a in expected("kcna")["articles"]}
    by_title = {a["title"]: a for a in got.values()}
    assert by_title["Year-end Review of Light Industry Held"]["published"] == "2026-12-31"
    assert by_title["Farmers Start Campaign for Fresh Bumper Harvest"]["published"] == "2027-01-02"
    assert by_title["Vegetable Greenhouse Farm Expands in Kangdong County"]["published"] == "2026-09-10"
    assert {got[u]["published"] for u in KCNA_TWINS} == {"2026-11-20"}
    assert all(not a["text"].endswith("-0-") and "-0-" not in a["text"] for a in got.values())
    summary = json.loads((run / "report.json").read_text())["sites"]["kcna"]
    assert (summary["articles"], summary["articles_unique"]) == (len(got), len(got) - 1)
