"""The replay server: archived pages over HTTP on 127.0.0.1, pywb-style.

    GET /                          an index page listing the captures (``?q=`` filters by URL)
    GET /<timestamp>/<url>         the capture of <url> nearest <timestamp> (``id_`` accepted)
    GET http://site/path           as an HTTP proxy: the capture nearest ``--at``, or the latest

Responses carry the archived status, headers and body as received (gzip and all), plus
``Memento-Datetime`` and ``Link`` headers naming the capture.
"""

from __future__ import annotations

import html
import logging
import re
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from archive.lookup import parse_capture
from archive.reader import Archive
from archive.records import ArchiveReadError

logger = logging.getLogger(__name__)

_WAYBACK = re.compile(r"^/(\d{1,14})(?:[a-z]{2}_)?/(https?://.+)$")
# Headers that describe one connection, not the archived response.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-authenticate",
               "proxy-authorization", "te", "trailer", "upgrade", "content-length"}
INDEX_LIMIT = 2000


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, archive: Archive, port: int = 0, at: str | None = None) -> None:
        self.archive = archive
        self.at = at
        super().__init__(("127.0.0.1", port), ReplayHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ReplayHandler(BaseHTTPRequestHandler):
    server: ReplayServer
    protocol_version = "HTTP/1.1"
    server_version = "newsarchive-replay"

    def do_GET(self) -> None:
        if self.path.startswith(("http://", "https://")):
            self._replay(self.path, self.server.at)
            return
        match = _WAYBACK.match(self.path)
        if match:
            self._replay(match.group(2), match.group(1))
        elif urlsplit(self.path).path == "/":
            self._index(parse_qs(urlsplit(self.path).query).get("q", [""])[0])
        else:
            self._send(404, b"Not found: use /<timestamp>/<url>, or see / for the captures.\n")

    def do_HEAD(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _replay(self, url: str, at: str | None) -> None:
        capture = self.server.archive.lookup(url, at)
        if capture is None:
            self._send(404, f"Not in the archive: {url}\n".encode())
            return
        try:
            archived = self.server.archive.read(capture)
        except ArchiveReadError as exc:
            logger.error("unreadable capture of %s: %s", url, exc)
            self._send(502, f"The capture of {url} could not be read.\n".encode())
            return
        self.send_response(archived.status)
        for name, value in archived.headers:
            if name.lower() not in _HOP_BY_HOP and not name.lower().startswith("x-archive-orig-"):
                self.send_header(name, value)
        self.send_header("Memento-Datetime", format_datetime(archived.date, usegmt=True))
        self.send_header("Link", f'<{capture.url}>; rel="original"')
        self.send_header("Content-Length", str(len(archived.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(archived.body)

    def _index(self, query: str) -> None:
        rows = []
        for line in self.server.archive.index_lines():
            capture = parse_capture(line)
            if capture is None or (query and query not in capture.url):
                continue
            link = f"/{capture.timestamp}/{quote(capture.url, safe=':/?&=%#')}"
            rows.append(
                f'<tr><td>{capture.timestamp}</td><td>{capture.status}</td>'
                f'<td>{html.escape(capture.mime or "")}</td>'
                f'<td><a href="{html.escape(link)}">{html.escape(capture.url)}</a></td></tr>'
            )
            if len(rows) >= INDEX_LIMIT:
                break
        page = (
            "<!doctype html><meta charset=utf-8><title>newsarchive replay</title>"
            f"<h1>Captures</h1><p>{len(rows)} shown"
            f"{' (first ' + str(INDEX_LIMIT) + ')' if len(rows) >= INDEX_LIMIT else ''}.</p>"
            '<form><input name=q placeholder="URL contains"> <button>Filter</button></form>'
            "<table><tr><th>timestamp</th><th>status</th><th>type</th><th>URL</th></tr>"
            + "".join(rows) + "</table>"
        )
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
