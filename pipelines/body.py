"""The article body: find it, set aside what is not article, and hand it to :mod:`pipelines.paragraphs`.

The site's ``body`` selectors are tried first. Without them (or when they find nothing) the main
content is found by :func:`pipelines.content.main_content`, with readability's "unlikely
candidates" (menus, sidebars, comments by their class names) left out of the scoring. A sanity
check follows: when the choice holds little text, or little of the page's paragraph text, the
choice is made again without leaving anything out, and readability-lxml's own choice is
compared; the one with most article-like text wins. Either way the same pruning applies: site
``drop`` selectors, generic page furniture (captions, share bars, related-link lists, hidden
elements); the paragraph filters (link-only lines, credits, ``drop_text`` patterns) come after.

The tree is not changed: what is set aside is skipped, not removed.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Collection, Iterable
from typing import NamedTuple

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from pipelines._html import Words, clean_space
from pipelines._html import marker as class_marker
from pipelines.content import Choice, link_density, main_content
from pipelines.leads import leads_before
from pipelines.paragraphs import SKIP_TAGS, is_slide, paragraphs
from pipelines.rules import ExtractionRules
from pipelines.running_text import in_a_sentence, in_prose
from pipelines.selectors import select
from pipelines.teasers import teaser_items
from pipelines.unseen import is_dialog, is_hidden

logger = logging.getLogger(__name__)

# Page furniture, by words in class or id. Long words match anywhere ("newsCaption"); short
# ones only as whole tokens ("ad", not "header").
_FURNITURE_ANYWHERE = Words(
    r"caption|credit|breadcrumb|newsletter|social|share|sharing|related|promo|advert|sponsor"
    r"|comment|cookie|subscri|signup|sign-up|outbrain|taboola|disqus|sr-only|visually-?hidden"
    r"|screen-?reader|read-?more|more-?from|recommend|trending|most-?(?:read|popular|viewed)"
    r"|popular|byline|author-?(?:info|bio|box)|dateline|timestamp|skip-?link|player|video-js|gallery"
    r"|(?<![a-z])ratings?(?![a-z])|shariff"
    r"|(?:img|image|photo)[-_]?(?:sub)?(?:title|meta(?:data)?|source|author|info)"
)
_RATING = re.compile(r"[a-z]Rating")  # "starRating": a word of its own, in camel case
_FURNITURE_TOKEN = Words(r"(?:^|[\s_-])(?:ad|ads|tags|tag-list|print|skip)(?:$|[\s_-])")
# Words that mark the article itself: they save an element from the furniture rules.
_CONTENT = Words(r"article-?body|story-?body|post-?body|entry-content|main-content")
# Readability's "unlikely candidates", left out of scoring; as whole words, so that
# "PageBuilder-pageRow" is not a "pager".
_UNLIKELY = Words(
    r"(?<![a-z])(?:combx|comment(?!ar|at)[a-z]*|repl(?:y|ies)|community|disqus|extra|foot|footer|header|menu|remark|rss"
    r"|shoutbox|sidebar|skyscraper|sponsor|ad-break|agegate|pagination|pager|popup|yom-remote"
    r"|banner|masthead|navbar|breadcrumbs?|newsletter|cookie|related|recirc|trending|share|social)"
    r"(?![a-z])"
)
# Readers' comments: junk however much text they hold (a long thread outweighs the post).
_COMMENTS = re.compile(
    r"(?<![a-z])(?:comment(?!ar|at)[a-z]*|repl(?:y|ies)|disqus_thread)(?![a-z])", re.I
)
_MAYBE = Words(r"and|article|body|column|content|main|shadow|story|entry|post|text")
# The sanity check: a choice this short, or holding this little of the page's paragraph text,
# is compared with the alternatives.
_FEW_WORDS = 120
_LOW_SHARE = 0.3
# Below this many characters in paragraphs, a container's text is not in paragraphs.
_MIN_PROSE = 500
# Pruning that would take more than this share of the chosen text is not trusted.
_MAX_PRUNED = 0.6

# Whether an element is junk, given its class-and-id marker; it reads the tag, these attributes and
# (links) the text around. None says junk of one outside SKIP_TAGS without the attributes.
Junk = Callable[[HtmlElement, str], bool]
_JUNK_ATTRIBUTES = frozenset({"class", "id", "style", "hidden", "aria-hidden", "role", "aria-modal"})
_NEVER_JUNK = frozenset({"html", "body", "article", "main"})


def body_paragraphs(
    root: lxml.html.HtmlElement, rules: ExtractionRules, title: str | None = None
) -> list[str]:
    """The article's paragraphs (subheads included), boilerplate removed.

    ``title`` is the article's headline: a block repeating it is not body text.
    """
    containers = _site_containers(root, rules)
    if containers:
        return _paragraphs_in(containers, rules, title, set())
    teasers = teaser_items(root)
    # Nested <article>s may be a listicle's items: they don't score, but they stay.
    linked = {t for t in teasers if t.tag != "article"}
    unlikely = _junk([root], rules, _unlikely) | linked
    choice = main_content(root, unlikely, teasers)
    leads = leads_before(choice.containers, title, unlikely, _is_furniture)
    found = _paragraphs_in(leads + choice.containers, rules, title, unlikely)
    if _plausible(found, choice):
        return found
    return _second_look(root, rules, title, found, teasers, linked, unlikely)


def _plausible(found: list[str], choice: Choice) -> bool:
    return _words(found) >= _FEW_WORDS and choice.share >= _LOW_SHARE


def _second_look(
    root: HtmlElement, rules: ExtractionRules, title: str | None, found: list[str],
    teasers: set[HtmlElement], linked: set[HtmlElement], unlikely: set[HtmlElement],
) -> list[str]:
    """The first choice is short or holds little of the page: compare it with the choice made
    without leaving unlikely candidates out, and (when both are short) with readability-lxml's.

    A short first choice gives way to a much longer alternative; a long one only to an
    alternative that extends it (the rest of an article split in parts), never to a
    neighbour such as the comments.
    """
    if _words(found) < _FEW_WORDS:
        theirs = _paragraphs_in(_readability_containers(root), rules, title, set())
        # Not when it is mostly text set aside: teasers, a dialog over the page (a login); box
        # by box, as paragraphs() reads its containers as one run and a set has no stable order.
        dialogs = {e for e in unlikely if is_dialog(e, class_marker(e))}
        aside = {line for box in teasers | dialogs for line in paragraphs([box], rules, None)}
        candidates = [theirs] if _kept(theirs, aside) < 0.5 else []
    else:
        hard = _junk([root], rules, _hidden_or_comments) | linked
        candidates = [_paragraphs_in(main_content(root, hard, teasers).containers, rules, title, hard)]
    best = found
    for candidate in candidates:
        if best and _words(candidate) <= 2 * _words(best) + 20:
            continue
        if _words(found) < _FEW_WORDS or _kept(found, candidate) >= 0.8:
            best = candidate
    return best


def _kept(found: list[str], other: Collection[str]) -> float:
    """The share of the words of ``found`` in paragraphs that ``other`` has too."""
    others = set(other)
    return _words(p for p in found if p in others) / max(_words(found), 1)


def _words(found: Iterable[str]) -> int:
    return sum(len(p.split()) for p in found)


def _paragraphs_in(
    containers: list[HtmlElement], rules: ExtractionRules, title: str | None,
    skip: set[HtmlElement],
) -> list[str]:
    """Paragraphs of the containers without furniture (unless it would take most of them)."""
    furniture = _junk(containers, rules, _furniture)
    total = sum(len(c.text_content()) for c in containers)
    pruned = sum(len(e.text_content()) for e in furniture if e.tag not in SKIP_TAGS)
    if total and pruned > _MAX_PRUNED * total and _prunes_the_prose(containers, furniture):
        furniture = _junk(containers, rules, _hidden)
    return paragraphs(containers, rules, title, skip | furniture)


def _prunes_the_prose(containers: list[HtmlElement], furniture: set[HtmlElement]) -> bool:
    """Whether the furniture holds much of the containers' prose (not only captions and lists)."""
    prose = sum(_prose(c) for c in containers)
    if prose <= _MIN_PROSE:
        return True
    return sum(_prose(e) for e in furniture if e.tag not in SKIP_TAGS) > 0.5 * prose


