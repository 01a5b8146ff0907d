"""The catalog rebuilt from the runs' ``articles.jsonl``, read a line at a time: the same
versions and story threads, in the same order, as when every article was held in a list."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import feature_pool, stories
from archive.catalog import Catalog
from archive.catalog_build import rebuild, run_articles
from archive.story_store import StoryStore
from archive.threads import Threads, article_day, band_keys_current
from newsarchive.cli import main

WORDS = "harbour ferry council minister rainfall bridge festival railway reservoir budget".split()


def article(n: int, fetched: str, **extra: Any) -> dict[str, Any]:
    text = " ".join(WORDS[(n + i) % len(WORDS)].capitalize() + " said the council." for i in
                    range(40))
    return {"url": f"https://news.example/a/{n % 7}", "site": "example", "title": f"News {n}",
            "text": f"{text} Item {n}.", "sha256": f"sha{n}", "language": "en",
            "fetched": fetched, **extra}


def write_runs(data: Path) -> None:
    """Two runs whose lines are out of fetch order, name URLs again, lack versions and
    threads, and hold a torn line."""
    runs = {
        "20261201T000000Z": [
            article(3, "2026-12-01T03:00:00+00:00", version=1, story="sfirst"),
            article(1, "2026-12-01T01:00:00+00:00"),
            article(2, "2026-12-01T01:00:00+00:00", published="2026-11-20"),
            article(8, "2026-12-01T01:00:00+00:00", version=1),
        ],
        "20261202T000000Z": [
            article(10, "2026-12-02T00:00:00+00:00"),
            article(4, "", published="2026-11-30"),
            article(5, "2026-12-01T03:00:00+00:00", story="sother"),
            article(9, "2026-12-02T05:00:00+00:00", version=2),
        ],
    }
    for name, articles in runs.items():
        run = data / "runs" / name
        run.mkdir(parents=True)
        lines = [json.dumps(a, ensure_ascii=False) for a in articles]
        lines.insert(2, '{"url": "https://news.example/torn", "te')
        (run / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (run / "report.json").write_text("{}")


def held_in_a_list(data: Path, path: Path) -> None:
    """The rebuild's articles as it did them before it streamed them (no WARCs: no captures)."""
    catalog = Catalog.open(path)
    articles = [(a, run.name) for run in sorted((data / "runs").iterdir())
                for a in run_articles(run)]
    for run in sorted((data / "runs").iterdir()):
        catalog.add_run(run.name, 0)
    articles.sort(key=lambda item: (item[0].get("fetched") or "", item[0]["url"]))
    with catalog.transaction():
        for a, run_id in articles:
            if not a.get("version"):
                a = {**a, "version": catalog.next_version(a["url"], a.get("sha256") or "")[0]}
            catalog.add_version(a, run_id)
    latest = {a["url"]: a for a, _ in articles}
    threads = Threads(StoryStore(catalog.connection))
    with catalog.transaction():
        for a in sorted(latest.values(),
                        key=lambda a: (article_day(a), a.get("fetched") or "", a["url"])):
            threads.assign(a, a.get("story"))
    catalog.refresh_urls()
    catalog.close()


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        return {name: db.execute(sql).fetchall() for name, sql in {
            "versions": "SELECT * FROM versions ORDER BY rowid",
            "urls": "SELECT * FROM urls ORDER BY rowid",
            "members": "SELECT url, story, site, day FROM story_members ORDER BY rowid",
            "bands": "SELECT * FROM story_bands ORDER BY rowid",
            "stories": "SELECT * FROM stories ORDER BY rowid",
            "copies": "SELECT * FROM story_copies ORDER BY rowid",
        }.items()}


