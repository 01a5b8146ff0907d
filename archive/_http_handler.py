"""One connection of :mod:`archive._http`'s server: its request handler, kept between requests.

A request (line, headers and body) must arrive within the server's ``request_timeout`` of the
worker taking it up (a deadline for the whole, not for each read), and each write of the answer
must go out within ``write_timeout``. Request bodies are read and discarded (``Content-Length``),
so a body is never parsed as a next request; a body of another framing ends the connection
after the answer.
"""

from __future__ import annotations

import io
import logging
import math
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
MAX_HEAD = 128 * 1024


class Limits(Protocol):
    """What a handler asks of its server."""

    request_timeout: float
    write_timeout: float


class _DeadlineReader(io.RawIOBase):
    """The socket's input, with a deadline for the whole request rather than for each read."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = math.inf
        self.nonblocking = False
        self.early = b""  # what the server's loop read before a worker took the connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        if self.early:
            view = memoryview(buffer).cast("B")
            size = min(len(view), len(self.early))
            view[:size] = self.early[:size]
            self.early = self.early[size:]
            return size
        if self.nonblocking:
            self._sock.setblocking(False)
            try:
                return self._sock.recv_into(memoryview(buffer))
            except BlockingIOError:
                return None
            finally:
                self._sock.setblocking(True)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(memoryview(buffer))


class _Writer(io.BufferedIOBase):
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data)
        self._sock.sendall(view)
        return view.nbytes


class PooledRequestHandler(BaseHTTPRequestHandler):
    """One connection's handler, kept between its requests; :meth:`serve_one` answers one."""

    protocol_version = "HTTP/1.1"
    server: Limits  # type: ignore[assignment]  # not a socketserver: see archive._http

    def __init__(  # serves nothing by itself, unlike BaseRequestHandler: the server drives it
        self, sock: socket.socket, client_address: Any, server: Limits
    ) -> None:
        self.request = self.connection = sock
        self.client_address = client_address
        self.server = server
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        self._reader = _DeadlineReader(sock)
        self._input = io.BufferedReader(self._reader)
        self.rfile = self._input
        self.wfile = _Writer(sock)
        self.close_connection = True
        self._connection_sent = False

    def serve_one(self) -> None:
        """Read one request and answer it; :attr:`close_connection` says whether to go on."""
        self.close_connection = True
        self._connection_sent = False
        self._reader.deadline = time.monotonic() + self.server.request_timeout
        self.handle_one_request()

    def take_early(self) -> bool | None:
        """Read what the client has sent so far without waiting (the server's loop calls
        this when the socket is readable): ``True`` once a request's head is all here (or is
        too long to wait for), ``None`` if the client has hung up, else ``False``."""
        data = self.connection.recv(65536)
        if not data:
            return None
        early = self._reader.early = self._reader.early + data
        return b"\n\r\n" in early or b"\n\n" in early or len(early) > MAX_HEAD

    def has_pending(self) -> bool:
        """Whether the next request (pipelined) is already here, without waiting for one."""
        self._reader.nonblocking = True
        try:
            return bool(self._input.peek(1))
        finally:
            self._reader.nonblocking = False

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not self._consume_body():
            return False
        self.connection.settimeout(self.server.write_timeout)
        return True

    def _consume_body(self) -> bool:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # not read: the connection ends with this answer
            return True
        lengths = set(self.headers.get_all("Content-Length") or [])
        if not lengths:
            return True
        value = lengths.pop().strip()
        if lengths or not value.isdigit():
            self.send_error(400, "Bad Content-Length")
            return False
        left = int(value)
        if left > MAX_BODY:
            self.send_error(413, f"Request bodies over {MAX_BODY} bytes are refused")
            return False
        while left:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                self.close_connection = True
                return False
            left -= len(chunk)
        return True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection":
            self._connection_sent = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        if self.close_connection and not self._connection_sent:
            self.send_header("Connection", "close")
        super().end_headers()

    def log_error(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)
