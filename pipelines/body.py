"""The article body: find it, prune what is not article, and hand it to :mod:`pipelines.paragraphs`.

The site's ``body`` selectors are tried first. Without them (or when they find nothing) the main
content is found by scoring paragraphs and crediting their containers, as readability does, but
on the tree already parsed and in one pass over it; readability-lxml itself is the fallback when
that finds nothing. Either way the same pruning applies: site ``drop`` selectors, generic page
furniture (captions, share bars, related-link lists, hidden elements); the paragraph filters
(link-only lines, credits, the site's ``drop_text`` patterns) come after.

The tree is modified in place: callers read metadata first.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import Unparseable

from pipelines._html import clean_space
from pipelines.paragraphs import SKIP_TAGS, paragraphs
from pipelines.rules import ExtractionRules
from pipelines.selectors import select

logger = logging.getLogger(__name__)

# Page furniture, by words in class or id. Long words match anywhere ("newsCaption"); short
# ones only as whole tokens ("ad", not "header").
_FURNITURE_ANYWHERE = re.compile(
    r"caption|credit|breadcrumb|newsletter|social|share|sharing|related|promo|advert|sponsor"
    r"|comment|cookie|subscri|signup|sign-up|outbrain|taboola|disqus|sr-only|visually-?hidden"
    r"|screen-?reader|read-?more|more-?from|recommend|trending|most-?(?:read|popular|viewed)"
    r"|popular|byline|author-?(?:info|bio|box)|dateline|timestamp|skip-?link",
    re.I,
)
_FURNITURE_TOKEN = re.compile(r"(?:^|[\s_-])(?:ad|ads|tags|tag-list|print|skip|hidden)(?:$|[\s_-])", re.I)
# Words that mark the article itself: they save an element from the furniture rules.
_CONTENT = re.compile(r"article-?body|story-?body|post-?body|entry-content|main-content|articleBody", re.I)
# Readability's "unlikely candidates", pruned before scoring; as whole words, so that
# "PageBuilder-pageRow" is not a "pager".
_UNLIKELY = re.compile(
    r"(?<![a-z])(?:combx|comments?|community|disqus|extra|foot|footer|header|menu|remark|rss"
    r"|shoutbox|sidebar|skyscraper|sponsor|ad-break|agegate|pagination|pager|popup|yom-remote"
    r"|banner|masthead|navbar|breadcrumbs?|newsletter|cookie|related|recirc|trending|share|social)"
    r"(?![a-z])",
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow|story|entry|post|text", re.I)
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
_SCORED_TAGS = frozenset({"p", "pre", "td", "blockquote", "li", "h2", "h3"})
_MIN_PARAGRAPH_CHARS = 25


def body_paragraphs(
    root: lxml.html.HtmlElement, rules: ExtractionRules, title: str | None = None
) -> list[str]:
    """The article's paragraphs (subheads included), boilerplate removed.

    ``title`` is the article's headline: a block repeating it is not body text.
    """
    containers = _site_containers(root, rules)
    if not containers:
        # Before scoring only what is surely not article goes; page furniture is pruned from
        # the chosen content, where a wrapper's odd class name can't cost the whole article.
        _prune(root, rules, _unlikely)
        containers = main_content(root) or _readability_containers(root)
    for container in containers:
        _prune(container, rules, _furniture)
    return paragraphs(containers, rules, title)


def _site_containers(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[HtmlElement]:
    for selector in rules.body:
        found = [e for e in select(root, selector) if not isinstance(e, str)]
        ids = {id(e) for e in found}
        # Drop containers nested in another match so no text is read twice.
        outer = [e for e in found if not any(id(a) in ids for a in e.iterancestors())]
        if any(clean_space(e.text_content()) for e in outer):
            return outer
    return []


def main_content(root: HtmlElement) -> list[HtmlElement]:
    """The element (and like siblings) holding most of the page's paragraph text."""
    scores: dict[HtmlElement, float] = {}  # readability's: parent full, grandparent half
    mass: dict[HtmlElement, float] = {}  # every paragraph's score, to every ancestor
    for element in root.iter(*_SCORED_TAGS, "div"):
        text = _paragraph_text(element)
        if len(text) < _MIN_PARAGRAPH_CHARS:
            continue
        score = 1 + text.count(",") + text.count("，") + min(len(text) // 100, 3)
        ancestors = list(element.iterancestors())
        if any(a.tag == "article" and _is_teaser(a) for a in ancestors):
            continue  # another story's teaser: it must not pull the choice its way
        for level, ancestor in enumerate(ancestors):
            if level < 2:
                scores[ancestor] = scores.get(ancestor, 0) + score / (level + 1)
            mass[ancestor] = mass.get(ancestor, 0) + score
    if not scores:
        return []
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:8]
    ranked = [(e, s) for e, s in ranked if not _in_teaser(e)] or ranked[:1]
    best, best_score = max(
        ((e, (s + _class_weight(e)) * (1 - _link_density(e))) for e, s in ranked),
        key=lambda item: item[1],
    )
    best = _widen(best, mass)
    parent = best.getparent()
    if parent is None or best.tag == "body":
        return [best]
    threshold = max(10.0, best_score * 0.2)
    return [
        sibling for sibling in parent
        if sibling is best
        or (isinstance(sibling.tag, str) and _worth_adding(sibling, scores, threshold))
    ]


