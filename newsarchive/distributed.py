"""A worker of a shared crawl (``crawl --redis URL``): which run it joins.

Every worker of a crawl writes under the same run id in its own data directory. A worker given
``--run-id`` uses it (give every worker the same); without one it joins the run that Redis names
as current, or starts one (the UTC time) that the workers after it join. The run stays current
while its workers keep it so, and is ended by the first worker that finishes it.
"""

from __future__ import annotations

from pathlib import Path

import redis

from crawler.redis_run import join_run
from newsarchive.crawl import fresh_run_id


class RedisUnavailable(ValueError):
    """The Redis of ``--redis`` does not answer."""


def connect(url: str) -> redis.Redis:
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=10)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"--redis {url!r}: {exc} (is redis-server running there, and is"
                               " the URL redis://HOST:PORT/DB?)") from exc
    return server


def shared_run_id(url: str, prefix: str, data_dir: Path, wanted: str = "") -> str:
    """The run id of this worker; RunIdTaken when its data directory has that run already."""
    server = connect(url)  # a Redis that does not answer is refused before anything starts
    try:
        run_id = wanted or join_run(server, prefix, fresh_run_id(data_dir))
    finally:
        server.close()
    return fresh_run_id(data_dir, run_id)
