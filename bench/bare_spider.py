"""The baseline of bench/crawl.py: a bare Scrapy spider that fetches a list of URLs, nothing more.

    bench/bare_spider.py URLS_FILE [--proxy URL] [--concurrency N]

Scrapy's default settings (not the project's), so the same downloader as the crawl (Scrapy's
HTTP/1.1 handler, gzip decoded by its middleware) and no archive, no extraction, no item
pipeline: only what any Scrapy crawl of these pages must do.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {  # noqa: RUF012 (Scrapy's own idiom)
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "DOWNLOAD_DELAY": 0,
        "USER_AGENT": "newsarchive-bench",
        "DEFAULT_REQUEST_HEADERS": {"Accept": "text/html", "Accept-Encoding": "gzip"},
    }

    def __init__(self, urls: str, proxy: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_file = Path(urls)
        self.proxy = proxy

    async def start(self) -> AsyncIterator[scrapy.Request]:
        with self.urls_file.open() as fh:
            for line in fh:
                meta = {"proxy": self.proxy} if self.proxy else {}
                yield scrapy.Request(line.strip(), meta=meta, dont_filter=True)

    def parse(self, response: Response) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("bare/pages")
        self.crawler.stats.inc_value("bare/bytes", len(response.body))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("urls", help="a file of URLs, one a line")
    parser.add_argument("--proxy", default="")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    process = CrawlerProcess({"CONCURRENT_REQUESTS": args.concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency})
    process.crawl(BareSpider, urls=args.urls, proxy=args.proxy)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
