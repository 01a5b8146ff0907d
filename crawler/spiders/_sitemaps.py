"""A site's sitemaps still to fetch: capped in number and nesting depth, fetched a few at a time.

A sitemap index may list 50,000 sitemaps, and a hostile one far more. The spider does not hand
them all to the scheduler, where the downloader would take a batch at a time and keep fetching
them after the site's ``max_articles`` is reached: it keeps them here, in order, and asks for the
next one only when one of the site's sitemaps has been read (or failed), so discovery stops as
soon as the site has its articles.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass
class SitemapFrontier:
    limit: int  # sitemaps accepted per run; 0: no limit
    max_depth: int  # nesting below a start sitemap; 0: no limit
    width: int = 1  # sitemaps in flight at once
    queue: deque[tuple[str, int]] = field(default_factory=deque)
    seen: set[str] = field(default_factory=set)
    in_flight: int = 0

    def add(self, urls: Iterable[str], depth: int) -> dict[str, int]:
        """Queue sitemaps found at ``depth``; the counts of those refused, by cap."""
        refused = {"max_sitemaps": 0, "max_sitemap_depth": 0}
        for url in urls:
            if url in self.seen:
                continue
            if self.max_depth and depth > self.max_depth:
                refused["max_sitemap_depth"] += 1
            elif self.limit and len(self.seen) >= self.limit:
                refused["max_sitemaps"] += 1
            else:
                self.seen.add(url)
                self.queue.append((url, depth))
        return refused

    def take(self) -> Iterator[tuple[str, int]]:
        """The sitemaps to fetch now: as many as leave ``width`` in flight."""
        while self.queue and self.in_flight < self.width:
            self.in_flight += 1
            yield self.queue.popleft()

    def done(self) -> None:
        """One sitemap read or failed."""
        self.in_flight = max(0, self.in_flight - 1)

    def drop(self) -> int:
        """Forget the queue (the site has its articles); how many were dropped."""
        dropped = len(self.queue)
        self.queue.clear()
        return dropped
