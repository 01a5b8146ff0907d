"""The earlier responses a run's revisits refer to, copied into its WACZ so that it replays alone.

With dedupe on, night 2 stores unchanged pages as revisits of night 1's responses; a WACZ of
night 2 alone would replay none of them (pywb: "Original for revisit record could not be
loaded"). So the packer adds ``archive/<run>-originals.warc.gz``: each original record, and the
warcinfo record of the file it came from, copied byte for byte (same record ids, dates and
digests), with its index lines. The WARCs in the data directory stay deduplicated: the copies
live only in the package, and the reader never counts them as captures of the run.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from archive.cdxj import index_warc
from archive.lookup import Capture, parse_capture
from archive.reader import ORIGINALS_SUFFIX, REVISIT_MIME, Archive

logger = logging.getLogger(__name__)


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
