"""Language identification: our cheaper detector gives langdetect's own answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.detector_factory import DetectorFactory as LangdetectFactory
from langdetect.lang_detect_exception import LangDetectException

from pipelines import language
from pipelines._detector import DetectorFactory

TEXTS = {
    "en": "The committee met on Tuesday to discuss the budget, and NATO officials said the "
          "talks in Brussels (see https://example.com/news?id=7 or write to press@example.org) "
          "would continue   next week.\n\nMost members agreed.",
    "de": "Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windenergie "
          "beschlossen. Künftig sollen Genehmigungen schneller erteilt werden.",
    "fr": "Le gouvernement a présenté mercredi un projet de loi sur l'énergie, qui doit "
          "permettre d'accélérer la construction d'éoliennes en mer.",
    "ru": "Правительство в среду одобрило новые правила строительства ветряных "
          "электростанций, сообщает агентство.",
    "zh": "国务院常务会议星期三通过了关于加快发展风力发电的新规定，审批程序将进一步简化。",
    "ja": "政府は水曜日、風力発電の建設を加速するための新しい規則を閣議決定した。"
          "手続きはさらに簡素化される。",
    "ar": "وافقت الحكومة يوم الأربعاء على قواعد جديدة لبناء محطات طاقة الرياح، حسبما ذكرت "
          "الوكالة.",
    "vi": "Chính phủ hôm thứ Tư đã thông qua các quy định mới về xây dựng nhà máy điện gió, "
          "thủ tục sẽ được đơn giản hóa hơn nữa.",
    "mixed": "UN SECURITY COUNCIL: 15 MEMBERS, 5 PERMANENT. Der Rat tagte am 3. Mai 2024 in "
             "New York — und vertagte sich!!! ¿Qué pasará? 😀 …",
}


def _profiles_in_file_order() -> list[str]:
    names = sorted(n for n in os.listdir(PROFILES_DIRECTORY) if not n.startswith("."))
    return [(Path(PROFILES_DIRECTORY) / n).read_text(encoding="utf-8") for n in names]


@pytest.fixture(scope="module")
def factories() -> tuple[LangdetectFactory, DetectorFactory]:
    theirs = LangdetectFactory()
    theirs.load_json_profile(_profiles_in_file_order())  # the languages in our order
    ours = DetectorFactory()
    ours.load_profile(PROFILES_DIRECTORY)
    for factory in (theirs, ours):
        factory.set_seed(language.SEED)
    return theirs, ours


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("trials", [3, 7])
def test_same_probabilities_as_langdetect(
    factories: tuple[LangdetectFactory, DetectorFactory], name: str, trials: int
) -> None:
    """Not close: equal, to the last bit, for every language it names."""
    answers = []
    for factory in factories:
        detector = factory.create()
        detector.n_trial = trials
        detector.append(TEXTS[name] * 3)
        answers.append([(found.lang, found.prob) for found in detector.get_probabilities()])
    assert answers[0] == answers[1]
    assert answers[1][0][0].startswith(name) or name == "mixed"


@pytest.mark.parametrize("limit", [0, 12, 30])
def test_same_probabilities_when_the_draws_run_out(
    factories: tuple[LangdetectFactory, DetectorFactory], limit: int
) -> None:
    """A trial cut short by the iteration limit (1,000 by default; short here) before the
    probabilities converge stops after the same draws."""
    answers = []
    for factory in factories:
        detector = factory.create()
        detector.ITERATION_LIMIT = limit
        detector.append(TEXTS["mixed"])
        answers.append([(found.lang, found.prob) for found in detector.get_probabilities()])
    assert answers[0] == answers[1]
    assert all(prob < 0.99 for _, prob in answers[1])  # not converged: cut short


def test_text_without_features_is_refused_as_langdetect_does(
    factories: tuple[LangdetectFactory, DetectorFactory],
) -> None:
    for factory in factories:
        detector = factory.create()
        detector.append("12345 !!! 678")
        with pytest.raises(LangDetectException):
            detector.get_probabilities()


def test_detect_names_the_language_or_falls_back() -> None:
    assert [language.detect(TEXTS[n] * 2) for n in ("en", "de", "ru", "zh", "vi")] == [
        "en", "de", "ru", "zh", "vi"]
    assert language.detect("Too short.", "fr") == "fr"
    assert language.detect("12345 67890 " * 20) == language.UNDETERMINED
