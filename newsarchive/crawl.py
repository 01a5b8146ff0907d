"""Running a crawl in this process: settings from options, Scrapy's CrawlerProcess, the report."""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.extensions.report import build_report
from crawler.siteconfig import SiteRegistry, load_sites
from crawler.spiders.news import NewsSpider
from model.layout import RunLayout, new_run_id
from newsarchive.catalog import catch_up_catalog, mark_catalogued

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    data_dir: Path = Path("data")
    sites: Sequence[str] = ()
    site_files: Sequence[str] = ()
    run_id: str = ""
    proxy: str = ""
    delay_scale: float = 1.0
    verbose: bool = False
    replay: Path | None = None  # answer every request from this archive: no network at all
    replay_at: str = ""
    registry: SiteRegistry | None = None  # the sites, already loaded (else loaded from the above)
    redis: str = ""  # a worker of a crawl shared through this Redis (crawler.distributed)
    overrides: Mapping[str, Any] = field(default_factory=dict)


class RunIdTaken(ValueError):
    """A run id that the data directory already has: run ids are never reused."""


def fresh_run_id(data_dir: Path, wanted: str = "") -> str:
    """``wanted`` if no run has it yet, else refused; without one, the time (made unique)."""
    if wanted:
        if RunLayout(data_dir, wanted).run_dir.exists():
            raise RunIdTaken(f"run id {wanted!r} already exists in {data_dir}: run ids are never"
                             " reused (choose another, or leave --run-id out)")
        return wanted
    base = new_run_id()
    candidate, serial = base, 1
    while RunLayout(data_dir, candidate).run_dir.exists():
        serial += 1
        candidate = f"{base}-{serial}"
    return candidate


def crawl_settings(options: CrawlOptions) -> Settings:
    layout = RunLayout(options.data_dir, options.run_id or new_run_id())
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "NEWSARCHIVE_DATA_DIR": str(options.data_dir),
            "NEWSARCHIVE_RUN_ID": layout.run_id,
            "NEWSARCHIVE_SITES": list(options.sites),
            "NEWSARCHIVE_SITES_FILES": [str(f) for f in options.site_files],
            "NEWSARCHIVE_DELAY_SCALE": options.delay_scale,
            "PROXY_URL": options.proxy,
        },
        priority="cmdline",
    )
    if options.redis:
        settings.set("REDIS_URL", options.redis, priority="cmdline")
    if options.registry is not None:
        settings.set("NEWSARCHIVE_SITE_REGISTRY", options.registry, priority="cmdline")
    if options.replay is not None:
        handler = "crawler.middlewares.replay.ReplayDownloadHandler"
        settings.setdict(
            {
                "REPLAY_PATH": str(options.replay),
                "REPLAY_AT": options.replay_at,
                "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
                # The archive is the record; a replay must not add to it.
                "WARC_ENABLED": False,
                "PROXY_URL": "",
                "NEWSARCHIVE_DELAY_SCALE": 0.0,
                "DOWNLOAD_DELAY": 0,
            },
            priority="cmdline",
        )
    if not options.verbose:
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", str(layout.log_path), priority="cmdline")
    settings.setdict(dict(options.overrides), priority="cmdline")
    return settings


class _CrawlProcess(CrawlerProcess):
    """Scrapy's process, noting which signal stopped it and saying so on the terminal at once."""

    stopped_by: int | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        if self.stopped_by is None:
            self.stopped_by = signum
            # os.write: the one safe way to print from a signal handler.
            os.write(2, b"newsarchive: stopping: finishing the requests in flight and closing"
                        b" the archive (again to stop at once)\n")
        super()._signal_shutdown(signum, frame)


