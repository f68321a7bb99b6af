"""SIGKILL `pull --layers` at random moments: the layout stays valid and a rerun completes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from .check import check_layout
from .conftest import entries
from .faultproxy import FaultProxy

KILLS = 20
SCRIPT = ("import sys; from ocihist.pull import pull; "
          "r = pull([sys.argv[1]], sys.argv[2], layers=True, backoff=0.01); "
          "sys.exit(0 if r.ok else 1)")


def _run(ref: str, dest: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, ref, str(dest)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _partial_bytes(dest: Path) -> int:
    part = dest / ".ocihist" / "partial"
    return sum(p.stat().st_size for p in part.iterdir()) if part.is_dir() else 0


def _wait_for_partial_bytes(proc: subprocess.Popen[bytes], dest: Path) -> None:
    """Until a layer has bytes on disk (mid-download), or the process ends."""
    end = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < end and not _partial_bytes(dest):
        time.sleep(0.005)


def test_sigkill_then_rerun(proxy: FaultProxy, tmp_path: Path) -> None:
    seed = int(os.environ.get("OCIHIST_KILL_SEED", time.time()))
    rng = random.Random(seed)
    proxy.add(r"GET /v2/test/big/blobs/", "slow", times=-1, chunk_delay=0.01, chunk=65536)
    ref = f"{proxy.host}/test/big:v1"
    dest = tmp_path / "layout"
    mid_download = 0
    for i in range(KILLS):
        if i % 4 == 0:  # a fresh layout now and then; otherwise kill again mid-resume
            dest = tmp_path / f"layout{i}"
        proc = _run(ref, dest)
        if i % 2:  # half the kills land mid-download, however long start-up takes here
            _wait_for_partial_bytes(proc, dest)
            time.sleep(rng.uniform(0.0, 0.2))
        else:  # the others anywhere, start-up and layout creation included
            time.sleep(rng.uniform(0.0, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if dest.exists():  # a layout appears whole, so once it exists it is valid
            check_layout(dest, layers=True)
        mid_download += _partial_bytes(dest) > 0
        if i % 4 == 3:
            rerun = _run(ref, dest)
            _, err = rerun.communicate(timeout=120)
            assert rerun.returncode == 0, (seed, err.decode()[-2000:])
            assert check_layout(dest, layers=True) == 1
            assert len(entries(dest)) == 1
            assert not list((dest / ".ocihist" / "partial").iterdir())
    assert mid_download, f"no kill landed mid-download (seed {seed})"
    resumed = [s for s in proxy.seen if "range" in s.headers]
    assert resumed, f"no download was resumed with Range (seed {seed})"
