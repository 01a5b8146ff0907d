"""The add-on wires a crawl: one site registry for every component, slots, a run id."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.addon import REGISTRY_SETTING, site_registry
from crawler.siteconfig import SiteRegistry
from crawler.spiders.news import NewsSpider


def _settings(**overrides: object) -> dict[str, object]:
    """The project's settings module (not Scrapy's defaults, which get_crawler chooses)."""
    own = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return {**own, **overrides}


def test_the_registry_is_loaded_once_and_shared() -> None:
    crawler = get_crawler(NewsSpider, _settings(NEWSARCHIVE_SITES=["dw", "kcna"],
                                                NEWSARCHIVE_DELAY_SCALE=0.5))
    registry = site_registry(crawler)
    assert sorted(registry) == ["dw", "kcna"]
    spider = crawler._create_spider()
    assert spider.sites is registry
    assert spider.allowed_domains == registry.hosts
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    dw = registry["dw"]
    assert slots[dw.hosts[0]] == {"concurrency": dw.concurrency, "delay": dw.download_delay * 0.5}
    assert crawler.settings["NEWSARCHIVE_RUN_ID"]  # named, since nobody named it


def test_a_registry_handed_in_is_used_as_it_is() -> None:
    registry = SiteRegistry.load(names=["cgtn"])
    crawler = get_crawler(NewsSpider, _settings(**{REGISTRY_SETTING: registry,
                                                   "NEWSARCHIVE_RUN_ID": "night-7"}))
    assert list(site_registry(crawler)) == ["cgtn"]
    assert crawler.settings["NEWSARCHIVE_RUN_ID"] == "night-7"
