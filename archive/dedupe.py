"""Which payloads the archive already holds, so an unchanged response is stored as a revisit.

Built from the CDXJ indexes of the earlier runs in a data directory: for each URL, the digest
and date of its latest capture. A response whose payload digest equals that is written as a
revisit record (WARC identical-payload-digest profile) instead of a second copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from archive.lookup import parse_capture


@dataclass(frozen=True)
class EarlierCapture:
    url: str
    digest: str
    date: str  # WARC-Date form, to the second (what the index keeps)


class PayloadIndex:
    def __init__(self) -> None:
        self._latest: dict[str, EarlierCapture] = {}

    @classmethod
    def from_indexes(cls, paths: Iterable[Path]) -> PayloadIndex:
        index = cls()
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                capture = parse_capture(line)
                if capture is None or capture.status != 200 or not capture.digest:
                    continue
                when = datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S")
                index.add(capture.url, capture.digest, when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return index

    @classmethod
    def of_earlier_runs(cls, data_dir: Path, run_id: str) -> PayloadIndex:
        """The payloads of every run in ``data_dir`` but ``run_id``."""
        paths = sorted(
            p for p in data_dir.glob("runs/*/warc/*.cdxj") if p.parent.parent.name != run_id
        )
        return cls.from_indexes(paths)

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
