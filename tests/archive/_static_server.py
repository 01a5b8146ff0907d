"""A static file server for ReplayWeb.page's files and a WACZ, as a subprocess of the tests.

    python tests/archive/_static_server.py ROOT

binds 127.0.0.1 on port 0, prints its base URL on one line, and serves ROOT until it is
terminated. Beyond the standard library's file server it answers byte ranges (ReplayWeb.page
reads a WACZ from a web server in ranges, as it would from S3), sends JavaScript and WACZ with
their content types, and lets ``sw.js`` control the whole origin.
"""

from __future__ import annotations

import os
import re
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, ClassVar

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class StaticHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".json": "application/json",
        ".wacz": "application/wacz",
    }

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        if self.path.split("?", 1)[0].endswith("sw.js"):
            self.send_header("Service-Worker-Allowed", "/")
        super().end_headers()

    def send_head(self) -> IO[bytes] | _Limited | None:  # type: ignore[override]
        """The file, or the part of it that a ``Range`` header asks for."""
        match = _RANGE.match(self.headers.get("Range", "").strip())
        path = self.translate_path(self.path)
        if not match or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last or 0), 0), size - 1
        if start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        source = open(path, "rb")  # the base class's do_GET closes it
        source.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Limited(source, end - start + 1)


class _Limited:
    """The first ``left`` bytes of a file, for ``copyfile``."""

    def __init__(self, source: IO[bytes], left: int) -> None:
        self.source = source
        self.left = left

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.source.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.source.close()


def main(root: str) -> None:
    handler = partial(StaticHandler, directory=str(Path(root).resolve()))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
