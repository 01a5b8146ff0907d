"""Progress while crawling: log lines when stderr is not a terminal (or with -v), a live table on
one, which stops cleanly when the crawl is interrupted."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.extensions.progress import (
    Progress,
    TerminalDisplay,
    log_lines,
    snapshot,
    table,
    terminal_display,
)
from crawler.spiders.news import NewsSpider
from tests.conftest import FixtureServer

STATS = {
    "downloader/response_count": 42,
    "site/dw/requests/listing": 3, "site/dw/requests/article": 20, "site/dw/articles": 17,
    "site/dw/failed/http_404": 2, "site/dw/failed/no_body": 1, "site/dw/skipped/ignored": 4,
    "site/cgtn/requests/feed": 1,
}
CURSOR_UP = re.compile(r"\x1b\[\d+F")


def test_the_log_lines_give_the_crawl_then_each_site() -> None:
    now = snapshot(STATS, ["dw", "cgtn"], elapsed=3725.0, rate=1.25)
    assert log_lines(now) == [
        "progress 1:02:05: 42 pages (1.2/s), 17 articles, 3 errors",
        "progress dw: 23 requests, 17 articles, 3 errors, 4 skipped",
        "progress cgtn: 1 requests, 0 articles, 0 errors, 0 skipped",
    ]


def _console(width: int = 100) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=width, color_system=None), out


def test_the_table_has_the_totals_and_a_row_per_site() -> None:
    console, out = _console()
    console.print(table(snapshot(STATS, ["dw", "cgtn"], elapsed=61.0, rate=2.5)))
    lines = out.getvalue().splitlines()
    assert lines[0] == "newsarchive 0:01:01  42 pages  2.5 pages/s  17 articles  3 errors"
    assert lines[1].split() == ["site", "requests", "articles", "errors", "skipped"]
    assert lines[2].split() == ["dw", "23", "17", "3", "4"]
    assert lines[3].split() == ["cgtn", "1", "0", "0", "0"]


def test_the_display_redraws_in_place_until_detached() -> None:
    console, out = _console()
    display = TerminalDisplay(console)
    display.draw("one\ntwo")
    display.draw("three\nfour")
    assert out.getvalue() == "one\ntwo\n\x1b[2F\x1b[Jthree\nfour\n"
    display.detach()  # something else wrote below: the next frame goes below it
    display.draw("five")
    assert out.getvalue().endswith("four\nfive\n")


def test_once_the_crawl_stops_only_the_final_frame_is_drawn_below() -> None:
    console, out = _console()
    running = [True]
    crawler = get_crawler(NewsSpider, _settings(NEWSARCHIVE_SITES=["dw"]))
    assert crawler.stats is not None
    progress = Progress(crawler.stats, ["dw"], 30.0, 1.0, TerminalDisplay(console),
                        running=lambda: running[0])
    progress.draw()
    drawn = out.getvalue()
    running[0] = False  # SIGINT: the app writes its line under the frame
    progress.draw()
    assert out.getvalue() == drawn
    progress.draw(final=True)
    assert out.getvalue().startswith(drawn) and not CURSOR_UP.search(out.getvalue()[len(drawn):])


def _settings(**overrides: object) -> dict[str, object]:
    own = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return {**own, **overrides}


def test_built_from_the_crawler_and_off_when_disabled() -> None:
    crawler = get_crawler(NewsSpider, _settings(NEWSARCHIVE_SITES=["dw", "kcna"]))
    progress = Progress.from_crawler(crawler)
    assert (progress.sites, progress.interval) == (["dw", "kcna"], 30.0)
    for off in ({"PROGRESS_ENABLED": False}, {"PROGRESS_INTERVAL": 0}):
        with pytest.raises(NotConfigured):
            Progress.from_crawler(get_crawler(NewsSpider, _settings(**off)))


def test_a_display_only_on_a_terminal_the_log_does_not_use() -> None:
    assert terminal_display(io.StringIO(), "crawl.log", True) is None
    master, slave = pty.openpty()
    with os.fdopen(master, "rb"), open(slave, "w") as terminal:
        assert terminal_display(terminal, "crawl.log", True) is not None
        assert terminal_display(terminal, None, True) is None  # -v: the log is on stderr


def _crawl(server: FixtureServer, data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsarchive", "crawl", "dw", "cgtn", "--data", str(data),
            "--proxy", server.proxy, "--set", "RETRY_TIMES=0", "--run-id", "run", *extra]


def test_without_a_terminal_progress_is_logged_periodically(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    result = subprocess.run(
        _crawl(fixture_server[0], tmp_path, "--delay-scale", "0.2",
               "--set", "PROGRESS_INTERVAL=0.2"),
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\x1b[" not in result.stderr + result.stdout
    log = (tmp_path / "runs" / "run" / "crawl.log").read_text()
    totals = re.findall(r"progress \d+:\d\d:\d\d: (\d+) pages \(\d+\.\d/s\), (\d+) articles,"
                        r" \d+ errors", log)
    assert len(totals) >= 3  # periodic, and once more at the end
    report = (tmp_path / "runs" / "run" / "report.json").read_text()
    assert f'"downloader/response_count": {totals[-1][0]}' in report
    assert re.search(r"progress dw: \d+ requests, [1-9]\d* articles, \d+ errors, \d+ skipped", log)
    assert "progress cgtn: " in log


def _on_terminal(args: list[str], interrupt: Callable[[bytes], bool] | None = None,
                 timeout: float = 120) -> tuple[int, bytes, str]:
    """Run with stderr on a pseudo-terminal: exit status, what the terminal got, stdout. SIGINT
    once ``interrupt(terminal output)`` says so."""
    master, slave = pty.openpty()
    with subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=slave) as proc:
        os.close(slave)
        try:
            seen = _read_terminal(proc, master, interrupt, time.monotonic() + timeout)
            out, _ = proc.communicate(timeout=30)
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
    return proc.returncode, seen, out.decode()


def _read_terminal(proc: subprocess.Popen[bytes], master: int,
                   interrupt: Callable[[bytes], bool] | None, deadline: float) -> bytes:
    seen = b""
    while time.monotonic() < deadline:
        if interrupt is not None and interrupt(seen):
            proc.send_signal(signal.SIGINT)
            interrupt = None
        if select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child and its terminal are gone
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    return seen


def test_on_a_terminal_a_live_table_that_an_interrupt_leaves_readable(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    frames = re.compile(rb"newsarchive \d:\d\d:\d\d .* pages/s")
    status, seen, out = _on_terminal(
        _crawl(fixture_server[0], tmp_path, "--delay-scale", "0.3",
               "--set", "PROGRESS_REFRESH=0.1"),
        interrupt=lambda seen: len(CURSOR_UP.findall(seen.decode(errors="replace"))) >= 2)
    assert status == 130, seen.decode(errors="replace") + out
    text = seen.decode()
    assert len(frames.findall(seen)) >= 3 and "Traceback" not in text
    before, stopping, after = text.partition("newsarchive: stopping")
    assert stopping and CURSOR_UP.search(before)
    # The line the app writes on SIGINT is never drawn over: the final table comes below it.
    assert not CURSOR_UP.search(after) and frames.search(after.encode())
    assert re.search(r"dw\s+\d+\s+\d+", after)
    assert "INTERRUPTED by SIGINT" in out


def test_with_v_on_a_terminal_progress_is_logged_not_drawn(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    status, seen, out = _on_terminal(
        _crawl(fixture_server[0], tmp_path, "-v", "--delay-scale", "0",
               "--set", "PROGRESS_REFRESH=0.1"))
    assert status == 0, seen.decode(errors="replace") + out
    text = seen.decode()
    assert not CURSOR_UP.search(text) and "\x1b[J" not in text
    assert re.search(r"INFO: progress dw: \d+ requests", text)
