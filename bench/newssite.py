"""A generated news site for crawl benchmarks: article pages as heavy as real ones.

Each article page is 50-200 KB, most of it boilerplate, as on the sites we archive: a head of
inline styles and scripts, a header with navigation, a "most read" sidebar, the article (title,
byline, date, several paragraphs), a list of related links, and a footer of many links. Page
``n`` of seed ``s`` is always the same bytes. Article URLs are listed on a front page and in a
sitemap (one page per URL, so any number of articles is crawled without the per-listing cap).
"""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HOST = "bench.example"
WORDS = (
    "council harbour minister rainfall export bridge school festival railway province reservoir"
    " farmers budget election museum vaccine orchestra satellite ministry delegation cooperation"
    " agreement summit harvest industry workers committee development economy district official"
    " spokesman statement announced reported according visit talks exhibition season national"
    " the of and to in a for on with at by from that was were is are has have said will would"
).split()
_LINKED = 100_000  # related links point anywhere in this range (they are never followed)
SECTIONS = ("politics", "economy", "world", "society", "culture", "sport", "science", "opinion")


def site_config(pages: int, concurrency: int = 16) -> str:
    """The config of the site of ``pages`` articles: no delay (the server is ours),
    ``concurrency`` requests at once."""
    return f"""
name = "bench"
hosts = ["{HOST}"]
language = "en"
[politeness]
download_delay = 0
concurrency = {concurrency}
[start]
listings = ["http://{HOST}/"]
sitemaps = ["http://{HOST}/sitemap-{pages}.xml"]
[links]
articles = ['^http://bench\\.example/news/\\d+\\.html$']
listing_depth = 0
max_articles = 0
"""


def article_url(number: int) -> str:
    return f"http://{HOST}/news/{number}.html"


def _sentence(rng: random.Random, low: int = 8, high: int = 30) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


def _links(rng: random.Random, count: int, css: str) -> str:
    items = "".join(
        f'<li class="{css}__item"><a class="{css}__link" href="/news/{rng.randrange(_LINKED)}.html"'
        f' data-track="{css}-{i}">{_sentence(rng, 4, 10)}</a></li>'
        for i in range(count)
    )
    return f'<ul class="{css}">{items}</ul>'


def _boilerplate_script(rng: random.Random, size: int) -> str:
    """An inline script of about ``size`` bytes: analytics and ad configuration, as real pages
    carry (it is markup to the parser, text to no one)."""
    ids = rng.randbytes(size // 80 + 1).hex()
    sections = rng.choices(SECTIONS, k=len(ids) // 2 + 1)
    entries = ",".join(
        f'"slot_{ids[i:i + 8]}":{{"sizes":[[300,250],[728,90]],"targeting":"{section}-{i}",'
        f'"lazy":true}}' for i, section in zip(range(0, len(ids), 2), sections, strict=False)
    )
    return f'<script>window.__ADS__={{{entries}}};</script>'


def article(number: int, seed: int = 1) -> str:
    """Article page ``number``: the same whatever the size of the site."""
    rng = random.Random(seed * 1_000_003 + number)
    section = rng.choice(SECTIONS)
    title = _sentence(rng, 6, 14).rstrip(".")
    nav = "".join(f'<li class="nav__item"><a class="nav__link" href="/{s}/">{s.title()}</a></li>'
                  for s in SECTIONS)
    paragraphs = "".join(f"<p>{' '.join(_sentence(rng) for _ in range(rng.randint(3, 8)))}</p>"
                         for _ in range(rng.randint(6, 18)))
    style = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 2654435761 % 16**6:06x}}}"
                    for i in range(rng.randint(200, 600)))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Bench News'
        f'</title><meta name="description" content="{_sentence(rng)}">'
        f'<meta property="article:published_time" content="2026-0{1 + number % 9}-1{number % 10}'
        f'T0{number % 10}:00:00Z"><style>{style}</style>'
        f"{_boilerplate_script(rng, rng.randint(20_000, 110_000))}</head><body>"
        f'<header class="site-header"><a class="logo" href="/">Bench News</a>'
        f'<nav class="nav"><ul class="nav__list">{nav}</ul></nav>'
        f'<div class="ticker">{_links(rng, 12, "ticker")}</div></header>'
        f'<main class="layout"><aside class="most-read"><h2>Most read</h2>'
        f'{_links(rng, rng.randint(10, 25), "most-read")}</aside>'
        f'<article class="story"><h1 class="story__title">{title}</h1>'
        f'<div class="story__byline">By <span class="author">Reporter {number % 97}</span>'
        f' in <a href="/{section}/">{section.title()}</a></div>'
        f'<time datetime="2026-0{1 + number % 9}-1{number % 10}">{1 + number % 9}/1{number % 10}'
        f'/2026</time><div class="story__body">{paragraphs}</div></article>'
        f'<section class="related"><h2>Related</h2>{_links(rng, rng.randint(10, 30), "related")}'
        f'</section></main><footer class="site-footer">{_links(rng, rng.randint(40, 90), "footer")}'
        f"<p>&copy; 2026 Bench News. All rights reserved.</p></footer>"
        f"{_boilerplate_script(rng, rng.randint(2_000, 10_000))}</body></html>"
    )


def write_site(web: Path, pages: int, seed: int = 1) -> list[str]:
    """Write the site under ``web/<HOST>`` (the fixture server's layout) with ``sitemap-<pages>.xml``
    listing articles 0 to pages - 1, on every core; return their URLs. Pages written before with
    the same seed are kept, so sites of several sizes share one folder."""
    site = web / HOST
    urls = [article_url(n) for n in range(pages)]
    stamp = site / ".generated"  # "<pages written> <seed>"
    written, written_seed = map(int, stamp.read_text().split()) if stamp.exists() else (0, seed)
    start = written if written_seed == seed else 0
    (site / "news").mkdir(parents=True, exist_ok=True)
    front = "".join(f"<li><a href='/news/{n}.html'>Story {n}</a></li>" for n in range(min(pages, 50)))
    (site / "index.html").write_text(f"<html><body><ul>{front}</ul></body></html>")
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    (site / f"sitemap-{pages}.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>")
    if start < pages:
        with ProcessPoolExecutor() as pool:
            jobs = [(site, n, seed) for n in range(start, pages)]
            list(pool.map(_write_page, jobs, chunksize=64))
        stamp.write_text(f"{pages} {seed}")
    return urls


def _write_page(job: tuple[Path, int, int]) -> None:
    site, number, seed = job
    (site / "news" / f"{number}.html").write_text(article(number, seed))
