"""Story threads without a crawl: features, attribution, copies and incremental assignment."""

from __future__ import annotations

from pathlib import Path

from archive import stories
from archive.attribution import quotes
from archive.catalog import Catalog
from archive.story_store import StoryStore
from archive.story_view import threads
from archive.threads import Threads, article_day

SUMMIT = ("Trump and Kim Jong Un meet in Hanoi for second summit",
          "US President Donald Trump and North Korean leader Kim Jong Un met in Hanoi on"
          " Wednesday for their second summit on denuclearization, sanctions and the Yongbyon"
          " nuclear complex, at the Metropole hotel in the Vietnamese capital.")
SUMMIT_2 = ("Hanoi summit: Kim Jong Un and Trump end talks without a deal",
            "The Hanoi summit between Kim Jong Un and Donald Trump ended without a deal on"
            " sanctions and denuclearization; the leaders left the Metropole hotel early, and"
            " Yongbyon remained the sticking point.")
FLOODS = ("Floods in Sri Lanka force thousands into relief camps",
          "Heavy monsoon rain flooded villages in the south of Sri Lanka, and the Disaster"
          " Management Centre moved thousands of families into schools and temples.")


def _article(url: str, title: str, text: str, day: str, site: str = "dw") -> dict[str, str]:
    return {"url": url, "site": site, "title": title, "text": text, "published": day,
            "fetched": "2026-12-01T02:00:00+00:00", "sha256": url}


def _threads(tmp_path: Path) -> tuple[Catalog, Threads]:
    catalog = Catalog.open(tmp_path / "catalog.sqlite")
    return catalog, Threads(StoryStore(catalog.connection))


def _add(catalog: Catalog, threads_: Threads, article: dict[str, str]) -> str:
    catalog.add_version(article, "run")
    return threads_.assign(article).story


def test_names_written_apart_and_accented_meet() -> None:
    counts = stories.term_counts("Hà Nội summit", "Kim Jong Un arrived in Ha Noi.")
    assert counts["hanoi"] > 0 and counts["kimjongun"] > 0 and "the" not in counts


def test_containment_is_the_share_of_one_text_found_in_the_other() -> None:
    short = stories.shingles(SUMMIT[1])
    longer = stories.shingles(SUMMIT[1] + " " + FLOODS[1])
    assert stories.containment(short, longer) == 1.0
    assert 0.3 < stories.containment(longer, short) < 0.8


def test_the_signature_is_datasketchs_own_minhash_of_the_shingles() -> None:
    # The shingles are hashed where the text is (an extraction worker, without datasketch); the
    # MinHash made of those hashes must be the one datasketch makes of the shingles themselves,
    # or band keys kept by earlier nights would no longer meet tonight's.
    from datasketch import MinHash

    found = stories.features(*SUMMIT)
    theirs = MinHash(num_perm=stories.PERMUTATIONS, seed=1, scheme="affine32")
    theirs.update_batch([s.to_bytes(8, "big", signed=True) for s in found.shingles])
    assert list(stories.signature(found).hashvalues) == list(theirs.hashvalues)
    assert stories.band_keys(stories.signature(found)) == stories.band_keys(theirs)


def test_quotes_of_outlets_and_not_of_oneself() -> None:
    text = ("PYONGYANG, March 1 (Xinhua) -- The leaders met, the Korean Central News Agency"
            " reported. According to Yonhap, talks ended early. Pyongyang, March 1 (KCNA) -- x.")
    found = {q.outlet: q for q in quotes(text, site="chinadaily")}
    assert set(found) == {"xinhua", "kcna", "yonhap"}
    assert found["kcna"].site == "kcna" and "reported" in found["kcna"].sentence
    assert "kcna" not in {q.outlet for q in quotes(text, site="kcna")}
    assert quotes("The DWelling AP-style text says nothing.", site="dw") == []


def test_article_day_prefers_publication() -> None:
    assert article_day({"published": "2019-02-28T08:40:00+00:00", "fetched": "2026-12-01"}) == (
        "2019-02-28")
    assert article_day({"published": None, "fetched": "2026-12-01T02:00:00"}) == "2026-12-01"


def test_a_second_night_joins_its_story_and_leaves_others_alone(tmp_path: Path) -> None:
    catalog, threads_ = _threads(tmp_path)
    first = _add(catalog, threads_, _article("https://a/1", *SUMMIT, "2019-02-27"))
    floods = _add(catalog, threads_, _article("https://b/1", *FLOODS, "2019-02-27", "cgtn"))
    assert floods != first
    # night 2: the same story a day later joins; the same story a month later does not
    assert _add(catalog, threads_, _article("https://c/1", *SUMMIT_2, "2019-02-28", "kcna")) == (
        first)
    later = ("Kim Jong Un and Trump: a month after Hanoi, the Yongbyon question",
             "A month after the Hanoi summit, Donald Trump and Kim Jong Un have not met again;"
             " sanctions stay and Yongbyon still works, diplomats in Seoul say.")
    assert _add(catalog, threads_, _article("https://c/2", *later, "2019-04-01")) != first
    found = threads(StoryStore(catalog.connection), min_size=2)
    assert [(t.story, [m.url for m in t.members]) for t in found] == [
        (first, ["https://a/1", "https://c/1"])]
    # assigning again changes nothing
    again = threads_.assign(_article("https://a/1", *FLOODS, "2019-02-27"))
    assert (again.story, again.new) == (first, False)


def test_a_copy_is_the_later_article_and_joins_the_original(tmp_path: Path) -> None:
    catalog, threads_ = _threads(tmp_path)
    wire = SUMMIT[1] + " " + FLOODS[1]
    # the copy is archived first but published later: the direction follows the dates
    copy = _add(catalog, threads_, _article("https://copy/1", "Copy", wire, "2019-02-28"))
    original = threads_.assign(_article("https://orig/1", "Wire", wire + " More.", "2019-02-27"))
    assert original.story == copy
    assert [(c, o) for c, o, _ in original.copies] == [("https://copy/1", "https://orig/1")]
    row = catalog.connection.execute("SELECT url, original FROM story_copies").fetchall()
    assert row == [("https://copy/1", "https://orig/1")]
