"""Which payloads the archive already holds, so an unchanged response is stored as a revisit.

The earlier runs of a data directory are looked up in its catalog (:mod:`archive.catalog`), one
indexed query per URL, so the start of a night costs the same after a year of nights as after
one. The catalog holds a run's records when the run ends, and the crawl brings it up to date
before it starts (:func:`archive.catalog_build.bring_up_to_date`): a run a crash left ``.open``
counts once the next crawl's repair has closed it (but for the 200s it died before extracting,
which are fetched and stored whole again), and one kept only as its WACZ counts too. A
response whose payload digest equals that of the latest earlier *response* record of its URL is
written as a revisit record (WARC identical-payload-digest profile) naming that record exactly:
its ``WARC-Record-ID``, URI and ``WARC-Date``. A revisit never refers to another revisit: night 3
of an unchanged page refers to night 1's response, as night 2's revisit did.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.catalog_build import bring_up_to_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EarlierCapture:
    """The original response record an unchanged payload refers to."""

    url: str
    digest: str
    date: str  # its WARC-Date, exactly as written
    record_id: str


class PayloadIndex:
    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog

    @classmethod
    def of_earlier_runs(cls, data_dir: Path, catalog_path: Path | None = None) -> PayloadIndex:
        """The payloads of every run in ``data_dir`` so far (a run id is never reused, so the
        run about to start has none in the catalog), read from its catalog: made from the runs
        here if there is none yet (once; the crawl normally has done it, with site names)."""
        path = Path(catalog_path or Path(data_dir) / CATALOG_NAME)
        try:
            if not path.exists():
                bring_up_to_date(Path(data_dir), lambda url: None, path)
            return cls(Catalog.open_readonly(path))
        except (CatalogError, sqlite3.Error, OSError) as exc:
            logger.error("nothing to dedupe against, every response is stored whole: %s", exc)
            return cls()

    def match(self, url: str, digest: str) -> EarlierCapture | None:
        """The latest earlier response record of ``url`` with this very payload, if any."""
        if self.catalog is None:
            return None
        try:
            latest = self.catalog.latest_response(url)
        except sqlite3.Error as exc:
            logger.warning("cannot look up the earlier captures of %s, storing it whole: %s",
                           url, exc)
            return None
        if latest is None or latest.payload_digest != digest or not latest.record_id:
            return None  # changed since its latest capture (or never captured): store it whole
        return EarlierCapture(url, digest, latest.warc_date, latest.record_id)

    def __len__(self) -> int:
        """How many runs it holds (counting captures would read the whole index)."""
        return len(self.catalog.runs()) if self.catalog is not None else 0

    def close(self) -> None:
        if self.catalog is not None:
            self.catalog.close()
