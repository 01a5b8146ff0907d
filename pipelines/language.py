"""Language identification with langdetect, made deterministic.

langdetect samples at random; a detector factory of our own with a fixed seed gives the same
answer for the same text every time, in every process, without touching langdetect's global
factory.
"""

from __future__ import annotations

import functools
import re

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"
# Below this many letters langdetect's guesses are noise.
MIN_LETTERS = 40
MIN_PROBABILITY = 0.80
SEED = 0
# langdetect reads every character it is given; a thousand tell the language as well as all.
SAMPLE_CHARS = 1000
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def detect(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of ``text``; ``declared`` when the text can't tell; else ``und``."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTERS.findall(sample)) >= MIN_LETTERS:
        detector = _factory().create()
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            best = None
        if best is not None and best.prob >= MIN_PROBABILITY:
            return _normalise(best.lang)
    return declared or UNDETERMINED


def _normalise(code: str) -> str:
    # langdetect says zh-cn / zh-tw; the archive keeps the primary subtag.
    return code.split("-")[0].lower()
