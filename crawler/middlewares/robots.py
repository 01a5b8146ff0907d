"""Scrapy's robots.txt middleware, with every waiting request given the parsed rules.

In Scrapy 2.19 the requests that wait for a host's robots.txt while it downloads share one
Deferred; the first waiter's callback consumes its result, so the others get ``None`` and are let
through unchecked. With concurrent requests to a new host that means robots.txt is ignored for
most of them. The parsed rules are kept in ``_parsers`` anyway, so read them from there.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return parser if stored is None or isinstance(stored, Deferred) else stored
