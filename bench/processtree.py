"""CPU time and peak memory of a process and all its descendants, sampled while they run.

A worker process's own peak is not enough: what the machine must hold is the sum of the tree at
one moment, so the resident sizes of every live process of the tree are summed at each sample
(every ``interval`` seconds) and the largest sum kept. CPU time is the kernel's count for the
command and every descendant it waited for (``RUSAGE_CHILDREN``, before and after).
"""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Usage:
    wall: float  # seconds from start to exit
    cpu: float  # CPU seconds of the tree (user + system)
    peak_rss: int  # bytes: the largest sum of the tree's resident sizes at one sample
    returncode: int
    # CPU seconds of the command's own process, without its workers (as last sampled): a crawl's
    # reactor runs in it, so it bounds the pages/s whatever the number of workers
    own_cpu: float = 0.0

    @property
    def cores(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0


class TreeSampler:
    """Samples the tree under ``pid`` in a thread until :meth:`stop`."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.own_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        try:
            times = self.root.cpu_times()
            self.own_cpu = times.user + times.system
        except psutil.Error:
            pass
        rss = 0
        for process in processes:
            try:
                rss += process.memory_info().rss
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)


def run_measured(command: Sequence[str], cwd: Path, log: Path, timeout: float = 7200) -> Usage:
    """Run ``command`` to its end (output to ``log``), sampling its process tree."""
    before = _children_cpu()
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid).start()
        try:
            returncode = process.wait(timeout=timeout)
        finally:
            sampler.stop()
    wall = time.perf_counter() - started
    return Usage(wall, _children_cpu() - before, sampler.peak_rss, returncode, sampler.own_cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
