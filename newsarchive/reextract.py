"""Re-extraction: run today's extractor over archived responses, on every core.

This is how old nights are brought up to a better extractor: the WARCs are the record, the text
and JSON Lines are derived from them and can be rebuilt at any time. Pages are read through the
archive reader (so a night whose unchanged pages were stored as revisits gets them back from the
night that stored them) in one process and extracted in a pool of workers; results are written
in archive order through the run's article sinks, so the output does not depend on the number of
workers.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.catalog_build import run_articles
from archive.reader import Archive, ArchivedResponse, decoded_body
from archive.records import ArchiveReadError
from archive.worker_pool import spawned_pool
from crawler.siteconfig import SiteRegistry
from model.article import Article
from model.layout import RunLayout
from model.sink import ArticleSink, SinkError
from pipelines.extraction import GENERIC_RULES, extract
from pipelines.rules import ExtractionRules
from pipelines.writers import article_sinks

logger = logging.getLogger(__name__)
# Pages in flight per worker: enough to keep each busy, few enough that memory does not grow with
# the archive (Executor.map would read every page of it before the first result came back).
IN_FLIGHT = 8


@dataclass(frozen=True)
class ArchivedPage:
    """An article response as archived, decoded the way the crawl's extractor saw it."""

    response: ArchivedResponse  # its body as received: decoded in the worker, capped
    site: str
    rules: ExtractionRules


@dataclass
class ReextractResult:
    pages: int = 0
    articles: int = 0
    empty: int = 0
    failed: int = 0


@dataclass(frozen=True)
class RunFiles:
    """One run to re-extract: where its outputs go and the names of its WARC files."""

    layout: RunLayout
    files: list[str]
    articles_path: Path | None = None  # default: the run's own articles.jsonl
    every_page: bool = False  # not a run of ours: every HTML page, not only sites' articles


def archived_pages(
    archive: Archive, sites: SiteRegistry, files: Collection[str] | None = None,
    every_page: bool = False,
) -> Iterator[ArchivedPage]:
    """Every archived 200 HTML response whose URL is an article of a configured site (or, with
    ``every_page``, every one, with the site's rules where a site owns it)."""

    def is_article(url: str) -> bool:
        site = sites.for_url(url)
        return every_page if site is None else site.is_article(url)

    for response in archive.responses(is_article, files):
        content_type = _header(response, "content-type")
        if response.status != 200 or (content_type and "html" not in content_type.lower()):
            continue
        site = sites.for_url(response.url)
        if site is None:
            yield ArchivedPage(response, "", GENERIC_RULES)
        else:
            yield ArchivedPage(response, site.name, site.rules)


def reextract(
    archive: Archive,
    run: RunFiles,
    sites: SiteRegistry,
    workers: int | None = None,
) -> ReextractResult:
    """Extract every archived article in the run's files and write fresh outputs.

    The run's ``articles.jsonl`` is replaced only once all pages are done.
    """
    result = ReextractResult()
    final = run.articles_path or run.layout.articles_path
    staging = final.with_name(final.name + ".new")
    staging.unlink(missing_ok=True)
    sinks = article_sinks(run.layout, jsonl_path=staging)
    # Each article keeps the version the crawl gave it (its text file beside the others'), and
    # its story thread (the catalog rebuilt after re-extraction keeps the same threads).
    versions = {a["url"]: (int(a.get("version") or 1), a.get("story"))
                for a in run_articles(run.layout.run_dir)}
    workers = workers or os.cpu_count() or 1
    pages = archived_pages(archive, sites, run.files, run.every_page)
    try:
        if workers == 1:
            _consume(map(_extract_page, pages), sinks, result, versions)
        else:
            # Spawned, not forked: a forked worker would start with this process's memory (the
            # archive's index of every capture, the versions), counted again in each of them.
            with spawned_pool(workers) as pool:
                _consume(_bounded_map(pool, pages, IN_FLIGHT * workers), sinks, result, versions)
    finally:
        for sink in sinks:
            sink.close()
    if staging.exists():
        os.replace(staging, final)
    return result


