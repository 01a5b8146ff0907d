"""Which payloads the archive already holds, so an unchanged response is stored as a revisit.

The earlier runs of a data directory are read through the archive reader (so a run left
``.open`` by a crash, or kept only as its WACZ, counts too). A response whose payload digest
equals that of the latest earlier *response* record of its URL is written as a revisit record
(WARC identical-payload-digest profile) naming that record exactly: its ``WARC-Record-ID``, URI
and ``WARC-Date``. A revisit never refers to another revisit: night 3 of an unchanged page refers
to night 1's response, as night 2's revisit did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from archive.reader import REVISIT_MIME, Archive
from archive.records import ArchiveReadError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EarlierCapture:
    """The original response record an unchanged payload refers to."""

    url: str
    digest: str
    date: str  # its WARC-Date, exactly as written
    record_id: str


class PayloadIndex:
    def __init__(self, archive: Archive | None = None) -> None:
        self.archive = archive

    @classmethod
    def of_earlier_runs(cls, data_dir: Path) -> PayloadIndex:
        """The payloads of every run in ``data_dir`` so far (a run id is never reused, so the
        run about to start has written nothing there yet)."""
        try:
            return cls(Archive.open(Path(data_dir) / "runs"))
        except ArchiveReadError as exc:
            logger.info("nothing to dedupe against: %s", exc)
            return cls()

    def match(self, url: str, digest: str) -> EarlierCapture | None:
        """The latest earlier response record of ``url`` with this very payload, if any."""
        if self.archive is None:
            return None
        originals = [c for c in self.archive.captures(url)
                     if c.url == url and c.mime != REVISIT_MIME and c.status == 200]
        if not originals or originals[-1].digest != digest:
            return None  # changed since its latest capture (or never captured): store it whole
        try:
            record_id, date = self.archive.record_headers(originals[-1])
        except ArchiveReadError as exc:
            logger.warning("cannot read the earlier capture of %s, storing it whole: %s", url, exc)
            return None
        return EarlierCapture(url, digest, date, record_id)

    def __len__(self) -> int:
        return self.archive.size if self.archive is not None else 0
