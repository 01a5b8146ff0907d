"""A crawl's state in Redis, shared by its workers: the key names and the leases.

Every key of a run is under ``<REDIS_KEY>:<run id>:``: the scheduler's queue (``requests``, a
sorted set as scrapy-redis keeps it), the duplicate filter (``dupefilter``), the requests that
workers hold (``leases:*``) and each host's politeness slot (``slot:<host>:*``). ``<REDIS_KEY>:run``
names the run that workers starting now join.

A request a worker takes from the queue is leased, in the same Lua script that pops it: its bytes
and priority are kept under a token, with an expiry (Redis's own clock, so machines need not agree
on the time). The worker renews its leases while it works on them and releases each when the
request is done (its response scraped, its items through the pipelines, the requests it led to
queued). A worker that dies stops renewing: once its leases expire, any worker puts the requests
back in the queue, where another fetches them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Redis's clock in milliseconds, inside a script.
NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: queue, data, score, expiry; ARGV: token, lease ms. -> the request's bytes, or nil.
_POP = NOW_MS + """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[1])
redis.call('HSET', KEYS[3], ARGV[1], top[2])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), ARGV[1])
return top[1]
"""

# KEYS: expiry; ARGV: lease ms, tokens... -> how many were still held.
_RENEW = NOW_MS + """
local renewed = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
"""

# KEYS: queue, data, score, expiry. -> how many expired leases went back to the queue.
_RECLAIM = NOW_MS + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
for _, token in ipairs(expired) do
  local data = redis.call('HGET', KEYS[2], token)
  if data then
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], token), data)
  end
  redis.call('HDEL', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  redis.call('ZREM', KEYS[4], token)
end
return #expired
"""


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one run."""

    prefix: str
    run_id: str

    @property
    def current_run(self) -> str:
        return f"{self.prefix}:run"

    def key(self, name: str) -> str:
        return f"{self.prefix}:{self.run_id}:{name}"

    @property
    def requests(self) -> str:
        return self.key("requests")

    @property
    def dupefilter(self) -> str:
        return self.key("dupefilter")

    def slot(self, host: str, part: str) -> str:
        return self.key(f"slot:{host}:{part}")

    @property
    def everything(self) -> str:
        """A pattern matching every key of the run."""
        return self.key("*")


class Leases:
    """The requests workers hold, in Redis; ``server`` is a ``redis.Redis`` client."""

    def __init__(self, server: Any, keys: RunKeys, seconds: float, owner: str = "") -> None:
        self.server = server
        self.owner = owner  # the start of every token: which worker holds a lease
        self.keys = keys
        self.ms = max(1, int(seconds * 1000))
        self._names = [keys.requests, keys.key("leases:data"), keys.key("leases:score"),
                       keys.key("leases:expiry")]
        self._pop = server.register_script(_POP)
        self._renew = server.register_script(_RENEW)
        self._reclaim = server.register_script(_RECLAIM)

    def pop(self) -> tuple[str, bytes] | None:
        """The queue's first request, leased: ``(token, bytes)``; None when the queue is empty."""
        token = f"{self.owner}:{secrets.token_hex(8)}" if self.owner else secrets.token_hex(8)
        data = self._pop(keys=self._names, args=[token, self.ms])
        return (token, data) if data else None

    def renew(self, tokens: Iterable[str]) -> int:
        held = list(tokens)
        return int(self._renew(keys=[self._names[3]], args=[self.ms, *held])) if held else 0

    def release(self, tokens: Iterable[str]) -> None:
        done = list(tokens)
        if not done:
            return
        pipe = self.server.pipeline()
        pipe.hdel(self._names[1], *done).hdel(self._names[2], *done).zrem(self._names[3], *done)
        pipe.execute()

    def give_back(self, tokens: Iterable[str]) -> int:
        """Requests this worker will not finish: back to the queue at once."""
        back = list(tokens)
        if back:
            self.server.zadd(self._names[3], dict.fromkeys(back, 0), xx=True)
        return self.reclaim()

    def reclaim(self) -> int:
        """Put the requests of expired leases (their worker died) back in the queue."""
        return int(self._reclaim(keys=self._names))

    def held(self) -> int:
        """Leases held by every worker, expired ones included."""
        return int(self.server.zcard(self._names[3]))

    def queued(self) -> int:
        return int(self.server.zcard(self.keys.requests))


# KEYS: the current-run pointer; ARGV: run id, ms. Extend the pointer if it still names the run.
_KEEP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS: the pointer; ARGV: run id. Delete it if it still names the run.
_END = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
JOIN_SECONDS = 600  # a run nobody keeps alive is forgotten after this: the next worker starts anew


def join_run(server: Any, prefix: str, candidate: str) -> str:
    """The run workers starting now join: the current one, else ``candidate``, made current."""
    pointer = RunKeys(prefix, candidate).current_run
    server.set(pointer, candidate, nx=True, ex=JOIN_SECONDS)
    current = server.get(pointer)
    return current.decode() if isinstance(current, bytes) else str(current or candidate)


def keep_run(server: Any, keys: RunKeys, seconds: float) -> None:
    """The run is still going: workers starting in the next ``seconds`` join it."""
    server.eval(_KEEP, 1, keys.current_run, keys.run_id, max(1000, int(seconds * 1000)))


def end_run(server: Any, keys: RunKeys) -> None:
    """The run is over: the next worker starts a new one."""
    server.eval(_END, 1, keys.current_run, keys.run_id)
