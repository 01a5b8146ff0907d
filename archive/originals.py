"""The earlier responses a run's revisits refer to, copied into its WACZ so that it replays alone.

With dedupe on, night 2 stores unchanged pages as revisits of night 1's responses; a WACZ of
night 2 alone would replay none of them (pywb: "Original for revisit record could not be
loaded"). So the packer adds ``archive/<run>-originals.warc.gz``: each original record, and the
warcinfo record of the file it came from, copied byte for byte (same record ids, dates and
digests), with its index lines. The WARCs in the data directory stay deduplicated: the copies
live only in the package, and the reader never counts them as captures of the run.

Each original is looked up in the catalog (one indexed query per revisit) and read from its own
WARC, so packing night 366 costs what packing night 2 did; only when the catalog lacks one (no
catalog, or a data directory older than it) is the whole data directory read instead.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from archive.catalog import CATALOG_NAME, Catalog, CatalogError
from archive.catalog_captures import StoredCapture
from archive.cdxj import index_warc
from archive.lookup import Capture, parse_capture
from archive.reader import ORIGINALS_SUFFIX, REVISIT_MIME, Archive
from archive.sources import Opener, run_warc_opener

logger = logging.getLogger(__name__)


def originals_of(index_lines: Iterable[str], data_dir: Path) -> tuple[Archive, list[Capture]]:
    """The originals a run's revisits (among its ``index_lines``) refer to, and an archive that
    holds them: from the catalog, else the whole data directory."""
    revisits = [c for c in map(parse_capture, index_lines) if c and c.mime == REVISIT_MIME]
    found = _catalogued(revisits, Path(data_dir)) if revisits else (Archive({}, []), [])
    if found is not None:
        return found
    logger.info("the catalog lacks originals of these revisits: reading all of %s", data_dir)
    whole = Archive.open(Path(data_dir) / "runs")
    return whole, originals_needed(index_lines, whole)


def _catalogued(revisits: list[Capture], data_dir: Path) -> tuple[Archive, list[Capture]] | None:
    try:
        catalog = Catalog.open_readonly(data_dir / CATALOG_NAME)
    except CatalogError:
        return None
    try:
        stored: dict[tuple[str, int], StoredCapture] = {}
        for revisit in revisits:
            t = revisit.timestamp
            until = f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}.999999Z"
            original = catalog.original(revisit.url, revisit.digest or "", until)
            if original is None or not original.warc_length:
                return None
            stored[(original.warc_filename, original.warc_offset)] = original
    finally:
        catalog.close()
    openers: dict[str, Opener] = {}
    for original in stored.values():
        if original.warc_filename not in openers:
            opener = run_warc_opener(data_dir / "runs" / original.run_id, original.warc_filename)
            if opener is None:
                return None
            openers[original.warc_filename] = opener
    captures = [Capture(s.url, "".join(ch for ch in s.date if ch.isdigit())[:14], s.status, None,
                        s.payload_digest, s.warc_filename, s.warc_offset, s.warc_length or 0)
                for s in stored.values()]
    return Archive(openers, []), sorted(captures, key=lambda c: (c.filename, c.offset))


def originals_needed(run_lines: Iterable[str], archive: Archive) -> list[Capture]:
    """The response captures (outside the run) that the run's revisits refer to, in file order."""
    needed: dict[tuple[str, int], Capture] = {}
    for line in run_lines:
        capture = parse_capture(line)
        if capture is None or capture.mime != REVISIT_MIME:
            continue
        original = archive.original_of(capture)
        if original is None:
            logger.warning("revisit of %s at %s: its original is not in the archive",
                           capture.url, capture.timestamp)
            continue
        needed[(original.filename, original.offset)] = original
    return [needed[key] for key in sorted(needed)]


def write_originals(
    run_id: str, originals: list[Capture], archive: Archive, directory: Path
) -> tuple[Path, list[str]]:
    """Write the copies to ``directory/<run_id>-originals.warc.gz``; return it and its index."""
    path = Path(directory) / f"{run_id}{ORIGINALS_SUFFIX}"
    source = None
    with path.open("wb") as out:
        for capture in originals:
            if capture.filename != source:
                source = capture.filename
                out.write(archive.warcinfo_record(source))
            out.write(archive.raw_record(capture))
    return path, index_warc(path)


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="newsarchive-originals-")
