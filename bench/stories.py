"""Story threads: the cost of assigning one night against the archive's size, and B-cubed
precision and recall of the threads on the fixture articles (and on the synthetic night).

    .venv/bin/python bench/stories.py [WEB_ROOT] [--archive 100000] [--night 1000]
                                      [--assign-archive]

WEB_ROOT is the fixture web root (default ``tests/fixtures/web``); the story pages of
``tests/fixtures/story_pages.py`` are added to a copy of it. The synthetic archive is made of
articles from varied templates (stories of 1 to 8 articles across the five sites over up to three
days, about 300 a day), inserted into a catalog, no crawl.

How the archive is built (:func:`archived`): every article goes into ``versions`` (and its
full-text index) as a crawl would put it; its thread is its true story (the threads a perfect
assignment would make), named as assignment names them (after the first article), and the
story tables get, in one transaction, exactly the rows :class:`~archive.threads.Threads` leaves
for that grouping: each article's salient terms by the IDF of its own day (document frequencies
counted article by article, in order), summed into its thread's terms with the thread's
heaviest :data:`~archive.story_store.CENTRE_TERMS` kept after every join, the threads' days,
sizes and first titles, the members, each article's LSH band keys (MinHash signatures from
datasketch's ``MinHash.generator``, the same values :func:`archive.stories.signature` gives),
quotes, the document frequencies and count. Copies are not looked for (the templates make
none). ``--assign-archive`` builds it through real assignment instead (slow: 20-200
articles/s), to check the bulk archive against it at a small size.

One night of new articles is then assigned through the real code path (``Threads.assign``, one
article at a time) into it, and the same night into an archive of only its last five days, built
the same way (as many threads active around the night, far fewer archived): the ratio of the two
is the figure (near 1: a night's cost does not grow with the archive).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datasketch import MinHash

from archive import stories as features
from archive.attribution import quotes
from archive.catalog import Catalog
from archive.story_store import CENTRE_TERMS, StoryStore
from archive.threads import Threads, article_day, story_id

SITES = ("kcna", "chinadaily", "vietnamnews", "dw", "cgtn")
PLACES = ("Hanoi", "Beijing", "Pyongyang", "Berlin", "Jakarta", "Manila", "Bangkok", "Seoul",
          "Tokyo", "Delhi", "Dhaka", "Colombo", "Vientiane", "Phnom Penh", "Yangon", "Kabul",
          "Ulaanbaatar", "Canberra", "Wellington", "Singapore", "Kuala Lumpur", "Taipei")
PEOPLE = ("Li Wei", "Nguyen Van An", "Kim Chol", "Anna Schmidt", "Rahul Mehta", "Siti Rahma",
          "John Carter", "Maria Santos", "Tanaka Hiroshi", "Ahmed Karim", "Olga Petrova")
TOPICS = (("flood", "rain", "rescue", "evacuated", "river"), ("election", "vote", "ballot",
          "candidates", "turnout"), ("trade", "tariff", "exports", "agreement", "ministers"),
          ("earthquake", "magnitude", "aftershock", "collapsed", "rescuers"),
          ("festival", "visitors", "exhibition", "artists", "stage"), ("railway", "bridge",
          "construction", "tunnel", "engineers"), ("harvest", "rice", "farmers", "drought",
          "irrigation"), ("summit", "leaders", "talks", "declaration", "delegation"),
          ("vaccine", "hospital", "patients", "clinic", "doctors"), ("satellite", "launch",
          "rocket", "orbit", "scientists"))
SENTENCES = (
    "{place} officials said the {a} affected {n} districts on {weekday}.",
    "{person} told reporters in {place} that the {b} would continue for {n} days.",
    "The {c} drew attention across the region as {place} prepared for more {d}.",
    "According to local media, {n} people were involved in the {a} near {place}.",
    "{person}, who leads the {e} committee, called the {b} a turning point for {place}.",
    "Residents of {place} described the {c} as the largest in {n} years.",
    "The government of {place} will review the {d} next month, {person} said.",
    "Observers expect the {e} to shape policy in {place} and beyond.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


SYLLABLES = ("ka", "lo", "mi", "ren", "to", "sa", "vu", "dan", "pe", "gor", "li", "an", "shu",
             "ber", "ta", "no", "qui", "zel", "ha", "mo", "ri", "fen", "do", "wa")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic(count: int, start: date, per_day: int, seed: int) -> list[dict[str, Any]]:
    """``count`` articles in stories: each story a topic, two places and a person, told by 1-8
    articles of random sites over up to three days, each article its own choice of sentences."""
    rng = random.Random(seed)
    articles: list[dict[str, Any]] = []
    story = 0
    while len(articles) < count:
        story += 1
        # the story's own names and words, as real stories have: made-up, from syllables
        topic = tuple(rng.sample(TOPICS[rng.randrange(len(TOPICS))], 3)) + tuple(
            _word(rng) for _ in range(2))
        places = [rng.choice(PLACES), _word(rng).title()]
        person = f"{_word(rng).title()} {_word(rng).title()}"
        day = start + timedelta(days=len(articles) // per_day)
        for n in range(min(rng.randint(1, 8), count - len(articles))):
            words = dict(zip("abcde", rng.sample(topic, 5), strict=True))
            lines = [rng.choice(SENTENCES).format(
                place=rng.choice(places), person=person, n=rng.randint(2, 900),
                weekday=rng.choice(WEEKDAYS), **words) for _ in range(rng.randint(5, 9))]
            published = day + timedelta(days=rng.randint(0, 2))
            url = f"https://{rng.choice(SITES)}.example/{seed}/{story}/{n}"
            articles.append({
                "url": url, "site": url.split("//")[1].split(".")[0],
                "title": f"{topic[0].title()} in {places[0]}: {person} {words['b']}",
                "text": " ".join(lines), "published": published.isoformat(),
                "fetched": published.isoformat() + "T02:00:00+00:00", "sha256": url,
                "label": f"{seed}-{story}"})
    return articles


def fill(catalog: Catalog, articles: list[dict[str, Any]]) -> tuple[float, dict[str, str]]:
    """Add and assign ``articles``; the seconds it took and each URL's thread."""
    threads = Threads(StoryStore(catalog.connection))
    began = time.perf_counter()
    stories = {}
    with catalog.transaction():
        for article in articles:
            catalog.add_version(article, "bench")
            stories[article["url"]] = threads.assign(article).story
    return time.perf_counter() - began, stories


