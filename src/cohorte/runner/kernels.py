"""Kernels without the fixed cost: Python's start-up and the heavy imports paid once per worker.

On POSIX (:class:`ForkedKernels`), each worker process starts a *kernel template*
(``cohorte.runner.kernel_template``): a process that has imported pandas, matplotlib and the report
modules, drawn one figure and called pandoc once, and then forks one ipykernel per notebook. A fork
is a copy of the template as it was before any notebook ran, so every notebook starts from a fresh
namespace; it serves one notebook only and is killed when its notebook is done.

Elsewhere (:class:`WarmKernels`), a worker keeps one kernel started ahead with the same imports done
(``importlib`` in a silent request: no name bound, execution count left at zero).

Enabled in the executors' worker processes only (:func:`enable`); elsewhere papermill starts its
own kernel as usual. A worker that exits shuts its template (or spare kernel) down; a worker that is
killed leaves it to end by itself: the template exits when its stdin closes, and ipykernel stops a
kernel whose parent process is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

PRELOAD = (
    "pandas",
    "numpy",
    "matplotlib",
    "matplotlib.figure",
    "IPython.display",
    "cohorte.report.display",
    "cohorte.report.fiche",
    "cohorte.report.national",
    "cohorte.report.figures",
)
READY_TIMEOUT = 120  # seconds for a kernel to start and import


@dataclass
class _Spare:
    km: Any  # jupyter_client.KernelManager
    kc: Any  # its blocking client
    preload_id: str
    started: float


class WarmKernels:
    """One spare kernel per process, started ahead with ``PRELOAD`` imported."""

    def __init__(self, kernel_name: str, preload: tuple[str, ...] = PRELOAD) -> None:
        self.kernel_name, self.preload = kernel_name, preload
        self.spare: _Spare | None = None

    def _start(self) -> _Spare:
        from jupyter_client import KernelManager

        km = KernelManager(kernel_name=self.kernel_name)
        km.start_kernel(env=dict(os.environ))
        kc = km.blocking_client()
        kc.start_channels()
        code = (
            "import importlib as _importlib\n"
            f"for _name in {list(self.preload)!r}:\n    _importlib.import_module(_name)\n"
            "del _importlib, _name"
        )
        return _Spare(km, kc, kc.execute(code, silent=True, store_history=False), time.perf_counter())

    def prestart(self) -> None:
        """Start the spare kernel now (the first one: before the first notebook is asked for)."""
        if self.spare is None:
            self.spare = self._start()

    def take(self, cwd: str) -> object:
        """A started kernel manager, its imports done and its working folder ``cwd``; the next one starts."""
        spare = self.spare or self._start()
        self.spare = None
        try:
            _wait(spare.kc, spare.preload_id)
            _wait(
                spare.kc,
                spare.kc.execute(f"import os as _os\n_os.chdir({cwd!r})\ndel _os", silent=True, store_history=False),
            )
        finally:
            spare.kc.stop_channels()
        self.spare = self._start()
        return spare.km

    def shutdown(self) -> None:
        if self.spare is not None:
            self.spare.kc.stop_channels()
            self.spare.km.shutdown_kernel(now=True)
            self.spare = None


def _wait(kc, msg_id: str) -> None:
    """Wait for the reply to ``msg_id``; a failed preload is an error naming what failed."""
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        reply = kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
        if reply["parent_header"].get("msg_id") != msg_id:
            continue
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"warm kernel: {content.get('ename')}: {content.get('evalue')}")
        return


def warm_up() -> None:
    """Run once in a kernel template before any fork: the font cache and pandoc's first call."""
    import io

    from matplotlib.figure import Figure

    from cohorte.report.display import demo_notice_markdown, markdown_html

    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1])
    figure.savefig(io.BytesIO(), format="png")
    markdown_html(demo_notice_markdown())


def _forked_kernel_manager(connection_file: str, pid: int, kernel_name: str):
    """A jupyter_client KernelManager for a kernel forked by a template (not started by it)."""
    from jupyter_client import KernelManager

    class ForkedKernelManager(KernelManager):
        @property
        def has_kernel(self) -> bool:
            return True

        def is_alive(self) -> bool:
            try:
                os.kill(pid, 0)
            except OSError:
                return False
            return True

        async def _async_is_alive(self) -> bool:
            return self.is_alive()

        def interrupt_kernel(self) -> None:
            os.kill(pid, signal.SIGINT)

        async def _async_interrupt_kernel(self) -> None:
            self.interrupt_kernel()

        def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            """End the kernel (at once when ``now``: its notebook is done; else SIGTERM and a grace period)
            and remove its connection file. The template has the system reap it."""
            if self.is_alive():
                os.kill(pid, signal.SIGKILL if now else signal.SIGTERM)
            deadline = time.monotonic() + (0 if now else 5)
            while self.is_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            if self.is_alive():
                os.kill(pid, signal.SIGKILL)
            self.cleanup_connection_file()

        async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            self.shutdown_kernel(now, restart)

    km = ForkedKernelManager(connection_file=connection_file, kernel_name=kernel_name)
    km.load_connection_file()
    return km


class ForkedKernels:
    """A kernel template per worker process; each notebook gets a fresh fork of it (see kernel_template)."""

    def __init__(self, kernel_name: str) -> None:
        self.kernel_name = kernel_name
        self.template: subprocess.Popen | None = None

    def _start_template(self) -> subprocess.Popen:
        template = subprocess.Popen(
            [sys.executable, "-m", "cohorte.runner.kernel_template"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        if template.stdout is None or template.stdout.readline().strip() != "ready":
            template.kill()
            raise RuntimeError("kernel template failed to start (Kernel didn't respond)")
        return template

    def prestart(self) -> None:
        if self.template is None or self.template.poll() is not None:
            self.template = self._start_template()

    def take(self, cwd: str):  # -> ForkedKernelManager
        """A kernel forked from the template, working in ``cwd``, for one notebook."""
        import tempfile

        from jupyter_client.connect import write_connection_file

        self.prestart()
        template = self.template
        if template is None or template.stdin is None or template.stdout is None:
            raise RuntimeError("kernel template is not running (Kernel didn't respond)")

        fd, path = tempfile.mkstemp(prefix="cohorte-kernel-", suffix=".json")
        os.close(fd)
        write_connection_file(path, ip="127.0.0.1", kernel_name=self.kernel_name)
        template.stdin.write(f"{cwd}\t{path}\n")
        template.stdin.flush()
        pid = int(template.stdout.readline())
        return _forked_kernel_manager(path, pid, self.kernel_name)

    def shutdown(self) -> None:
        if self.template is not None and self.template.poll() is None and self.template.stdin is not None:
            self.template.stdin.close()
            try:
                self.template.wait(5)
            except subprocess.TimeoutExpired:
                self.template.kill()
        self.template = None


_POOL: WarmKernels | ForkedKernels | None = None


def enable(kernel_name: str = "cohorte") -> None:
    """Run in a worker process: from its first notebook on, keep a kernel started ahead for the next one."""
    global _POOL
    if _POOL is None:
        import atexit
        from multiprocessing import util

        _POOL = ForkedKernels(kernel_name) if hasattr(os, "fork") else WarmKernels(kernel_name)
        util.Finalize(None, disable, exitpriority=10)  # run when a multiprocessing worker exits
        atexit.register(disable)


def disable() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown()
        _POOL = None


def pool() -> WarmKernels | ForkedKernels | None:
    """This process's warm kernels, when enabled."""
    return _POOL
