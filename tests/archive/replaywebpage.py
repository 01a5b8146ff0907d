"""ReplayWeb.page in headless Chromium, as an archivist opens a WACZ, for the tests.

`make install` puts ReplayWeb.page's static build (its npm package) in ``.venv/tools`` and
Debian's ``chromium`` on the PATH; playwright (the ``test`` extra) drives that browser and
never downloads one. :func:`open_wacz` serves ReplayWeb.page and one WACZ from a subprocess on
127.0.0.1 (a service worker needs a local or secure origin), and gives a :class:`ReplayWebPage`
whose :meth:`~ReplayWebPage.replay` opens ``index.html?source=<wacz>#view=replay&url=..&ts=..``
and reads the document that ReplayWeb.page's service worker replays in its iframe. Several
WACZ can share one browser from :func:`chromium`.

The browser resolves no host but 127.0.0.1, so nothing is fetched from the live web. Every
wait has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.archive._support import url_server
from tests.conftest import unavailable

RWP_VERSION = "2.5.3"  # the Makefile's RWP_VERSION
RWP_ENV = "NEWSARCHIVE_REPLAYWEBPAGE"  # a folder holding index.html, ui.js and sw.js
CHROMIUM_ENV = "NEWSARCHIVE_CHROMIUM"  # a Chromium executable
RWP_DIR = Path(sys.prefix) / "tools" / f"replaywebpage-{RWP_VERSION}"
SERVER = Path(__file__).with_name("_static_server.py")
# What ReplayWeb.page's service worker calls its own error pages (window.errorReason there).
NOT_REPLAYED = ("notFound", "missingOriginalForDupe")

# Finds ReplayWeb.page's replay iframe (inside shadow roots) once a new document has loaded in
# it, and reads that document. Documents seen before a navigation are marked stale.
_READ_REPLAY = """() => {
  const frames = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.tagName === 'IFRAME') frames.push(el);
    }
  };
  walk(document);
  for (const frame of frames) {
    const doc = frame.contentDocument;
    const win = frame.contentWindow;
    if (!doc || !win || doc.__harnessStale || doc.readyState !== 'complete') continue;
    if (!win.location.href.includes('mp_/')) continue;
    const nav = win.performance.getEntriesByType('navigation')[0];
    return {
      location: win.location.href,
      status: nav && nav.responseStatus ? nav.responseStatus : null,
      error: win.errorReason || null,
      title: doc.title,
      text: doc.body ? doc.body.innerText : '',
      paragraphs: Array.from(doc.querySelectorAll('p'), (p) => p.innerText),
    };
  }
  return null;
}"""

_MARK_STALE = """() => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.tagName === 'IFRAME' && el.contentDocument) el.contentDocument.__harnessStale = true;
    }
  };
  walk(document);
}"""


@dataclass(frozen=True)
class Page:
    """A line of the WACZ's ``pages/pages.jsonl``."""

    url: str
    ts: str  # as listed: ISO 8601 or 14 digits
    title: str | None = None
    text: str | None = None

    @property
    def timestamp(self) -> str:
        """The 14-digit timestamp of the replay URL."""
        if self.ts.isdigit():
            return self.ts
        return datetime.fromisoformat(self.ts.replace("Z", "+00:00")).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Replay:
    """What ReplayWeb.page showed for a URL at a time."""

    url: str
    timestamp: str
    location: str  # the replay iframe's address, .../w/<coll>/.../<ts>mp_/<url>
    status: int | None  # the status the service worker answered the iframe with
    error: str | None  # ReplayWeb.page's reason when it shows an error page instead
    title: str
    text: str  # the replayed document's body text, as rendered
    paragraphs: list[str] = field(default_factory=list)

    @property
    def replayed(self) -> bool:
        """True when an archived response was shown, not one of ReplayWeb.page's error pages."""
        return self.error is None and self.status is not None


def read_pages(wacz: Path) -> list[Page]:
    """The pages a WACZ lists, read from the zip as ReplayWeb.page reads them."""
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("pages/pages.jsonl").decode("utf-8").splitlines()
    pages = []
    for line in lines:
        entry = json.loads(line) if line.strip() else {}
        if "url" in entry:  # the first line is a header
            pages.append(Page(entry["url"], entry["ts"], entry.get("title"), entry.get("text")))
    return pages