def archived(catalog: Catalog, articles: list[dict[str, Any]]) -> float:
    """Add ``articles`` to the catalog and their true stories to the story tables, in the rows
    assignment leaves (see the module's docstring); the seconds it took."""
    began = time.perf_counter()
    store = StoryStore(catalog.connection)
    df: defaultdict[str, int] = defaultdict(int)
    threads: dict[str, list[Any]] = {}  # label -> [id, first, last, size, title, terms]
    members, bands = [], []
    shingles = [features.shingles(a["text"]) for a in articles]
    signatures = MinHash.generator(
        ([s.to_bytes(8, "big", signed=True) for s in shingle_set] for shingle_set in shingles),
        num_perm=features.PERMUTATIONS, seed=1, scheme=features.MINHASH_SCHEME)
    with catalog.transaction():
        for documents, (article, signature) in enumerate(zip(articles, signatures, strict=True), 1):
            catalog.add_version(article, "bench")
            url, day = article["url"], article_day(article)
            counts = features.term_counts(article["title"], article["text"])
            for term in counts:
                df[term] += 1
            terms = features.salient(counts, {t: features.idf(df[t], documents) for t in counts})
            thread = threads.setdefault(
                article["label"], [story_id(url), day, day, 0, article["title"], {}])
            thread[1], thread[2], thread[3] = min(thread[1], day), max(thread[2], day), thread[3] + 1
            kept = thread[5]
            for term, weight in terms.items():
                kept[term] = kept.get(term, 0.0) + weight
            thread[5] = dict(sorted(kept.items(), key=lambda tw: (-tw[1], tw[0]))[:CENTRE_TERMS])
            members.append((url, thread[0], article["site"], day, "2026-12-01T02:00:00+00:00"))
            bands += [(band, key, url) for band, key in features.band_keys(signature)]
            for quote in quotes(article["text"], article["site"]):
                store.add_quote(url, quote.outlet, quote.site, quote.sentence)
    store.load((tuple(t) for t in threads.values()), members, bands, df, len(articles))
    return time.perf_counter() - began


