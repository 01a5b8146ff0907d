"""Archive every response as it went over the wire.

With the recording download handler (:mod:`crawler.handlers.recording`) each download carries
its exchange as captured at the connection: the request as sent and the response head as
received are stored byte for byte. The body is Scrapy's, from the ``response_downloaded``
signal, which fires before the downloader middlewares decompress it: still as the server encoded
it (gzip and all), with any chunked transfer coding removed by Twisted, so the stored head keeps
``Transfer-Encoding`` as ``X-Archive-Orig-Transfer-Encoding``. A download cut short (over
``DOWNLOAD_MAXSIZE``, server gone mid-body, timed out) is archived as far as it arrived, with
``WARC-Truncated``, when it leaves the downloader. Without a capture (another download handler)
the exchange is rebuilt from Scrapy's request and response, as Twisted parsed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, succeed
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure
from warcio.recordloader import ArcWarcRecord

from archive.cdxj import StreamedIndex
from archive.dedupe import PayloadIndex
from archive.records import (
    ArchiveError,
    HttpRequest,
    HttpResponse,
    RecordLocation,
    payload_digest,
    utc_now,
)
from archive.wacz import build_wacz
from archive.warc import RollingWarcWriter
from crawler.handlers.recording import RAW_EXCHANGE, WireCapture
from crawler.storage import stop_for_storage
from model.layout import RunLayout

logger = logging.getLogger(__name__)

_HOP_BY_HOP_RENAMED = {b"transfer-encoding"}
_SECRET_REQUEST_HEADERS = {b"proxy-authorization"}
_SECRET = ("Proxy-Authorization",)  # the proxy's credentials: never archived


class WarcExtension:
    def __init__(
        self, writer: RollingWarcWriter, stats: StatsCollector,
        payloads: PayloadIndex | None = None, wacz_run: Path | None = None,
    ) -> None:
        self.writer = writer
        self.stats = stats
        self.wacz_run = wacz_run  # pack this run as a WACZ when the crawl ends
        # Unchanged responses become revisit records; None: every response is stored whole.
        self.payloads = payloads
        self.crawler: Crawler | None = None  # to stop the crawl when the disk is full
        self._packing: Deferred[None] | None = None  # the WACZ, being packed in a thread
        # Told of each record written and where (the catalog's captures, the CDXJ index).
        self.record_listeners: list[Callable[[ArcWarcRecord, RecordLocation], object]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        layout = RunLayout(
            settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID")
        )
        # Each record indexed as it is written: closing a file (at rollover, mid-crawl, or at
        # the end) only sorts its lines, instead of reading the whole file again on the reactor.
        index = StreamedIndex(layout.warc_dir) if settings.getbool("WARC_CDXJ_ENABLED") else None
        writer = RollingWarcWriter(
            layout.warc_dir,
            on_close=index.close_file if index else None,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            gzip_level=settings.getint("WARC_GZIP_LEVEL"),
            info={
                "isPartOf": layout.run_id,
                "operator": settings.get("WARC_OPERATOR"),
                "http-header-from": settings.get("HTTP_FROM"),
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "description": "newsarchive crawl of " + ", ".join(
                    settings.getlist("NEWSARCHIVE_SITES") or ["all configured sites"]
                ),
            },
        )
        payloads = None
        if settings.getbool("WARC_DEDUPE_ENABLED"):
            payloads = PayloadIndex.of_earlier_runs(
                layout.data_dir, settings.get("CATALOG_PATH") or None)
            logger.info("dedupe against the captures of %d earlier runs", len(payloads))
        assert crawler.stats is not None
        wacz_run = layout.run_dir if settings.getbool("WACZ_ENABLED") else None
        extension = cls(writer, crawler.stats, payloads, wacz_run)
        if index is not None:
            extension.record_listeners.append(index.add)
        writer.on_record = extension.record_written
        extension.crawler = crawler
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        crawler.signals.connect(extension.left_downloader, signals.request_left_downloader)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def response_downloaded(self, response: Response, request: Request) -> None:
        fetched = utc_now()
        capture: WireCapture | None = request.meta.pop(RAW_EXCHANGE, None)
        http_request = _http_request(request, response, capture)
        http_response = _http_response(response, capture)
        truncated = capture.truncated if capture is not None else None
        if truncated is None and "dataloss" in response.flags:
            truncated = "disconnect"
        earlier = None
        if self.payloads is not None and response.status == 200 and not truncated:
            # A truncated body is not the payload it would have been: never a revisit.
            earlier = self.payloads.match(response.url, payload_digest(response.body))
        try:
            if earlier is not None:
                location = self.writer.write_revisit(
                    response.url, http_request, http_response,
                    refers_to_uri=earlier.url, refers_to_date=earlier.date,
                    refers_to=earlier.record_id, date=fetched,
                )
                self.stats.inc_value("archive/revisits")
            else:
                location = self.writer.write_exchange(
                    response.url, http_request, http_response,
                    extra_headers=_ip_header(request, response), date=fetched,
                    truncated=truncated,
                )
        except (ArchiveError, ValueError) as exc:
            self.stats.inc_value("archive/failed")
            logger.error("could not archive %s: %s", response.url, exc)
            self._stop_if_storage(exc)
            return
        self.stats.inc_value("archive/responses")
        if truncated:
            self.stats.inc_value(f"archive/truncated/{truncated}")
        request.meta["warc"] = location
        request.meta["fetched"] = fetched.isoformat()

    def record_written(self, record: ArcWarcRecord, location: RecordLocation) -> None:
        for listener in self.record_listeners:
            listener(record, location)

    def left_downloader(self, request: Request) -> None:
        """A download that failed after its head arrived (cut short, over the size limit,
        timed out): archive what arrived. A response was archived already and popped it."""
        capture: WireCapture | None = request.meta.pop(RAW_EXCHANGE, None)
        if capture is None or capture.truncated is None or capture.response_head is None:
            return
        try:
            http_request = HttpRequest.from_wire(capture.request, omit=_SECRET)
            http_response = HttpResponse.from_wire(capture.response_head, capture.body or b"")
            self.writer.write_exchange(
                request.url, http_request, http_response, truncated=capture.truncated
            )
        except (ArchiveError, ValueError) as exc:
            self._stop_if_storage(exc)
            self.stats.inc_value("archive/failed")
            logger.error("could not archive the truncated %s: %s", request.url, exc)
            return
        self.stats.inc_value("archive/responses")
        self.stats.inc_value(f"archive/truncated/{capture.truncated}")
        logger.info("archived %s as far as received (WARC-Truncated: %s)",
                    request.url, capture.truncated)

    def _stop_if_storage(self, exc: BaseException) -> None:
        if self.crawler is not None:
            stop_for_storage(self.crawler, exc, "the WARC")

    async def spider_closed(self) -> None:
        # Item pipelines have closed by now: articles.jsonl and the metadata records are written.
        self.writer.close()
        self.stats.set_value("archive/records_written", self.writer.records_written)
        self.stats.set_value("archive/files", [p.name for p in self.writer.closed_files])
        if self.wacz_run is None or not self.writer.closed_files:
            return
        # Packed in a thread (reading and hashing the run's files), while the catalog adds the
        # run's captures on the reactor's; the report waits for it (when_packed).
        self._packing = deferToThread(build_wacz, self.wacz_run)
        self._packing.addCallbacks(self._packed, self._not_packed)
        await maybe_deferred_to_future(self.when_packed())

    def when_packed(self) -> Deferred[None]:
        """Fires once the run's WACZ is packed (or failed to be), at once if none is."""
        if self._packing is None or self._packing.called:
            return succeed(None)
        done: Deferred[None] = Deferred()
        self._packing.addBoth(lambda result: (done.callback(None), result)[1])
        return done

    def _packed(self, package: Path) -> None:
        self.stats.set_value("archive/wacz", package.name)

    def _not_packed(self, failure: Failure) -> None:
        exc = failure.value
        if not isinstance(exc, ArchiveError | OSError):
            failure.raiseException()
        self.stats.inc_value("archive/failed")
        logger.error("could not package the run as WACZ: %s", exc)


