"""pywb, run from the archive tools' venv in a subprocess, and a plain HTTP client for it."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from tests.archive._support import archive_tool, url_server

# What `wayback` does, except that it binds port 0 and prints the address it got.
LAUNCHER = """
from gevent.monkey import patch_all; patch_all()
import os, sys
from pywb.apps.frontendapp import FrontEndApp
from pywb.utils.geventserver import GeventServer, RequestURIWSGIHandler

app = FrontEndApp(config_file=sys.argv[1])
server = GeventServer(app, port=0, hostname="127.0.0.1", handler_class=RequestURIWSGIHandler)
print(f"http://127.0.0.1:{server.port}", flush=True)
os.dup2(2, 1)  # pywb's own output goes to the log file, never into a pipe nobody reads
server.join()
"""


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def serve(root: Path) -> contextlib.AbstractContextManager[str]:
    """Run pywb on ``root/config.yaml`` until the block ends; give its base URL."""
    command = [str(archive_tool("python")), "-c", LAUNCHER, "config.yaml"]
    return url_server(command, root / "pywb.log", "pywb", cwd=root)


def get(url: str) -> Reply:
    """GET without following redirects or using any proxy; error statuses are replies too."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    try:
        with opener.open(url, timeout=30) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())