def test_the_streamed_rebuild_is_the_listed_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_runs(data)
    held_in_a_list(data, tmp_path / "listed.sqlite")
    result = rebuild(data, lambda url: "example")
    assert (result.runs, result.versions) == (2, 7)  # one a version already in
    streamed, listed = tables(data / "catalog.sqlite"), tables(tmp_path / "listed.sqlite")
    assert streamed == listed
    assert len(streamed["members"]) == 5  # one per URL: its latest article
    assert [row[0] for row in streamed["members"]] != sorted(row[0] for row in streamed["members"])


def test_lines_a_crash_cut_inside_a_character_are_skipped(tmp_path: Path) -> None:
    # articles.jsonl is written with ensure_ascii=False: a kill can cut a line mid-character.
    data = tmp_path / "data"
    run = data / "runs" / "20261201T000000Z"
    run.mkdir(parents=True)
    whole = [article(1, "2026-12-01T01:00:00+00:00", title="Zürich"),
             article(2, "2026-12-01T02:00:00+00:00")]
    lines = [json.dumps(a, ensure_ascii=False).encode() for a in whole]
    cut = json.dumps(article(3, "2026-12-01T03:00:00+00:00", title="Zürich"),
                     ensure_ascii=False).encode()
    cut = cut[: cut.index("ü".encode()) + 1]  # half of the ü's two bytes
    lines[1:1] = [cut, b'{"url": "https://news.example/\xff"}', b"[1, 2]", b"{}"]
    (run / "articles.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (run / "report.json").write_text("{}")
    assert [a["url"] for a in run_articles(run)] == [a["url"] for a in whole]
    assert rebuild(data, lambda url: "example").versions == 2


def test_a_rebuild_that_fails_leaves_no_half_built_catalog(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_runs(data)
    run = data / "runs" / "20261202T000000Z" / "articles.jsonl"
    bad = article(11, "2026-12-02T06:00:00+00:00", version="second")  # no version number
    run.write_text(run.read_text() + json.dumps(bad) + "\n")
    with pytest.raises(ValueError):
        rebuild(data, lambda url: "example")
    assert sorted(p.name for p in data.iterdir()) == ["runs"]  # nothing half built left


def test_text_features_worked_out_in_a_pool_give_the_same_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    write_runs(data)
    one = rebuild(data, lambda url: "example", tmp_path / "one.sqlite", workers=1)
    monkeypatch.setattr(feature_pool, "MIN_ARTICLES", 0)  # a pool even for these few
    pooled = rebuild(data, lambda url: "example", tmp_path / "pooled.sqlite", workers=2)
    assert (pooled.versions, pooled.stories) == (one.versions, one.stories) == (7, 5)
    assert tables(tmp_path / "pooled.sqlite") == tables(tmp_path / "one.sqlite")


def test_band_keys_of_another_minhash_scheme_are_told_and_a_rebuild_makes_them_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datasketch import MinHash

    data = tmp_path / "data"
    write_runs(data)
    rebuild(data, lambda url: "example")
    path = data / "catalog.sqlite"
    catalog = Catalog.open(path)
    store = StoryStore(catalog.connection)
    assert band_keys_current(store)
    # As datasketch 1.x made them (its "legacy" permutations): the keys of every kept article.
    with catalog.transaction():
        for url, text in catalog.connection.execute(
                "SELECT url, text FROM versions WHERE url IN (SELECT url FROM story_bands)"
                " GROUP BY url").fetchall():
            legacy = MinHash(num_perm=stories.PERMUTATIONS, seed=1, scheme="legacy")
            for shingle in stories.shingles(text):
                legacy.update(shingle.to_bytes(8, "big", signed=True))
            catalog.connection.execute("DELETE FROM story_bands WHERE url = ?", (url,))
            store.add_bands(url, stories.band_keys(legacy))
    assert not band_keys_current(store)
    catalog.close()
    assert main(["stories", str(data)]) == 0
    assert "made with another MinHash scheme" in capsys.readouterr().err
    assert main(["catalog", "rebuild", str(data)]) == 0
    catalog = Catalog.open(path)
    assert band_keys_current(StoryStore(catalog.connection))
    catalog.close()
