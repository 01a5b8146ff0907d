"""Finding the main content: score paragraphs, credit their containers, pick the best.

As readability does, but on the tree already parsed and in one pass over it, without changing
it: what is not to be considered (page furniture found beforehand) is passed in as a set of
elements whose paragraphs don't count.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

from pipelines._html import clean_space
from pipelines._html import marker as class_marker
from pipelines.links import is_link
from pipelines.paragraphs import is_slide
from pipelines.posts import thread_around
from pipelines.standfirsts import standfirst_before
from pipelines.teasers import in_teaser

# Readability's class weights: names that promise content, and names that promise the opposite.
_POSITIVE = re.compile(r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(
    r"combx|comment|com-|contact|foot|footer|footnote|masthead|media|meta|outbrain|promo|related"
    r"|scroll|shoutbox|sidebar|sponsor|shopping|tags|tool|widget|teaser|card",
    re.I,
)
_TEASER_HEADING = re.compile(
    r"related|you may also|you might also|more from|recommended|more stories|read next|popular",
    re.I,
)
# A list as a candidate: its items (teasers, slides, links) are scored to it, but a list is
# rarely the article itself; one that is shows by outscoring the rest twice over.
_LIST_WEIGHT = {"ul": 0.5, "ol": 0.5}
_SCORED_TAGS = frozenset({"p", "pre", "td", "blockquote", "li", "h2", "h3"})
_MIN_PARAGRAPH_CHARS = 25
# Children that make a div a container rather than a paragraph.
_BLOCKS = frozenset({
    "a", "blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul", "section", "article",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "aside", "nav", "form", "figure",
})
# Children that hold their own scored text, inside a scored element other than a div.
_HOLDERS = _SCORED_TAGS | {"div", "ul", "ol", "table"}
# A numbered part with this much paragraph text is article, not an empty slot.
_PART_MASS = 5
_DIGITS = re.compile(r"\d+")
_YIELDED_TAGS = _SCORED_TAGS | {"div"}
# Never article text, and not worth walking into.
_NEVER_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "select", "head"})


@dataclass(frozen=True)
class Choice:
    """The chosen containers, and how much of the page's paragraph text they hold."""

    containers: list[HtmlElement]
    share: float  # of the paragraph score of the whole page (what was skipped included)


def main_content(
    root: HtmlElement, skip: Collection[HtmlElement] = (), teasers: Collection[HtmlElement] = ()
) -> Choice:
    """The element (and like siblings) holding most of the page's paragraph text.

    Paragraphs inside an element of ``skip`` are not scored (their <p>s still count in the
    page's paragraph text, against which the choice's share is measured), nor those of
    ``teasers`` (:func:`pipelines.teasers.teaser_items`), which don't count at all.
    """
    scores: dict[HtmlElement, float] = {}  # readability's: parent full, grandparent half
    mass: dict[HtmlElement, float] = {}  # every paragraph's score, to every ancestor
    skipped_mass = 0.0
    for element, ancestors in _walk(root, skip):
        if element in skip:
            skipped_mass += sum(_score(clean_space(p.text_content())) for p in element.iter("p"))
            continue
        score = _score(_paragraph_text(element))
        if not score:
            continue
        if teasers and (element in teasers or any(a in teasers for a in ancestors)):
            continue  # another story's teaser: it must not pull the choice its way
        for level, ancestor in enumerate(reversed(ancestors)):
            if level < 2:
                scores[ancestor] = scores.get(ancestor, 0) + score / (level + 1)
            mass[ancestor] = mass.get(ancestor, 0) + score
    if not scores:
        return Choice([], 0.0)
    containers = _best(scores, mass, teasers)
    held = sum(mass.get(c, 0) + _score(_paragraph_text(c)) for c in containers)
    page_mass = mass.get(root, 0) + skipped_mass
    return Choice(containers, min(held / page_mass, 1.0) if page_mass else 0.0)