def _site_containers(root: lxml.html.HtmlElement, rules: ExtractionRules) -> list[HtmlElement]:
    for selector in rules.body:
        found = [e for e in select(root, selector) if not isinstance(e, str)]
        ids = {id(e) for e in found}
        # Drop containers nested in another match so no text is read twice.
        outer = [e for e in found if not any(id(a) in ids for a in e.iterancestors())]
        if any(clean_space(e.text_content()) for e in outer):
            return outer
    return []


def _readability_containers(root: lxml.html.HtmlElement) -> list[HtmlElement]:
    if not root.text_content().strip():
        return []
    # Imported here: few pages get this far, and its imports cost a short process ~45 ms.
    from readability import Document
    from readability.readability import Unparseable
    try:
        summary = Document(root).summary(html_partial=True)
    except (Unparseable, ValueError, AssertionError, etree.ParserError) as exc:
        # readability-lxml asserts on documents lxml parses oddly (no <body>, say).
        logger.debug("readability found no content: %s", exc)
        return []
    body = lxml.html.document_fromstring(summary).find("body") if summary.strip() else None
    return [body] if body is not None else []


def _junk(containers: list[HtmlElement], rules: ExtractionRules, is_junk: Junk) -> set[HtmlElement]:
    """The outermost elements inside the containers that are junk: the site's ``drop``
    selectors, and what ``is_junk`` says of elements (unless they hold the text)."""
    doomed: set[HtmlElement] = set()
    for container in containers:
        doomed.update(e for sel in rules.drop for e in select(container, sel) if not isinstance(e, str))
        total: _Text | None = None  # the container's text, read when first needed
        # Depth first, not into what is already doomed: its descendants go with it.
        stack = list(container)
        while stack:
            element = stack.pop()
            tag = element.tag
            if not isinstance(tag, str) or element in doomed:
                continue
            if tag in _NEVER_JUNK or (tag not in SKIP_TAGS and _JUNK_ATTRIBUTES.isdisjoint(element.keys())):
                stack.extend(element)  # no Junk could say junk: not asked (most of a page)
                continue
            marker = class_marker(element)
            if not is_junk(element, marker):
                stack.extend(element)
            elif (
                (tag in SKIP_TAGS and not is_slide(element))
                or _COMMENTS.search(marker) is not None
                or is_hidden(element)
                or is_dialog(element, marker)
            ):
                doomed.add(element)
            else:
                if total is None:
                    total = _Text(len(container.text_content()), _prose(container))
                if _holds_the_text(element, total):
                    stack.extend(element)
                else:
                    doomed.add(element)
    return doomed


