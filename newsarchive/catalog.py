"""``newsarchive catalog rebuild DATA`` and ``newsarchive search QUERY``: the catalog's commands.

    newsarchive catalog rebuild [DATA] [--data DIR] [--workers N]
    newsarchive search QUERY [--site S] [--since D] [--lang L] [--limit N] [--data DIR]
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import CATALOG_NAME, Catalog, CatalogError, Hit
from crawler.siteconfig import SiteRegistry, load_sites
from newsarchive.arguments import add_sites_option, data_dir, day, workers
from newsarchive.lock import DataDirBusy, DataDirLock

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


def add_commands(commands: Any) -> None:
    """The ``catalog`` and ``search`` subcommands, on the CLI's subparsers."""
    catalog = commands.add_parser("catalog", help="the catalog of the archive (catalog.sqlite)")
    catalog_commands = catalog.add_subparsers(metavar="COMMAND")
    again = catalog_commands.add_parser(
        "rebuild", help="make the catalog again from every run's WARCs and articles.jsonl")
    again.add_argument("data_pos", nargs="?", type=data_dir, metavar="DATA",
                       help="the data directory")
    again.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                       help="data directory (default: data)")
    add_sites_option(again)
    again.add_argument("--workers", type=workers, default=0,
                       help="processes working out the story threads' text features"
                            " (default: one per core)")
    again.set_defaults(func=_rebuild)

    search = commands.add_parser("search", help="full-text search over every archived text")
    search.add_argument("query", help="words (all must match), or an SQLite FTS5 query")
    search.add_argument("--site", help="only this site")
    search.add_argument("--since", type=day, metavar="D",
                        help="only articles published (else fetched) on or after D (YYYY-MM-DD)")
    search.add_argument("--lang", metavar="L", help="only this language (ISO 639-1, e.g. en)")
    search.add_argument("--limit", type=int, default=20, metavar="N",
                        help="at most N results (default: 20)")
    search.add_argument("--thread", action="store_true",
                        help="under each hit, the other articles of its story thread")
    search.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                        help="data directory (default: data)")
    search.set_defaults(func=_search)


def _rebuild(args: argparse.Namespace) -> int:
    from archive.catalog_build import rebuild  # it reads WARCs: only this command pays for it

    data = Path(args.data_pos or args.data)
    if not (data / "runs").is_dir():
        print(f"newsarchive: {data} has no runs/: expected a data directory", file=sys.stderr)
        return 2
    sites = load_sites(args.sites)
    try:
        with DataDirLock(data):
            result = rebuild(data, site_name(sites), workers=args.workers or None)
    except DataDirBusy as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    print(f"{data / CATALOG_NAME}: {result.captures} captures and {result.versions} text"
          f" versions from {result.runs} runs; {result.stories} articles in story threads")
    return 0


def refresh_catalog(data: Path, sites: SiteRegistry, workers: int | None = None) -> str:
    """After re-extraction, the catalog made again from the rewritten runs (if there is one)."""
    from archive.catalog_build import rebuild

    if not (data / CATALOG_NAME).exists():
        return f"no catalog in {data} to update"
    result = rebuild(data, site_name(sites), workers=workers)
    return f"{data / CATALOG_NAME}: rebuilt, {result.versions} text versions"


def _search(args: argparse.Namespace) -> int:
    path = Path(args.data) / CATALOG_NAME
    if not path.is_file():
        print(f"newsarchive: no catalog at {path}: crawl first, or run `newsarchive catalog"
              f" rebuild {args.data}`", file=sys.stderr)
        return 2
    catalog = Catalog.open(path)
    try:
        hits = catalog.search(args.query, args.site, args.since, args.lang, args.limit)
        for hit in hits:
            print(hit_lines(hit))
            if args.thread:
                print(thread_of(catalog, hit.url))
    finally:
        catalog.close()
    return 0 if hits else 1


def thread_of(catalog: Catalog, url: str) -> str:
    """The story thread of an article, indented under its hit."""
    from archive.story_store import StoryStore
    from archive.story_view import story_of, thread
    from newsarchive.stories import thread_lines

    store = StoryStore(catalog.connection, create=False)
    story = story_of(store, url)
    found = thread(store, story) if story else None
    if found is None:
        return "  (in no story thread yet: run `newsarchive stories`)\n"
    return "".join(f"  | {line}\n" for line in thread_lines(found).splitlines())


def hit_lines(hit: Hit) -> str:
    """Title, then date, site, version and URL, then the snippet with the match in [brackets]."""
    when = (hit.published or "undated")[:10]
    version = f", version {hit.version}" if hit.version > 1 else ""
    snippet = " ".join(hit.snippet.split())
    return f"{hit.title or '(no title)'}\n  {when}  {hit.site}{version}  {hit.url}\n  {snippet}\n"


def catch_up_catalog(settings: Settings, sites: SiteRegistry) -> None:
    """Before a crawl reads the catalog (dedupe, incremental), make it hold every finished run:
    one a crash or the catalog being off kept out, or all of them the first time (no catalog).
    Otherwise a listing of ``runs/``, so the start of a night stays flat as nights accumulate."""
    from archive.catalog_build import bring_up_to_date  # it reads WARCs when a run is missing

    if not settings.getbool("WARC_ENABLED") or not (
            settings.getbool("CATALOG_ENABLED") or settings.getbool("WARC_DEDUPE_ENABLED")):
        return
    data = Path(settings["NEWSARCHIVE_DATA_DIR"])
    try:
        bring_up_to_date(data, site_name(sites), settings.get("CATALOG_PATH") or None)
    except (CatalogError, sqlite3.Error, OSError) as exc:
        logger.error("could not bring the catalog of %s up to date (run `newsarchive catalog"
                     " rebuild`): %s", data, exc)


def catalogued_runs(data: Path) -> set[str]:
    """The runs the catalog of ``data`` holds whole: ended, reported, nothing left to repair."""
    try:
        catalog = Catalog.open_readonly(data / CATALOG_NAME)
    except CatalogError:
        return set()
    try:
        return catalog.runs()
    except sqlite3.Error:  # a catalog from before it listed its runs
        return set()
    finally:
        catalog.close()


def mark_catalogued(settings: Settings, run_id: str, captures: int) -> None:
    """Note that the run, its report written, has all its captures in the catalog."""
    path = Path(settings.get("CATALOG_PATH") or Path(settings["NEWSARCHIVE_DATA_DIR"]) / CATALOG_NAME)
    try:
        catalog = Catalog.open(path)
        try:
            catalog.add_run(run_id, captures)
        finally:
            catalog.close()
    except (CatalogError, sqlite3.Error) as exc:  # the next crawl adds the run again
        logger.warning("could not note run %s in the catalog: %s", run_id, exc)


def site_name(sites: SiteRegistry) -> Any:
    def name(url: str) -> str | None:
        site = sites.for_url(url)
        return site.name if site else None
    return name
