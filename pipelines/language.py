"""Languages: identification with langdetect, made deterministic, and declared language tags.

langdetect samples at random; a detector factory of our own with a fixed seed gives the same
answer for the same text every time, in every process, without touching langdetect's global
factory. Its profiles are loaded once per process, at the first text to identify, and its loops
run cheaper (:mod:`pipelines._detector`: langdetect's answers, a third of its time).
What a page declares (``<html lang="de-DE">``, ``og:locale`` ``en_GB``) is read with
:func:`primary`, into the same form as langdetect's answers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from itertools import islice

import lxml.html
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from pipelines._detector import DetectorFactory
from pipelines._html import ld_article
from pipelines.selectors import meta

UNDETERMINED = "und"
# Below this many letters langdetect's guesses are noise.
MIN_LETTERS = 40
MIN_PROBABILITY = 0.80
SEED = 0
# langdetect reads every character it is given; a thousand tell the language as well as all
# (on the 866 pages of ../shared/bench, the answer differs from the whole text's on 3: two
# lorem-ipsum test pages and one short Spanish page, where it falls back to the declared one).
SAMPLE_CHARS = 1000
TRIALS = 3
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_PRIMARY = re.compile(r"[a-z]{2,3}")
# ISO 639-2 codes some pages declare, and deprecated ISO 639-1 codes, as today's ISO 639-1.
_ALIASES = {
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "por": "pt", "rus": "ru", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "vie": "vi",
    "ara": "ar", "nld": "nl", "dut": "nl", "iw": "he", "in": "id", "ji": "yi",
}
# Codes that name no language: undetermined, multiple, no linguistic content, uncoded.
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})


@functools.lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def detect(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of ``text``; ``declared`` when the text can't tell; else ``und``."""
    sample = text[:SAMPLE_CHARS]
    if len(list(islice(_LETTERS.finditer(sample), MIN_LETTERS))) == MIN_LETTERS:
        detector = _factory().create()
        # Three trials instead of seven: on article text they agree, at less than half the cost.
        detector.n_trial = TRIALS
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            best = None
        if best is not None and best.prob >= MIN_PROBABILITY:
            return _normalise(best.lang)
    return declared or UNDETERMINED


def primary(tag: str) -> str | None:
    """The language of a declared tag ("de-DE", "en_GB", "zh-Hans", "eng") as the archive keeps
    it: the primary subtag, in ISO 639-1 where it has a code; None for no language or garbage."""
    code = re.split(r"[-_,;\s]", tag.strip().lower())[0]
    code = _ALIASES.get(code, code)
    return code if _PRIMARY.fullmatch(code) and code not in _NOT_LANGUAGES else None


def _normalise(code: str) -> str:
    # langdetect says zh-cn / zh-tw; the archive keeps the primary subtag.
    return code.split("-")[0].lower()


def declared_language(root: lxml.html.HtmlElement) -> str | None:
    """The page's declared language as an ISO 639-1 code where there is one: <html lang>, the
    Content-Language header's <meta>, JSON-LD inLanguage, then other meta tags."""
    return next(filter(None, map(primary, _declared_languages(root))), None)


def _declared_languages(root: lxml.html.HtmlElement) -> Iterator[str]:
    yield root.get("lang") or root.get("xml:lang") or ""
    for element in root.iterfind(".//meta[@http-equiv]"):
        if element.get("http-equiv", "").lower() == "content-language":
            yield element.get("content", "")
    article = ld_article(root)
    if article and isinstance(article.get("inLanguage"), str):
        yield article["inLanguage"]
    yield from meta(root, "content-language", "og:locale", "language", "dc.language",
                    "dcterms.language")