def run_crawl(options: CrawlOptions) -> dict[str, Any]:
    """Crawl and return the run report. Blocks until the crawl ends; once per process."""
    settings = crawl_settings(options)
    process = _CrawlProcess(settings)  # logging set up: what the catch-up says goes to the log
    catch_up_catalog(settings, options.registry or load_sites(options.site_files, options.sites))
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler)
    process.start()
    layout = RunLayout(Path(settings["NEWSARCHIVE_DATA_DIR"]), settings["NEWSARCHIVE_RUN_ID"])
    try:
        report: dict[str, Any] = json.loads(layout.report_path.read_text())
    except (OSError, ValueError):
        # No report: the crawl failed before its spider opened, or could not write it.
        stats = crawler.stats.get_stats() if crawler.stats else {}
        report = build_report(stats, layout.run_id, list(options.registry or options.sites), None,
                              str(layout.run_dir), settings.get("LOG_FILE") or None)
        if not stats.get("storage/error"):
            report["error"] = f"the crawl did not start; see {layout.log_path}"
    if process.stopped_by is not None:
        report["status"] = "interrupted"
        report["interrupted_by"] = signal.Signals(process.stopped_by).name
        for site in report["sites"].values():
            site["status"] = "interrupted" if site["status"] == "ok" else site["status"]
    if options.redis:  # one worker of a shared crawl: `newsarchive merge` gives the whole run
        report["worker_of"] = _without_password(options.redis)
    if report.get("stats", {}).get("storage/error"):
        report["storage_error"] = report["stats"]["storage/error"]
    _save(layout, report)
    captures = crawler.stats.get_value("catalog/captures") if crawler.stats else None
    if captures is not None and layout.report_path.exists():
        mark_catalogued(settings, layout.run_id, captures)
    return report


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def _save(layout: RunLayout, report: dict[str, Any]) -> None:
    """Write the report, renamed into place; on a full or read-only disk it stays in memory."""
    temporary = layout.report_path.with_name(f".{layout.report_path.name}.{os.getpid()}.tmp")
    try:
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
        os.replace(temporary, layout.report_path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        logger.error("could not write %s: %s", layout.report_path, exc)


def exit_status(report: Mapping[str, Any]) -> int:
    """0: every site finished with articles; 130/143: stopped by SIGINT/SIGTERM; else 1."""
    interrupted = report.get("interrupted_by")
    if interrupted:
        return 128 + int(signal.Signals[interrupted])
    # A worker of a shared crawl saw only some of each site's pages: whether the sites were
    # archived is the merged run's to say (`newsarchive merge` exits 1 if not).
    sites_ok = bool(report.get("worker_of")) or all(
        site["status"] == "ok" for site in report["sites"].values())
    outputs_ok = not any(o.get("failed") for o in (report.get("outputs") or {}).values())
    archive_ok = not report.get("archive", {}).get("failed")
    return 0 if sites_ok and outputs_ok and archive_ok and not report.get("storage_error") else 1


_REASONS = {
    "CannotResolveHostError": "host name not found (no network, or DNS down)",
    "DNSLookupError": "host name not found (no network, or DNS down)",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "no_body": "no article text found",
    # Skips: requests not made, or answers not used, by choice.
    "ignored": "refused by robots.txt or offsite",
    "duplicate": "duplicate requests",
    "not_html": "not HTML",
    "max_articles": "over the site's max_articles",
    "empty_feed": "feeds without entries",
    "bad_sitemap": "not sitemaps",
}


def explain(reason: str) -> str:
    """``DNSLookupError`` -> ``host name not found (...) [DNSLookupError]``, for the summary."""
    if reason.startswith("http_"):
        return f"HTTP {reason[5:]}"
    plain = _REASONS.get(reason)
    return f"{plain} [{reason}]" if plain else reason


def summary_lines(report: Mapping[str, Any]) -> Iterator[str]:
    """A human summary: where the run is, how long it took, and per site what was archived, what
    failed and why, and what was skipped."""
    yield f"run {report['run_id']}: {report.get('finish_reason') or 'unfinished'}"
    if report.get("run_dir"):
        yield f"  run directory: {report['run_dir']}"
        yield f"  log: {report.get('log') or 'stderr (-v)'}"
    if report.get("duration_seconds") is not None:
        yield f"  duration: {_clock(report['duration_seconds'])}"
    if report.get("interrupted_by"):
        yield (f"  INTERRUPTED by {report['interrupted_by']}: what was archived before is kept;"
               " the next crawl fetches the rest")
    if report.get("storage_error"):
        yield (f"  STOPPED: {report['storage_error']} (disk full or read-only?); the archive"
               " written so far is valid")
    if report.get("error"):
        yield f"  ERROR: {report['error']}"
    for name, site in sorted(report["sites"].items()):
        yield f"  {name:<12} {site['status']:<6} {_site_line(site)}"
    skipped = {k: v for k, v in (report.get("skipped") or {}).items() if v}
    if skipped:
        yield "  not fetched, all sites: " + ", ".join(
            f"{v} {_NOT_FETCHED.get(k, k)}" for k, v in skipped.items())
    yield from _archive_lines(report)


def _site_line(site: Mapping[str, Any]) -> str:
    """``12 articles (3 new, 1 changed, 8 unchanged) from 40 requests; failed: ...; skipped: ...``"""
    line = f"{site['articles']} articles"
    if "new" in site:
        line += f" ({site['new']} new, {site['changed']} changed, {site['unchanged']} unchanged)"
    line += f" from {sum(site['requests'].values())} requests"
    for group in ("failed", "skipped"):
        if site.get(group):
            reasons = ", ".join(f"{v} {explain(k)}" for k, v in sorted(site[group].items()))
            line += f"; {group}: {reasons}"
    return line


def _archive_lines(report: Mapping[str, Any]) -> Iterator[str]:
    archive = report["archive"]
    replay = report.get("replay") or {}
    if replay.get("hits") or replay.get("misses"):
        yield f"  replayed: {replay['hits']} responses from the archive, {replay['misses']} not in it"
    else:
        line = f"  archive: {len(archive['files'])} WARC files, {archive['records_written']} records"
        if archive.get("revisits"):
            line += f" ({archive['revisits']} unchanged, stored as revisits)"
        if archive.get("wacz"):
            line += f"; {archive['wacz']}"
        yield line
    if archive.get("failed"):
        yield f"  archive FAILURES: {archive['failed']} records could not be written"
    for name, counts in sorted((report.get("outputs") or {}).items()):
        if counts.get("failed"):
            yield f"  output FAILURES: {counts['failed']} articles could not be written to {name}"


_NOT_FETCHED = {"robots": "refused by robots.txt", "offsite": "offsite",
                "duplicates": "duplicate requests"}


def _clock(seconds: float) -> str:
    """4.25 -> ``4.2 s``; 3725 -> ``1:02:05``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
