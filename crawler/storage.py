"""When the disk is full or read-only, the crawl stops: every further write would fail too.

A write error of that kind (ENOSPC, EDQUOT, EROFS, EFBIG, EACCES, EPERM, EIO) found anywhere in
an exception's cause chain closes the spider with reason ``storage_error`` and records the first
such error under the stat ``storage/error``, which the run summary prints as its one line. What
was written before stays valid: the WARC writer and the sinks cut a failed write back off.
"""

from __future__ import annotations

import errno
import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES,
                            errno.EPERM, errno.EIO})
REASON = "storage_error"


def storage_error(exc: BaseException) -> OSError | None:
    """The disk-level error behind ``exc``, if that is what it is."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in STORAGE_ERRNOS:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def stop_for_storage(crawler: Crawler, exc: BaseException, what: str) -> bool:
    """Stop the crawl if ``exc`` is a storage error; True if it was."""
    cause = storage_error(exc)
    if cause is None:
        return False
    assert crawler.stats is not None
    if crawler.stats.get_value("storage/error") is None:
        crawler.stats.set_value("storage/error", f"cannot write {what}: {exc}")
        logger.error("stopping the crawl: cannot write %s: %s", what, exc)
        if crawler.engine is not None and crawler.engine.spider is not None:
            deferred_from_coro(crawler.engine.close_spider_async(reason=REASON))
    return True
