"""A resolver for crawl tests (``-s TWISTED_DNS_RESOLVER=tests.crawler._resolver.FixtureResolver``):
``*.test`` names are 127.0.0.1 (the fixture server), every other name fails to resolve, and no
lookup leaves the machine. Each lookup is appended to the file ``$NEWSARCHIVE_TEST_DNS_LOG``."""

from __future__ import annotations

import os
from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError


class FixtureResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        log = os.environ.get("NEWSARCHIVE_TEST_DNS_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(name + "\n")
        if name.endswith(".test"):
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"{name} (the test resolver knows only *.test)"))
