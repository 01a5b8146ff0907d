"""Teeing an HTTP/1.1 client connection: per exchange, the request bytes as written and the
response head as read, both after TLS (what the protocol object writes and is given).

One :class:`WireCapture` per exchange: Twisted's client protocol sends one request at a time on
a connection (no pipelining), so everything read between one ``request()`` and the next belongs
to the first. Only the response *head* is kept: the body reaches Scrapy anyway, and a second copy
of every body would double the crawl's memory. The CONNECT request and its answer are written and
read by Scrapy's tunnelling endpoint before the first ``request()``, so they are never captured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from scrapy.core.downloader.handlers.http11 import (
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from twisted.internet.defer import Deferred

# On the Twisted response: the capture of its exchange (Scrapy stashes its own fields likewise).
CAPTURE_ATTR = "_newsarchive_capture"
MAX_HEAD = 1 << 20  # a response head longer than this is not kept (Twisted refuses it anyway)
_END_OF_HEAD = re.compile(rb"\n\r?\n")
_INFORMATIONAL = re.compile(rb"^HTTP/\S+\s+1(?!01)\d\d\b")


class WireCapture:
    """One request/response exchange as it went over the connection.

    ``request``: every byte written for the request (request line, headers, body).
    ``response_head``: the final (non-1xx) status line and header block as received, up to and
    including the blank line; None until complete. ``truncated``/``body``: set when the download
    is cut short (``length``, ``disconnect``, ``time``), ``body`` then holding what arrived.
    """

    __slots__ = ("_received", "_sent", "body", "partial_body", "response_head", "truncated")

    def __init__(self) -> None:
        self._sent = bytearray()
        self._received: bytearray | None = bytearray()
        self.response_head: bytes | None = None
        self.truncated: str | None = None
        self.body: bytes | None = None
        # While the body is being read: what has arrived so far (set by the body tap).
        self.partial_body: Callable[[], bytes] | None = None

    @property
    def request(self) -> bytes:
        return bytes(self._sent)

    def sent(self, data: bytes) -> None:
        self._sent += data

    def received(self, data: bytes) -> None:
        if self._received is None:  # head complete, or given up on
            return
        self._received += data
        while (end := _END_OF_HEAD.search(self._received)) is not None:
            head = bytes(self._received[: end.end()])
            del self._received[: end.end()]
            if not _INFORMATIONAL.match(head):  # 100 Continue and the like precede the response
                self.response_head, self._received = head, None
                return
        if len(self._received) > MAX_HEAD:
            self._received = None

    def cut(self, reason: str, body: bytes | None = None) -> None:
        """The body stops short for ``reason``; the first reason given wins."""
        if self.truncated is not None:
            return
        if body is None:
            body = self.partial_body() if self.partial_body is not None else b""
        self.truncated, self.body = reason, body


class _TeeTransport:
    """A transport that also hands every byte written to a capture."""

    def __init__(self, transport: Any, capture: WireCapture) -> None:
        self._transport = transport
        self._capture = capture

    def write(self, data: bytes) -> None:
        self._capture.sent(data)
        self._transport.write(data)

    def writeSequence(self, data: Iterable[bytes]) -> None:
        pieces = list(data)
        for piece in pieces:
            self._capture.sent(piece)
        self._transport.writeSequence(pieces)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _TeeingRequest:
    """A Twisted client request that writes itself through a :class:`_TeeTransport`."""

    def __init__(self, request: Any, capture: WireCapture) -> None:
        self._request = request
        self._capture = capture

    def writeTo(self, transport: Any) -> Deferred[None]:
        result: Deferred[None] = self._request.writeTo(_TeeTransport(transport, self._capture))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


class RecordingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's HTTP/1.1 client protocol, teeing each exchange into a fresh capture."""

    _capture: WireCapture | None = None

    def request(self, request: Any) -> Deferred[Any]:
        capture = self._capture = WireCapture()
        d: Deferred[Any] = super().request(_TeeingRequest(request, capture))

        def attach(response: Any) -> Any:
            setattr(response, CAPTURE_ATTR, capture)
            return response

        d.addCallback(attach)
        return d

    def dataReceived(self, bytes: bytes) -> None:
        if self._capture is not None:
            self._capture.received(bytes)
        super().dataReceived(bytes)


class RecordingHTTP11ClientFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> RecordingHTTP11ClientProtocol:
        return RecordingHTTP11ClientProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]
