"""The run's state in a real Redis: leases taken with the request, renewed, released, reclaimed;
the current run joined and ended; a host's slot spacing requests by its delay."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from crawler.middlewares.shared_politeness import _GIVE_BACK, _TAKE
from crawler.redis_run import Leases, RunKeys, end_run, join_run, keep_run


@pytest.fixture
def server(redis_url: str) -> Iterator[Any]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def keys() -> RunKeys:
    return RunKeys(f"test-{secrets.token_hex(4)}", "run-1")


def test_a_popped_request_is_leased_until_released(server: Any, keys: RunKeys) -> None:
    leases = Leases(server, keys, seconds=30)
    server.zadd(keys.requests, {b"first": -10, b"second": 0})
    token, data = leases.pop() or ("", b"")
    assert data == b"first"  # the highest priority first, as scrapy-redis orders them
    assert (leases.queued(), leases.held()) == (1, 1)
    assert leases.renew([token]) == 1
    leases.release([token])
    assert (leases.queued(), leases.held()) == (1, 0)
    assert leases.reclaim() == 0


def test_an_expired_lease_goes_back_to_the_queue_with_its_priority(
    server: Any, keys: RunKeys
) -> None:
    leases = Leases(server, keys, seconds=0.05)
    server.zadd(keys.requests, {b"only": -10})
    assert leases.pop() is not None
    assert leases.queued() == 0
    time.sleep(0.1)  # the lease's time (Redis's clock) runs out
    assert leases.reclaim() == 1
    assert server.zrange(keys.requests, 0, -1, withscores=True) == [(b"only", -10.0)]
    assert leases.held() == 0


def test_given_back_requests_are_queued_at_once(server: Any, keys: RunKeys) -> None:
    leases = Leases(server, keys, seconds=60)
    server.zadd(keys.requests, {b"a": 0, b"b": 0})
    tokens = [(leases.pop() or ("", b""))[0] for _ in range(2)]
    assert leases.give_back(tokens) == 2
    assert (leases.queued(), leases.held()) == (2, 0)


def test_workers_join_the_current_run_until_it_ends(server: Any, keys: RunKeys) -> None:
    assert join_run(server, keys.prefix, "run-1") == "run-1"
    assert join_run(server, keys.prefix, "run-2") == "run-1"  # a second worker joins run-1
    keep_run(server, keys, 60)
    end_run(server, RunKeys(keys.prefix, "run-2"))  # not the current run: nothing happens
    assert join_run(server, keys.prefix, "run-3") == "run-1"
    end_run(server, keys)
    assert join_run(server, keys.prefix, "run-3") == "run-3"


def test_a_hosts_slot_holds_its_concurrency_and_delay(server: Any, keys: RunKeys) -> None:
    take, give_back = server.register_script(_TAKE), server.register_script(_GIVE_BACK)
    slot = [keys.slot("www.example.com", "holders"), keys.slot("www.example.com", "next")]
    assert take(keys=slot, args=["a", 0, 1, 10_000]) == 0
    assert take(keys=slot, args=["b", 0, 1, 10_000]) > 0  # concurrency 1: b waits for a
    give_back(keys=slot, args=["a", 0])
    assert take(keys=slot, args=["b", 0, 1, 10_000]) == 0
    give_back(keys=slot, args=["b", 500])
    wait = take(keys=slot, args=["c", 500, 1, 10_000])
    assert 400 < wait <= 500  # the delay counts from the end of b


def test_a_dead_workers_hold_on_a_slot_expires(server: Any, keys: RunKeys) -> None:
    take = server.register_script(_TAKE)
    slot = [keys.slot("www.example.com", "holders"), keys.slot("www.example.com", "next")]
    assert take(keys=slot, args=["dead", 0, 1, 50]) == 0
    time.sleep(0.1)
    assert take(keys=slot, args=["alive", 0, 1, 50]) == 0
