"""A kernel template: a process with the notebooks' heavy imports done, that forks one kernel per request.

Started by :class:`cohorte.runner.kernels.ForkedKernels` (``python -m cohorte.runner.kernel_template``).
It reads requests on stdin, one per line: ``CWD<TAB>CONNECTION_FILE``; for each it forks, and the
child becomes an ipykernel bound to that connection file, in ``CWD``; the child's pid is written
back on stdout. A fork is a copy of the template as it was after its imports — no notebook ever ran
in it — so every kernel starts with a fresh namespace, without paying for Python's start-up and the
imports again. The template exits when its stdin closes (its worker is gone).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

from cohorte.runner.kernels import PRELOAD, warm_up


def _serve() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    warm_up()  # font cache, pandoc's first call: paid once here, inherited by every fork
    from ipykernel import kernelapp

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        cwd, connection_file = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel exits when the template is gone
            os.chdir(cwd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            sys.stdin = open(os.devnull)  # noqa: SIM115 - the kernel's stdin for its whole life
            try:
                kernelapp.launch_new_instance(
                    argv=["-f", connection_file, f"--IPKernelApp.parent_handle={os.getppid()}"]
                )
            finally:
                os._exit(0)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
