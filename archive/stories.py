"""What a story thread is made of: the features of one article, as pure functions of its text.

Two views of a text, for two questions:

- **Is it the same event?** Its salient terms: words of the title and the lead, capitalised
  words (names: Hanoi, Kim, Xinhua) counted twice and runs of them once more as one name,
  function words left out; the :data:`TERMS` heaviest by TF-IDF (the document frequencies kept
  in the catalog) kept. A thread's terms are the sum of its members' (its heaviest kept); an
  article joins the active thread whose terms, both weighted by the IDF of the day, are closest
  (:mod:`archive.threads`).
- **Is it a copy?** Its word 5-shingles, as a set and as a MinHash signature (datasketch). The
  signature's LSH bands (the band layout datasketch's :class:`MinHashLSH` computes for a
  Jaccard threshold) find candidates among any number of archived texts; each candidate pair is
  then checked exactly, by how much of one text's shingles the other contains.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from archive.story_store import WINDOW_DAYS as WINDOW_DAYS  # threads read it here

TERMS = 40  # salient terms kept per article
SHINGLE = 5  # words per shingle
PERMUTATIONS = 128  # MinHash size
MINHASH_SCHEME = "affine32"  # datasketch's permutations (its default since 2.0)
LSH_THRESHOLD = 0.3  # Jaccard for candidates: low enough for a wire inside a longer article
COPY_CONTAINMENT = 0.6  # share of an article's shingles found in an earlier one: a copy
JOIN_SIMILARITY = 0.2  # broad cosine (threads.py) to a thread, to join it: tuned on fixtures
PROBES = 8  # an article's heaviest terms, by which active threads are looked up

if TYPE_CHECKING:
    from datasketch import MinHash

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
_TITLE_WEIGHT = 1.0
_NAME_WEIGHT = 2.0
_LEAD_WORDS = 400  # terms come from the title and the lead: the event is told first

# Function words and the words of news reporting itself: they say nothing about the event.
STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are around as at be because been
before being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in into is
it its itself just last least less let like made make many may me more most much must my
myself near new news no nor not now of off on once one only or other our ours ourselves out
over own per said same say says she should since so some such than that the their theirs them
themselves then there these they this those through to told too two under until up upon us
very was we were what when where which while who whom why will with within would year years
you your yours yourself also according added already among another back came come day days
even first get go going however including later made mr ms next people reported saying still
take three time week well according told via amid across s t don't it's
""".split()
)


