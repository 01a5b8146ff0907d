"""The run report: what each site gave and what failed, as ``report.json`` beside the archive.

It is what the CLI prints at the end of a crawl and what a nightly job's operator reads first.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.addon import site_registry
from crawler.extensions.warc import WarcExtension
from model.article import Article
from model.layout import RunLayout

logger = logging.getLogger(__name__)


VERSIONS = ("new", "changed", "unchanged")
# Scrapy's own run-wide counters of requests never sent, by the name the summary gives them.
SKIPPED = {"robots": "robotstxt/forbidden", "offsite": "offsite/filtered",
           "duplicates": "dupefilter/filtered"}


def site_summary(stats: dict[str, Any], site: str) -> dict[str, Any]:
    """One site's ``site/<name>/...`` counters, grouped."""
    prefix = f"site/{site}/"
    own = Counter({k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)})

    def group(name: str) -> dict[str, int]:
        return {k.split("/", 1)[1]: v for k, v in sorted(own.items()) if k.startswith(name + "/")}

    failed = group("failed")
    articles = own.get("articles", 0)
    # new / changed / unchanged come from the catalog when it runs; absent, they are left out.
    counted = stats.get("catalog/versions") or any(k in own for k in VERSIONS)
    versions = {k: own.get(k, 0) for k in VERSIONS} if counted else {}
    # A night with nothing new is a success: the site answered, and what it has is archived.
    reached = articles or own.get("unchanged", 0) or own.get("skipped/known", 0)
    return {
        # An article that an output could not take is lost: never "ok".
        "status": "failed" if any(k.startswith("output_") for k in failed) else (
            "ok" if reached else ("failed" if failed else "empty")),
        "articles": articles,
        "articles_fetched": own.get("articles_fetched", 0),
        # One article archived under several URLs (KCNA's two URL schemes) counts once here.
        "articles_unique": own.get("articles_unique", 0),
        "rechecked": group("rechecked"),
        "requests": group("requests"),
        "failed": failed,
        "skipped": group("skipped"),
        # Incremental nights (the catalog): texts never archived before, new versions of
        # archived ones, and articles found unchanged (304, or the same text again).
        **versions,
    }


def article_key(article: Article) -> tuple[str, ...]:
    """What makes two archived pages one article: the same title and publication day; a page
    without either is only itself."""
    if article.title and article.published:
        return (" ".join(article.title.casefold().split()), article.published[:10])
    return (article.url,)


def build_report(
    stats: dict[str, Any], run_id: str, sites: list[str], reason: str | None,
    run_dir: str | None = None, log: str | None = None,
) -> dict[str, Any]:
    """``log`` is None when the log went to stderr (``-v``)."""
    return {
        "run_id": run_id,
        "finish_reason": reason,
        "run_dir": run_dir,
        "log": log,
        "duration_seconds": _duration(stats),
        "skipped": {name: stats.get(key, 0) for name, key in SKIPPED.items()},
        "sites": {name: site_summary(stats, name) for name in sites},
        "archive": {
            "files": stats.get("archive/files", []),
            "records_written": stats.get("archive/records_written", 0),
            "failed": stats.get("archive/failed", 0),
            "revisits": stats.get("archive/revisits", 0),
            # Responses archived as far as received, by WARC-Truncated reason.
            "truncated": {k.rsplit("/", 1)[1]: v for k, v in sorted(stats.items())
                          if k.startswith("archive/truncated/")},
            "wacz": stats.get("archive/wacz"),
        },
        "outputs": _outputs(stats),
        "replay": {"hits": stats.get("replay/hit", 0), "misses": stats.get("replay/miss", 0)},
        "stats": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()},
    }


def _duration(stats: dict[str, Any]) -> float | None:
    """Seconds from the spider's opening to its closing (Scrapy's core stats), or so far."""
    if isinstance(stats.get("elapsed_time_seconds"), int | float):
        return round(float(stats["elapsed_time_seconds"]), 3)
    start = stats.get("start_time")
    if not isinstance(start, datetime):
        return None
    return round((datetime.now(start.tzinfo) - start).total_seconds(), 3)


def _outputs(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Articles written to and lost by each sink (``sink/<name>/written|failed``)."""
    outputs: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "sink":
            outputs.setdefault(parts[1], {"written": 0, "failed": 0})[parts[2]] = value
    return outputs


class RunReport:
    def __init__(self, path: Path, run_id: str, sites: list[str], stats: StatsCollector,
                 log: str | None = None) -> None:
        self.path = path
        self.sites = sites
        self.run_id = run_id
        self.stats = stats
        self.log = log
        self.crawler: Crawler | None = None  # its WARC extension packs the WACZ the report names
        # Per site, the hash of each article's key: 8 bytes a story where its title and day
        # would be ~250 (a collision, odds 1 in 10^10 at 20,000 stories, undercounts by one).
        self.articles: dict[str, set[int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        settings = crawler.settings
        if not settings.getbool("REPORT_ENABLED"):
            raise NotConfigured("REPORT_ENABLED is off")
        layout = RunLayout(settings.get("NEWSARCHIVE_DATA_DIR"), settings.get("NEWSARCHIVE_RUN_ID"))
        assert crawler.stats is not None
        report = cls(layout.report_path, layout.run_id, list(site_registry(crawler)), crawler.stats,
                     settings.get("LOG_FILE") or None)
        report.crawler = crawler
        # After the WARC extension's handler: the report lists the closed files.
        crawler.signals.connect(report.spider_closed, signals.spider_closed, weak=False)
        crawler.signals.connect(report.item_scraped, signals.item_scraped, weak=False)
        crawler.signals.connect(report.request_dropped, signals.request_dropped, weak=False)
        return report

    def request_dropped(self, request: Request) -> None:
        """The scheduler's duplicate filter dropped it: counted per site as well."""
        site = request.meta.get("site")
        if site:
            self.stats.inc_value(f"site/{site}/skipped/duplicate")

    def item_scraped(self, item: Any) -> None:
        """Count the article once per (title, publication day): the same story under two URLs."""
        if not isinstance(item, Article) or not item.site:
            return
        seen = self.articles.setdefault(item.site, set())
        seen.add(hash(article_key(item)))
        self.stats.set_value(f"site/{item.site}/articles_unique", len(seen))

    async def spider_closed(self, reason: str) -> None:
        """Written once the run is packed, so the report names its WACZ."""
        warc = self.crawler.get_extension(WarcExtension) if self.crawler else None
        if warc is not None:
            await maybe_deferred_to_future(warc.when_packed())
        report = build_report(self.stats.get_stats(), self.run_id, sorted(self.sites), reason,
                              str(self.path.parent), self.log)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Renamed into place: a report is whole or absent, and absent means interrupted.
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
        os.replace(temporary, self.path)
        logger.info("run report written to %s", self.path)
