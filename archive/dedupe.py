"""Which payloads the archive already holds, so an unchanged response is stored as a revisit.

Built from the earlier runs in a data directory, read through the archive reader (so a run left
``.open`` by a crash, or kept only as its WACZ, counts too): for each URL, the digest and date
of its latest capture. A response whose payload digest equals that is written as a
revisit record (WARC identical-payload-digest profile) instead of a second copy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from archive.lookup import parse_capture
from archive.reader import Archive
from archive.records import ArchiveReadError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EarlierCapture:
    url: str
    digest: str
    date: str  # WARC-Date form, to the second (what the index keeps)


class PayloadIndex:
    def __init__(self) -> None:
        self._latest: dict[str, EarlierCapture] = {}

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> PayloadIndex:
        index = cls()
        for line in lines:
            capture = parse_capture(line)
            if capture is None or capture.status != 200 or not capture.digest:
                continue
            when = datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S")
            index.add(capture.url, capture.digest, when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return index

    @classmethod
    def of_earlier_runs(cls, data_dir: Path, run_id: str) -> PayloadIndex:
        """The payloads of every run in ``data_dir`` but ``run_id``."""
        runs = sorted(p for p in (data_dir / "runs").glob("*") if p.is_dir() and p.name != run_id)
        lines: list[str] = []
        for run in runs:
            try:
                lines.extend(Archive.open(run).index_lines())
            except ArchiveReadError as exc:
                logger.warning("run %s not used for dedupe: %s", run.name, exc)
        return cls.from_lines(lines)

    def add(self, url: str, digest: str, date: str) -> None:
        known = self._latest.get(url)
        if known is None or known.date <= date:
            self._latest[url] = EarlierCapture(url, digest, date)

    def match(self, url: str, digest: str) -> EarlierCapture | None:
        """The earlier capture of ``url`` with this very payload, if there is one."""
        known = self._latest.get(url)
        return known if known is not None and known.digest == digest else None

    def __len__(self) -> int:
        return len(self._latest)
