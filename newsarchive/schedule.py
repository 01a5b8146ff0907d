"""The nightly crawl as a systemd user timer, or a crontab line where there is no systemd.

``make schedule`` (``newsarchive schedule install``) writes ``newsarchive.service`` and
``newsarchive.timer`` to ``$XDG_CONFIG_HOME/systemd/user/`` and enables the timer; the timer is
``Persistent=true``, so a night missed while the machine was off runs at the next boot. Without a
user systemd (no ``systemctl --user``), one crontab line marked ``# newsarchive-nightly`` does the
same, minus the catching up. Both run ``make archive DATA=...`` in the repository; a second crawl
on the same data directory is refused by its lock, so a long night never overlaps the next.

``root`` puts everything under one directory instead (the units in ``root/systemd/user/``, the
crontab in ``root/crontab``) and runs no command: for tests, and to look before installing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive.arguments import data_dir

UNIT = "newsarchive"
CRON_MARK = "# newsarchive-nightly"
# Characters that would need quoting in a unit file (% is a specifier), a crontab (% is a
# newline) or a make command line.
_UNSAFE = re.compile(r"[\s%\"'\\$`;&|<>()*?#]")


class ScheduleError(ValueError):
    """A schedule that cannot be written as asked: a usage mistake."""


class NoScheduler(RuntimeError):
    """Neither a user systemd nor cron on this machine."""


def clock_time(value: str) -> str:
    """``2:30`` -> ``02:30``; an argparse type."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise argparse.ArgumentTypeError(f"--at {value!r}: expected a time of day, HH:MM (e.g. 02:30)")
    return f"{int(match[1]):02d}:{match[2]}"


@dataclass(frozen=True)
class Nightly:
    repo: Path  # where the Makefile is
    data: Path
    at: str = "02:30"  # HH:MM, local time
    make: str = "/usr/bin/make"

    @classmethod
    def create(cls, repo: Path, data: Path, at: str) -> Nightly:
        repo, data = repo.resolve(), (repo / data).resolve()
        if not (repo / "Makefile").is_file():
            raise ScheduleError(f"{repo} has no Makefile: run from the repository, or pass --repo")
        for path in (repo, data):
            if _UNSAFE.search(str(path)):
                raise ScheduleError(f"{path}: spaces and shell or unit-file characters are not"
                                    " supported in a scheduled path; choose another directory")
        return cls(repo, data, at, shutil.which("make") or "make")

    @property
    def command(self) -> str:
        return f"{self.make} archive DATA={self.data}"

    def service(self) -> str:
        return (f"[Unit]\nDescription=newsarchive: the nightly crawl into {self.data}\n\n"
                "[Service]\nType=oneshot\n"
                f"WorkingDirectory={self.repo}\nExecStart={self.command}\n")

    def timer(self) -> str:
        return (f"[Unit]\nDescription=newsarchive: the nightly crawl at {self.at}\n\n"
                f"[Timer]\nOnCalendar=*-*-* {self.at}:00\n"
                "# A night missed while the machine was off runs at the next boot.\n"
                f"Persistent=true\nUnit={UNIT}.service\n\n"
                "[Install]\nWantedBy=timers.target\n")

    def cron_line(self) -> str:
        hour, minute = self.at.split(":")
        return f"{int(minute)} {int(hour)} * * * cd {self.repo} && {self.command} {CRON_MARK}"


