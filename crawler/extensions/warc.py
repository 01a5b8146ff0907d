"""Archive every response as received.

The ``response_downloaded`` signal fires before the downloader middlewares run, so the body is
still as the server encoded it (gzip and all) and agrees with its headers. Twisted has already
removed any chunked transfer coding; the record says so by renaming that header, the way other
archivers do, instead of claiming a chunked body it does not hold.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from archive.cdxj import write_index
from archive.dedupe import PayloadIndex
from archive.records import ArchiveError, HttpRequest, HttpResponse, payload_digest, utc_now
from archive.wacz import build_wacz
from archive.warc import RollingWarcWriter
from model.layout import RunLayout

logger = logging.getLogger(__name__)

_HOP_BY_HOP_RENAMED = {b"transfer-encoding"}
_SECRET_REQUEST_HEADERS = {b"proxy-authorization"}


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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        layout = RunLayout(
            settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID")
        )
        writer = RollingWarcWriter(
            layout.warc_dir,
            on_close=write_index if settings.getbool("WARC_CDXJ_ENABLED") else None,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
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
            payloads = PayloadIndex.of_earlier_runs(layout.data_dir)
            logger.info("dedupe against %d earlier captures", len(payloads))
        assert crawler.stats is not None
        wacz_run = layout.run_dir if settings.getbool("WACZ_ENABLED") else None
        extension = cls(writer, crawler.stats, payloads, wacz_run)
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def response_downloaded(self, response: Response, request: Request) -> None:
        fetched = utc_now()
        http_request, http_response = _http_request(request, response), _http_response(response)
        earlier = None
        if self.payloads is not None and response.status == 200:
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
                )
        except (ArchiveError, ValueError) as exc:
            self.stats.inc_value("archive/failed")
            logger.error("could not archive %s: %s", response.url, exc)
            return
        self.stats.inc_value("archive/responses")
        request.meta["warc"] = location
        request.meta["fetched"] = fetched.isoformat()

    def spider_closed(self) -> None:
        # Item pipelines have closed by now: articles.jsonl and the metadata records are written.
        self.writer.close()
        self.stats.set_value("archive/records_written", self.writer.records_written)
        self.stats.set_value("archive/files", [p.name for p in self.writer.closed_files])
        if self.wacz_run is not None and self.writer.closed_files:
            try:
                package = build_wacz(self.wacz_run)
            except (ArchiveError, OSError) as exc:
                self.stats.inc_value("archive/failed")
                logger.error("could not package the run as WACZ: %s", exc)
                return
            self.stats.set_value("archive/wacz", package.name)


def _http_response(response: Response) -> HttpResponse:
    headers: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if name.lower() in _HOP_BY_HOP_RENAMED:
            key = "X-Archive-Orig-" + key
        headers.extend((key, v.decode("latin-1")) for v in values)
    protocol = response.protocol or "HTTP/1.1"
    return HttpResponse(response.status, headers, response.body, protocol=protocol)


def _http_request(request: Request, response: Response) -> HttpRequest:
    parts = urlsplit(response.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    for name, values in request.headers.items():
        if name.lower() in _SECRET_REQUEST_HEADERS or name.lower() == b"host":
            continue
        headers.extend((name.decode("latin-1"), v.decode("latin-1")) for v in values)
    protocol = response.protocol or "HTTP/1.1"
    return HttpRequest(request.method, target, headers, request.body, protocol=protocol)


def _ip_header(request: Request, response: Response) -> dict[str, str]:
    # Through a proxy the peer address is the proxy's, not the site's: leave it out.
    if response.ip_address is None or request.meta.get("proxy"):
        return {}
    return {"WARC-IP-Address": str(response.ip_address)}
