"""Scrapy's robots.txt middleware, with every request that waited for robots.txt given its rules.

Since Scrapy 2.13 (scrapy/scrapy#6802, "Refactor RobotsTxtMiddleware to use async def
process_request()", https://github.com/scrapy/scrapy/pull/6802) the requests that wait for a
host's robots.txt while it downloads all await one shared Deferred through
``maybe_deferred_to_future``; turning a Deferred into a future consumes its result, so the second
waiter gets the rules and every later one gets ``None`` and is let through unchecked. With
concurrent requests to a new host, robots.txt is ignored for most of them. The parsed rules are
kept in ``_parsers`` all the same, so a waiter that got nothing reads them from there.

Before 2.13 every waiter had a Deferred of its own, and this class changes nothing there.
``tests/crawler/test_robots.py`` checks that the Scrapy in use still has the bug: when upstream
fixes it, that test fails, and this class can go.
"""

from __future__ import annotations

import scrapy
from packaging.version import Version
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

SHARED_DEFERRED_SINCE = Version("2.13")
AFFECTED = Version(scrapy.__version__) >= SHARED_DEFERRED_SINCE


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is not None or not AFFECTED:
            return parser
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return None if isinstance(stored, Deferred) else stored
