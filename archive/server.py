"""The replay server: archived pages over HTTP on 127.0.0.1, pywb-style.

    GET /                          an index page listing the captures (``?q=`` filters by URL)
    GET /<timestamp>/<url>         the capture of <url> nearest <timestamp> (``id_`` accepted)
    GET http://site/path           as an HTTP proxy: the capture nearest ``--at``, or the latest

Responses carry the archived status, headers and body as received (gzip and all; a chunked
body de-chunked), plus ``Memento-Datetime`` and ``Link`` headers naming the capture. Archived
headers that would clash with the server's own (``Server``, ``Date``, the connection's framing,
a ``Content-Security-Policy``) are sent renamed ``X-Archive-Orig-*``, as pywb does. Every answer
carries a Content-Security-Policy that lets a browser fetch only from the server's own origin,
so a replayed page loads nothing from the live web.

The page routes answer only requests whose ``Host`` is this server (127.0.0.1, localhost or
[::1] with its port), so a web page cannot reach them through DNS rebinding; the proxy's
absolute-URI requests are judged by their target. Threads, timeouts and connections are
bounded by :mod:`archive._http`.
"""

from __future__ import annotations

import html
import io
import logging
import re
from email.utils import format_datetime
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from warcio.bufferedreaders import ChunkedDataReader

from archive._http import PooledHTTPServer
from archive._http_handler import PooledRequestHandler
from archive.lookup import parse_capture
from archive.reader import Archive, ArchivedResponse
from archive.records import ArchiveReadError

logger = logging.getLogger(__name__)

_WAYBACK = re.compile(r"^/(\d{1,14})(?:[a-z]{2}_)?/(https?://.+)$")
# Archived headers the server sends its own of, or that describe the archived connection
# rather than the response: sent as X-Archive-Orig-<name> (pywb's "prefix" rule).
_CLASHING = {
    "server", "date", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
    "proxy-authenticate", "proxy-authorization", "proxy-connection", "content-security-policy",
    "content-security-policy-report-only", "memento-datetime", "link", "strict-transport-security",
}
CSP = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
       "form-action 'self'; base-uri 'self'")
INDEX_LIMIT = 2000
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class ReplayServer(PooledHTTPServer):
    def __init__(self, archive: Archive, port: int = 0, at: str | None = None,
                 **limits: float) -> None:
        """Bind 127.0.0.1:``port`` (``OSError`` if taken); ``limits`` as for the pooled server."""
        self.archive = archive
        self.at = at
        super().__init__(("127.0.0.1", port), ReplayHandler, **limits)  # type: ignore[arg-type]
        port = self.server_address[1]
        self.allowed_hosts = {f"{host}:{port}" for host in LOCAL_HOSTS}
        if port == 80:
            self.allowed_hosts.update(LOCAL_HOSTS)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ReplayHandler(PooledRequestHandler):
    server: ReplayServer
    server_version = "newsarchive-replay"

    def do_GET(self) -> None:
        if self.path.startswith(("http://", "https://")):
            if not urlsplit(self.path).hostname:
                self._send(400, f"Not a URL to proxy: {self.path}\n".encode())
            else:
                self._replay(self.path, self.server.at)
            return
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:
            self._send(403, f"Host {host or '(none)'!r} is not this server: use "
                       f"{self.server.url}/\n".encode())
            return
        match = _WAYBACK.match(self.path)
        if match:
            self._replay(match.group(2), match.group(1), wayback=True)
        elif urlsplit(self.path).path == "/":
            self._index(parse_qs(urlsplit(self.path).query).get("q", [""])[0])
        else:
            self._send(404, b"Not found: use /<timestamp>/<url>, or see / for the captures.\n")

    def do_HEAD(self) -> None:
        self.do_GET()

    def _replay(self, url: str, at: str | None, wayback: bool = False) -> None:
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
        body = _payload(archived)
        self.send_response(archived.status)
        for name, value in replay_headers(archived.headers, len(body)):
            if wayback and name.lower() == "location":  # a redirect stays in the archive
                target = urljoin(capture.url, value.strip())
                if target.startswith(("http://", "https://")):
                    value = f"/{capture.timestamp}/{target}"
            self.send_header(name, value)
        self.send_header("Memento-Datetime", format_datetime(archived.date, usegmt=True))
        self.send_header("Link", f'<{capture.url}>; rel="original"')
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

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
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def replay_headers(archived: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    """The archived headers as the server sends them: those that clash renamed
    ``X-Archive-Orig-*``, ``Content-Length`` dropped when the server's own (``length``) says the
    same and renamed when it does not (a de-chunked body)."""
    sent = []
    for name, value in archived:
        lower = name.lower()
        if lower.startswith("x-archive-orig-"):
            continue  # an earlier replay's renaming, archived: ours would clash with it
        if lower in _CLASHING or (lower == "content-length" and value.strip() != str(length)):
            sent.append((f"X-Archive-Orig-{name}", value))
        elif lower != "content-length":
            sent.append((name, value))
    return sent


def _payload(archived: ArchivedResponse) -> bytes:
    """The body with a chunked transfer coding undone (the content coding kept): the server
    frames it with a Content-Length of its own."""
    chunked = any(name.lower() == "transfer-encoding" and "chunked" in value.lower()
                  for name, value in archived.headers)
    if not chunked:
        return archived.body
    # A body stored de-chunked under a stale header is passed through as it is.
    body: bytes = ChunkedDataReader(io.BytesIO(archived.body)).read()
    return body
