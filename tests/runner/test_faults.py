"""Fault injection on real builds (subprocess + signals): interrupts, kills, concurrent builds.

Each build runs ``cohorte build 2020`` on two sites (HTML only, to stay quick) in its own
COHORTE_HOME; processes are found by that COHORTE_HOME in their environment.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cohorte.files import is_temp_name, sha256_file
from conftest import REPO

pytestmark = pytest.mark.slow
COHORTE = str(Path(sys.executable).with_name("cohorte"))
ARGS = ["build", "2020", "--sites", "mel,carene", "--jobs", "2", "--formats", "html"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "params", tmp_path / "params")
    subprocess.run([COHORTE, "demo-data", "2020"], env=_env(tmp_path), check=True, capture_output=True)
    return tmp_path


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "COHORTE_HOME": str(home)}


def _start(home: Path, *extra: str) -> subprocess.Popen:
    """A build in its own session, as from a terminal (Ctrl-C reaches its whole process group)."""
    return subprocess.Popen(
        [COHORTE, *ARGS, *extra],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _temp_files(home: Path) -> list[Path]:
    out = home / "outputs" / "2020"
    return [p for p in out.rglob("*") if is_temp_name(p.name)] if out.exists() else []


def _wait_for_kernels(home: Path, timeout: float = 180) -> None:
    """Until a notebook is being executed (papermill's temporary notebook exists)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.name.endswith(".tmp.ipynb") for p in _temp_files(home)):
            return
        time.sleep(0.2)
    raise AssertionError("no notebook started executing")


def _processes_of(home: Path) -> list[str]:
    """Command lines of the live processes started for ``home`` (workers, kernels)."""
    marker = f"COHORTE_HOME={home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0") and (proc / "stat").read_text().split()[2] != "Z":
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def _no_process_left(home: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _processes_of(home) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _processes_of(home) == []


def _manifest_matches_files(home: Path) -> dict:
    """The manifest parses and every file it records (paths relative to the edition's outputs) has its hash."""
    out = home / "outputs" / "2020"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for section in ("prepared", "notebooks", "renders"):
        for name, entry in manifest.get(section, {}).items():
            for relative, digest in entry["outputs"].items():
                assert sha256_file(out / relative) == digest, f"{section}/{name}: {relative}"
    return manifest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_when_the_build_is_killed_then_no_worker_or_kernel_survives_and_the_next_build_recovers(home: Path) -> None:
    build = _start(home)
    _wait_for_kernels(home)
    os.kill(build.pid, signal.SIGKILL)
    build.wait(10)
    _no_process_left(home)
    out = home / "outputs" / "2020"
    (out / "sites" / "mel" / ".monograph.x1y2z3.tmp.ipynb").write_text("{}", encoding="utf-8")  # as a crash leaves them
    (out / "sites" / "mel" / ".render-abc123").mkdir()
    (out / ".manifest.json.q9w8e7.tmp").write_text("{", encoding="utf-8")
    rerun = subprocess.run([COHORTE, *ARGS], env=_env(home), capture_output=True, text=True, timeout=900, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "temporary file(s) left by an interrupted build" in rerun.stdout
    assert _temp_files(home) == []
    manifest = _manifest_matches_files(home)
    assert {"sites/mel", "sites/carene", "synthesis"} <= set(manifest["notebooks"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_when_ctrl_c_then_the_build_stops_promptly_cleanly_and_says_how_to_resume(home: Path) -> None:
    build = _start(home)
    _wait_for_kernels(home)
    started = time.monotonic()
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130
    assert time.monotonic() - started < 30
    assert "Traceback" not in stderr
    assert "Interrupted" in stderr and "run `cohorte build 2020` again to resume" in stderr
    _no_process_left(home)
    assert _temp_files(home) == []
    _manifest_matches_files(home)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_when_ctrl_c_is_pressed_twice_then_the_build_still_ends(home: Path) -> None:
    build = _start(home)
    _wait_for_kernels(home)
    os.killpg(build.pid, signal.SIGINT)
    time.sleep(0.3)
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130 and "Traceback" not in stderr
    _no_process_left(home)


def test_when_a_build_of_the_edition_is_running_then_a_second_one_names_its_pid(home: Path) -> None:
    first = _start(home)
    try:
        _wait_for_kernels(home)
        second = subprocess.run(
            [COHORTE, *ARGS], env=_env(home), capture_output=True, text=True, timeout=120, check=False
        )
        assert second.returncode == 1
        assert f"another build of edition 2020 is running (PID {first.pid}" in second.stderr
        assert "--wait" in second.stderr and "Traceback" not in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 130
    _manifest_matches_files(home)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_when_ctrl_c_during_rendering_then_documents_are_whole_and_the_rerun_finishes(home: Path) -> None:
    build = subprocess.Popen(
        [COHORTE, *ARGS[:-1], "html,pdf,docx"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not any(p.name.startswith(".render-") for p in _temp_files(home)):
        assert time.monotonic() < deadline and build.poll() is None, "rendering never started"
        time.sleep(0.05)
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130 and "Traceback" not in stderr
    _no_process_left(home)
    assert _temp_files(home) == []
    out = home / "outputs" / "2020"
    for pdf in out.rglob("*.pdf"):  # whatever was replaced is whole
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf
    rerun = subprocess.run(
        [COHORTE, *ARGS[:-1], "html,pdf,docx"], env=_env(home), capture_output=True, text=True, timeout=900, check=False
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    for slug in ("mel", "carene"):
        assert {p.suffix for p in (out / "sites" / slug).glob("monograph.*")} >= {".html", ".pdf", ".docx"}
    _manifest_matches_files(home)


class _Output:
    """A build's standard output, read line by line as it comes (a thread drains the pipe)."""

    def __init__(self, build: subprocess.Popen) -> None:
        import threading

        self.lines: list[str] = []
        self.thread = threading.Thread(target=lambda: self.lines.extend(iter(build.stdout.readline, "")), daemon=True)
        self.thread.start()

    def says(self, words: str) -> bool:
        return any(words in line for line in list(self.lines))


# Each stage of a build, and how a test sees that the build is in it.
STAGES = {
    "checks": lambda home, out: out.says("Checking the grids and texts"),
    "demo data": lambda home, out: out.says("not found: generating"),
    "preparation": lambda home, out: out.says("computing the indicators"),
    "execution": lambda home, out: any(p.name.endswith(".tmp.ipynb") for p in _temp_files(home)),
    "rendering": lambda home, out: any(p.name.startswith(".render-") for p in _temp_files(home)),
    "assembly": lambda home, out: any(p.name.startswith((".site-", ".page-")) for p in _temp_files(home)),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stage", list(STAGES))
def test_when_ctrl_c_in_any_stage_then_the_build_stops_within_seconds_and_cleanly(tmp_path: Path, stage: str) -> None:
    shutil.copytree(REPO / "params", tmp_path / "params")  # no demo data yet: the build generates it
    build = subprocess.Popen(
        [COHORTE, *ARGS[:-1], "html,pdf"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    out, deadline = _Output(build), time.monotonic() + 600
    while not STAGES[stage](tmp_path, out):
        assert build.poll() is None and time.monotonic() < deadline, f"the build never reached {stage}"
        time.sleep(0.02)
    started = time.monotonic()
    os.killpg(build.pid, signal.SIGINT)
    build.wait(timeout=120)
    stopped = time.monotonic() - started
    stderr = build.stderr.read()
    assert build.returncode == 130, stderr
    assert "Traceback" not in stderr and "run `cohorte build 2020` again to resume" in stderr
    assert stopped < 10, f"Ctrl-C in {stage} took {stopped:.1f} s"
    _no_process_left(tmp_path)
    assert _temp_files(tmp_path) == []