def _http_response(response: Response, capture: WireCapture | None) -> HttpResponse:
    if capture is not None and capture.response_head is not None:
        try:
            return HttpResponse.from_wire(capture.response_head, response.body)
        except ValueError as exc:
            logger.warning("response head of %s unparsable (%s): stored as parsed", response.url, exc)
    headers: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if name.lower() in _HOP_BY_HOP_RENAMED:
            key = "X-Archive-Orig-" + key
        headers.extend((key, v.decode("latin-1")) for v in values)
    protocol = response.protocol or "HTTP/1.1"
    return HttpResponse(response.status, headers, response.body, protocol=protocol)


def _http_request(request: Request, response: Response, capture: WireCapture | None) -> HttpRequest:
    if capture is not None and capture.request:
        try:
            return HttpRequest.from_wire(capture.request, omit=_SECRET)
        except ValueError as exc:
            logger.warning("request to %s unparsable (%s): stored as rebuilt", response.url, exc)
    parts = urlsplit(response.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    for name, values in request.headers.items():
        if name.lower() in _SECRET_REQUEST_HEADERS or name.lower() == b"host":
            continue
        headers.extend((name.decode("latin-1"), v.decode("latin-1")) for v in values)
    # Scrapy's HTTP/1.1 handler sends every request as HTTP/1.1, whatever the response says.
    return HttpRequest(request.method, target, headers, request.body, protocol="HTTP/1.1")


def _ip_header(request: Request, response: Response) -> dict[str, str]:
    # Through a proxy the peer address is the proxy's, not the site's: leave it out.
    if response.ip_address is None or request.meta.get("proxy"):
        return {}
    return {"WARC-IP-Address": str(response.ip_address)}
