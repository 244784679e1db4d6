"""One build per edition at a time: ``outputs/EDITION/.lock`` holds the running build's PID.

The lock is an ``flock`` on that file, so the system releases it whenever the build ends, even by
SIGKILL; a second build is refused with the first one's PID, or waits with ``--wait``. Whoever
holds the lock may clean what an interrupted build left behind (:func:`cohorte.files.remove_leftovers`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cohorte.errors import CohorteError

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows: no lock, as before)
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".lock"


class BuildLocked(CohorteError):
    """Another build of the same edition is running."""


def _holder(handle) -> str:
    handle.seek(0)
    return handle.read().strip() or "unknown"


@contextmanager
def edition_lock(folder: Path, edition: str | int, *, wait: bool = False) -> Iterator[Path]:
    """Hold ``folder/.lock`` for the duration of a build of ``edition``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    with path.open("a+", encoding="utf-8") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _holder(handle)
                if not wait:
                    raise BuildLocked(
                        f"another build of edition {edition} is running (PID {pid}, lock {path}); "
                        "wait for it to finish, or run again with --wait"
                    ) from None
                print(f"Waiting for the build of edition {edition} running as PID {pid} …", flush=True)
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()  # the file stays (removing it would race with a waiting build)
            handle.flush()
