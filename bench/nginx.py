"""nginx serving a generated site on the loopback, as a proxy takes requests: the crawl benchmark's
server when nginx is installed (Debian: ``apt-get install nginx-light``).

The fixture server (tests/fixtures/server.py) is Python: it parses every request's headers with
the email package and gzips two pages in three at zlib level 9, about 2.7 ms of CPU a page on the
same two cores as the crawl it serves. A real news site's server is not on our machine, so that
CPU taken from the crawl is an artefact of the benchmark. nginx serves the same files at a small
part of that, with gzip at its default level (1), as sites in its default configuration do.

The crawl reaches it as its proxy (``--proxy``): Scrapy sends the absolute URL, nginx takes the
host from it, and serves ``<root>/<host>/<path>``, the fixture server's layout.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

_CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html application/xml;
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    gzip on;
    gzip_comp_level 1;
    gzip_types application/xml;
    client_body_temp_path {state}/body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {root}/$host;
    }}
}}
"""


def binary() -> str | None:
    """nginx, on the PATH or where Debian puts it (/usr/sbin: not on a user's PATH)."""
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").is_file():
        found = "/usr/sbin/nginx"
    return found


def available() -> bool:
    return binary() is not None


class NginxServer:
    """``with NginxServer(root) as server:`` serves ``root`` on ``server.proxy`` until the block
    ends. The interface of tests.fixtures.process.FixtureServer that the benchmark uses."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.port = _free_port()
        self._state = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("nginx not started")
        return self._proc.pid

    def start(self, timeout: float = 20.0) -> NginxServer:
        config = self._state / "nginx.conf"
        config.write_text(_CONFIG.format(state=self._state, port=self.port, root=self.root))
        self._proc = subprocess.Popen(
            [binary() or "nginx", "-p", str(self._state), "-e", str(self._state / "error.log"),
             "-c", str(config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                log = self._error_log()
                self.stop()
                raise RuntimeError(f"nginx exited: {log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        log = self._error_log()
        self.stop()
        raise RuntimeError(f"nginx did not listen on port {self.port}: {log}")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        shutil.rmtree(self._state, ignore_errors=True)

    def _error_log(self) -> str:
        path = self._state / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def __enter__(self) -> NginxServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
