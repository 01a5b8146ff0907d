"""One crawl per data directory, run ids never reused, and `repair` on a run a crash left."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.cli import main
from tests.conftest import Crawl, FixtureServer, read_articles


def _crawl(server: FixtureServer, data: Path, run_id: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl", "--data", str(data), "--proxy",
         server.proxy, "--delay-scale", "0", "--run-id", run_id, "--set", "RETRY_TIMES=0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_two_crawls_started_together_one_runs_one_is_refused(
    fixture_server: tuple[FixtureServer, Path], tmp_path: Path
) -> None:
    server, _ = fixture_server
    data = tmp_path / "data"
    first, second = _crawl(server, data, "a"), _crawl(server, data, "b")
    outcomes = {run: (p.wait(timeout=300), *p.communicate()) for run, p in (("a", first),
                                                                           ("b", second))}
    refused = [run for run, (code, _, err) in outcomes.items() if code == 2]
    assert len(refused) == 1, outcomes
    _, _, err = outcomes[refused[0]]
    assert "is in use by another crawl (pid " in err and len(err.strip().splitlines()) == 1
    ran = "a" if refused == ["b"] else "b"
    assert outcomes[ran][0] == 0, outcomes[ran]
    assert sorted(p.name for p in (data / "runs").iterdir()) == [ran]
    lines = (data / "runs" / ran / "articles.jsonl").read_text().splitlines()
    assert len(lines) == len(read_articles(data / "runs" / ran))  # nothing written twice


def test_a_run_id_is_never_reused(crawl: Crawl, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    assert main(["crawl", "--data", str(data), "--run-id", "test-run"]) == 2
    assert "run id 'test-run' already exists" in capsys.readouterr().err
    assert read_articles(data / "runs" / "test-run") == read_articles(crawl.run_dir)


def test_repair_closes_what_a_crash_left(crawl: Crawl, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(crawl.data_dir, data)
    run = data / "runs" / "test-run"
    last = sorted((run / "warc").glob("*.warc.gz"))[-1]
    whole = last.read_bytes()
    # As a kill -9 leaves it: the last WARC still open and torn, no report, a torn JSON line.
    (last.with_name(last.name + ".open")).write_bytes(whole[: len(whole) - 100])
    last.unlink()
    last.with_name(last.name.replace(".warc.gz", ".cdxj")).unlink()
    (run / "report.json").unlink()
    (run / f"{run.name}.wacz").unlink()
    with (run / "articles.jsonl").open("a") as fh:
        fh.write('{"url": "https://www.dw.com/en/torn')
    assert main(["repair", str(data)]) == 0
    assert "recovered run test-run (interrupted): 1 WARC files closed" in capsys.readouterr().out
    assert not list(run.rglob("*.open")) and (run / f"{run.name}.wacz").exists()
    assert last.exists() and last.stat().st_size < len(whole)
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", str(last)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads((run / "report.json").read_text())
    assert report["status"] == "interrupted" and report["repair"]["lines_dropped"] >= 1
    kept = read_articles(run)
    assert kept and set(kept) <= {a["url"] for a in crawl.articles}
    assert main(["repair", str(data)]) == 0  # nothing left to do
    assert "nothing to repair" in capsys.readouterr().out
