"""One crawl shared by many workers through Redis (``REDIS_URL``): scrapy-redis, with leases.

:class:`DistributedAddon` does nothing without ``REDIS_URL``. With it, the scheduler is
:class:`LeasedScheduler`, scrapy-redis's scheduler (its priority queue and duplicate filter, under
the run's keys: :mod:`crawler.redis_run`) whose requests are leased while a worker works on them,
so that those of a worker that dies are fetched by another; the WARC files get the worker's host
and pid in their names, as Heritrix names them; and each host's politeness is held in Redis for
every worker (:mod:`crawler.middlewares.shared_politeness`).

A worker closes when the shared queue is empty, no worker holds a request, and that has lasted
``REDIS_IDLE_TIMEOUT`` seconds.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections import deque
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.redis_run import JOIN_SECONDS, Leases, RunKeys, end_run, keep_run

logger = logging.getLogger(__name__)

LEASE = "redis_lease"  # request.meta: the token of the lease the request was taken under


def run_keys(settings: Any) -> RunKeys:
    return RunKeys(settings.get("REDIS_KEY") or "newsarchive", settings.get("NEWSARCHIVE_RUN_ID"))


def worker_name() -> str:
    """``<host>-<pid>``, safe in a file name."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


class DistributedAddon:
    """Switches a crawl to the shared scheduler when ``REDIS_URL`` is set."""

    def update_settings(self, settings: Settings) -> None:
        if not settings.get("REDIS_URL"):
            return
        keys = run_keys(settings)
        priority = SETTINGS_PRIORITIES["addon"]
        for name, value in {
            "SCHEDULER": "crawler.distributed.LeasedScheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            # The run's keys outlive a worker (others still use them); they expire instead.
            "SCHEDULER_PERSIST": True,
            # Heritrix style: <prefix>-<host>-<pid>-<timestamp>-<serial>.warc.gz
            "WARC_PREFIX": f"{settings.get('WARC_PREFIX')}-{worker_name()}",
            # Every sitemap goes to the shared queue at once: a worker's own list would die with it.
            "NEWSARCHIVE_SITEMAPS_HELD": False,
        }.items():
            settings.set(name, value, priority=max(priority, settings.getpriority(name) or 0))


class LeasedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler; each request taken is leased until this worker is done with it."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        scheduler: LeasedScheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.keys = run_keys(settings)
        scheduler.leases = Leases(scheduler.server, scheduler.keys,
                                  settings.getfloat("REDIS_LEASE_SECONDS"), owner=worker_name())
        scheduler.idle_timeout = settings.getfloat("REDIS_IDLE_TIMEOUT")
        scheduler.keep_seconds = settings.getint("REDIS_KEEP_SECONDS")
        scheduler.held = {}
        scheduler.idle_since = None
        scheduler.heartbeat = task.LoopingCall(scheduler.beat)
        scheduler.poll_seconds = settings.getfloat("REDIS_POLL_SECONDS")
        scheduler.poll = task.LoopingCall(scheduler.wake)
        crawler.signals.connect(scheduler.spider_idle, signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.held: dict[str, Request] = {}
        self.ready: deque[Request] = deque()  # taken by wake(), for the engine's next ask
        self.idle_since: float | None = None
        self.heartbeat.start(min(5.0, self.leases.ms / 3000), now=False)
        if self.poll_seconds > 0:
            self.poll.start(self.poll_seconds, now=False)
        logger.info("worker of run %s: queue %s in %s", self.keys.run_id, self.keys.requests,
                    self.server)

    def close(self, reason: str) -> None:
        for loop in (self.heartbeat, self.poll):
            if loop.running:
                loop.stop()
        self._release_done()
        self.leases.give_back(self.held)  # a worker stopped early: its requests go to the others
        if reason == "finished":
            end_run(self.server, self.keys)
        for key in self.server.scan_iter(self.keys.everything):
            self.server.expire(key, self.keep_seconds)
        super().close(reason)

    # Requests in and out ---------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        # A redirect or a retry carries its parent's lease: the parent's work is handed over.
        if self.held.get(request.meta.get(LEASE, "")) is request:  # from wake(): ours already
            self.ready.append(request)
            return True
        parent = request.meta.pop(LEASE, None)
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                self.stats.inc_value("dupefilter/filtered")
                return False
            self.queue.push(request)
            self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if parent in self.held:
                del self.held[parent]
                self.leases.release([parent])

    def next_request(self) -> Request | None:
        if self.ready:
            return self.ready.popleft()
        self._release_done()
        return self._take()

    def _take(self) -> Request | None:
        popped = self.leases.pop()
        if popped is None:
            return None
        token, data = popped
        request = request_from_dict(self.queue.serializer.loads(data), spider=self.spider)
        request.meta[LEASE] = token
        self.held[token] = request
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.ready) or self.leases.queued() > 0

    def wake(self) -> None:
        """Scrapy asks an idle scheduler for requests every 5 s only: when this worker has room
        and the shared queue has requests (other workers found them), hand one to the engine,
        which then asks for more at once."""
        engine = self.crawler.engine
        if engine is None or self.ready or engine.needs_backout():
            return
        try:
            request = self._take()
        except Exception:
            logger.exception("could not read the shared queue in Redis")
            return
        if request is not None:
            engine.crawl(request)

    # Leases ----------------------------------------------------------------------------------

    def beat(self) -> None:
        """Release what is done, renew what is not, and requeue what dead workers held."""
        try:
            self._release_done()
            self.leases.renew(self.held)
            self._reclaim()
            keep_run(self.server, self.keys, max(JOIN_SECONDS, 3 * self.leases.ms / 1000))
        except Exception:  # Redis gone for a moment: the next beat tries again
            logger.exception("could not renew the leases in Redis")

    def _reclaim(self) -> None:
        reclaimed = self.leases.reclaim()
        if reclaimed:
            self.stats.inc_value("redis/reclaimed", reclaimed)
            logger.warning("%d requests of a worker that stopped put back in the queue", reclaimed)

    def _release_done(self) -> None:
        done = [token for token, request in self.held.items() if not self._working_on(request)]
        for token in done:
            del self.held[token]
        self.leases.release(done)

    def _working_on(self, request: Request) -> bool:
        """Still downloading, or its response (or failure) still with the spider and pipelines."""
        engine = self.crawler.engine
        if engine is None:
            return False
        if request in engine.downloader.active:
            return True
        slot = engine.scraper.slot
        return slot is not None and (
            request in slot.active or any(queued is request for _, queued, _ in slot.queue))

    def spider_idle(self) -> None:
        """Close only once the whole crawl has been idle for ``REDIS_IDLE_TIMEOUT``."""
        self._release_done()
        self._reclaim()
        if self.leases.queued() or self.leases.held():
            self.idle_since = None
            raise DontCloseSpider("other workers are still crawling")
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider("the shared queue is empty: waiting for more")
        logger.info("the shared queue stayed empty for %.0f s: this worker is done",
                    self.idle_timeout)
