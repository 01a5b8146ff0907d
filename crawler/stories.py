"""The story stage of the item pipeline: which story thread an article belongs to.

Between the version stage and the outputs, so that ``articles.jsonl``, the WARC's metadata
record and the catalog all carry the article's ``story``. Each article is assigned as it comes
(:class:`archive.threads.Threads`): a night's cost is its own articles', whatever the archive's
size. Stats: ``stories/assigned``, ``stories/opened`` (threads opened), ``stories/copies``,
``stories/failed``.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from archive import stories
from archive.story_store import StoryStore
from archive.threads import STALE_BANDS, Threads, band_keys_current
from crawler.extensions.catalog import CatalogExtension
from model.article import Article

logger = logging.getLogger(__name__)


class StoryPipeline:
    def __init__(self, threads: Threads, stats: StatsCollector) -> None:
        self.threads = threads
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoryPipeline:
        if not crawler.settings.getbool("STORIES_ENABLED"):
            raise NotConfigured("STORIES_ENABLED is off")
        catalog = CatalogExtension.catalog_of(crawler)
        store = StoryStore(catalog.connection)
        assert crawler.stats is not None
        window = crawler.settings.getint("STORIES_WINDOW_DAYS")
        # The LSH band layout (datasketch integrates for it: a second or more) and the MinHash
        # permutations are made now, before the crawl: not in the reactor thread mid-crawl,
        # where a shared crawl's lease heartbeat would wait behind them.
        stories.prepare()
        if not band_keys_current(store):
            crawler.stats.set_value("stories/stale_band_keys", True)
            logger.warning(STALE_BANDS.format(catalog.path))
        return cls(Threads(store, window_days=window), crawler.stats)

    def places(self, url: str) -> bool:
        """Whether an article of ``url`` would be placed (its text features are needed): not
        when the URL is in a thread already, as a changed text keeps its URL's thread."""
        try:
            return self.threads.store.story_of(url) is None
        except sqlite3.Error:
            return True  # assign() meets the same error, counts it and logs it

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        features, item.story_features = item.story_features, None  # not carried further
        try:
            assignment = self.threads.assign(item.to_dict(), features=features)
        except sqlite3.Error as exc:  # the article is still archived, without a thread
            self.stats.inc_value("stories/failed")
            logger.error("could not assign %s to a story: %s", item.url, exc)
            return item
        item.story = assignment.story
        if assignment.new:
            self.stats.inc_value("stories/assigned")
            self.stats.inc_value("stories/opened", int(assignment.opened))
            self.stats.inc_value("stories/copies", len(assignment.copies))
        return item
