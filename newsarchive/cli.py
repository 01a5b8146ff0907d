"""The ``newsarchive`` command: thin handlers over the library.

    newsarchive crawl [SITE...] [--sites FILE] [--data DIR] [--replay PATH [--at TIMESTAMP]]
                      [--redis URL]
    newsarchive merge DATA... [--data DIR] [--run-id ID]
    newsarchive extract PATH... [--url URL] [--sites FILE]
    newsarchive replay serve PATH [--port N] [--at TIMESTAMP]
    newsarchive replay pywb-config DATA
    newsarchive reextract PATH [--sites FILE] [--workers N] [--out DIR]
    newsarchive repair [DATA] [--data DIR]
    newsarchive schedule install|remove|show [--data DIR] [--at HH:MM] [--with auto|systemd|cron]
    newsarchive catalog rebuild [DATA] [--data DIR] [--workers N]
    newsarchive search QUERY [--site S] [--since D] [--lang L] [--thread] [--data DIR]
    newsarchive stories [DATA] [--since D] [--site S] [--all] [--window N]
    newsarchive report DATA [--html FILE]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from crawler.siteconfig import SiteConfigError, SiteRegistry, load_sites
from model.layout import RunLayout
from newsarchive.arguments import Parser, add_sites_option, data_dir, timestamp, workers
from newsarchive.catalog import add_commands as add_catalog_commands
from newsarchive.pages import extract_pages
from newsarchive.replay import add_replay_commands
from newsarchive.schedule import add_schedule_command
from newsarchive.stories import add_stories_command

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage mistake (its one line is printed) or --help
        return exc.code if isinstance(exc.code, int) else 2
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
    except SiteConfigError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="newsarchive", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="crawl news sites into WARC files and clean text")
    crawl.add_argument("site", nargs="*", help="site names (default: every configured site)")
    add_sites_option(crawl)
    crawl.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                       help="data directory (default: data)")
    crawl.add_argument("--run-id", default="", help="name of this run (default: UTC time)")
    crawl.add_argument("--proxy", default="", metavar="URL",
                       help="send every request through this HTTP proxy")
    crawl.add_argument("--delay-scale", type=float, default=1.0, metavar="X",
                       help="multiply every site's download delay by X (default: 1)")
    crawl.add_argument("--replay", type=Path, metavar="PATH",
                       help="crawl from an archive (WARC, WACZ, or a data dir) with no network")
    crawl.add_argument("--at", default="", type=timestamp, metavar="TIMESTAMP",
                       help="with --replay: the captures nearest this time (YYYYMMDDhhmmss)")
    crawl.add_argument("--redis", default="", metavar="URL",
                       help="be one worker of a crawl shared through this Redis (redis://HOST:PORT/0)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting (repeatable)")
    crawl.add_argument("-v", "--verbose", action="store_true",
                       help="log to stderr instead of the run's crawl.log")
    crawl.set_defaults(func=_crawl)

    ext = commands.add_parser("extract", help="extract articles from saved HTML pages")
    ext.add_argument("path", nargs="+", type=Path, help=".html/.html.gz files or directories")
    ext.add_argument("--url", help="the URL of the page (one file only)")
    add_sites_option(ext)
    ext.set_defaults(func=extract_pages)

    add_replay_commands(commands)

    fix = commands.add_parser(
        "repair", help="close, index and pack runs a crash interrupted; drop torn article lines")
    fix.add_argument("data_pos", nargs="?", metavar="DATA", help="the data directory")
    fix.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                     help="data directory (default: data)")
    fix.set_defaults(func=_repair)

    again = commands.add_parser(
        "reextract", help="re-run extraction on archived responses, rewriting text and JSONL")
    again.add_argument("path", type=Path, help="a data directory, a run directory or a WARC file")
    add_sites_option(again)
    again.add_argument("--workers", type=workers, default=0,
                       help="extraction processes (default: one per core)")
    again.add_argument("--out", type=Path, metavar="DIR",
                       help="write articles.jsonl and text/ here: for any WARC or WACZ, ours or not")
    again.set_defaults(func=_reextract)

    add_schedule_command(commands)
    merge = commands.add_parser(
        "merge", help="merge the workers of a shared crawl (crawl --redis) into one run")
    merge.add_argument("workers", nargs="+", type=data_dir, metavar="DATA",
                       help="the workers' data directories (copied here from their machines)")
    merge.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                       help="where the merged run goes (default: data)")
    merge.add_argument("--run-id", default="", help="merge this run only (default: every run of"
                       " the workers that DIR does not have)")
    add_sites_option(merge)
    merge.set_defaults(func=_merge)
    add_catalog_commands(commands)  # catalog rebuild, search
    add_stories_command(commands)

    report = commands.add_parser(
        "report", help="an HTML page of plots: articles, failures, texts and archive size per night")
    report.add_argument("data", type=data_dir, metavar="DATA", help="the data directory")
    report.add_argument("--html", type=Path, metavar="FILE",
                        help="where to write the page (default: DATA/report.html)")
    report.set_defaults(func=_report)
    return parser


def _crawl(args: argparse.Namespace) -> int:
    from newsarchive.catalog import catalogued_runs
    from newsarchive.crawl import CrawlOptions, RunIdTaken, exit_status, run_crawl, summary_lines
    from newsarchive.distributed import RedisUnavailable
    from newsarchive.lock import DataDirBusy, DataDirLock
    from newsarchive.overrides import OverrideError, parse_overrides
    from newsarchive.repair import repair_data_dir

    registry = load_sites(args.sites, args.site)  # a bad config fails here, before Scrapy starts
    if args.replay is not None and not _has_archive(args.replay):
        print(f"newsarchive: no WARC or WACZ files at {args.replay}", file=sys.stderr)
        return 2
    try:
        overrides = parse_overrides(args.set)
    except OverrideError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    data = Path(args.data)
    if args.redis and args.replay is not None:
        print("newsarchive: --redis and --replay do not go together: a replay reads one archive",
              file=sys.stderr)
        return 2
    try:
        RunLayout(data, args.run_id or "x")
    except ValueError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    try:
        with DataDirLock(data):
            for repair in repair_data_dir(data, catalogued_runs(data)):
                print(repair.summary())
            options = CrawlOptions(
                data_dir=data, sites=args.site, site_files=args.sites,
                run_id=_run_id(args, data, overrides), proxy=args.proxy, redis=args.redis,
                delay_scale=args.delay_scale, verbose=args.verbose, overrides=overrides,
                replay=args.replay, replay_at=args.at, registry=registry,
            )
            report = run_crawl(options)
    except (DataDirBusy, RunIdTaken, RedisUnavailable) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the data dir itself can't be written: read-only, full, not ours
        print(f"newsarchive: cannot write to {data}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in summary_lines(report):
        print(line)
    return exit_status(report)


def _merge(args: argparse.Namespace) -> int:
    # Imported here: the merge needs Scrapy's report code and the archive, which the other
    # commands (`extract` above all, a short process) should not pay for at start-up.
    from newsarchive.merge import merge_command

    return merge_command(args)


def _run_id(args: argparse.Namespace, data: Path, overrides: dict[str, object]) -> str:
    """A run id never used in ``data``; a worker's (``--redis``) is the shared crawl's."""
    from newsarchive.crawl import fresh_run_id
    from newsarchive.distributed import shared_run_id

    if not args.redis:
        return fresh_run_id(data, args.run_id)
    prefix = str(overrides.get("REDIS_KEY") or "newsarchive")
    return shared_run_id(args.redis, prefix, data, args.run_id)


def _repair(args: argparse.Namespace) -> int:
    from newsarchive.lock import DataDirBusy, DataDirLock
    from newsarchive.repair import repair_data_dir

    data = Path(args.data_pos or args.data)
    try:
        with DataDirLock(data):
            repairs = repair_data_dir(data)
    except DataDirBusy as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    for repair in repairs:
        print(repair.summary())
    if not repairs:
        print(f"nothing to repair in {data}")
    return 1 if any(r.problems for r in repairs) else 0


def _report(args: argparse.Namespace) -> int:
    from newsarchive.report import NoRuns, ReportError, gather
    from newsarchive.report_html import write_page

    target: Path = args.html or args.data / "report.html"
    if target.is_dir() or not target.parent.is_dir():
        print(f"newsarchive: --html {target}: expected a file in an existing directory",
              file=sys.stderr)
        return 2
    try:
        report = gather(args.data)
    except ReportError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, NoRuns) else 1
    try:
        write_page(report, target)
    except OSError as exc:
        print(f"newsarchive: --html {target}: cannot write it ({exc.strerror or exc})",
              file=sys.stderr)
        return 2
    print(f"{target}: {len(report.nights)} runs, {len(report.sites)} sites")
    return 0


def _has_archive(path: Path) -> bool:
    from archive.records import ArchiveReadError
    from archive.sources import archive_files

    try:
        return next(archive_files(path), None) is not None
    except ArchiveReadError:
        return False


def _reextract(args: argparse.Namespace) -> int:
    from newsarchive.lock import DataDirBusy, DataDirLock
    from newsarchive.reextract import run_dirs_at

    sites = load_sites(args.sites)
    try:
        if args.out is not None and not args.path.exists():
            raise FileNotFoundError(f"{args.path}: no such file or directory")
        target = args.out if args.out is not None else run_dirs_at(args.path)[0]
    except FileNotFoundError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    # What it writes (articles.jsonl and texts replaced, the catalog made again) a crawl of the
    # same data directory would be writing too: one at a time, as crawls are. Locked before the
    # archive is read, so that no crawl ends (its last WARC renamed) under the index read.
    try:
        with DataDirLock(target):
            return _reextract_locked(args, sites)
    except DataDirBusy as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2


def _reextract_locked(args: argparse.Namespace, sites: SiteRegistry) -> int:
    from newsarchive.catalog import refresh_catalog
    from newsarchive.reextract import foreign_archive, reextract, runs_at

    try:
        if args.out is not None:
            archive, run = foreign_archive(args.path, args.out)
            runs = [run]
        else:
            archive, runs = runs_at(args.path)
    except FileNotFoundError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for run in runs:
        result = reextract(archive, run, sites, workers=args.workers or None)
        failed += result.failed
        where = run.articles_path or f"run {run.layout.run_id}"
        print(f"{where}: {result.articles} articles from {result.pages} archived"
              f" pages ({result.empty} without text, {result.failed} failed)")
    del archive  # its index of every capture: the catalog rebuild reads its own, not beside it
    if args.out is None and runs:  # the catalog's texts are those of the runs: made again
        print(refresh_catalog(runs[0].layout.data_dir, sites, args.workers or None))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
