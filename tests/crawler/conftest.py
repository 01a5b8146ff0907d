"""A real Redis for the tests of shared crawls: started once per session, stopped at its end."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fixtures.redis_server import RedisServer, redis_binary


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = redis_binary()
    if binary is None:
        message = "redis-server is not installed (`make install` installs Debian's redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with RedisServer(binary) as server:
        yield server.url
