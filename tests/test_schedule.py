"""``newsarchive schedule`` (``make schedule``): the systemd user units and the crontab line,
written under a temporary ``--root``; never the real user's config or crontab."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from newsarchive.cli import main

REPO = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make") or "make"


def _schedule(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["schedule", *args, "--repo", str(REPO)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_timer_and_service_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "news-data"
    status, out, _ = _schedule(capsys, "install", "--with", "systemd", "--root", str(tmp_path),
                               "--data", str(data), "--at", "3:05")
    assert status == 0
    units = tmp_path / "systemd" / "user"
    service = (units / "newsarchive.service").read_text()
    timer = (units / "newsarchive.timer").read_text()
    assert "Type=oneshot\n" in service
    assert f"WorkingDirectory={REPO}\n" in service
    assert f"ExecStart={MAKE} archive DATA={data}\n" in service
    assert "OnCalendar=*-*-* 03:05:00\n" in timer and "Persistent=true\n" in timer
    assert "Unit=newsarchive.service\n" in timer and "WantedBy=timers.target\n" in timer
    # It prints exactly what it installed, and the commands it would run.
    for line in (service + timer).splitlines():
        assert f"    {line}" in out.splitlines()
    assert "not run (--root): systemctl --user enable --now newsarchive.timer" in out
    if shutil.which("systemd-analyze"):
        check = subprocess.run(["systemd-analyze", "verify", "newsarchive.timer",
                                "newsarchive.service"], cwd=units, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_crontab_line_replaces_ours_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("0 * * * * backup\n")
    for at in ("02:30", "04:00"):  # installed twice: one line, the latest
        status, out, _ = _schedule(capsys, "install", "--with", "cron", "--root", str(tmp_path),
                                   "--at", at)
        assert status == 0
    line = f"0 4 * * * cd {REPO} && {MAKE} archive DATA={REPO / 'data'} # newsarchive-nightly"
    assert crontab.read_text() == f"0 * * * * backup\n{line}\n"
    assert f"    {line}" in out.splitlines()


def test_unschedule_removes_both_and_says_what(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _schedule(capsys, "install", "--with", "systemd", "--root", str(tmp_path))
    _schedule(capsys, "install", "--with", "cron", "--root", str(tmp_path))
    status, out, _ = _schedule(capsys, "remove", "--root", str(tmp_path))
    assert status == 0
    assert not list((tmp_path / "systemd" / "user").iterdir())
    assert (tmp_path / "crontab").read_text() == ""
    assert f"removed {tmp_path / 'systemd' / 'user' / 'newsarchive.timer'}" in out
    assert "# newsarchive-nightly" in out
    assert _schedule(capsys, "remove", "--root", str(tmp_path))[1] == "nothing scheduled\n"


def test_show_prints_both_forms_and_installs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _schedule(capsys, "show", "--data", str(tmp_path / "d"))
    assert status == 0
    assert f"    ExecStart={MAKE} archive DATA={tmp_path / 'd'}" in out
    assert "    OnCalendar=*-*-* 02:30:00" in out and "# newsarchive-nightly" in out
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("args", "says"), [
    (["--at", "24:00"], "--at '24:00': expected a time of day"),
    (["--data", "/tmp/two words"], "spaces and shell or unit-file characters"),
    (["--data", "/tmp/100%"], "spaces and shell or unit-file characters"),
])
def test_mistakes_are_one_line_and_exit_2(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _schedule(capsys, "install", "--root", str(tmp_path), *args)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and says in err
    assert not list(tmp_path.iterdir())


def test_a_repository_is_needed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "show", "--repo", str(tmp_path)]) == 2
    assert "has no Makefile" in capsys.readouterr().err


def test_make_schedule_and_unschedule_call_it() -> None:
    dry = subprocess.run([MAKE, "-n", "-C", str(REPO), "schedule", "unschedule",
                          "DATA=/srv/news", "SCHEDULE=03:15"], capture_output=True, text=True)
    lines = dry.stdout.splitlines()
    assert (f".venv/bin/newsarchive schedule install --repo {REPO} --data /srv/news --at 03:15"
            in lines)
    assert f".venv/bin/newsarchive schedule remove --repo {REPO}" in lines
