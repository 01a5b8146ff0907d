"""``newsarchive merge DATA... --data OUT``: the workers of a shared crawl made one run.

Each worker of ``crawl --redis`` wrote the run in its own data directory. The merged run goes to
``OUT/runs/<run-id>/`` as any run does: every worker's WARC files and CDXJ indexes (hard-linked
where the file system allows, else copied; their names hold the worker's host and pid), one
``articles.jsonl`` (an article fetched twice, by a worker that died and by the one that took its
requests over, is kept once: the first capture), the texts under ``OUT/text/``, one
``report.json`` (per site the workers' counters added up, articles counted from the merged
articles, and each worker's own outcome under ``workers``), one WACZ, and ``OUT``'s catalog rebuilt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archive.catalog_build import rebuild, run_articles
from archive.wacz import build_wacz
from crawler.extensions.report import build_report, site_summary
from crawler.siteconfig import SiteRegistry, load_sites
from model.layout import RunLayout
from newsarchive.catalog import site_name
from newsarchive.lock import DataDirBusy, DataDirLock
from newsarchive.repair import repair_data_dir


class MergeError(ValueError):
    """Nothing to merge, or a merged run that exists already."""


def merge_command(args: argparse.Namespace) -> int:
    """``newsarchive merge``: the runs of the workers merged into ``--data``."""
    out, workers = Path(args.data), [Path(w) for w in args.workers]
    if any(w.resolve() == out.resolve() for w in workers):
        print(f"newsarchive: --data {out} is one of the workers: merge into another directory",
              file=sys.stderr)
        return 2
    sites = load_sites(args.sites)
    runs = [args.run_id] if args.run_id else [
        r for r in worker_runs(workers) if not RunLayout(out, r).run_dir.exists()]
    if not runs:
        print(f"newsarchive: no run to merge from {', '.join(map(str, workers))}", file=sys.stderr)
        return 2
    failed = False
    try:
        for worker in workers:  # a worker that was killed left its run open: closed first
            with DataDirLock(worker):
                for repair in repair_data_dir(worker):
                    print(repair.summary())
        with DataDirLock(out):
            for run_id in runs:
                report = merge_run(workers, out, run_id, sites)
                failed |= any(s["status"] != "ok" for s in report["sites"].values())
                print(f"{report['run_dir']}: {report['merged_from']} workers, "
                      f"{sum(s['articles'] for s in report['sites'].values())} articles, "
                      f"{len(report['archive']['files'])} WARC files; {report['archive']['wacz']}")
    except (DataDirBusy, MergeError, ValueError) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0


def worker_runs(workers: Iterable[Path]) -> list[str]:
    """The run ids found in the workers' data directories."""
    ids = {run.name for data in workers if (data / "runs").is_dir()
           for run in (data / "runs").iterdir() if run.is_dir()}
    return sorted(ids)


def merge_run(workers: list[Path], out: Path, run_id: str, sites: SiteRegistry) -> dict[str, Any]:
    """Merge run ``run_id`` of every worker into ``out``; the merged report."""
    layout = RunLayout(out, run_id)
    parts = [RunLayout(w, run_id) for w in workers if RunLayout(w, run_id).run_dir.is_dir()]
    if not parts:
        raise MergeError(f"no worker data directory has run {run_id}")
    if layout.run_dir.exists():
        raise MergeError(f"{layout.run_dir} exists already: merge into another --data, or"
                         " remove it first")
    layout.warc_dir.mkdir(parents=True)
    for part in parts:
        for file in sorted(part.warc_dir.glob("*")) if part.warc_dir.is_dir() else []:
            if file.name.endswith((".warc.gz", ".cdxj")):
                _link(file, layout.warc_dir / file.name)
    articles = list(_first_captures(parts))
    with layout.articles_path.open("w", encoding="utf-8") as lines:
        for article, part in articles:
            if article.get("text_path"):
                _link(part.data_dir / article["text_path"], out / article["text_path"])
            lines.write(json.dumps(article, ensure_ascii=False, sort_keys=True) + "\n")
    reports = [_read_report(part) for part in parts]
    report = merged_report(run_id, [a for a, _ in articles], reports, list(sites))
    report["run_dir"] = str(layout.run_dir)
    report["workers"] = [_worker(part, r) for part, r in zip(parts, reports, strict=True)]
    report["archive"]["files"] = sorted(p.name for p in layout.warc_dir.glob("*.warc.gz"))
    report["archive"]["wacz"] = build_wacz(layout.run_dir).name
    rebuild(out, site_name(sites))
    temporary = layout.report_path.with_name(".report.json.tmp")
    temporary.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(temporary, layout.report_path)
    return report


def merged_report(run_id: str, articles: list[dict[str, Any]], reports: list[dict[str, Any]],
                  sites: list[str]) -> dict[str, Any]:
    """The workers' stats added up; per site the articles counted from the merged articles."""
    stats: Counter[str] = Counter()
    for report in reports:
        for key, value in (report.get("stats") or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                stats[key] += value
    for key in [k for k in stats if k.endswith(("/articles", "/articles_unique"))]:
        del stats[key]
    unique: dict[str, set[tuple[str, ...]]] = {}
    for article in articles:
        site = article.get("site") or ""
        stats[f"site/{site}/articles"] += 1
        unique.setdefault(site, set()).add(_article_key(article))
    for site, keys in unique.items():
        stats[f"site/{site}/articles_unique"] = len(keys)
    finished = all(r.get("finish_reason") == "finished" for r in reports)
    report = build_report(dict(stats), run_id, sorted(sites), "finished" if finished else
                          "unfinished", None, None)
    report["sites"] = {name: site_summary(dict(stats), name) for name in sorted(sites)}
    report["duration_seconds"] = max((r.get("duration_seconds") or 0 for r in reports), default=0)
    report["merged_from"] = len(reports)
    return report


def _first_captures(parts: list[RunLayout]) -> Iterator[tuple[dict[str, Any], RunLayout]]:
    """Every worker's articles, earliest first; an URL archived again is left out."""
    everything = [(a, part) for part in parts for a in run_articles(part.run_dir)]
    seen: set[str] = set()
    for article, part in sorted(everything, key=lambda pair: str(pair[0].get("fetched") or "")):
        if article.get("url") in seen:
            continue
        seen.add(article.get("url") or "")
        yield article, part


def _article_key(article: dict[str, Any]) -> tuple[str, ...]:
    """As the run report counts unique articles: same title and publication day."""
    title, published = article.get("title"), article.get("published")
    if title and published:
        return (" ".join(str(title).casefold().split()), str(published)[:10])
    return (str(article.get("url")),)


def _read_report(part: RunLayout) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(part.report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"finish_reason": None, "status": "interrupted", "stats": {}}
    return report


def _worker(part: RunLayout, report: dict[str, Any]) -> dict[str, Any]:
    return {"data_dir": str(part.data_dir), "report": str(part.report_path),
            "finish_reason": report.get("finish_reason"),
            "status": report.get("status", "interrupted" if report.get("interrupted_by") else "ok"),
            "files": report.get("archive", {}).get("files", [])}


def _link(source: Path, target: Path) -> None:
    if not source.is_file() or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
