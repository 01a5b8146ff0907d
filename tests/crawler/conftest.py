"""A real Redis for the tests of shared crawls: started once per session, stopped at its end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import unavailable
from tests.fixtures.redis_server import RedisServer, redis_binary


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = redis_binary()
    if binary is None:
        unavailable("redis-server is not installed (`make install` installs Debian's redis-server)")
    with RedisServer(binary) as server:
        yield server.url
