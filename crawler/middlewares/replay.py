"""A download handler that answers every request from an archive instead of the network.

Each response is the archived one, status, headers and body as received (gzip and all), so the
downloader middlewares decompress and redirect exactly as they did live, and the spider and
pipelines run unchanged. The article's archive location and capture time are those of the
archived record, so a replay's articles.jsonl matches the original crawl's. A request with no
capture gets a 404 marked ``X-Archive-Miss``, counted as ``replay/miss``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.reader import Archive
from archive.records import ArchiveReadError

logger = logging.getLogger(__name__)


class ReplayDownloadHandler(BaseDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        path = crawler.settings.get("REPLAY_PATH")
        if not path:
            raise NotConfigured("REPLAY_PATH is not set")
        self.archive = Archive.open(Path(path))
        self.at: str | None = crawler.settings.get("REPLAY_AT") or None
        assert crawler.stats is not None
        self.stats = crawler.stats
        logger.info("replaying %d index lines from %s", self.archive.size, path)

    async def download_request(self, request: Request) -> Response:
        capture = self.archive.lookup(request.url, self.at)
        if capture is None:
            return self._miss(request, "no capture")
        try:
            archived = self.archive.read(capture)
        except ArchiveReadError as exc:
            logger.error("unreadable capture of %s: %s", request.url, exc)
            return self._miss(request, str(exc))
        self.stats.inc_value("replay/hit")
        request.meta["warc"] = archived.location
        request.meta["fetched"] = archived.date.isoformat()
        headers = Headers(archived.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
        return cls(
            url=request.url, status=archived.status, headers=headers, body=archived.body,
            request=request, protocol=archived.protocol,
        )

    def _miss(self, request: Request, why: str) -> Response:
        self.stats.inc_value("replay/miss")
        logger.warning("not in the archive: %s (%s)", request.url, why)
        return Response(
            request.url, status=404, headers={"X-Archive-Miss": why[:200]},
            body=b"not in the archive", request=request,
        )