def _bounded_map(
    pool: ProcessPoolExecutor, pages: Iterable[ArchivedPage], window: int
) -> Iterator[Article | str]:
    """``pool.map(_extract_page, pages)`` in order, with at most ``window`` pages submitted."""
    pending: deque[Future[Article | str]] = deque()
    for page in pages:
        pending.append(pool.submit(_extract_page, page))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _consume(
    outcomes: Iterable[Article | str], sinks: list[ArticleSink], result: ReextractResult,
    versions: dict[str, tuple[int, str | None]],
) -> None:
    for outcome in outcomes:
        result.pages += 1
        if isinstance(outcome, Article):
            outcome.version, outcome.story = versions.get(outcome.url, (1, None))
            try:
                for sink in sinks:
                    sink.write(outcome)
            except (SinkError, OSError) as exc:
                result.failed += 1
                logger.error("could not write %s: %s", outcome.url, exc)
                continue
            result.articles += 1
        elif outcome == "empty":
            result.empty += 1
        else:
            result.failed += 1
            logger.error("re-extraction failed: %s", outcome)


def _extract_page(page: ArchivedPage) -> Article | str:
    """One page, in a worker. Errors come back as text: one bad page must not end the run."""
    response = page.response
    try:
        article = extract(
            response.url, decoded_body(response), rules=page.rules,
            content_type=_header(response, "content-type"), fetched=response.date,
        )
    except Exception as exc:  # a bad page must not stop the others: report it, go on
        return f"{response.url}: {type(exc).__name__}: {exc}"
    if not article.text:
        return "empty"
    article.site = page.site or None
    article.warc_filename = response.location.filename
    article.warc_offset = response.location.offset
    article.warc_record_id = response.location.record_id
    return article


def _header(response: ArchivedResponse, name: str) -> str | None:
    return next((v for k, v in response.headers if k.lower() == name), None)


def runs_at(path: Path) -> tuple[Archive, list[RunFiles]]:
    """The archive that holds ``path`` (its whole data directory, so that revisits resolve) and
    the runs to re-extract, always whole: every run of a data dir, a run dir, or the run that a
    WARC or WACZ belongs to. Anything else needs :func:`foreign_archive` and an output dir."""
    data_dir, run_dirs = run_dirs_at(path)
    archive = _open(data_dir)
    runs = [RunFiles(RunLayout(data_dir, run.name), archive.files_in(run)) for run in run_dirs]
    return archive, [run for run in runs if run.files]


def run_dirs_at(path: Path) -> tuple[Path, list[Path]]:
    """The data directory that holds ``path``, and the run directories it names; read before
    the archive is, so that a data directory can be locked first."""
    path = path.resolve()
    if (path / "runs").is_dir():
        data_dir, run_dirs = path, sorted(p for p in (path / "runs").iterdir() if p.is_dir())
    elif (path / "warc").is_dir():
        data_dir, run_dirs = path.parent.parent, [path]
    elif path.is_file() and path.parent.name == "warc" and path.parent.parent.parent.name == "runs":
        data_dir, run_dirs = path.parent.parent.parent.parent, [path.parent.parent]
    elif path.suffix == ".wacz" and path.parent.parent.name == "runs":
        data_dir, run_dirs = path.parent.parent.parent, [path.parent]
    else:
        raise FileNotFoundError(
            f"{path} is not a data directory, a run, or a WARC or WACZ of a run: to extract"
            " the articles of any other archive, give --out DIR"
        )
    return data_dir, run_dirs


def foreign_archive(path: Path, out: Path) -> tuple[Archive, RunFiles]:
    """Any WARC or WACZ (or a folder of them), from any tool: its pages, with its articles
    written to ``out/articles.jsonl`` and ``out/text/``."""
    try:
        archive = Archive.open(path)
    except ArchiveReadError as exc:
        raise FileNotFoundError(str(exc)) from exc
    files = archive.files_in(path if path.is_dir() else path.parent)
    out = Path(out)
    return archive, RunFiles(RunLayout(out, "out"), files, out / "articles.jsonl", every_page=True)


def _open(data_dir: Path) -> Archive:
    try:
        return Archive.open(data_dir / "runs")
    except ArchiveReadError as exc:
        raise FileNotFoundError(f"no archive under {data_dir}: {exc}") from exc
