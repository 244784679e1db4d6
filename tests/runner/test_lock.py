"""One build per edition: the lock names the other build's PID, or waits for it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cohorte.files import is_temp_name, remove_leftovers
from cohorte.runner.lock import BuildLocked, edition_lock

HOLD = """
import sys, time
from pathlib import Path
from cohorte.runner.lock import edition_lock
with edition_lock(Path(sys.argv[1]), 2020):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(folder: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_when_the_edition_is_locked_then_the_error_names_the_holder_pid(tmp_path: Path) -> None:
    holder = _holder(tmp_path, 30)
    try:
        with (
            pytest.raises(BuildLocked, match=rf"another build of edition 2020 is running \(PID {holder.pid}, .*--wait"),
            edition_lock(tmp_path, 2020),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_when_the_holder_is_killed_then_the_lock_is_free(tmp_path: Path) -> None:
    holder = _holder(tmp_path, 30)
    holder.kill()
    holder.wait()
    with edition_lock(tmp_path, 2020) as path:
        assert path.read_text(encoding="utf-8").strip() != str(holder.pid)


def test_with_wait_a_build_waits_for_the_other_then_takes_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    holder = _holder(tmp_path, 1.5)
    started = time.monotonic()
    with edition_lock(tmp_path, 2020, wait=True):
        waited = time.monotonic() - started
    holder.wait()
    assert waited > 0.5
    assert f"Waiting for the build of edition 2020 running as PID {holder.pid}" in capsys.readouterr().out


def test_leftovers_are_the_kit_temporary_names_only(tmp_path: Path) -> None:
    names = [
        ".monograph.ab12.tmp.ipynb",
        ".manifest.json.x9.tmp",
        ".render-k2",
        ".site-a1",
        ".book-b2",
        ".site.old-123",
    ]
    kept = ["monograph.ipynb", "site", ".lock", "notes.tmpl", ".hidden"]
    for name in names + kept:
        (tmp_path / name).mkdir() if name.startswith((".render", ".site", ".book")) or name == "site" else (
            tmp_path / name
        ).touch()
    assert sorted(p.name for p in remove_leftovers(tmp_path)) == sorted(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)
    assert not any(is_temp_name(n) for n in kept)
