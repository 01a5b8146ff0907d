"""The report's story view: the latest story threads, each a timeline with the outlets as rows.

Each article is a point on its outlet's row at its day (hover: its title); a copy is a solid
line to the article it copies, a quote a dotted line to the quoted outlet's article in the
thread (or to a row of the outlet's own, when it is not one of our sites). Under each chart the
same links, as links: the articles, what copies what (with the share of text) and who quotes
whom.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from archive.story_view import Member, Thread

SHOWN = 8  # threads in the view, latest first


def story_cards(threads: list[Thread], chart: object) -> str:
    """One card per thread; ``chart(figure, div_id, height)`` renders a figure."""
    cards = []
    for number, thread in enumerate(threads[:SHOWN]):
        figure = timeline(thread)
        rows = len({_row(m) for m in thread.members} | {o for _, o, s in thread.quoted() if not s})
        body = chart(figure, f"story-{number}", 90 + 40 * rows)  # type: ignore[operator]
        title = (f"{thread.title or thread.story}: {len(thread.members)} articles,"
                 f" {thread.first_day} to {thread.last_day}")
        cards.append(f'<div class="card"><h2>{html.escape(title)}</h2>{body}'
                     f"{_links(thread)}</div>")
    return "".join(cards)


def timeline(thread: Thread) -> go.Figure:
    figure = go.Figure(layout={"showlegend": True, "hovermode": "closest"})
    by_url = {m.url: m for m in thread.members}
    for member in thread.members:
        if member.copy_of and member.copy_of[0] in by_url:
            original = by_url[member.copy_of[0]]
            figure.add_scatter(
                x=[member.day, original.day], y=[_row(member), _row(original)], mode="lines",
                line={"color": "#b3261e", "width": 2}, name="copy", legendgroup="copy",
                showlegend=False, hovertemplate=f"copy ({member.copy_of[1]:.0%} shared)")
    for quoting, outlet, source in thread.quoted():
        figure.add_scatter(
            x=[quoting.day, source.day if source else quoting.day],
            y=[_row(quoting), _row(source) if source else outlet], mode="lines",
            line={"color": "#1d3557", "width": 1.5, "dash": "dot"}, name="quote",
            legendgroup="quote", showlegend=False, hovertemplate=f"quotes {outlet}")
    for site in sorted({_row(m) for m in thread.members}):
        members = [m for m in thread.members if _row(m) == site]
        figure.add_scatter(
            x=[m.day for m in members], y=[site] * len(members), mode="markers", name=site,
            marker={"size": 13}, customdata=[m.url for m in members],
            text=[m.title or m.url for m in members],
            hovertemplate="%{text}<br>%{customdata}<extra>%{y}</extra>")
    figure.update_xaxes(type="date", tickformat="%Y-%m-%d")
    figure.update_yaxes(type="category")
    return figure


def _row(member: Member) -> str:
    return member.site or "unknown"


def _links(thread: Thread) -> str:
    by_url = {m.url: m for m in thread.members}
    items = [f"<li>{html.escape(m.day)} {html.escape(_row(m))}: {_a(m.url, m.title)}</li>"
             for m in thread.members]
    for member in thread.members:
        if member.copy_of:
            original = by_url.get(member.copy_of[0])
            items.append(f"<li>copy: {_a(member.url, _row(member))} copies"
                         f" {_a(member.copy_of[0], _row(original) if original else None)}"
                         f" ({member.copy_of[1]:.0%} of its text)</li>")
    for quoting, outlet, source in thread.quoted():
        target = _a(source.url, outlet) if source else html.escape(outlet)
        items.append(f"<li>quote: {_a(quoting.url, _row(quoting))} quotes {target}</li>")
    return f'<ul class="thread">{"".join(items)}</ul>'


def _a(url: str, text: str | None) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(text or url)}</a>'
