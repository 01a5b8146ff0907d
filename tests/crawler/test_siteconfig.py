"""Site configs are data: the built-in ones load, a user's file adds or overrides, errors are clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.siteconfig import SiteConfig, SiteConfigError, load_site, load_sites

MINIMAL = """
name = "example"
hosts = ["news.example.org"]
[start]
feeds = ["https://news.example.org/feed.xml"]
[links]
articles = ['^https://news\\.example\\.org/\\d{4}/[^/]+$']
"""


def test_builtin_sites_load() -> None:
    sites = load_sites()
    assert set(sites) == {"kcna", "chinadaily", "vietnamnews", "dw", "cgtn"}
    for site in sites.values():
        assert site.listings or site.feeds or site.sitemaps
        assert site.download_delay > 0 and site.concurrency >= 1


@pytest.mark.parametrize(
    ("site", "article", "not_article"),
    [
        ("kcna", "http://www.kcna.kp/en/article/q/0c5ea8f4b8b2d17f.kcmsf",
         "http://www.kcna.kp/en/category/articles/q/1ee9bdb7186944f765208f34ecfb5407.kcmsf"),
        ("kcna", "http://www.kcna.kp/en/article/detail/0123456789abcdef0123456789abcdef",
         "http://www.kcna.kp/en/article/detail/0123"),
        ("kcna", "http://www.kcna.kp/en/article/detail/5d0c7e21a94b4f3e8c6a2b19f07d3e58",
         "http://www.kcna.kp/en/article/list/6a47505ba5268fd7749c0fe11e4b24b4"),
        ("chinadaily", "https://www.chinadaily.com.cn/a/201903/01/WS5c78c0f5a3106c65c34ec3a0.html",
         "https://www.chinadaily.com.cn/world/asia_pacific"),
        ("vietnamnews", "https://vietnamnews.vn/politics-laws/503456/trump-tells-kim.html",
         "https://vietnamnews.vn/politics-laws"),
        ("dw", "https://www.dw.com/en/kim-trump-meet-in-vietnam/a-47712345",
         "https://www.dw.com/en/top-stories/s-9097"),
        ("cgtn", "https://news.cgtn.com/news/2019-03-01/Trump-Kim-summit-ends-Ei8Ag4ybS0/index.html",
         "https://www.cgtn.com/world"),
    ],
)
def test_article_patterns(site: str, article: str, not_article: str) -> None:
    config = load_sites()[site]
    assert config.is_article(article)
    assert not config.is_article(not_article)


def test_user_file_adds_a_site_without_code(tmp_path: Path) -> None:
    path = tmp_path / "example.toml"
    path.write_text(MINIMAL)
    sites = load_sites([path])
    assert "example" in sites and "kcna" in sites
    assert sites.for_url("https://news.example.org/2026/x").name == "example"  # type: ignore[union-attr]
    assert load_sites([tmp_path], ["example"]).keys() == {"example"}


def test_user_file_overrides_builtin(tmp_path: Path) -> None:
    path = tmp_path / "dw.toml"
    path.write_text(MINIMAL.replace('"example"', '"dw"'))
    assert load_sites([path])["dw"].hosts == ("news.example.org",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "example"', 'name = "Bad Name"'), "needs a name"),
        (("articles = [", "articles = []\nnothing = ["), "unknown key 'nothing' in \\[links\\]"),
        (("articles = [", "articles = []\n#"), "articles needs at least one pattern"),
        (("\\d{4}", "(unclosed"), "bad regular expression"),
        (("[start]", "[start]\nlistings = 3"), "must be a list of strings"),
        (('hosts = ["news.example.org"]', "hosts = []"), "at least one host"),
        (("[links]", "[extract]\nbodyy = ['x']\n[links]"),
         "unknown key 'bodyy' in \\[extract\\]; did you mean 'body'\\?"),
        (("[links]", "x = = 1\n[links]"), "not valid TOML"),
    ],
)
def test_bad_configs_say_what_is_wrong(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace(*change))
    with pytest.raises(SiteConfigError, match=message):
        load_site(path)


def test_unknown_site_name_lists_the_configured_ones() -> None:
    with pytest.raises(SiteConfigError, match=r"unknown site.*configured: cgtn, chinadaily"):
        load_sites(names=["nosuch"])


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="cannot read site config"):
        load_site(tmp_path / "missing.toml")


def test_kcna_starts_from_the_2026_listings_and_follows_their_pages() -> None:
    kcna = load_sites()["kcna"]
    ids = {"6a47505ba5268fd7749c0fe11e4b24b4", "a666dda1282180e0ee1b4427b0574ae7",
           "b0721b9f23054ddc7fe56c2811a12715"}
    assert set(kcna.listings) == {f"http://www.kcna.kp/en/article/list/{i}" for i in ids}
    assert kcna.is_listing("http://www.kcna.kp/en/article/list/6a47505ba5268fd7749c0fe11e4b24b4?page=2")
    assert not kcna.is_article("http://www.kcna.kp/en/article/list/6a47505ba5268fd7749c0fe11e4b24b4")


@pytest.mark.parametrize(
    ("addition", "key", "message"),
    [
        ('titel = "Example"', "titel", "unknown key 'titel' in the top level; did you mean 'title'?"),
        ("[politeness]\ndownload_dealy = 2", "download_dealy",
         "unknown key 'download_dealy' in [politeness]; did you mean 'download_delay'?"),
        ("[caps]\nsitemap = 5", "sitemap", "unknown key 'sitemap' in [caps]; did you mean 'sitemaps'?"),
        ("[caps]\nrequests = -1", "-1", "[caps] requests: -1 is not a whole number >= 0"),
        ('[caps]\nrequests = "10"', "'10'", "[caps] requests: '10' is not a whole number"),
        ("[politeness]\nconcurrency = 0", "0", "[politeness] concurrency: 0 is not >= 1"),
        ("[extract]\ntitle = ['h1[class']", "h1[class", "[extract] title: bad CSS selector 'h1[class'"),
        ("[extract]\ndrop = ['p:nosuchpseudo']", "p:nosuchpseudo", "[extract] drop: bad CSS selector"),
        ("[extract]\nauthors = ['.byline::text', 'a >> b']", "a >> b",
         "[extract] authors: bad CSS selector 'a >> b'"),
        ("[extract]\ndrop_text = ['(?P<x']", "(?P<x", "[extract] drop_text: bad regular expression"),
        ("[extract]\ndate_formats = ['(?P<day>\\d+)/(?P<month>\\d+)/(?P<yaer>\\d{4})']", "yaer",
         "[extract] date_formats: unknown group 'yaer'"),
        ("[extract]\ndate_formats = ['(?P<month_name>[A-Z][a-z]+) (?P<year>\\d{4})']", "month_name",
         "needs the groups 'day' and 'month' or 'month_name'"),
        ("[extract]\nauthor_pattern = '^By (?P<name>.+)$'", "author", "needs the named group 'author'"),
    ],
)
def test_every_key_selector_regex_and_date_group_is_checked(
    tmp_path: Path, addition: str, key: str, message: str
) -> None:
    """One line naming the file, the key and the bad value, before any crawl starts."""
    path = tmp_path / "bad.toml"
    top, _, rest = MINIMAL.partition("[start]")
    text = f"{top}{addition}\n[start]{rest}" if not addition.startswith("[") else MINIMAL + addition
    path.write_text(text)
    with pytest.raises(SiteConfigError) as caught:
        load_site(path)
    said = str(caught.value)
    assert said.startswith(f"{path}: "), said
    assert message in said and key in said, said
    assert "\n" not in said


def test_did_you_mean_names_the_date_group(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + "[extract]\ndate_formats = ['(?P<dya>\\d+)/(?P<month>\\d+)']\n")
    with pytest.raises(SiteConfigError, match="did you mean 'day'"):
        load_site(path)


def test_good_selectors_patterns_and_caps_load(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(MINIMAL + """
[caps]
sitemaps = 10
requests = 0
[extract]
title = ["h1.headline", "meta[property='og:title']"]
authors = [".byline::text"]
date_formats = ['(?P<day>\\d+)\\.(?P<month>\\d+)\\.(?P<juche>\\d+) (?P<hour>\\d+):(?P<minute>\\d+)']
author_pattern = '^By (?P<author>.+)$'
""")
    site = load_site(path)
    assert site.caps == {"sitemaps": 10, "requests": 0}
    assert site.ports == {80, 443}


def test_recheck_days_is_a_number_of_days_or_absent() -> None:
    base = {"name": "x", "hosts": ["x.example"], "start": {"listings": ["https://x.example/"]},
            "links": {"articles": ["^https://x\\.example/a/"]}}
    assert SiteConfig.from_mapping(base).recheck_days is None
    assert SiteConfig.from_mapping(
        {**base, "links": {**base["links"], "recheck_days": 7}}).recheck_days == 7.0
    for bad in (-1, "7", True):
        with pytest.raises(SiteConfigError, match="recheck_days"):
            SiteConfig.from_mapping({**base, "links": {**base["links"], "recheck_days": bad}})
