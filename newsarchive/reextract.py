"""Re-extraction: run today's extractor over archived responses, on every core.

This is how old nights are brought up to a better extractor: the WARCs are the record, the text
and JSON Lines are derived from them and can be rebuilt at any time. Pages are read from the
archive in one process and extracted in a pool of workers; results are written in archive order,
so the output does not depend on the number of workers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from crawler.siteconfig import SiteConfig, site_for_url
from model.article import Article
from model.layout import RunLayout
from pipelines.extraction import extract
from pipelines.rules import ExtractionRules
from pipelines.writers import ArticleWriter

logger = logging.getLogger(__name__)
CHUNK_SIZE = 16


@dataclass(frozen=True)
class ArchivedPage:
    """An article response as archived, decoded the way the crawl's extractor saw it."""

    url: str
    site: str
    body: bytes
    content_type: str | None
    fetched: str
    warc_filename: str
    warc_offset: int
    warc_record_id: str


@dataclass
class ReextractResult:
    pages: int = 0
    articles: int = 0
    empty: int = 0
    failed: int = 0


def warc_files(path: Path) -> list[Path]:
    """The closed WARC files at ``path``: a file, a run directory or a data directory."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.warc.gz") if p.is_file())


def archived_pages(files: Iterable[Path], sites: Mapping[str, SiteConfig]) -> Iterator[ArchivedPage]:
    """Every archived 200 HTML response whose URL is an article of a configured site."""
    for path in files:
        try:
            with path.open("rb") as fh:
                # Offsets from the file position: warcio's get_record_offset() reads the record
                # to its end first, and the body with it.
                iterator = ArchiveIterator(fh)
                for record in iterator:
                    page = _page(record, path.name, iterator.offset, sites)
                    if page is not None:
                        yield page
        except ArchiveLoadFailed as exc:
            logger.error("skipping unreadable WARC %s: %s", path, exc)


def _page(
    record: ArcWarcRecord, filename: str, offset: int, sites: Mapping[str, SiteConfig]
) -> ArchivedPage | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    site = site_for_url(sites, url)
    if site is None or not site.is_article(url):
        return None
    headers = record.http_headers
    content_type = headers.get_header("Content-Type")
    if headers.get_statuscode() != "200" or (content_type and "html" not in content_type.lower()):
        return None
    return ArchivedPage(
        url=url,
        site=site.name,
        # content_stream() undoes the content and transfer codings, as Scrapy did in the crawl.
        body=record.content_stream().read(),
        content_type=content_type,
        fetched=record.rec_headers.get_header("WARC-Date"),
        warc_filename=filename,
        warc_offset=offset,
        warc_record_id=record.rec_headers.get_header("WARC-Record-ID"),
    )


def reextract(
    files: Iterable[Path],
    sites: Mapping[str, SiteConfig],
    layout: RunLayout,
    workers: int | None = None,
) -> ReextractResult:
    """Extract every archived article in ``files`` and write a fresh articles.jsonl and texts.

    The run's ``articles.jsonl`` is replaced only once all pages are done.
    """
    result = ReextractResult()
    final = layout.articles_path
    staging = final.with_name(final.name + ".new")
    staging.unlink(missing_ok=True)
    writer = ArticleWriter(layout, jsonl_path=staging)
    workers = workers or os.cpu_count() or 1
    pages = archived_pages(files, sites)
    try:
        if workers == 1:
            outcomes: Iterator[Article | str] = map(_extract_page, _with_rules(pages, sites))
            _consume(outcomes, writer, result)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                outcomes = pool.map(_extract_page, _with_rules(pages, sites), chunksize=CHUNK_SIZE)
                _consume(outcomes, writer, result)
    finally:
        writer.close()
    if staging.exists():
        os.replace(staging, final)
    return result


def _with_rules(
    pages: Iterable[ArchivedPage], sites: Mapping[str, SiteConfig]
) -> Iterator[tuple[ArchivedPage, ExtractionRules]]:
    for page in pages:
        yield page, sites[page.site].rules


def _consume(outcomes: Iterable[Article | str], writer: ArticleWriter, result: ReextractResult) -> None:
    for outcome in outcomes:
        result.pages += 1
        if isinstance(outcome, Article):
            writer.write(outcome)
            result.articles += 1
        elif outcome == "empty":
            result.empty += 1
        else:
            result.failed += 1
            logger.error("re-extraction failed: %s", outcome)


def _extract_page(job: tuple[ArchivedPage, ExtractionRules]) -> Article | str:
    """One page, in a worker. Errors come back as text: one bad page must not end the run."""
    page, rules = job
    try:
        article = extract(
            page.url, page.body, rules=rules,
            content_type=page.content_type, fetched=datetime.fromisoformat(page.fetched),
        )
    except Exception as exc:  # a bad page must not stop the others: report it, go on
        return f"{page.url}: {type(exc).__name__}: {exc}"
    if not article.text:
        return "empty"
    article.site = page.site
    article.warc_filename = page.warc_filename
    article.warc_offset = page.warc_offset
    article.warc_record_id = page.warc_record_id
    return article


def runs_at(path: Path) -> list[tuple[RunLayout, list[Path]]]:
    """The runs whose WARCs are at ``path``: a data dir, a run dir, or WARC files in a run."""
    path = path.resolve()
    if (path / "runs").is_dir():
        return [item for run in sorted((path / "runs").iterdir()) for item in runs_at(run)]
    if (path / "warc").is_dir():
        return [(RunLayout(path.parent.parent, path.name), warc_files(path / "warc"))]
    if path.is_file() and path.parent.name == "warc":
        run = path.parent.parent
        return [(RunLayout(run.parent.parent, run.name), [path])]
    raise FileNotFoundError(
        f"{path} is not a data directory, a run directory or a WARC file inside a run"
    )