class Systemd:
    """The user's systemd units (``root``: files only, no ``systemctl``)."""

    def __init__(self, root: Path | None = None) -> None:
        config = root or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.directory = config / "systemd" / "user"
        self.dry = root is not None

    @staticmethod
    def available() -> bool:
        if not shutil.which("systemctl"):
            return False
        probe = subprocess.run(["systemctl", "--user", "show-environment"],
                               capture_output=True, check=False)
        return probe.returncode == 0

    def paths(self) -> tuple[Path, Path]:
        return self.directory / f"{UNIT}.service", self.directory / f"{UNIT}.timer"

    def install(self, nightly: Nightly) -> Iterator[str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        for path, text in zip(self.paths(), (nightly.service(), nightly.timer()), strict=True):
            path.write_text(text)
            yield f"wrote {path}:"
            yield from (f"    {line}" for line in text.splitlines())
        yield from self._systemctl(["daemon-reload"], ["enable", "--now", f"{UNIT}.timer"])
        yield ("the timer runs while your user manager does: on a server, `loginctl enable-linger"
               f" {_user()}` keeps it running with nobody logged in")

    def remove(self) -> Iterator[str]:
        units = [p for p in self.paths() if p.exists()]
        if not units:
            return
        yield from self._systemctl(["disable", "--now", f"{UNIT}.timer"])
        for path in units:
            path.unlink()
            yield f"removed {path}"
        yield from self._systemctl(["daemon-reload"])

    def _systemctl(self, *commands: list[str]) -> Iterator[str]:
        for command in commands:
            argv = ["systemctl", "--user", *command]
            yield ("not run (--root): " if self.dry else "ran: ") + " ".join(argv)
            if not self.dry:
                subprocess.run(argv, check=True, capture_output=True, text=True)


class Crontab:
    """The user's crontab (``root``: the file ``root/crontab`` instead of ``crontab -l/-``)."""

    def __init__(self, root: Path | None = None) -> None:
        self.file = root / "crontab" if root is not None else None

    @staticmethod
    def available() -> bool:
        return shutil.which("crontab") is not None

    def lines(self) -> list[str]:
        if self.file is not None:
            return self.file.read_text().splitlines() if self.file.exists() else []
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
        return listed.stdout.splitlines() if listed.returncode == 0 else []  # 1: no crontab yet

    def write(self, lines: list[str]) -> None:
        text = "".join(f"{line}\n" for line in lines)
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            self.file.write_text(text)
        else:
            subprocess.run(["crontab", "-"], input=text, text=True, check=True,
                           capture_output=True)

    def install(self, nightly: Nightly) -> Iterator[str]:
        kept = [line for line in self.lines() if not line.endswith(CRON_MARK)]
        self.write([*kept, nightly.cron_line()])
        yield f"added to {self.file or 'your crontab'}:"
        yield f"    {nightly.cron_line()}"
        yield "cron does not catch up: a night missed while the machine is off is skipped"

    def remove(self) -> Iterator[str]:
        lines = self.lines()
        ours = [line for line in lines if line.endswith(CRON_MARK)]
        if ours:
            self.write([line for line in lines if not line.endswith(CRON_MARK)])
            yield f"removed from {self.file or 'your crontab'}:"
            yield from (f"    {line}" for line in ours)


def backend(using: str, root: Path | None) -> Systemd | Crontab:
    """``systemd``, ``cron``, or ``auto``: systemd where ``systemctl --user`` works, else cron."""
    if using == "systemd" or (using == "auto" and Systemd.available()):
        return Systemd(root)
    if root is None and not Crontab.available():
        raise NoScheduler("neither a user systemd (systemctl --user) nor crontab is available")
    return Crontab(root)


def run(action: str, nightly: Nightly, using: str = "auto", root: Path | None = None) -> list[str]:
    """``install``, ``remove`` or ``show``: the lines to print."""
    if action == "install":
        return install(nightly, using, root)
    return remove(root) if action == "remove" else show(nightly)


def install(nightly: Nightly, using: str = "auto", root: Path | None = None) -> list[str]:
    return list(backend(using, root).install(nightly))


def remove(root: Path | None = None) -> list[str]:
    """Whatever we installed, by either means."""
    done: list[str] = []
    if root is not None or Systemd.available():
        done += Systemd(root).remove()
    if root is not None or Crontab.available():
        done += Crontab(root).remove()
    return done or ["nothing scheduled"]


def show(nightly: Nightly) -> list[str]:
    """What ``install`` would write, both ways."""
    return [f"{UNIT}.service:", *(f"    {line}" for line in nightly.service().splitlines()),
            f"{UNIT}.timer:", *(f"    {line}" for line in nightly.timer().splitlines()),
            "or, without systemd, the crontab line:", f"    {nightly.cron_line()}"]


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "$USER"


def add_schedule_command(commands: Any) -> None:
    """``newsarchive schedule install|remove|show``."""
    plan = commands.add_parser(
        "schedule", help="install, remove or show the nightly crawl (systemd user timer or cron)")
    plan.add_argument("action", choices=["install", "remove", "show"])
    plan.add_argument("--data", default="data", type=data_dir, metavar="DIR",
                      help="data directory, relative to the repository (default: data)")
    plan.add_argument("--at", default="02:30", type=clock_time, metavar="HH:MM",
                      help="local time of the nightly crawl (default: 02:30)")
    plan.add_argument("--with", dest="using", choices=["auto", "systemd", "cron"], default="auto",
                      help="auto (default): a systemd user timer where systemctl --user works")
    plan.add_argument("--repo", type=Path, default=Path(), help="the repository (default: .)")
    plan.add_argument("--root", type=Path, metavar="DIR",
                      help="write units and crontab under DIR and run nothing (to test or look)")
    plan.set_defaults(func=_schedule)


def _schedule(args: argparse.Namespace) -> int:
    try:
        nightly = Nightly.create(args.repo, args.data, args.at)
        lines = run(args.action, nightly, args.using, args.root)
    except ScheduleError as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return 2
    except (NoScheduler, OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        print(f"newsarchive: schedule {args.action} failed: {str(detail).strip()}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