def bcubed(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float]:
    """B-cubed precision and recall of the clustering ``found`` against ``truth``."""
    by_truth, by_found = defaultdict(set), defaultdict(set)
    for item in truth:
        by_truth[truth[item]].add(item)
        by_found[found[item]].add(item)
    precision = recall = 0.0
    for item in truth:
        same = by_truth[truth[item]] & by_found[found[item]]
        precision += len(same) / len(by_found[found[item]])
        recall += len(same) / len(by_truth[truth[item]])
    return precision / len(truth), recall / len(truth)


def fixture_set(web_root: Path, work: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The fixture articles (the sites' expected ones and the story pages), extracted and
    assigned in order; their true and found threads."""
    import json

    from crawler.siteconfig import load_sites
    from pipelines.extraction import extract
    from tests.fixtures import story_pages

    web = work / "web"
    shutil.copytree(web_root, web)
    story_pages.install(story_pages.NIGHT_1 + story_pages.NIGHT_2, web)
    sites = load_sites([])
    pages = []
    for site in SITES:
        expected = json.loads((web_root.parent / "expected" / f"{site}.json").read_text("utf-8"))
        pages += [(a["url"], site, a["title"]) for a in expected["articles"]]  # one story each
    pages += [(p.url, p.site, p.story) for p in story_pages.NIGHT_1 + story_pages.NIGHT_2]
    articles, truth = [], {}
    for url, site, label in pages:
        path = web / url.split("://", 1)[1]
        article = extract(url, (path / "index.html" if path.is_dir() else path).read_bytes(),
                          rules=sites[site].rules)
        article.site, article.fetched = site, "2026-12-01T02:00:00+00:00"
        articles.append(article.to_dict())
        truth[url] = label
    catalog = Catalog.open(work / "fixtures.sqlite")
    _, found = fill(catalog, articles)
    catalog.close()
    return truth, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("web_root", nargs="?", type=Path, default=Path("tests/fixtures/web"))
    parser.add_argument("--archive", type=int, default=100_000, help="synthetic archived articles")
    parser.add_argument("--night", type=int, default=1_000, help="articles in the timed night")
    parser.add_argument("--assign-archive", action="store_true",
                        help="build the archive through real assignment (slow)")
    args = parser.parse_args()
    if not args.web_root.is_dir():
        parser.error(f"{args.web_root} is not a directory")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        truth, found = fixture_set(args.web_root, work)
        p, r = bcubed(truth, found)
        print(f"fixture set: {len(truth)} articles, {len(set(truth.values()))} true stories,"
              f" {len(set(found.values()))} threads; B-cubed precision {p:.3f}, recall {r:.3f}"
              " (thresholds tuned on this set)")
        per_day = 300
        start = date(2020, 1, 1)
        history = synthetic(args.archive, start, per_day, seed=1)
        night_day = start + timedelta(days=args.archive // per_day + 1)
        night = synthetic(args.night, night_day, args.night, seed=2)
        big = Catalog.open(work / "big.sqlite")
        if args.assign_archive:
            built, stories = fill(big, history)
            p, r = bcubed({a["url"]: a["label"] for a in history}, stories)
            print(f"synthetic archive: B-cubed precision {p:.3f}, recall {r:.3f}")
        else:
            built = archived(big, history)
        print(f"synthetic archive: {len(history)} articles built in {built:.1f} s"
              f" ({'assigned' if args.assign_archive else 'bulk, true stories'})")
        big_night, found = fill(big, night)
        big.close()
        p, r = bcubed({a["url"]: a["label"] for a in night}, found)
        print(f"synthetic night: B-cubed precision {p:.3f}, recall {r:.3f}")
        # the baseline: an archive of the same density around the night, but only its last
        # days (as many threads are active in the window; only the archive's size differs)
        small = Catalog.open(work / "small.sqlite")
        if args.assign_archive:
            fill(small, history[-per_day * 5:])
        else:
            archived(small, history[-per_day * 5:])
        small_night, _ = fill(small, night)
        small.close()
        print(f"one night of {len(night)} articles: {big_night:.2f} s into {len(history)}"
              f" archived, {small_night:.2f} s into {min(len(history), per_day * 5)} archived"
              " (baseline: its last five days);"
              f" ratio {big_night / small_night:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
