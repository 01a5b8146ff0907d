"""``newsarchive stories DATA``: assign what is not in a thread yet, then print the threads.

    newsarchive stories [DATA] [--data DIR] [--since D] [--site S] [--all] [--window N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.story_store import WINDOW_DAYS, StoryStore
from archive.story_view import Thread, threads
from crawler.siteconfig import load_sites
from newsarchive.arguments import add_sites_option, data_dir, day
from newsarchive.lock import DataDirBusy, DataDirLock


def add_stories_command(commands: Any) -> None:
    stories = commands.add_parser(
        "stories", help="story threads: the same event across sites and nights, copies, quotes")
    stories.add_argument("data_pos", nargs="?", type=data_dir, metavar="DATA",
                         help="the data directory")
    stories.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                         help="data directory (default: data)")
    stories.add_argument("--since", type=day, metavar="D",
                         help="only threads with an article dated D (YYYY-MM-DD) or later")
    stories.add_argument("--site", metavar="S", help="only threads with an article of site S")
    stories.add_argument("--all", action="store_true",
                         help="also threads of one article (default: two or more)")
    stories.add_argument("--window", type=_window, default=WINDOW_DAYS, metavar="N",
                         help=f"days a thread stays open after its last article ({WINDOW_DAYS})")
    add_sites_option(stories)
    stories.set_defaults(func=_stories)


def _window(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= 365:
        raise argparse.ArgumentTypeError(f"--window {value!r}: expected days, 1 to 365")
    return int(value)


def _stories(args: argparse.Namespace) -> int:
    # datasketch: only this command
    from archive.threads import STALE_BANDS, Threads, band_keys_current

    data = Path(args.data_pos or args.data)
    path = data / CATALOG_NAME
    if not path.is_file():
        print(f"newsarchive: no catalog at {path}: crawl first, or run `newsarchive catalog"
              f" rebuild {data}`", file=sys.stderr)
        return 2
    if args.site and args.site not in set(load_sites(args.sites)):
        print(f"newsarchive: --site {args.site!r}: not a configured site", file=sys.stderr)
        return 2
    try:
        with DataDirLock(data):
            catalog = Catalog.open(path)
            try:
                store = StoryStore(catalog.connection)
                if not band_keys_current(store):
                    print(f"newsarchive: warning: {STALE_BANDS.format(path)}", file=sys.stderr)
                done = Threads(store, window_days=args.window).assign_all(store.unassigned())
                found = threads(store, args.since, args.site, 1 if args.all else 2)
            finally:
                catalog.close()
    except (DataDirBusy, CatalogError) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    opened = sum(a.opened for a in done)
    print(f"{len(done)} articles assigned ({opened} new threads); {len(found)} threads shown")
    for thread in found:
        print(thread_lines(thread))
    return 0


def thread_lines(thread: Thread) -> str:
    """The thread's head line, then one line per article: day, site, title, URL, and what it
    copies and quotes."""
    lines = [f"{thread.story}  {thread.first_day} .. {thread.last_day}  {len(thread.members)}"
             f" articles, {len(thread.sites)} sites: {thread.title or '(no title)'}"]
    for member in thread.members:
        notes = []
        if member.copy_of:
            notes.append(f"copy of {member.copy_of[0]} ({member.copy_of[1]:.0%})")
        if member.quotes:
            notes.append("quotes " + ", ".join(outlet for outlet, _ in member.quotes))
        lines.append(f"  {member.day}  {member.site or '?':<12} {member.title or '(no title)'}"
                     f"\n      {member.url}" + (f"\n      {'; '.join(notes)}" if notes else ""))
    return "\n".join(lines) + "\n"
