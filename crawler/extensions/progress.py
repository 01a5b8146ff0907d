"""Progress while a crawl runs: a live table on a terminal, plain log lines everywhere.

Every ``PROGRESS_INTERVAL`` seconds (30) the extension logs one line for the whole crawl and one
per site (pages, pages/s, articles, errors): what a nightly job's ``crawl.log`` (or ``-v``'s
stderr) shows. When stderr is a terminal and the log is not going to it (no ``-v``), it also
redraws a table there every ``PROGRESS_REFRESH`` seconds (1): elapsed time, pages and pages/s,
and per site requests, articles, errors and skips, rendered by rich.

Both run on the reactor (``LoopingCall``), read only the crawl's stats and do a few microseconds
of work per tick; a tick that fails turns progress off and never touches the crawl. The table is
redrawn in place by moving the cursor up over the previous one (rather than with ``rich.live``,
whose ``stop()`` redraws once more): when the crawl is told to stop (SIGINT/SIGTERM), the app
writes a line straight to stderr, so from then on the table is never redrawn over it; the final
table is printed below it when the spider closes. The cursor is never hidden, so a second signal
(which stops the reactor at once) leaves the terminal as it is.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from crawler.addon import site_registry

logger = logging.getLogger(__name__)

RATE_WINDOW = 10.0  # seconds of pages behind the live pages/s


@dataclass(frozen=True)
class SiteProgress:
    name: str
    requests: int = 0
    articles: int = 0
    errors: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Snapshot:
    """What the crawl has done so far, read from its stats."""

    elapsed: float
    pages: int  # responses downloaded, every site together (downloader/response_count)
    rate: float  # pages per second, lately
    sites: tuple[SiteProgress, ...] = field(default=())

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.sites)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.sites)


def site_progress(stats: Mapping[str, Any], name: str) -> SiteProgress:
    """One site's ``site/<name>/...`` counters, summed by kind."""
    prefix = f"site/{name}/"

    def total(group: str) -> int:
        start = prefix + group + "/"
        return sum(v for k, v in stats.items() if k.startswith(start) and isinstance(v, int))

    return SiteProgress(name, requests=total("requests"), articles=stats.get(prefix + "articles", 0),
                        errors=total("failed"), skipped=total("skipped"))


def snapshot(stats: Mapping[str, Any], sites: Iterable[str], elapsed: float,
             rate: float) -> Snapshot:
    return Snapshot(elapsed, stats.get("downloader/response_count", 0), rate,
                    tuple(site_progress(stats, name) for name in sites))


def clock(seconds: float) -> str:
    """3725.2 -> ``1:02:05``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def log_lines(now: Snapshot) -> list[str]:
    """The periodic plain lines: the crawl, then one per site."""
    lines = [f"progress {clock(now.elapsed)}: {now.pages} pages ({now.rate:.1f}/s),"
             f" {now.articles} articles, {now.errors} errors"]
    lines += [f"progress {s.name}: {s.requests} requests, {s.articles} articles, {s.errors} errors,"
              f" {s.skipped} skipped" for s in now.sites]
    return lines


def table(now: Snapshot) -> RenderableType:
    """The live display: a line with the totals, a row per site."""
    totals = Text(f"newsarchive {clock(now.elapsed)}  {now.pages} pages  {now.rate:.1f} pages/s"
                  f"  {now.articles} articles  {now.errors} errors", style="bold")
    grid = Table(box=None, header_style="bold", pad_edge=False)
    grid.add_column("site")
    for column in ("requests", "articles", "errors", "skipped"):
        grid.add_column(column, justify="right")
    for s in now.sites:
        errors = f"[red]{s.errors}[/]" if s.errors else "0"
        grid.add_row(s.name, str(s.requests), str(s.articles), errors, str(s.skipped))
    return Group(totals, grid)


class Rate:
    """Pages per second over the last ``window`` seconds."""

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, at: float, pages: int) -> float:
        self.samples.append((at, pages))
        while len(self.samples) > 2 and at - self.samples[1][0] >= self.window:
            self.samples.popleft()
        first_at, first_pages = self.samples[0]
        return (pages - first_pages) / (at - first_at) if at > first_at else 0.0


class TerminalDisplay:
    """A renderable redrawn in place on a terminal, until ``detach`` (then printed below)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.height = 0  # lines of the last frame, above the cursor

    def draw(self, renderable: RenderableType) -> None:
        with self.console.capture() as captured:
            self.console.print(renderable)
        frame = captured.get()
        # Up to the first line of the previous frame, erase it and all below, draw the new one.
        back = f"\x1b[{self.height}F\x1b[J" if self.height else ""
        self.console.file.write(back + frame)
        self.console.file.flush()
        self.height = frame.count("\n")

    def detach(self) -> None:
        """Something else wrote below the frame: never move back over it."""
        self.height = 0


