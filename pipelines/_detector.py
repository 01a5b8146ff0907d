"""langdetect's detector with its pure-Python loops made cheap: the same answers, for less.

langdetect spends its time in three loops: building, when a process loads the profiles, a map of
87,000 n-grams to their probabilities in each of 55 languages (over a second on a loaded
machine); normalising a text character by character into n-grams; and multiplying 55
probabilities for every n-gram it draws. Here the profiles' JSON is read once, and an n-gram's
row of probabilities is made the first time a text holds it; a character is normalised once per
text, not once per occurrence; and the loops run over local names. The algorithm, its random
draws and its arithmetic are langdetect's, in the same order, so every answer is the same
(``tests/pipelines/test_language.py`` compares them with langdetect's own detector).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import Any

from langdetect.detector import Detector as _LangdetectDetector
from langdetect.detector_factory import DetectorFactory as _LangdetectFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_SPACES = re.compile(" {2,}")
# Normalised words whose n-grams are kept: a crawl's vocabulary, not all of it for ever.
_WORDS_KEPT = 100_000


class ProfileMap(dict[str, list[float]]):
    """n-gram -> its probability in each language, as langdetect's factory builds it, but each
    row made when first looked up. ``in`` answers for every n-gram of the profiles."""

    def __init__(self, profiles: list[dict[str, Any]]) -> None:
        super().__init__()
        self._profiles = [(p["freq"], p["n_words"]) for p in profiles]
        self.words = frozenset().union(*(freq for freq, _ in self._profiles))
        self._word_ngrams: dict[tuple[str, bool], list[str]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __missing__(self, word: str) -> list[float]:
        if word not in self.words:
            raise KeyError(word)
        length = len(word)
        # As DetectorFactory.add_profile: 1.0 * count / n-grams of that length.
        row = self[word] = [
            1.0 * freq[word] / n_words[length - 1] if word in freq and 1 <= length <= 3 else 0.0
            for freq, n_words in self._profiles
        ]
        return row

    def word_ngrams(self, word: str, spaced: bool) -> list[str]:
        """The n-grams langdetect draws from a normalised word (a space after it if ``spaced``);
        kept, as words recur."""
        found = self._word_ngrams.get((word, spaced))
        if found is None:
            if len(self._word_ngrams) >= _WORDS_KEPT:
                self._word_ngrams.clear()
            found = self._word_ngrams[word, spaced] = _ngrams(word + " " if spaced else word,
                                                               self.words)
        return found


def _ngrams(word: str, known: frozenset[str]) -> list[str]:
    """langdetect's NGram.add_char over one word, each time followed by the 1-, 2- and 3-grams
    ending at the character that the profiles know. A word starts afresh: before it is a space,
    which resets the n-gram and the capital-word flag."""
    result: list[str] = []
    grams, capital, last = " ", False, " "
    for ch in word:
        if last == " ":
            grams, capital = " ", False
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        last = ch
        if capital:
            continue
        if ch != " " and ch in known:
            result.append(ch)
        if len(grams) >= 2:
            if grams[-2:] in known:
                result.append(grams[-2:])
            if len(grams) >= 3 and grams in known:
                result.append(grams)
    return result


class DetectorFactory(_LangdetectFactory):  # type: ignore[misc]
    """langdetect's factory, loading profiles into a :class:`ProfileMap`; languages in the
    order of their file names (langdetect takes the directory's order, which varies)."""

    def load_profile(self, profile_directory: str) -> None:
        names = sorted(n for n in os.listdir(profile_directory) if not n.startswith("."))
        profiles = []
        for name in names:
            path = os.path.join(profile_directory, name)
            if not os.path.isfile(path):
                continue
            try:
                with open(path, encoding="utf-8") as file:
                    profiles.append(json.load(file))
            except (OSError, ValueError) as exc:
                raise LangDetectException(
                    ErrorCode.FormatError, f"Profile format error in {path!r}") from exc
        self.langlist = [p["name"] for p in profiles]
        self.word_lang_prob_map = ProfileMap(profiles)

    def _create_detector(self) -> Detector:
        if not self.langlist:
            raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
        return Detector(self)


class Detector(_LangdetectDetector):  # type: ignore[misc]
    """langdetect's detector with its loops rewritten; same steps, same results."""

    text: str
    word_lang_prob_map: ProfileMap

    def append(self, text: str) -> None:
        text = self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text))
        text = NGram.normalize_vi(text)[: self.max_text_length]
        # A run of spaces is kept as one (langdetect compares each character with the last).
        self.text += _SPACES.sub(" ", text) if "  " in text else text

    def cleaning_text(self) -> None:
        text = self.text
        latin, non_latin = 0, 0
        for ch, count in Counter(text).items():
            if "A" <= ch <= "z":
                latin += count
            # langdetect means to leave out Latin Extended Additional here, but compares the
            # block's number with its name: every character from U+0300 up counts.
            elif ch >= "\u0300":
                non_latin += count
        if latin * 2 < non_latin:
            self.text = "".join(ch for ch in text if ch < "A" or "z" < ch)

    def _extract_ngrams(self) -> list[str]:
        # Normalised, the text is words between spaces, and langdetect's n-gram state starts
        # afresh after each space: the n-grams are those of each word, in order.
        text = self.text
        words = text.translate({ord(ch): NGram.normalize(ch) for ch in set(text)}).split(" ")
        word_ngrams = self.word_lang_prob_map.word_ngrams
        result: list[str] = []
        last = len(words) - 1
        for i, word in enumerate(words):
            if word:
                result += word_ngrams(word, i < last)
        return result

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = self._trial(ngrams)
            self.langprob = [s + p / self.n_trial for s, p in zip(self.langprob, prob, strict=True)]

    def _trial(self, ngrams: list[str]) -> list[float]:
        """One of langdetect's trials: draw n-grams, multiply each language's probability by
        theirs, normalise after the first draw and after every fifth, until one language
        holds nearly all or the draws run out. The five multiplications between two
        normalisations are done in one pass, left to right as langdetect does them one by one:
        the same products."""
        profiles, choice = self.word_lang_prob_map, self.random.choice
        prob = self._init_probability()
        weight = (self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH) / self.BASE_FREQ
        prob = [p * (weight + q) for p, q in zip(prob, profiles[choice(ngrams)], strict=True)]
        i = 0
        while True:
            total = sum(prob)
            prob = [p / total for p in prob]
            if max(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                return prob
            a, b, c, d, e = (profiles[choice(ngrams)] for _ in range(5))
            prob = [
                p * (weight + qa) * (weight + qb) * (weight + qc) * (weight + qd) * (weight + qe)
                for p, qa, qb, qc, qd, qe in zip(prob, a, b, c, d, e, strict=True)
            ]
            i += 5
