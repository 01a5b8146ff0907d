"""A site's politeness across every worker of a shared crawl: one slot per host, in Redis.

Scrapy's download slots keep a host's delay and concurrency within one process; with several
workers each would keep them on its own, and a site would get N times the load it asked for. Here
each request first takes its host's slot in Redis (the download slot the add-on made of the site's
``download_delay`` and ``concurrency``): at most ``concurrency`` requests to the host at once, from
all workers together, and the next one starts no sooner than ``delay`` after the last one started
and after the last one finished (Heritrix counts its delay from the end of a fetch too). A request
that may not go yet waits, without blocking the worker (one request per host and worker asks Redis
again, every 10 ms while the host is at its concurrency, or when its delay has passed). Times are
Redis's clock. A slot held by a worker that died is freed when its hold expires
(``DOWNLOAD_TIMEOUT`` or ``REDIS_LEASE_SECONDS``, the longer).

Off unless ``REDIS_URL`` is set (``REDIS_POLITENESS_ENABLED`` turns it off even then).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.connection import get_redis_from_settings

from crawler.redis_run import NOW_MS, RunKeys

logger = logging.getLogger(__name__)

TOKEN = "politeness_token"  # request.meta: the hold on its host's slot, while it is downloaded

# KEYS: holders (zset token -> expiry), next (ms); ARGV: token, delay ms, concurrency, hold ms.
# -> 0: taken; else the milliseconds to wait before asking again.
_TAKE = NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local next = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next then return next - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 10 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[2], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[4]) + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 0
"""

# KEYS: holders, next; ARGV: token, delay ms.
_GIVE_BACK = NOW_MS + """
redis.call('ZREM', KEYS[1], ARGV[1])
local next = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now + tonumber(ARGV[2]))
redis.call('SET', KEYS[2], next, 'PX', tonumber(ARGV[2]) + 1000)
return 0
"""


class SharedPolitenessMiddleware:
    def __init__(self, server: Any, keys: RunKeys, slots: dict[str, dict[str, Any]],
                 default_delay: float, default_concurrency: int, hold: float,
                 stats: Any = None) -> None:
        self.keys = keys
        self.slots = slots
        self.default_delay = default_delay
        self.default_concurrency = default_concurrency
        self.hold_ms = int(hold * 1000)
        self.stats = stats
        # One request per host and worker asks Redis at a time; the others wait their turn here.
        self._turns: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._take = server.register_script(_TAKE)
        self._give_back = server.register_script(_GIVE_BACK)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: politeness is the downloader's, per process")
        if not settings.getbool("REDIS_POLITENESS_ENABLED"):
            raise NotConfigured("REDIS_POLITENESS_ENABLED is off")
        keys = RunKeys(settings.get("REDIS_KEY") or "newsarchive",
                       settings.get("NEWSARCHIVE_RUN_ID"))
        return cls(
            get_redis_from_settings(settings), keys, settings.getdict("DOWNLOAD_SLOTS"),
            settings.getfloat("DOWNLOAD_DELAY"), settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            max(settings.getfloat("DOWNLOAD_TIMEOUT"), settings.getfloat("REDIS_LEASE_SECONDS")),
            crawler.stats,
        )

    def _slot(self, request: Request) -> tuple[str, int, int]:
        host = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        slot = self.slots.get(host, {})
        delay = float(slot.get("delay", self.default_delay))
        concurrency = int(slot.get("concurrency", self.default_concurrency))
        return host, int(delay * 1000), max(1, concurrency)

    async def process_request(self, request: Request) -> None:
        host, delay, concurrency = self._slot(request)
        token = secrets.token_hex(8)
        keys = [self.keys.slot(host, "holders"), self.keys.slot(host, "next")]
        waited = 0
        async with self._turns[host]:
            while wait := int(self._take(keys=keys, args=[token, delay, concurrency, self.hold_ms])):
                waited += wait
                await asyncio.sleep(wait / 1000)
        if waited and self.stats is not None:
            self.stats.inc_value("redis/politeness/waited_ms", waited)
        request.meta[TOKEN] = token

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        token = request.meta.pop(TOKEN, None)
        if token is None:
            return
        host, delay, _ = self._slot(request)
        self._give_back(keys=[self.keys.slot(host, "holders"), self.keys.slot(host, "next")],
                        args=[token, delay])