@dataclass(frozen=True)
class Features:
    """What the thread and copy decisions need from one article's text. Plain values, made
    without datasketch (and its numpy and scipy), so that extraction workers can make them
    cheaply; :func:`signature` makes the MinHash of them where the threads are kept."""

    counts: dict[str, float]  # weighted term counts (before IDF)
    shingles: frozenset[int]
    hashes: list[int]  # the MinHash's input: each shingle's 32-bit hash, as datasketch's own


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@lru_cache(maxsize=200_000)
def plain(word: str) -> str:
    """Lower case, without accents: "Hà Nội" and "Ha Noi" are the same words."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def term_counts(title: str | None, text: str) -> dict[str, float]:
    """Weighted counts of the content words of the title and the lead, and of the names in
    them: a run of capitalised words counts once more as one term ("Ha Noi" -> "hanoi", "Kim
    Jong Un" -> "kimjongun"), so that names written apart and together meet."""
    counts: defaultdict[str, float] = defaultdict(float)
    for weight, source in ((_TITLE_WEIGHT, words(title or "")), (1.0, words(text)[:_LEAD_WORDS])):
        name: list[str] = []
        for word in [*source, ""]:
            term = plain(word)
            if word[:1].isupper() and term not in STOPWORDS:
                name.append(term)
                continue
            if len(name) > 1:
                counts["".join(name)] += weight * _NAME_WEIGHT
            for part in name:
                if len(part) >= 3:
                    counts[part] += weight * _NAME_WEIGHT
            name = []
            if len(term) >= 3 and term not in STOPWORDS:
                counts[term] += weight
    return dict(counts)


def shingles(text: str, size: int = SHINGLE) -> frozenset[int]:
    """The text's word ``size``-grams (lower-cased), as 64-bit hashes."""
    tokens = [w.lower() for w in words(text)]
    if len(tokens) < size:
        tokens += [""] * (size - len(tokens))
    return frozenset(
        int.from_bytes(
            hashlib.blake2b(" ".join(tokens[i : i + size]).encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for i in range(len(tokens) - size + 1)
    )


def shingle_hashes(shingle_set: frozenset[int]) -> list[int]:
    """Each shingle's 32-bit hash, by datasketch's default hash function (``sha1_hash32``) of
    its 8 bytes, as ``MinHash.update`` would hash it: the hashing is the costly part of a
    MinHash, and this way it is done where the text is, not where the MinHash is made."""
    sha1, unpack = hashlib.sha1, struct.Struct("<I").unpack_from
    return [unpack(sha1(s.to_bytes(8, "big", signed=True)).digest())[0] for s in shingle_set]


def _hashed(value: int) -> int:
    return value  # the values given to the MinHash are hashed already (shingle_hashes)


@cache
def _empty() -> MinHash:
    """An empty MinHash, to copy: its permutations are made once, not per article."""
    from datasketch import MinHash

    # The scheme named, not left to datasketch's default: 2.0 changed it ("legacy" before), and
    # band keys kept by earlier nights must go on meeting tonight's.
    return MinHash(num_perm=PERMUTATIONS, seed=1, hashfunc=_hashed, scheme=MINHASH_SCHEME)


def signature(found: Features) -> MinHash:
    """The MinHash of the article's shingles: equal to datasketch's ``MinHash(num_perm=128,
    seed=1, scheme="affine32")`` updated with each shingle's 8 bytes."""
    minhash = _empty().copy()
    minhash.update_batch(found.hashes)
    return minhash


def features(title: str | None, text: str) -> Features:
    shingle_set = shingles(text)
    return Features(term_counts(title, text), shingle_set, shingle_hashes(shingle_set))


@cache
def band_ranges() -> tuple[tuple[int, int], ...]:
    """The LSH bands (start, end in the signature) datasketch chooses for the threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=PERMUTATIONS)
    return tuple((int(start), int(end)) for start, end in lsh.hashranges)


def band_keys(minhash: MinHash) -> list[tuple[int, int]]:
    """(band, key) per LSH band: two texts sharing one are candidate copies."""
    values = minhash.hashvalues
    return [
        (
            band,
            int.from_bytes(
                hashlib.blake2b(values[start:end].tobytes(), digest_size=8).digest(),
                "big",
                signed=True,
            ),
        )
        for band, (start, end) in enumerate(band_ranges())
    ]


def prepare() -> None:
    """Make the costly, cached parts now: the LSH band layout and the MinHash permutations."""
    band_ranges()
    _empty()


def containment(part: frozenset[int], whole: frozenset[int]) -> float:
    """The share of ``part``'s shingles that ``whole`` holds."""
    return len(part & whole) / len(part) if part else 0.0


def idf(document_frequency: int, documents: int) -> float:
    return math.log((documents + 1) / (document_frequency + 1)) + 1.0


def salient(counts: dict[str, float], idfs: dict[str, float]) -> dict[str, float]:
    """The :data:`TERMS` heaviest terms by TF-IDF, heaviest first, with their counts scaled
    to length 1: what a thread stores (weighted by IDF only when compared, with the IDF of
    that day)."""
    top = sorted(counts, key=lambda t: (-counts[t] * idfs.get(t, 1.0), t))[:TERMS]
    norm = math.sqrt(sum(counts[t] ** 2 for t in top)) or 1.0
    return {t: counts[t] / norm for t in top}


def weighted(counts: dict[str, float], idfs: dict[str, float]) -> dict[str, float]:
    """Counts times IDF, scaled to length 1."""
    vector = {t: c * idfs.get(t, 1.0) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {t: w / norm for t, w in vector.items()}