class _Text(NamedTuple):
    chars: int
    prose: int  # in paragraphs that are not list items: see _prose


def _holds_the_text(element: HtmlElement, total: _Text) -> bool:
    """A wrapper with much of the text, little of it links: article, whatever its class says.
    Where the text is in paragraphs, much of the paragraphs' text: a gallery's list of
    captions, however long, does not hold the article's prose."""
    text = len(element.text_content())
    if total.prose > _MIN_PROSE and _prose(element) <= 0.3 * total.prose:
        return False
    return text > 0.3 * total.chars and text > 200 and link_density(element) < 0.5


def _prose(element: HtmlElement) -> int:
    """Characters in the <p>s of ``element`` not inside list items (below it; for itself, any)."""
    above = {element, *element.iterancestors()}  # a <p>'s nearest <li> is below, unless in here
    return sum(len(p.text_content()) for p in element.iter("p")
               if (item := next(p.iterancestors("li"), None)) is None or (p is not element and item in above))


def _hidden(element: HtmlElement, marker: str) -> bool:
    return is_hidden(element)


def _hidden_or_comments(element: HtmlElement, marker: str) -> bool:
    return is_hidden(element) or _COMMENTS.search(marker) is not None


def _is_furniture(element: HtmlElement) -> bool:
    return _furniture(element, class_marker(element))


def _unlikely(element: HtmlElement, marker: str) -> bool:
    if (element.tag in SKIP_TAGS and not is_slide(element)) or is_hidden(element):
        return True
    if is_dialog(element, marker):
        return True
    if in_prose(element):
        return False
    return _unlikely_words(marker)


def _furniture(element: HtmlElement, marker: str) -> bool:
    if is_hidden(element):
        return True
    return (
        bool(marker) and _furniture_words(marker) and not is_slide(element)
        and not in_prose(element) and not in_a_sentence(element)
    )


# What class and id say, kept by marker: a page repeats its class names on many elements.
@functools.lru_cache(maxsize=4096)
def _unlikely_words(marker: str) -> bool:
    return bool(marker) and _UNLIKELY.search(marker) and not _MAYBE.search(marker)


@functools.lru_cache(maxsize=4096)
def _furniture_words(marker: str) -> bool:
    if _CONTENT.search(marker):
        return False
    return bool(
        _FURNITURE_ANYWHERE.search(marker) or _RATING.search(marker) or _FURNITURE_TOKEN.search(marker)
        or _unlikely_words(marker)
    )
