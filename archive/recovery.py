"""Closing a WARC that a crash left open: keep its whole records, cut a torn last one.

A crawl killed mid-write leaves ``<name>.warc.gz.open``: every record before the last is whole
(each is appended with one write), the last may be cut anywhere. The file is checked record by
record (:func:`archive.cdxj.complete_length`), cut after the last whole record, renamed to its
final name and indexed, exactly as the writer would have closed it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from archive.cdxj import complete_length, write_index
from archive.records import OPEN_SUFFIX, ArchiveError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosedWarc:
    path: Path | None  # the closed file; None when not one record in it was whole
    kept: int  # bytes of whole records
    cut: int  # bytes of a torn last record, dropped


def close_open_warc(path: Path) -> ClosedWarc:
    """Cut ``path`` (a ``*.warc.gz.open``) after its last whole record, close and index it."""
    path = Path(path)
    if not path.name.endswith(OPEN_SUFFIX):
        raise ArchiveError(f"{path} is not an open WARC file (*{OPEN_SUFFIX})")
    size = path.stat().st_size
    kept = complete_length(path)
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if kept == 0:
        path.unlink()
        logger.warning("%s held no whole record (%d bytes): removed", path, size)
        return ClosedWarc(None, 0, size)
    try:
        with path.open("r+b") as fh:
            fh.truncate(kept)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(path, final)
    except OSError as exc:
        raise ArchiveError(f"cannot close {path}: {exc.strerror or exc}") from exc
    write_index(final)
    if size > kept:
        logger.warning("%s: cut a torn last record (%d bytes)", final, size - kept)
    return ClosedWarc(final, kept, size - kept)
