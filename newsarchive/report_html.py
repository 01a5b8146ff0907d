"""``newsarchive report``'s page: one HTML file of plotly charts and a table of the last runs.

plotly.js is inlined once in the page's head (no CDN), so the file opens from the file system
with no server and no network; each chart is a plotly figure drawn by it, as SVG.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.offline import get_plotlyjs

from newsarchive.report import ArchiveReport, Night
from newsarchive.report_stories import story_cards

STORIES_NOTE = ("The latest story threads: the same event across sites and nights. Outlets are"
                " rows; a solid line joins a copy to what it copies, a dotted one a quote to"
                " the outlet quoted.")

LAST_RUNS = 30  # rows of the table
CONFIG = {"displaylogo": False, "responsive": True}  # the logo links to plotly's site: left out
# Sites take plotly's default colours in every chart; reasons and languages colours of their own.
REASON_COLOURS = qualitative.Set1
LANGUAGE_COLOURS = qualitative.Pastel

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #f4f5f7; }
header, section { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; } h1 { margin: 0 0 4px; font-size: 24px; }
.facts { color: #555; margin: 0 0 12px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 16px; }
@media (max-width: 1000px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.card { min-width: 0;  background: #fff; border-radius: 8px; padding: 12px 16px; margin: 0 0 16px;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h2 { font-size: 17px; margin: 4px 0; } .note { color: #666; font-size: 13px; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:nth-child(-n+4), td:nth-child(-n+4) { text-align: left; } th { background: #fafafa; }
td.bad { color: #b3261e; font-weight: 600; } td.ok { color: #1b7f3b; }
"""


def write_page(report: ArchiveReport, path: Path) -> None:
    """Render the page and put it at ``path`` whole (written beside it, then renamed)."""
    page = render(report)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def render(report: ArchiveReport) -> str:
    title = f"newsarchive: {report.data_dir.resolve().name}"
    cards = [
        _card("Articles archived per night, by site", _articles(report),
              "Bars stack the sites; hover for new, changed and unchanged where the catalog"
              " counted them."),
        _card("New, changed and unchanged articles per night", _versions(report),
              "From the catalog: texts never archived before, new versions, and re-checks that"
              " found the text unchanged."),
        _card("Failures per night, by reason", _failures(report),
              "Requests that failed, every site's added up (http_404, DNS errors, ...)."),
        _card("Archive size", _size(report),
              "WARC bytes written by each run (bars) and the whole archive after it (line)."),
    ]
    texts = [
        _card("Text length per site", _lengths(report),
              "Words in the latest text of each archived article: the box holds the middle"
              " half, the line is the median, whiskers reach the shortest and the longest."),
        _card("Languages per site", _languages(report),
              "Detected language of the latest text of each archived article."),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<header><h1>{html.escape(title)}</h1>{_facts(report)}</header>"
        f'<section class="grid">{"".join(cards)}</section>'
        f'<section class="grid">{"".join(texts)}</section>'
        f'<section><div class="card"><h2>Last runs</h2>{_table(report)}</div></section>'
        f"{_stories(report)}"
        "</body></html>\n"
    )


def _stories(report: ArchiveReport) -> str:
    """The story view (:mod:`newsarchive.report_stories`), when the catalog has threads."""
    if not report.threads:
        return ""
    return (f'<section id="stories"><h2>Stories</h2><p class="note">{html.escape(STORIES_NOTE)}'
            f"</p>{story_cards(report.threads, _chart)}</section>")


def _facts(report: ArchiveReport) -> str:
    first, last = report.nights[0], report.nights[-1]
    total = report.cumulative_bytes()[-1]
    facts = [f"{len(report.nights)} runs, {_when(first)} to {_when(last)}",
             f"{sum(n.articles for n in report.nights):,} articles archived",
             f"{len(report.sites)} sites", f"archive {_bytes(total)}"]
    if report.catalog is not None:
        facts.append(f"catalog: {report.urls:,} URLs, {report.versions:,} text versions")
    else:
        facts.append("no catalog (catalog.sqlite): text length and language not shown")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f'<p class="facts">{html.escape(" · ".join(facts))}<br>'
            f"{html.escape(str(report.data_dir))}, generated {generated}</p>")


def _card(title: str, body: str, note: str) -> str:
    return (f'<div class="card"><h2>{html.escape(title)}</h2>'
            f'<p class="note">{html.escape(note)}</p>{body}</div>')


def _chart(figure: go.Figure, div_id: str, height: int = 360) -> str:
    figure.update_layout(
        # The legend above the plot: below it, it would meet long (slanted) run ids.
        template="plotly_white", height=height, margin={"l": 60, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "traceorder": "normal"},
        font={"family": "system-ui, sans-serif", "size": 13},
    )
    chart: str = figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                                config=CONFIG, default_height=f"{height}px")
    return chart


def _nights_axis(figure: go.Figure, report: ArchiveReport, title: str) -> go.Figure:
    """Nights as categories, oldest first (a run id is not a number, nor always a date)."""
    figure.update_xaxes(type="category", categoryorder="array",
                        categoryarray=[n.run_id for n in report.nights])
    figure.update_yaxes(title_text=title, rangemode="tozero")
    return figure


def _articles(report: ArchiveReport) -> str:
    runs = [n.run_id for n in report.nights]
    figure = go.Figure(layout={"barmode": "stack", "hovermode": "x unified"})
    for site in report.sites:
        nights = [n.sites.get(site) for n in report.nights]
        figure.add_bar(
            name=site, x=runs, y=[s.articles if s else 0 for s in nights],
            customdata=[_versions_text(s) for s in nights],
            hovertemplate="%{y} articles%{customdata}")
    return _chart(_nights_axis(figure, report, "articles"), "articles-per-site")


