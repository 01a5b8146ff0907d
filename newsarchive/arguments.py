"""The command line's argument types: a bad value is one line naming it, and exit 2."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming the bad value, and exit 2 (not argparse's usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def data_dir(value: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"--data {value!r} is a file: expected a directory")
    return path


def workers(value: str) -> int:
    try:
        workers = int(value)
    except ValueError:
        workers = -1
    if workers < 0:
        raise argparse.ArgumentTypeError(f"--workers {value!r}: expected a number of processes >= 1"
                                         " (0: one per core)")
    return workers


def timestamp(value: str) -> str:
    if value and not re.fullmatch(r"\d{1,14}", value):  # "": the default, the latest
        raise argparse.ArgumentTypeError(
            f"--at {value!r}: expected a timestamp of 1 to 14 digits, YYYYMMDDhhmmss or a prefix"
            " of it (e.g. 2026 or 20261201)")
    return value


def port(value: str) -> int:
    number = int(value) if re.fullmatch(r"\d{1,5}", value) else -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"--port {value!r}: expected a number from 0 to 65535 (0 picks a free port)")
    return number


def add_sites_option(parser: argparse.ArgumentParser) -> None:
    """``--sites FILE``, repeatable: site configs beside (or over) the built-in ones."""
    parser.add_argument("--sites", action="append", default=[], metavar="FILE",
                        help="extra site config file or directory (repeatable)")


def day(value: str) -> str:
    """``--since``: a date, YYYY-MM-DD (or YYYY-MM, YYYY)."""
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise argparse.ArgumentTypeError(f"--since {value!r}: expected a date, YYYY-MM-DD")
    return value
