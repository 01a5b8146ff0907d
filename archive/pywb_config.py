"""The whole data directory as one pywb collection: a ``config.yaml`` for pywb's ``wayback``.

Every run's ``warc/`` folder joins the collection's ``index_group`` (pywb reads our ``*.cdxj``
files there) and its ``archive_paths``, so revisits of one night resolve to the responses of
another, and nothing is copied. JSON strings are valid YAML, so no YAML library is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

COLLECTION = "newsarchive"


def pywb_config(data_dir: Path, collection: str = COLLECTION) -> str:
    warc_dirs = sorted(p for p in (Path(data_dir).resolve() / "runs").glob("*/warc") if p.is_dir())
    lines = ["collections:", f"  {collection}:", "    index_group:"]
    lines += [f"      {json.dumps(d.parent.name)}: {json.dumps(str(d))}" for d in warc_dirs]
    lines.append("    archive_paths:")
    lines += [f"      - {json.dumps(str(d) + '/')}" for d in warc_dirs]
    return "\n".join(lines) + "\n"