class Progress:
    def __init__(self, stats: StatsCollector, sites: list[str], interval: float, refresh: float,
                 display: TerminalDisplay | None = None,
                 running: Callable[[], bool] = lambda: True) -> None:
        self.stats = stats
        self.sites = sites
        self.interval = interval
        self.refresh = refresh
        self.display = display
        self.running = running  # False once the crawl has been told to stop
        self.started = time.monotonic()
        self.rate = Rate()
        self.loops: list[task.LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        if not settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured("PROGRESS_ENABLED is off")
        interval = settings.getfloat("PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is not positive")
        assert crawler.stats is not None
        display = terminal_display(sys.stderr, settings.get("LOG_FILE"),
                                   settings.getbool("LOG_ENABLED"))
        progress = cls(crawler.stats, list(site_registry(crawler)), interval,
                       settings.getfloat("PROGRESS_REFRESH"), display,
                       running=lambda: crawler.crawling)
        crawler.signals.connect(progress.spider_opened, signals.spider_opened, weak=False)
        crawler.signals.connect(progress.spider_closed, signals.spider_closed, weak=False)
        return progress

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self._every(self.interval, self.log)
        if self.display is not None and self.refresh > 0:
            self._every(self.refresh, self.draw)

    def spider_closed(self) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()
        self.loops.clear()
        self.log()
        self.draw(final=True)
        self.display = None

    def now(self) -> Snapshot:
        elapsed = time.monotonic() - self.started
        stats = self.stats.get_stats()
        rate = self.rate.add(elapsed, stats.get("downloader/response_count", 0))
        return snapshot(stats, self.sites, elapsed, rate)

    def log(self) -> None:
        for line in log_lines(self.now()):
            logger.info("%s", line)

    def draw(self, final: bool = False) -> None:
        """Redraw the table; once the crawl is stopping, only the final one, below the rest."""
        if self.display is None:
            return
        if not self.running():
            self.display.detach()  # the app's "stopping" line is below the last frame
            if not final:
                return
        try:
            self.display.draw(table(self.now()))
        except OSError as exc:  # the terminal went away: keep crawling, stop drawing
            logger.warning("progress display off: %s", exc)
            self.display = None

    def _every(self, seconds: float, tick: Callable[[], None]) -> None:
        loop = task.LoopingCall(tick)
        self.loops.append(loop)
        loop.start(seconds, now=False).addErrback(self._failed, loop)

    def _failed(self, failure: Any, loop: task.LoopingCall) -> None:
        """A tick raised: that loop is over (LoopingCall stops itself); the crawl goes on."""
        logger.error("progress reporting stopped: %s", failure.getTraceback())
        if loop in self.loops:
            self.loops.remove(loop)


def terminal_display(stream: IO[str], log_file: str | None, log_enabled: bool) -> TerminalDisplay | None:
    """A display on ``stream`` if it is a terminal that the log does not write to (``-v``)."""
    if log_enabled and not log_file:
        return None
    console = Console(file=stream)
    if not console.is_terminal or console.is_dumb_terminal:
        return None
    return TerminalDisplay(console)
