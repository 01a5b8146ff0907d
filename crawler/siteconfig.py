"""Site configs: one TOML file per site, loaded into :class:`SiteConfig`.

A site is data. The generic spider reads start URLs and link patterns from here, the downloader
its politeness, and the extractor its :class:`~pipelines.rules.ExtractionRules`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from w3lib.url import url_query_cleaner

from pipelines.rules import ExtractionRules, RulesError

BUILTIN_DIR = Path(__file__).parent / "sites"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# The keys each table may hold; anything else is a typo, refused with a suggestion.
_TOP_KEYS = ("name", "title", "hosts", "language", "timezone", "politeness", "start", "links",
             "extract", "caps")
_TABLE_KEYS = {
    "politeness": ("download_delay", "concurrency"),
    "start": ("listings", "feeds", "sitemaps"),
    "links": ("articles", "listings", "listing_depth", "max_articles", "strip_params",
              "recheck_days"),
    # Per-site caps; each overrides the setting NEWSARCHIVE_MAX_<KEY> unless -s set that.
    "caps": ("sitemaps", "sitemap_depth", "links_per_listing", "requests"),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


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
    caps: Mapping[str, int] = field(default_factory=dict)  # [caps] as written; unset: settings
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

    @property
    def ports(self) -> frozenset[int]:
        """The ports the site may be fetched on: 80, 443 and any its start URLs name."""
        ports = set(_DEFAULT_PORTS.values())
        for url in (*self.listings, *self.feeds, *self.sitemaps):
            parts = urlsplit(url)
            ports.add(parts.port or _DEFAULT_PORTS.get(parts.scheme, 80))
        return frozenset(ports)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: Path | None = None) -> SiteConfig:
        """Build and check a site: every key, selector, regex and date group is validated here,
        before any crawl starts; an error is one line naming the file, the key and the value."""
        where = f"{source}: " if source else ""
        try:
            return cls._from_mapping(data, source)
        except SiteConfigError as exc:
            raise SiteConfigError(f"{where}{exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise SiteConfigError(f"{where}bad site config: {exc}") from exc

    @classmethod
    def _from_mapping(cls, data: Mapping[str, Any], source: Path | None) -> SiteConfig:
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SiteConfigError(
                f"site config {source or ''} needs a name of lowercase letters, digits, - or _;"
                f" got {name!r}"
            )
        _check_keys(data, _TOP_KEYS, "the top level")
        start, links, polite, caps = (_table(data, t) for t in ("start", "links", "politeness",
                                                                "caps"))
        hosts = tuple(h.lower() for h in _list(data, "hosts"))
        if not hosts:
            raise SiteConfigError(f"site {name!r}: 'hosts' must list at least one host name")
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
        delay = polite.get("download_delay", 1.0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise SiteConfigError(
                f"[politeness] download_delay: {delay!r} is not a number of seconds >= 0")
        concurrency = _count(polite, "politeness", "concurrency", 1)
        if concurrency < 1:
            raise SiteConfigError(f"[politeness] concurrency: {concurrency!r} is not >= 1")
        return cls(
            name=name,
            title=str(data.get("title", name)),
            hosts=hosts,
            language=data.get("language"),
            timezone=data.get("timezone"),
            download_delay=float(delay),
            concurrency=concurrency,
            listings=listings,
            feeds=feeds,
            sitemaps=sitemaps,
            article_patterns=articles,
            listing_patterns=tuple(
                _compile(p, name, "links.listings") for p in _list(links, "listings")
            ),
            listing_depth=_count(links, "links", "listing_depth", 1),
            max_articles=_count(links, "links", "max_articles", 0),
            strip_params=_list(links, "strip_params"),
            rules=rules,
            caps={key: _count(caps, "caps", key, 0) for key in caps},
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


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, Mapping):
        raise SiteConfigError(f"[{name}] must be a table, got {table!r}")
    _check_keys(table, _TABLE_KEYS[name], f"[{name}]")
    return table


def _check_keys(table: Mapping[str, Any], known: Sequence[str], where: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            raise SiteConfigError(f"unknown key {key!r} in {where}; {hint}")


def _count(table: Mapping[str, Any], section: str, key: str, default: int) -> int:
    """A whole number >= 0 (TOML integers only: "3" and 3.0 are refused)."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SiteConfigError(f"[{section}] {key}: {value!r} is not a whole number >= 0")
    return value
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