def _widen(best: HtmlElement, mass: dict[HtmlElement, float]) -> HtmlElement:
    """Climb to an ancestor while it holds clearly more paragraph text and few links.

    An article split into several columns or sections scores each part on its own; the
    ancestor holding them all is the article.
    """
    current = best
    for ancestor in best.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        if (
            mass.get(ancestor, 0) >= 1.4 * mass.get(current, 0)
            and _link_density(ancestor) < 0.3
        ):
            current = ancestor
        elif mass.get(ancestor, 0) > 1.05 * mass.get(current, 0):
            break
    return current


def _class_weight(element: HtmlElement) -> float:
    marker = f"{element.get('class', '')} {element.get('id', '')}"
    weight = 0.0
    if _NEGATIVE.search(marker):
        weight -= 25
    if _POSITIVE.search(marker):
        weight += 25
    return weight


def _worth_adding(sibling: HtmlElement, scores: dict[HtmlElement, float], threshold: float) -> bool:
    if _is_teaser_list(sibling):
        return False
    if scores.get(sibling, 0) * (1 - _link_density(sibling)) >= threshold:
        return True
    if sibling.tag != "p":
        return False
    text = clean_space(sibling.text_content())
    density = _link_density(sibling)
    return (len(text) > 80 and density < 0.25) or (0 < len(text) <= 80 and density == 0
                                                   and bool(re.search(r"\.( |$)", text)))


def _in_teaser(element: HtmlElement) -> bool:
    """Inside a teaser <article>: a list of other stories."""
    return any(n.tag == "article" and _is_teaser(n)
               for n in itertools.chain([element], element.iterancestors()))


def _is_teaser(article: HtmlElement) -> bool:
    """One of several <article>s side by side, nested in another <article>."""
    parent = article.getparent()
    return (
        parent is not None
        and next(article.iterancestors("article"), None) is not None
        and len(parent.findall("article")) > 1
    )


def _is_teaser_list(element: HtmlElement) -> bool:
    """Several articles inside it, or a "Related ..." heading first: other stories."""
    if len(list(itertools.islice(element.iterdescendants("article"), 2))) == 2:
        return True
    heading = next(element.iter("h2", "h3", "h4"), None)
    if heading is None:
        return False
    words = f"{heading.get('class', '')} {heading.text_content()}"
    return bool(_TEASER_HEADING.search(words))


def _paragraph_text(element: HtmlElement) -> str:
    """A paragraph's text; for a div, only its own text (its children are scored themselves)."""
    if element.tag != "div":
        return clean_space(element.text_content())
    return clean_space((element.text or "") + "".join(c.tail or "" for c in element))


def _link_density(element: HtmlElement) -> float:
    # Raw lengths, whitespace and all: a ratio needs no normalising, and this runs often.
    total = len(element.text_content())
    if not total:
        return 1.0
    linked = sum(len(a.text_content()) for a in element.iter("a"))
    return min(linked / total, 1.0)


def _readability_containers(root: lxml.html.HtmlElement) -> list[HtmlElement]:
    if not root.text_content().strip():
        return []
    try:
        summary = Document(root).summary(html_partial=True)
    except (Unparseable, ValueError, AssertionError, etree.ParserError) as exc:
        # readability-lxml asserts on documents lxml parses oddly (no <body>, say).
        logger.debug("readability found no content: %s", exc)
        return []
    if not summary.strip():
        return []
    return [lxml.html.fragment_fromstring(summary, create_parent="div")]


def _prune(
    container: HtmlElement, rules: ExtractionRules,
    is_junk: Callable[[HtmlElement, str], bool],
) -> None:
    doomed = [e for sel in rules.drop for e in select(container, sel) if not isinstance(e, str)]
    total = len(container.text_content())
    # Depth first, not into what is already doomed: its descendants go with it.
    stack = list(container)
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}".strip()
        if (
            element.tag not in ("html", "body", "article", "main")
            and is_junk(element, marker)
            and (element.tag in SKIP_TAGS or not _holds_the_text(element, total))
        ):
            doomed.append(element)
        else:
            stack.extend(element)
    for element in doomed:
        _remove(element)


def _holds_the_text(element: HtmlElement, total: int) -> bool:
    """A wrapper with much of the text, little of it links: article, whatever its class says."""
    text = len(element.text_content())
    return text > 0.3 * total and text > 200 and _link_density(element) < 0.5


def _is_hidden(element: HtmlElement) -> bool:
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in (element.get("style") or "").replace(" ", "")
    )


def _unlikely(element: HtmlElement, marker: str) -> bool:
    if element.tag in SKIP_TAGS or _is_hidden(element):
        return True
    return bool(marker) and bool(_UNLIKELY.search(marker)) and not _MAYBE.search(marker)


def _furniture(element: HtmlElement, marker: str) -> bool:
    if _is_hidden(element):
        return True
    if not marker or _CONTENT.search(marker):
        return False
    return bool(
        _FURNITURE_ANYWHERE.search(marker) or _FURNITURE_TOKEN.search(marker)
        or (_UNLIKELY.search(marker) and not _MAYBE.search(marker))
    )


def _remove(element: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


