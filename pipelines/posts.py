"""Posts of a thread: a question and its answers, a post and its replies, each in a box of one template.

When the main content found is one such post, the page is the thread: the posts are read
together, from the box that holds them all, rather than the longest one alone (an answer
outweighs the question it answers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lxml.html import HtmlElement

# Boxes of one template that make a thread; fewer may be a story and its sidebar twin.
_MIN_POSTS = 3
# A post holds a paragraph at least, and the others hold a good part of what this one does.
_MIN_POST_MASS = 2.0
_OTHERS_SHARE = 0.25
# The box around the posts must be text, not a list of links to other threads.
_MAX_LINK_DENSITY = 0.3


def thread_around(
    post: HtmlElement,
    mass: Mapping[HtmlElement, float],
    link_density: Callable[[HtmlElement], float],
) -> HtmlElement | None:
    """The box holding every post of ``post``'s template, if ``post`` is one of a thread.

    The posts are the elements with the same tag and class as ``post`` that hold scored text
    (``mass``: readers' comments left out beforehand are not posts); the box is their lowest
    common ancestor, unless it is the page's body or mostly links.
    """
    classes = post.get("class")
    if not classes:
        return None
    root = post.getroottree().getroot()
    posts = [
        e
        for e in root.iter(post.tag)
        if e.get("class") == classes and mass.get(e, 0) >= _MIN_POST_MASS
    ]
    if len(posts) < _MIN_POSTS or _nested(posts):
        return None  # boxes in boxes of one class are a layout's grid, not posts
    if sum(mass.get(e, 0) for e in posts if e is not post) < _OTHERS_SHARE * mass.get(post, 0):
        return None  # one text among widgets of its template
    box = _common_ancestor(posts)
    if box is None or box.tag in ("body", "html") or link_density(box) >= _MAX_LINK_DENSITY:
        return None
    return box


def _nested(elements: list[HtmlElement]) -> bool:
    found = set(elements)
    return any(a in found for e in elements for a in e.iterancestors())


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    shared = set(elements[0].iterancestors())
    for element in elements[1:]:
        shared.intersection_update(element.iterancestors())
    return next((a for a in elements[0].iterancestors() if a in shared), None)