def _walk(
    root: HtmlElement, skip: Collection[HtmlElement]
) -> Iterator[tuple[HtmlElement, list[HtmlElement]]]:
    """(element, its ancestors from ``root`` down) for the scored elements and the skipped
    ones, in document order; not into skipped elements nor what is never text."""
    path: list[HtmlElement] = []
    stack: list[tuple[HtmlElement, int]] = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        del path[depth:]
        tag = element.tag
        skipped = element in skip
        if skipped or tag in _YIELDED_TAGS:
            yield element, path
            if skipped:
                continue
        if tag in _NEVER_TEXT and not is_slide(element):
            continue
        path.append(element)
        depth += 1
        stack.extend([(child, depth) for child in reversed(element) if isinstance(child.tag, str)])


def _score(text: str) -> float:
    if len(text) < _MIN_PARAGRAPH_CHARS:
        return 0.0
    commas = min(text.count(",") + text.count("，"), len(text) // 50)
    return 1 + commas + min(len(text) // 100, 3)


def _best(
    scores: dict[HtmlElement, float], mass: dict[HtmlElement, float],
    teasers: Collection[HtmlElement],
) -> list[HtmlElement]:
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:8]
    ranked = [(e, s) for e, s in ranked if not in_teaser(e, teasers)] or ranked[:1]
    best, best_score = max(
        ((e, (s + _class_weight(e, s)) * (1 - link_density(e)) * _LIST_WEIGHT.get(e.tag, 1)) for e, s in ranked),
        key=lambda item: item[1],
    )
    first = _first_of_run(best, best_score, scores)
    story = first if first.tag == "article" else next(first.iterancestors("article"), None)
    thread = thread_around(best, mass, link_density) if first is best else None
    moved, best = first is not best, thread if thread is not None else _widen(first, mass)
    if moved and story is not None and any(a is best for a in story.iterancestors()):
        best = story  # not out of the first story to the box holding all of them
    parent = best.getparent()
    if parent is None or best.tag == "body":
        return [best]
    threshold = max(10.0, best_score * 0.2)
    lede = standfirst_before(best, mass, link_density)
    chosen = [
        sibling for sibling in parent
        if sibling is best or sibling is lede
        or (isinstance(sibling.tag, str) and _worth_adding(sibling, scores, threshold))
    ]
    return _with_parts(best, chosen, mass, teasers)


def _with_parts(
    best: HtmlElement, chosen: list[HtmlElement], mass: dict[HtmlElement, float],
    teasers: Collection[HtmlElement],
) -> list[HtmlElement]:
    """The chosen containers, and the other parts of a story whose body is split into numbered
    boxes ("story-body-1", "story-body-2", with the ads and pictures between them)."""
    kind = _DIGITS.sub("#", best.get("class") or "")
    story = next(best.iterancestors("article"), None)
    if "#" not in kind or story is None:
        return chosen
    parts = [
        e for e in story.iter(best.tag)
        if e not in chosen and _DIGITS.sub("#", e.get("class") or "") == kind
        and mass.get(e, 0) >= _PART_MASS and not in_teaser(e, teasers)
        and not any(a in chosen for a in e.iterancestors())
    ]
    if not parts:
        return chosen
    order = {e: i for i, e in enumerate(story.iter())}
    return sorted(chosen + parts, key=lambda e: order.get(e, -1))


def _first_of_run(best: HtmlElement, best_score: float, scores: dict[HtmlElement, float]) -> HtmlElement:
    """The same place in the first of a run of like <article>s, when ``best`` is in a later one.

    A page that loads the next stories as the reader scrolls holds them after its own, each an
    <article> of the same class with its own headline (<h1>): the page's story is the first,
    however long the others are.
    """
    article = best if best.tag == "article" else next(best.iterancestors("article"), None)
    if article is None or not article.get("class"):
        return best
    pages = article.getroottree().getroot().iter("article")
    run = [a for a in pages if a.get("class") == article.get("class")]
    if len(run) < 2 or run[0] is article or any(a.find(".//h1") is None for a in (run[0], article)):
        return best  # parts of one story (a listicle's items) have no headline of their own
    first = run[0]
    inside = [(e, s) for e, s in scores.items() if e is first or first in e.iterancestors()]
    if not inside:
        return best
    element, score = max(inside, key=lambda item: item[1])
    return element if score >= 10 else best


def _widen(best: HtmlElement, mass: dict[HtmlElement, float]) -> HtmlElement:
    """Climb to an ancestor while it holds clearly more paragraph text and few links.

    An article split into several columns or sections scores each part on its own; the
    ancestor holding them all is the article.
    """
    current = below = best
    for ancestor in best.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        # A list of other stories beside the way up ("Related ...") is no part of the article.
        held = mass.get(ancestor, 0) - sum(
            mass.get(c, 0) for c in ancestor
            if c is not below and mass.get(c, 0) and is_teaser_list(c)
        )
        if held >= 1.4 * mass.get(current, 0) and link_density(ancestor) < 0.3:
            current = ancestor
        elif held > 1.05 * mass.get(current, 0):
            break
        below = ancestor
    return _article_around(current, mass)


def _article_around(current: HtmlElement, mass: dict[HtmlElement, float]) -> HtmlElement:
    """The <article> holding ``current``, if it holds clearly more paragraph text and few
    links: an article whose sections sit in boxes of their own, each scored alone."""
    article = next(current.iterancestors("article"), None)
    if (
        article is not None
        and mass.get(article, 0) >= 1.4 * mass.get(current, 0)
        and link_density(article) < 0.3
    ):
        return article
    return current


def _class_weight(element: HtmlElement, score: float) -> float:
    """Readability's 25 points either way; a promising name at most doubles a score, so that
    the 'field-content' of a sidebar's one-line teaser does not outrank the article."""
    marker = class_marker(element)
    weight = 0.0
    if _NEGATIVE.search(marker):
        weight -= 25
    if _POSITIVE.search(marker):
        weight += min(25, score)
    return weight


def _worth_adding(sibling: HtmlElement, scores: dict[HtmlElement, float], threshold: float) -> bool:
    if is_teaser_list(sibling):
        return False
    if scores.get(sibling, 0) * (1 - link_density(sibling)) >= threshold:
        return True
    if sibling.tag != "p":
        return False
    text = clean_space(sibling.text_content())
    density = link_density(sibling)
    return (len(text) > 80 and density < 0.25) or (0 < len(text) <= 80 and density == 0
                                                   and bool(re.search(r"\.( |$)", text)))


def is_teaser_list(element: HtmlElement) -> bool:
    """Several articles inside it, or a "Related ..." heading first: other stories."""
    if len(list(itertools.islice(element.iterdescendants("article"), 2))) == 2:
        return True
    heading = next(element.iter("h2", "h3", "h4"), None)
    if heading is None:
        return False
    words = f"{heading.get('class', '')} {heading.text_content()}"
    return bool(_TEASER_HEADING.search(words))


def _paragraph_text(element: HtmlElement) -> str:
    """A paragraph's text; for a div, only its own text (its children are scored themselves)
    unless it holds no block: then, as readability has it, it is a paragraph. Likewise a list
    item or cell holding paragraphs: their text is scored once, to them, not to it as well (a
    gallery's list of captions would otherwise weigh half as much again as the article)."""
    blocks = _BLOCKS if element.tag == "div" else _HOLDERS
    if not any(c.tag in blocks for c in element):
        return clean_space(element.text_content())
    return clean_space((element.text or "") + "".join(c.tail or "" for c in element))


def link_density(element: HtmlElement) -> float:
    # Raw lengths, whitespace and all: a ratio needs no normalising, and this runs often.
    total = len(element.text_content())
    if not total:
        return 1.0
    linked = sum(len(a.text_content()) for a in element.iter("a") if is_link(a))
    return min(linked / total, 1.0)
