"""Site configs: one TOML file per site, loaded into :class:`SiteConfig`.

A site is data. The generic spider reads start URLs and link patterns from here, the downloader
its politeness, and the extractor its :class:`~pipelines.rules.ExtractionRules`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from w3lib.url import url_query_cleaner

from pipelines.rules import ExtractionRules, RulesError

BUILTIN_DIR = Path(__file__).parent / "sites"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SiteConfigError(ValueError):
    """A site config file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class SiteConfig:
    name: str
    title: str
    hosts: tuple[str, ...]
    language: str | None
    timezone: str | None
    download_delay: float
    concurrency: int
    listings: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    listing_patterns: tuple[re.Pattern[str], ...]
    listing_depth: int
    max_articles: int
    strip_params: tuple[str, ...]
    rules: ExtractionRules
    source: Path | None = None
    recheck_days: float | None = None  # re-check archived articles this often; None: never

    def clean_url(self, url: str) -> str:
        """The URL without its fragment and the site's tracking parameters."""
        url = urldefrag(url)[0]
        if self.strip_params and "?" in url:
            url = url_query_cleaner(url, self.strip_params, remove=True, keep_fragments=False)
        return url

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_patterns)

    def is_listing(self, url: str) -> bool:
        return any(p.search(url) for p in self.listing_patterns)

    def owns(self, url: str) -> bool:
        """True if the URL's host is one of the site's hosts."""
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: Path | None = None) -> SiteConfig:
        where = f" in {source}" if source else ""
        try:
            return cls._from_mapping(data, source)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, SiteConfigError):
                raise
            raise SiteConfigError(f"bad site config{where}: {exc}") from exc

    @classmethod
    def _from_mapping(cls, data: Mapping[str, Any], source: Path | None) -> SiteConfig:
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SiteConfigError(
                f"site config {source or ''} needs a name of lowercase letters, digits, - or _;"
                f" got {name!r}"
            )
        hosts = tuple(h.lower() for h in _list(data, "hosts"))
        if not hosts:
            raise SiteConfigError(f"site {name!r}: 'hosts' must list at least one host name")
        start = data.get("start", {})
        links = data.get("links", {})
        polite = data.get("politeness", {})
        listings, feeds, sitemaps = (_list(start, k) for k in ("listings", "feeds", "sitemaps"))
        if not (listings or feeds or sitemaps):
            raise SiteConfigError(f"site {name!r}: [start] has no listings, feeds or sitemaps")
        articles = tuple(_compile(p, name, "links.articles") for p in _list(links, "articles"))
        if not articles:
            raise SiteConfigError(f"site {name!r}: [links] articles needs at least one pattern")
        try:
            rules = ExtractionRules.from_mapping(
                data.get("extract", {}), site=name, language=data.get("language"),
                tz=data.get("timezone"),
            )
        except RulesError as exc:
            raise SiteConfigError(f"site {name!r}: {exc}") from exc
        delay = float(polite.get("download_delay", 1.0))
        concurrency = int(polite.get("concurrency", 1))
        if delay < 0 or concurrency < 1:
            raise SiteConfigError(f"site {name!r}: politeness needs delay >= 0 and concurrency >= 1")
        return cls(
            name=name,
            title=str(data.get("title", name)),
            hosts=hosts,
            language=data.get("language"),
            timezone=data.get("timezone"),
            download_delay=delay,
            concurrency=concurrency,
            listings=listings,
            feeds=feeds,
            sitemaps=sitemaps,
            article_patterns=articles,
            listing_patterns=tuple(
                _compile(p, name, "links.listings") for p in _list(links, "listings")
            ),
            listing_depth=int(links.get("listing_depth", 1)),
            max_articles=int(links.get("max_articles", 0)),
            strip_params=_list(links, "strip_params"),
            rules=rules,
            source=source,
            recheck_days=_recheck_days(name, links.get("recheck_days")),
        )


def load_site(path: Path) -> SiteConfig:
    """Load one site config file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise SiteConfigError(f"cannot read site config {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"site config {path} is not valid TOML: {exc}") from exc
    return SiteConfig.from_mapping(data, source=path)


class SiteRegistry(Mapping[str, SiteConfig]):
    """The configured sites by name, loaded once per run and handed to whatever needs them."""

    def __init__(self, sites: Iterable[SiteConfig]) -> None:
        self._sites = {site.name: site for site in sites}

    @classmethod
    def load(cls, files: Iterable[str | Path] = (), names: Sequence[str] = ()) -> SiteRegistry:
        """The built-in sites plus those in ``files`` (a file or a directory of ``*.toml``).

        A user's file overrides a built-in site of the same name. ``names`` picks a subset.
        """
        sites = {s.name: s for s in map(load_site, sorted(BUILTIN_DIR.glob("*.toml")))}
        for item in files:
            path = Path(item)
            paths = sorted(path.glob("*.toml")) if path.is_dir() else [path]
            for site in map(load_site, paths):
                sites[site.name] = site
        if names:
            unknown = [n for n in names if n not in sites]
            if unknown:
                raise SiteConfigError(
                    f"unknown site(s) {', '.join(unknown)}; configured: {', '.join(sorted(sites))}"
                )
            return cls(sites[n] for n in names)
        return cls(sites.values())

    def __getitem__(self, name: str) -> SiteConfig:
        return self._sites[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sites)

    def __len__(self) -> int:
        return len(self._sites)

    @property
    def hosts(self) -> list[str]:
        """Every host of every site, sorted."""
        return sorted({host for site in self._sites.values() for host in site.hosts})

    def for_url(self, url: str) -> SiteConfig | None:
        """The site whose hosts include the URL's host, if any."""
        return next((s for s in self._sites.values() if s.owns(url)), None)


def load_sites(files: Iterable[str | Path] = (), names: Sequence[str] = ()) -> SiteRegistry:
    """:meth:`SiteRegistry.load`."""
    return SiteRegistry.load(files, names)


def _list(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SiteConfigError(f"{key} must be a list of strings, got {value!r}")
    return tuple(value)


def _recheck_days(site: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SiteConfigError(f"site {site!r}: links.recheck_days must be a number of days >= 0,"
                              f" got {value!r}")
    return float(value)


def _compile(pattern: str, site: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise SiteConfigError(f"site {site!r}: {key}: bad regular expression {pattern!r}: {exc}") from exc
