"""One crawl (or repair) at a time per data directory.

An advisory ``flock`` on ``<data>/.lock``, which holds the holder's pid for the message the next
one gets. The kernel drops the lock when the holder dies, however it dies, so a stale lock of a
killed crawl is simply taken over; the file itself is left in place.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class DataDirBusy(Exception):
    """Another process holds the data directory."""


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / ".lock"
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DataDirBusy(
                f"{self.path.parent} is in use by another crawl (pid {holder}); "
                "wait for it to finish, or give another --data"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
