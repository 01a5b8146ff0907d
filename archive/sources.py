"""Where an archive's WARCs are: files at a path, and members of WACZ packages.

Each WARC is reached through an opener (a function that opens it for reading), so the reader
treats a loose file and a WACZ member alike.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from archive.records import OPEN_SUFFIX, ArchiveReadError

Opener = Callable[[], "IO[bytes] | ClosingMember"]
WARC_SUFFIXES = (".warc.gz", ".warc", f".warc.gz{OPEN_SUFFIX}", f".warc{OPEN_SUFFIX}")
ARCHIVE_SUFFIXES = (*WARC_SUFFIXES, ".wacz")


def archive_files(path: Path) -> Iterator[Path]:
    """The WARC and WACZ files at ``path``: the file itself, or those anywhere below it."""
    if path.is_file():
        if path.name.endswith(ARCHIVE_SUFFIXES):
            yield path
        return
    if not path.is_dir():
        raise ArchiveReadError(f"{path} does not exist")
    for found in sorted(path.rglob("*")):
        if found.is_file() and found.name.endswith(ARCHIVE_SUFFIXES):
            yield found


def file_opener(path: Path) -> Opener:
    return lambda: path.open("rb")


def run_warc_opener(run_dir: Path, name: str) -> Opener | None:
    """The WARC called ``name`` of the run at ``run_dir``: loose in its ``warc/`` folder, else
    in its WACZ package (a run kept only as WACZ); None if neither holds it."""
    loose = Path(run_dir) / "warc" / name
    if loose.is_file():
        return file_opener(loose)
    for package in sorted(Path(run_dir).glob("*.wacz")):
        with zipfile.ZipFile(package) as members:
            if f"archive/{name}" in members.namelist():
                return _zip_member_opener(package, f"archive/{name}")
    return None


def add_wacz(
    path: Path, openers: dict[str, Opener], indexes: list[Iterable[str]]
) -> list[str]:
    """Add the WARCs of a WACZ not already loose; return their names."""
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        warcs = {n.removeprefix("archive/"): n for n in names
                 if n.startswith("archive/") and n.endswith(".warc.gz")}
        new = {name: member for name, member in warcs.items() if name not in openers}
        if not new:
            return []
        index_names = [n for n in names if n.startswith("indexes/") and n.endswith((".cdx", ".cdxj"))]
        if not index_names:
            raise ArchiveReadError(f"{path} has no index (indexes/*.cdx or *.cdxj)")
        for name in index_names:
            lines = package.read(name).decode("utf-8").splitlines()
            indexes.append([line for line in lines if _filename(line) in new])
    for name, member in new.items():
        openers[name] = _zip_member_opener(path, member)
    return list(new)


def _filename(line: str) -> str | None:
    capture = line.split(" ", 2)
    if len(capture) < 3:
        return None
    try:
        name = json.loads(capture[2]).get("filename")
    except ValueError:
        return None
    return name if isinstance(name, str) else None


def _zip_member_opener(path: Path, member: str) -> Opener:
    def open_member() -> ClosingMember:
        # The WARCs are stored, not deflated, in a WACZ: a member opens seekable.
        with ExitStack() as stack:
            package = stack.enter_context(zipfile.ZipFile(path))
            handle = package.open(member)
            stack.pop_all()
        return ClosingMember(handle, package)

    return open_member


class ClosingMember:
    """A zip member that closes its zip file with it."""

    def __init__(self, handle: IO[bytes], package: zipfile.ZipFile) -> None:
        self._handle = handle
        self._package = package

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        self._handle.close()
        self._package.close()

    def __enter__(self) -> ClosingMember:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
