"""The wiring of a crawl, in one place: a Scrapy add-on (``ADDONS``).

It loads the site registry once, before any component is built, and puts it in the settings
(``NEWSARCHIVE_SITE_REGISTRY``) where the spider, the pipelines and the report find it; it turns
each site's politeness into a download slot per host, and names the run when nobody did. The
application may hand it a registry it already loaded (to fail early on a bad config); ``scrapy
crawl news`` gets one loaded from ``NEWSARCHIVE_SITES_FILES`` and ``NEWSARCHIVE_SITES``.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings, Settings

from crawler.siteconfig import SiteRegistry
from model.layout import new_run_id

REGISTRY_SETTING = "NEWSARCHIVE_SITE_REGISTRY"


class NewsArchiveAddon:
    def update_settings(self, settings: Settings) -> None:
        registry = settings.get(REGISTRY_SETTING)
        if not isinstance(registry, SiteRegistry):
            registry = SiteRegistry.load(
                settings.getlist("NEWSARCHIVE_SITES_FILES"), settings.getlist("NEWSARCHIVE_SITES")
            )
            _fill_in(settings, REGISTRY_SETTING, registry)
        _fill_in(settings, "DOWNLOAD_SLOTS", _download_slots(settings, registry))
        if settings.get("HTTP_FROM"):
            headers = {**settings.getdict("DEFAULT_REQUEST_HEADERS"), "From": settings["HTTP_FROM"]}
            _fill_in(settings, "DEFAULT_REQUEST_HEADERS", headers)
        if not settings.get("NEWSARCHIVE_RUN_ID"):
            _fill_in(settings, "NEWSARCHIVE_RUN_ID", new_run_id())


def site_registry(crawler: Crawler) -> SiteRegistry:
    """The run's sites, as the add-on loaded them."""
    registry = crawler.settings.get(REGISTRY_SETTING)
    if not isinstance(registry, SiteRegistry):
        raise NotConfigured("no site registry: enable crawler.addon.NewsArchiveAddon in ADDONS")
    return registry


def _fill_in(settings: Settings, name: str, value: object) -> None:
    """Set a value the add-on computed from the settings themselves (so it wins over the empty
    default in crawler/settings.py, which has project priority, above the add-ons')."""
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
    settings.set(name, value, priority=priority)


def _download_slots(settings: BaseSettings, registry: SiteRegistry) -> dict[str, dict[str, float]]:
    """Per-host politeness as Scrapy download slots; slots set by hand win."""
    scale = settings.getfloat("NEWSARCHIVE_DELAY_SCALE", 1.0)
    slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
    for site in registry.values():
        for host in site.hosts:
            slots.setdefault(
                host, {"concurrency": site.concurrency, "delay": site.download_delay * scale}
            )
    return slots
