"""Kernels started ahead of need: the fixed cost of a notebook paid while the previous one runs.

A worker process that runs many notebooks (a national edition's fiches) keeps one kernel booting in
advance, its heavy imports (pandas, matplotlib, the report modules) already done. A notebook takes
that kernel, and the next one starts at once. Each kernel serves one notebook only, then is shut
down: every notebook starts with a fresh namespace (the imports are done with ``importlib`` in a
silent request that binds no name and leaves the execution count at zero; only ``sys.modules``,
the module cache any ``import`` fills, is warm).

Enabled in the executors' worker processes only (:func:`enable`); elsewhere papermill starts its
own kernel as usual. A worker that exits shuts its spare kernel down; a worker that is killed
leaves it to ipykernel's parent poller, which stops a kernel whose parent process is gone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

PRELOAD = ("pandas", "numpy", "matplotlib", "matplotlib.figure", "IPython.display", "cohorte.report.display",
           "cohorte.report.fiche", "cohorte.report.national", "cohorte.report.figures")
READY_TIMEOUT = 120  # seconds for a kernel to start and import


@dataclass
class _Spare:
    km: object  # jupyter_client.KernelManager
    kc: object  # its blocking client
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
        code = ("import importlib as _importlib\n"
                f"for _name in {list(self.preload)!r}:\n    _importlib.import_module(_name)\n"
                "del _importlib, _name")
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
            _wait(spare.kc, spare.kc.execute(f"import os as _os\n_os.chdir({cwd!r})\ndel _os", silent=True, store_history=False))
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


_POOL: WarmKernels | None = None


def enable(kernel_name: str = "cohorte") -> None:
    """Run in a worker process: from its first notebook on, keep a kernel started ahead for the next one."""
    global _POOL
    if _POOL is None:
        import atexit
        from multiprocessing import util

        _POOL = WarmKernels(kernel_name)
        util.Finalize(None, disable, exitpriority=10)  # run when a multiprocessing worker exits
        atexit.register(disable)


def disable() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown()
        _POOL = None


def pool() -> WarmKernels | None:
    """This process's warm kernels, when enabled."""
    return _POOL
