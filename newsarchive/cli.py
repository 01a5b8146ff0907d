"""The ``newsarchive`` command: thin handlers over the library.

    newsarchive crawl [SITE...] [--sites FILE] [--data DIR] [--replay PATH [--at TIMESTAMP]]
    newsarchive extract PATH... [--url URL] [--sites FILE]
    newsarchive replay serve PATH [--port N] [--at TIMESTAMP]
    newsarchive reextract PATH [--sites FILE] [--workers N] [--out DIR]
    newsarchive repair [DATA] [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from crawler.siteconfig import SiteConfigError, SiteRegistry, load_sites
from model.layout import RunLayout
from pipelines._html import parse
from pipelines.extraction import extract
from pipelines.identity import canonical_url

logger = logging.getLogger(__name__)
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
MAX_PAGE_BYTES = 64 * 1024 * 1024  # as the archive reader's cap


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
    except SiteConfigError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    return result


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming the bad value, and exit 2 (not argparse's usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _data_dir(value: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"--data {value!r} is a file: give a directory")
    return path


def _workers(value: str) -> int:
    try:
        workers = int(value)
    except ValueError:
        workers = -1
    if workers < 0:
        raise argparse.ArgumentTypeError(f"--workers {value!r}: give a number of processes >= 1"
                                         " (0: one per core)")
    return workers


def _timestamp(value: str) -> str:
    if value and not re.fullmatch(r"\d{1,14}", value):  # "": the default, the latest
        raise argparse.ArgumentTypeError(
            f"--at {value!r}: give a timestamp of 1 to 14 digits, YYYYMMDDhhmmss (e.g. 20261123)")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newsarchive", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="crawl news sites into WARC files and clean text")
    crawl.add_argument("site", nargs="*", help="site names (default: every configured site)")
    crawl.add_argument("--sites", action="append", default=[], metavar="FILE",
                       help="a site config file or directory of them (repeatable)")
    crawl.add_argument("--data", default="data", type=_data_dir, metavar="DIR",
                       help="data directory (default: data)")
    crawl.add_argument("--run-id", default="", help="name of this run (default: UTC time)")
    crawl.add_argument("--proxy", default="", metavar="URL",
                       help="send every request through this HTTP proxy")
    crawl.add_argument("--delay-scale", type=float, default=1.0, metavar="X",
                       help="multiply every site's download delay by X (default: 1)")
    crawl.add_argument("--replay", type=Path, metavar="PATH",
                       help="crawl from an archive (WARC, WACZ, or a data dir) with no network")
    crawl.add_argument("--at", default="", type=_timestamp, metavar="TIMESTAMP",
                       help="with --replay: the captures nearest this time (YYYYMMDDhhmmss)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting (repeatable)")
    crawl.add_argument("-v", "--verbose", action="store_true",
                       help="log to stderr instead of the run's crawl.log")
    crawl.set_defaults(func=_crawl)

    ext = commands.add_parser("extract", help="extract articles from saved HTML pages")
    ext.add_argument("path", nargs="+", type=Path, help=".html/.html.gz files or directories")
    ext.add_argument("--url", help="the URL of the page (one file only)")
    ext.add_argument("--sites", action="append", default=[], metavar="FILE",
                     help="extra site config file or directory (repeatable)")
    ext.set_defaults(func=_extract)

    replay = commands.add_parser("replay", help="serve an archive over HTTP")
    replay_commands = replay.add_subparsers(metavar="COMMAND")
    serve = replay_commands.add_parser(
        "serve", help="serve archived pages on 127.0.0.1: /<timestamp>/<url>, and as an HTTP proxy")
    serve.add_argument("path", type=Path, help="a WARC, a WACZ, or a directory of them")
    serve.add_argument("--port", default="8080", metavar="N",  # checked in _serve, one line
                       help="port on 127.0.0.1, 0 for any free one (default: 8080)")
    serve.add_argument("--at", default="", metavar="TIMESTAMP",
                       help="as a proxy, serve the captures nearest this time (default: latest)")
    serve.add_argument("-v", "--verbose", action="store_true",
                       help="log every request (and every client that hangs up) to stderr")
    serve.set_defaults(func=_serve)

    fix = commands.add_parser(
        "repair", help="close, index and pack runs a crash interrupted; drop torn article lines")
    fix.add_argument("data_pos", nargs="?", metavar="DATA", help="the data directory")
    fix.add_argument("--data", default="data", type=_data_dir, metavar="DIR",
                     help="data directory (default: data)")
    fix.set_defaults(func=_repair)

    again = commands.add_parser(
        "reextract", help="re-run extraction on archived responses, rewriting text and JSONL")
    again.add_argument("path", type=Path, help="a data directory, a run directory or a WARC file")
    again.add_argument("--sites", action="append", default=[], metavar="FILE",
                       help="extra site config file or directory (repeatable)")
    again.add_argument("--workers", type=_workers, default=0,
                       help="extraction processes (default: one per core)")
    again.add_argument("--out", type=Path, metavar="DIR",
                       help="write articles.jsonl and text/ here: for any WARC or WACZ, ours or not")
    again.set_defaults(func=_reextract)
    return parser


def _crawl(args: argparse.Namespace) -> int:
    from newsarchive.crawl import CrawlOptions, RunIdTaken, fresh_run_id, run_crawl, summary_lines
    from newsarchive.lock import DataDirBusy, DataDirLock
    from newsarchive.repair import repair_data_dir

    registry = load_sites(args.sites, args.site)  # a bad config fails here, before Scrapy starts
    if args.replay is not None and not _has_archive(args.replay):
        print(f"newsarchive: no WARC or WACZ files at {args.replay}", file=sys.stderr)
        return 2
    overrides = dict(_setting(item) for item in args.set)
    data = Path(args.data)
    try:
        RunLayout(data, args.run_id or "x")
    except ValueError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    try:
        with DataDirLock(data):
            for repair in repair_data_dir(data):
                print(repair.summary())
            options = CrawlOptions(
                data_dir=data, sites=args.site, site_files=args.sites,
                run_id=fresh_run_id(data, args.run_id), proxy=args.proxy,
                delay_scale=args.delay_scale, verbose=args.verbose, overrides=overrides,
                replay=args.replay, replay_at=args.at, registry=registry,
            )
            report = run_crawl(options)
    except (DataDirBusy, RunIdTaken) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    for line in summary_lines(report):
        print(line)
    failed = [name for name, site in report["sites"].items() if site["status"] != "ok"]
    return 1 if failed else 0


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


def _has_archive(path: Path) -> bool:
    from archive.records import ArchiveReadError
    from archive.sources import archive_files

    try:
        return next(archive_files(path), None) is not None
    except ArchiveReadError:
        return False


def _setting(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise SystemExit(f"newsarchive: --set needs NAME=VALUE, got {item!r}")
    return name, value


def _extract(args: argparse.Namespace) -> int:
    files = list(_html_files(args.path))
    if args.url and len(files) != 1:
        print("newsarchive: --url needs exactly one file", file=sys.stderr)
        return 2
    if not files:
        print("newsarchive: no .html or .html.gz files found", file=sys.stderr)
        return 1
    sites = load_sites(args.sites)
    failures = 0
    try:
        for path in files:
            record = _extract_file(path, args.url, sites)
            if record is None:
                failures += 1
                continue
            print(json.dumps(record, ensure_ascii=False, sort_keys=True))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and don't let the interpreter's own
        # flush at exit complain about the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 1 if failures else 0


def _extract_file(path: Path, url: str | None, sites: SiteRegistry) -> dict[str, Any] | None:
    """One page as a JSON-able record; ``None`` (with a line on stderr) if it gives no article."""
    try:
        html = _read_page(path)
        page_url = url or canonical_url(parse(html), path.resolve().as_uri())
        site = sites.for_url(page_url)
        article = extract(page_url, html, rules=site.rules if site else None)
    except (OSError, EOFError, ValueError) as exc:
        print(f"newsarchive: cannot read {path}: {exc}", file=sys.stderr)
        return None
    except Exception as exc:  # one bad page must not end the batch: say which, go on
        print(f"newsarchive: cannot extract {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    if not article.text:
        print(f"newsarchive: no article text found in {path}", file=sys.stderr)
        return None
    return {**article.to_dict(), "source": str(path)}


def _serve(args: argparse.Namespace) -> int:
    import errno
    import re

    from archive.reader import Archive
    from archive.records import ArchiveReadError
    from archive.server import ReplayServer

    port = int(args.port) if re.fullmatch(r"\d{1,5}", args.port) else -1
    if not 0 <= port <= 65535:
        print(f"newsarchive: --port {args.port!r}: expected a number from 0 to 65535"
              " (0 picks a free port)", file=sys.stderr)
        return 2
    if args.at and not re.fullmatch(r"\d{1,14}", args.at):
        print(f"newsarchive: --at {args.at!r}: expected a timestamp of 1 to 14 digits,"
              " YYYYMMDDhhmmss or a prefix of it (e.g. 2026 or 20261201)", file=sys.stderr)
        return 2
    try:
        archive = Archive.open(args.path)
    except ArchiveReadError as exc:
        print(f"newsarchive: {exc}: expected a WARC, a WACZ, or a directory holding them",
              file=sys.stderr)
        return 2
    try:
        server = ReplayServer(archive, port, args.at or None)
    except OSError as exc:
        why = ("is in use" if exc.errno == errno.EADDRINUSE
               else f"cannot be listened on ({exc.strerror or exc})")
        print(f"newsarchive: --port {port}: 127.0.0.1:{port} {why}; choose another port,"
              " or 0 for any free one", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with server:
        print(f"serving {archive.size} index lines from {args.path} at {server.url}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def _reextract(args: argparse.Namespace) -> int:
    from newsarchive.reextract import foreign_archive, reextract, runs_at

    sites = load_sites(args.sites)
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
    return 1 if failed else 0


def _html_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.name.lower().endswith(HTML_SUFFIXES))
        else:
            yield path


def _read_page(path: Path) -> bytes:
    """The page's bytes, gunzipped if need be, refused past MAX_PAGE_BYTES (a gzip bomb)."""
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        reader = gzip.GzipFile(fileobj=raw) if gzipped else raw
        data = reader.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise ValueError(f"larger than {MAX_PAGE_BYTES} bytes once decompressed: not read")
    return data


if __name__ == "__main__":
    raise SystemExit(main())