class ReplayWebPage:
    """One WACZ open in ReplayWeb.page in one browser page."""

    def __init__(
        self, browser_page: Any, base_url: str, source: str, timeout: float, workdir: Path
    ) -> None:
        self.page = browser_page
        self.base_url = base_url
        self.source = source
        self.timeout = timeout
        self.workdir = workdir

    def address(self, url: str, timestamp: str) -> str:
        query = urllib.parse.urlencode({"source": self.source})
        fragment = urllib.parse.urlencode({"view": "replay", "url": url, "ts": timestamp})
        return f"{self.base_url}/index.html?{query}#{fragment}"

    def replay(self, url: str, timestamp: str) -> Replay:
        """Open ``url`` at ``timestamp`` in ReplayWeb.page and read what it replays."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        address = self.address(url, timestamp)
        self.page.evaluate(_MARK_STALE)
        if self.page.url == address:  # the same fragment again would navigate nowhere
            self.page.reload(timeout=self.timeout * 1000)
        else:  # a new fragment only: ReplayWeb.page loads the replay without reloading the WACZ
            self.page.goto(address, timeout=self.timeout * 1000)
        try:
            handle = self.page.wait_for_function(
                _READ_REPLAY, timeout=self.timeout * 1000, polling=100
            )
        except PlaywrightTimeout as exc:
            shot = self.workdir / f"replay-{timestamp}.png"
            self.page.screenshot(path=str(shot))
            raise AssertionError(
                f"ReplayWeb.page showed no replay of {url} at {timestamp} within "
                f"{self.timeout} s; screenshot: {shot}"
            ) from exc
        found = handle.json_value()
        return Replay(url=url, timestamp=timestamp, **found)

    def replay_page(self, page: Page) -> Replay:
        return self.replay(page.url, page.timestamp)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))


def replaywebpage_dir() -> Path:
    return Path(os.environ[RWP_ENV]) if os.environ.get(RWP_ENV) else RWP_DIR


def chromium_path() -> str | None:
    return os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")


def require_browser() -> str:
    """Chromium and playwright; missing: a failure under CI, else a skip."""
    executable = chromium_path()
    missing = [] if executable else [f"chromium on the PATH (or set {CHROMIUM_ENV})"]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (the test extra)")
    if missing:
        unavailable("missing " + "; ".join(missing) + ": `make install` installs them")
    assert executable is not None
    return executable


def require_tools() -> tuple[Path, str]:
    """ReplayWeb.page's files and Chromium; missing: a failure under CI, else a skip."""
    rwp = replaywebpage_dir()
    if not (rwp / "index.html").is_file() or not (rwp / "sw.js").is_file():
        unavailable(f"missing ReplayWeb.page {RWP_VERSION} in {rwp} (or set {RWP_ENV}):"
                    " `make install` installs it")
    return rwp, require_browser()


@contextlib.contextmanager
def open_wacz(
    wacz: Path, workdir: Path, browser: Any = None, timeout: float = 30.0
) -> Iterator[ReplayWebPage]:
    """Serve ReplayWeb.page and ``wacz`` from ``workdir`` and open them in headless Chromium.

    ``browser`` is one from :func:`chromium` (several WACZ can share it: playwright's sync API
    runs one instance per thread); by default one is launched for this WACZ alone.
    """
    rwp, _ = require_tools()
    root = workdir / "site"
    root.mkdir()
    for entry in rwp.iterdir():
        (root / entry.name).symlink_to(entry.resolve())
    (root / wacz.name).symlink_to(wacz.resolve())
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(chromium())
        base_url = stack.enter_context(_served(root, workdir / "server.log"))
        context = browser.new_context(service_workers="allow")
        stack.callback(context.close)
        source = f"{base_url}/{wacz.name}"
        yield ReplayWebPage(context.new_page(), base_url, source, timeout, workdir)


def _served(root: Path, log_path: Path) -> contextlib.AbstractContextManager[str]:
    return url_server([sys.executable, str(SERVER), str(root)], log_path, "static server")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium (Debian's, or $NEWSARCHIVE_CHROMIUM) under playwright, offline."""
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            timeout=60_000,
            # No name resolves but 127.0.0.1's: a replay that reached for the live web fails.
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            yield browser
        finally:
            browser.close()
