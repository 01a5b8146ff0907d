"""Worker pools end with the process that started them, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent

STARTER = """
import os, sys, time
sys.path.insert(0, {root!r})
from archive.worker_pool import spawned_pool

if __name__ == "__main__":
    pool = spawned_pool(2)
    pids = {{pool.submit(os.getpid).result() for _ in range(8)}}
    print("started", flush=True)
    time.sleep(120)
"""


def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "starter.py"
    script.write_text(STARTER.format(root=str(ROOT)))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdout.readline().strip() == "started"
    children = psutil.Process(parent.pid).children(recursive=True)
    assert len(children) >= 2  # the workers (and multiprocessing's resource tracker)
    os.kill(parent.pid, signal.SIGKILL)  # nothing tells the workers
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE
                                              for c in children):
        time.sleep(0.2)
    left = [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left