def _versions_text(site: Any) -> str:
    if site is None or site.new is None:
        return ""
    return f" ({site.new} new, {site.changed} changed, {site.unchanged} unchanged)"


def _versions(report: ArchiveReport) -> str:
    if all(n.versions("new") is None for n in report.nights):
        return _empty("No run counted new and changed articles (the catalog was off).")
    runs = [n.run_id for n in report.nights]
    figure = go.Figure(layout={"barmode": "stack", "hovermode": "x unified"})
    for kind, color in (("new", "#2a9d8f"), ("changed", "#e9c46a"), ("unchanged", "#c8ccd2")):
        figure.add_bar(name=kind, x=runs, y=[n.versions(kind) or 0 for n in report.nights],
                       marker_color=color, hovertemplate="%{y}")
    return _chart(_nights_axis(figure, report, "articles"), "versions-per-night")


def _failures(report: ArchiveReport) -> str:
    if not report.reasons:
        return _empty("No request failed in any run.")
    runs = [n.run_id for n in report.nights]
    figure = go.Figure(layout={"barmode": "stack", "hovermode": "x unified",
                               "colorway": REASON_COLOURS})
    for reason in report.reasons:
        figure.add_bar(name=reason, x=runs, y=[n.failures.get(reason, 0) for n in report.nights],
                       hovertemplate="%{y}")
    return _chart(_nights_axis(figure, report, "failed requests"), "failures-per-night")


def _size(report: ArchiveReport) -> str:
    runs = [n.run_id for n in report.nights]
    divisor, unit = _unit(report.cumulative_bytes()[-1])
    figure = go.Figure(layout={"hovermode": "x unified"})
    figure.add_bar(name="written by the run", x=runs, marker_color="#8ab6d6",
                   y=[round(n.warc_bytes / divisor, 2) for n in report.nights],
                   hovertemplate=f"%{{y}} {unit}")
    figure.add_scatter(name="archive total", x=runs, mode="lines+markers",
                       line={"color": "#1d3557", "width": 3},
                       y=[round(b / divisor, 2) for b in report.cumulative_bytes()],
                       hovertemplate=f"%{{y}} {unit}")
    return _chart(_nights_axis(figure, report, f"WARC {unit}"), "archive-size")


def _lengths(report: ArchiveReport) -> str:
    if not report.texts:
        return _empty("No texts: the data directory has no catalog, or it holds none.")
    figure = go.Figure()
    for site, texts in report.texts.items():
        low, q1, median, q3, high = texts.words
        figure.add_box(
            name=site, x=[site], q1=[q1], median=[median], q3=[q3], lowerfence=[low],
            upperfence=[high], mean=[texts.mean_words], boxpoints=False,
            hovertemplate=f"{texts.texts} texts<extra>{html.escape(site)}</extra>")
    figure.update_layout(showlegend=False)
    figure.update_yaxes(title_text="words")
    return _chart(figure, "text-length")


def _languages(report: ArchiveReport) -> str:
    if not report.texts:
        return _empty("No texts: the data directory has no catalog, or it holds none.")
    sites = list(report.texts)
    languages = sorted({lang for t in report.texts.values() for lang in t.languages},
                       key=lambda lang: (-sum(t.languages.get(lang, 0)
                                              for t in report.texts.values()), lang))
    figure = go.Figure(layout={"barmode": "stack", "colorway": LANGUAGE_COLOURS,
                               "showlegend": True})
    for language in languages:
        figure.add_bar(name=language, orientation="h", y=sites,
                       x=[report.texts[s].languages.get(language, 0) for s in sites],
                       hovertemplate=f"%{{x}} texts in {language}<extra>%{{y}}</extra>")
    figure.update_xaxes(title_text="texts")
    figure.update_yaxes(autorange="reversed")
    return _chart(figure, "languages")


def _empty(message: str) -> str:
    return f'<p class="empty">{html.escape(message)}</p>'


def _table(report: ArchiveReport) -> str:
    head = ("<tr><th>run</th><th>started (UTC)</th><th>duration</th><th>status</th>"
            "<th>articles</th><th>failures</th><th>WARC size</th></tr>")
    rows = []
    for night in reversed(report.nights[-LAST_RUNS:]):
        status = "ok" if night.status == "ok" else "bad"
        cells = [night.run_id, _when(night), _duration(night.duration)]
        rows.append(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            + f'<td class="{status}">{html.escape(night.status)}</td>'
            f"<td>{night.articles:,}</td><td>{night.failed:,}</td>"
            f"<td>{_bytes(night.warc_bytes)}</td></tr>")
    more = len(report.nights) - LAST_RUNS
    tail = f'<p class="note">and {more} earlier runs</p>' if more > 0 else ""
    return f'<table id="runs">{head}{"".join(rows)}</table>{tail}'


def _when(night: Night) -> str:
    if night.started is None:
        return "unknown"
    return night.started.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _unit(size: int) -> tuple[int, str]:
    for divisor, unit in ((1 << 30, "GB"), (1 << 20, "MB")):
        if size >= divisor:
            return divisor, unit
    return 1 << 10, "KB"


def _bytes(size: int) -> str:
    divisor, unit = _unit(size)
    return f"{size / divisor:,.1f} {unit}"
