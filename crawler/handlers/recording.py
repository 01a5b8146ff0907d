"""Scrapy's HTTP/1.1 download handler, recording each exchange as it went over the wire.

The archive needs the request and the response head byte for byte (status line, header order
and case, repeated headers, Transfer-Encoding), which Twisted parses away before Scrapy sees
them. So the connection is tapped (:mod:`crawler.handlers._wire`): the bytes the client protocol
writes and reads, after TLS, direct, through an HTTP proxy or through a CONNECT tunnel.

What a download hands on, in ``request.meta["raw_exchange"]`` (:data:`RAW_EXCHANGE`), is a
:class:`WireCapture`: ``request`` (the request as written), ``response_head`` (as received) and,
for a download cut short, ``truncated`` (``length``: the body passed ``DOWNLOAD_MAXSIZE``;
``disconnect``: the server closed mid-body; ``time``: ``DOWNLOAD_TIMEOUT``) with ``body``, what
arrived. The WARC extension pops it: on ``response_downloaded`` for a response, on
``request_left_downloader`` for a download that failed. Without it (another handler, replay),
the extension rebuilds the exchange from Scrapy's objects as before.

A response whose Content-Length is over the limit is read up to the limit, not dropped at its
headers as Scrapy would, so that the archive keeps as much of it as any other oversized body.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _ResponseReader,
    _ResultT,
    _ScrapyAgent,
)
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError, ResponseDataLossError
from scrapy.http import Response
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.protocol import Protocol, connectionDone
from twisted.python.failure import Failure
from twisted.web.client import Response as TxResponse
from twisted.web.client import ResponseFailed
from twisted.web.iweb import UNKNOWN_LENGTH

from crawler.handlers._wire import CAPTURE_ATTR, RecordingHTTP11ClientFactory, WireCapture

logger = logging.getLogger(__name__)

RAW_EXCHANGE = "raw_exchange"
__all__ = ["RAW_EXCHANGE", "RecordingDownloadHandler", "WireCapture"]


class RecordingDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool._factory = RecordingHTTP11ClientFactory

    async def download_request(self, request: Request) -> Response:
        request.meta.pop(RAW_EXCHANGE, None)  # a copy's, from a retry or a redirect
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except DownloadTimeoutError:
            capture = request.meta.get(RAW_EXCHANGE)
            if capture is not None:
                capture.cut("time")
                capture.truncated = "time"  # the abort the timeout caused is no disconnect
            raise
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise


class _RecordingAgent(_ScrapyAgent):
    def _cb_bodyready(
        self, txresponse: TxResponse, request: Request
    ) -> _ResultT | Deferred[_ResultT]:
        capture: WireCapture | None = getattr(txresponse, CAPTURE_ATTR, None)
        if capture is None:
            return super()._cb_bodyready(txresponse, request)
        request.meta[RAW_EXCHANGE] = capture
        maxsize = request.meta.get("download_maxsize", self._maxsize)
        tapped: Any = _TappedResponse(txresponse, capture, maxsize)
        return super()._cb_bodyready(tapped, request)


class _TappedResponse:
    """A Twisted response whose body reaches Scrapy's reader through a :class:`_BodyTap`."""

    def __init__(self, response: TxResponse, capture: WireCapture, maxsize: int) -> None:
        self._response = response
        self._capture = capture
        self._maxsize = maxsize

    @property
    def length(self) -> Any:
        # Scrapy cancels a response announced over the limit before reading any of it; an
        # unknown length lets its reader read up to the limit and cancel there.
        length = self._response.length
        if self._maxsize and length is not UNKNOWN_LENGTH and length > self._maxsize:
            return UNKNOWN_LENGTH
        return length

    def deliverBody(self, protocol: _ResponseReader) -> None:
        self._response.deliverBody(_BodyTap(protocol, self._capture, self._maxsize))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)


class _BodyTap(Protocol):
    """Between the response and Scrapy's reader: keeps what a cut-short body had, which the
    reader would drop (over the limit) or fail without (data loss)."""

    def __init__(self, reader: _ResponseReader, capture: WireCapture, maxsize: int) -> None:
        self._reader = reader
        self._capture = capture
        self._maxsize = maxsize
        self._received = 0

    def _so_far(self) -> bytes:
        return self._reader._bodybuf.getvalue()

    def makeConnection(self, transport: Any) -> None:
        self._capture.partial_body = self._so_far
        self._reader.makeConnection(transport)

    def dataReceived(self, data: bytes) -> None:
        room = self._maxsize - self._received
        self._received += len(data)
        if self._maxsize and self._received > self._maxsize:
            # The reader is about to empty its buffer and cancel: keep the body up to the limit.
            self._capture.cut("length", self._so_far() + data[:max(room, 0)])
        self._reader.dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if reason.check(ResponseFailed):
            self._capture.cut("disconnect")
        self._capture.partial_body = None
        self._reader.connectionLost(reason)
