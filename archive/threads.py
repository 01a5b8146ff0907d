"""Assigning articles to story threads, one at a time, as nights bring them.

An article that copies an earlier one (or that an earlier-archived one turns out to copy) joins
that article's thread; any other joins the active thread whose terms are closest, if close
enough (:data:`~archive.stories.JOIN_SIMILARITY`), or opens a thread of its own. Active: the
thread's days come within :data:`~archive.stories.WINDOW_DAYS` of the article's. Nothing already
assigned is touched again (a changed text keeps its URL's thread), so a night never reclusters
the archive; each step is an indexed look-up by the article's own terms and band keys
(:mod:`archive.story_store`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from archive import stories
from archive.attribution import Quote, quotes
from archive.story_store import StoryStore

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class TextFeatures:
    """What placing an article needs from its own title and text, before the catalog is asked:
    computed anywhere (in an extraction worker, off the crawl's busy process)."""

    features: stories.Features
    quotes: list[Quote]


def text_features(title: str | None, text: str, site: str | None) -> TextFeatures:
    return TextFeatures(stories.features(title, text), quotes(text, site))


@dataclass
class Assignment:
    story: str
    new: bool  # the article was not in a thread before
    opened: bool = False  # ... and opened a thread of its own
    copies: list[tuple[str, str, float]] = field(default_factory=list)  # (copy, original, share)


def article_day(article: Mapping[str, Any]) -> str:
    """The day an article tells of: its publication date, else the day it was fetched."""
    for key in ("published", "fetched"):
        value = str(article.get(key) or "")
        if _DAY.match(value):
            return value[:10]
    return "0000-00-00"


def story_id(url: str) -> str:
    """A thread is named after its first article: the same archive gives the same names."""
    return "s" + hashlib.sha1(url.encode()).hexdigest()[:11]


STALE_BANDS = (
    "the story band keys kept in {} were made with another MinHash scheme (datasketch before"
    " 2.0?): copies of those articles are not found until `newsarchive catalog rebuild` makes"
    " them again")


def band_keys_current(store: StoryStore) -> bool:
    """Whether the band keys kept by earlier nights are this version's: a MinHash scheme other
    than :data:`~archive.stories.MINHASH_SCHEME` (datasketch 1.x's "legacy") gives keys that
    never meet tonight's, so copies of those articles would silently go unfound. Checked on a
    few kept articles (one whose keys match is enough); an archive without any is current."""
    sample = store.banded_sample(len(stories.band_ranges()))
    return not sample or any(
        set(stories.band_keys(stories.signature(stories.features(None, text)))) == keys
        for texts, keys in sample
        for text in texts
    )


class Threads:
    """Assigns articles (dicts with ``url``, ``site``, ``title``, ``text``, ``published``,
    ``fetched``) to threads in a catalog's story tables."""

    def __init__(
        self,
        store: StoryStore,
        window_days: int = stories.WINDOW_DAYS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.window = timedelta(days=window_days)
        self.clock = clock

    def assign(
        self, article: Mapping[str, Any], story: str | None = None,
        features: TextFeatures | None = None,
    ) -> Assignment:
        """Put the article in a thread (``story``, when the record says which already);
        ``features``: the text's, when they were worked out already (in an extraction worker)."""
        with self.store.transaction():
            return self._assign(article, story, features)

    def _assign(
        self, article: Mapping[str, Any], story: str | None, features: TextFeatures | None,
    ) -> Assignment:
        url = article["url"]
        known = self.store.story_of(url)
        if known is not None:
            return Assignment(known, new=False)
        text = article.get("text") or ""
        site = article.get("site")
        day = article_day(article)
        if features is None:
            features = text_features(article.get("title"), text, site)
        found = features.features
        keys = stories.band_keys(stories.signature(found))
        copies = self._copies(url, day, found.shingles, keys)
        df, documents = self.store.count_terms(found.counts)
        idfs = {t: stories.idf(df.get(t, 1), documents) for t in found.counts}
        terms = stories.salient(found.counts, idfs)
        opened = False
        if story is None:
            story = next((s for _, _, _, s in copies), None) or self._closest(terms, day)
        if story is None:
            story, opened = story_id(url), True
        member = {"site": site, "day": day, "joined_at": self.clock().isoformat(timespec="seconds")}
        self.store.join(url, story, member, terms, article.get("title"))
        self.store.add_bands(url, keys)
        for copy, original, share, _ in copies:
            self.store.add_copy(copy, original, share)
        for quote in features.quotes:
            self.store.add_quote(url, quote.outlet, quote.site, quote.sentence)
        return Assignment(story, True, opened, [(c, o, s) for c, o, s, _ in copies])

    def assign_all(self, articles: Iterable[Mapping[str, Any]]) -> list[Assignment]:
        """Assign each article in turn, in one transaction."""
        with self.store.transaction():
            return [self.assign(article) for article in articles]

    def _copies(
        self, url: str, day: str, shingles: frozenset[int], keys: list[tuple[int, int]]
    ) -> list[tuple[str, str, float, str]]:
        """(copy, original, containment, the other's thread) for each candidate sharing a band
        key whose shingles hold, or are held in, this article's: the later one is the copy
        (on the same day, the one more contained), best first."""
        found = []
        for other in sorted(self.store.band_matches(keys) - {url}):
            member = self.store.member(other)
            if member is None:
                continue
            other_story, _, other_day, other_text = member
            theirs = stories.shingles(other_text)
            ours_in_theirs = stories.containment(shingles, theirs)
            theirs_in_ours = stories.containment(theirs, shingles)
            we_copy = (
                (day, ours_in_theirs) >= (other_day, theirs_in_ours)
                if day == other_day
                else day > other_day
            )
            if we_copy and ours_in_theirs >= stories.COPY_CONTAINMENT:
                found.append((url, other, ours_in_theirs, other_story))
            elif not we_copy and theirs_in_ours >= stories.COPY_CONTAINMENT:
                found.append((other, url, theirs_in_ours, other_story))
        return sorted(found, key=lambda c: -c[2])

    def _closest(self, terms: dict[str, float], day: str) -> str | None:
        """The active thread most like the article's ``terms``, if like enough."""
        best, score = None, 0.0
        for story, similarity in sorted(self.similarities(terms, day).items()):
            if similarity > score:
                best, score = story, similarity
        return best if score >= stories.JOIN_SIMILARITY else None

    def similarities(self, terms: dict[str, float], day: str) -> dict[str, float]:
        """Per active thread sharing one of the article's :data:`~archive.stories.PROBES`
        heaviest terms: the cosine of the two, both weighted by today's IDF (a thread opened
        when the archive was small is judged as fairly as one opened in a large one), less
        the share of the one largest term: one shared name (a country, a river) is not a
        story, the overlap must be broad."""
        try:
            centre = date.fromisoformat(day)
        except ValueError:
            return {}
        since = (centre - self.window).isoformat()
        until = (centre + self.window).isoformat()
        probes = list(terms)[: stories.PROBES]  # heaviest first
        candidates = self.store.active_stories(probes, since, until)
        threads: dict[str, dict[str, float]] = {}
        df: dict[str, int] = {}
        for story, term, weight, frequency in self.store.terms_of(candidates):
            threads.setdefault(story, {})[term] = weight
            df[term] = frequency
        own, documents = self.store.frequencies([t for t in terms if t not in df])
        df.update(own)
        by_frequency: dict[int, float] = {}  # many terms share a frequency: one log each
        idfs = {}
        for term, n in df.items():
            if n not in by_frequency:
                by_frequency[n] = stories.idf(n, documents)
            idfs[term] = by_frequency[n]
        ours = stories.weighted(terms, idfs)
        found = {}
        for story, centre_terms in threads.items():
            # the thread's vector (as stories.weighted makes it) only where it meets ours
            vector = [c * idfs.get(t, 1.0) for t, c in centre_terms.items()]
            norm = math.sqrt(sum(w * w for w in vector)) or 1.0
            products = [
                w * (centre_terms[t] * idfs.get(t, 1.0) / norm)
                for t, w in ours.items()
                if t in centre_terms
            ]
            if products:
                found[story] = sum(products) - max(products)
        return found
