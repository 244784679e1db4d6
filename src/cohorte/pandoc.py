"""pandoc: the binary shipped by pypandoc-binary (else the one on PATH) and one way to call it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from cohorte.errors import CohorteError, RenderError


def pandoc_path() -> str:
    """The pandoc binary shipped by pypandoc-binary, else ``pandoc`` on PATH."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        found = shutil.which("pandoc")
        if found:
            return found
        raise RenderError(f"pandoc not found ({exc}); install the kit's dependencies (pypandoc-binary)") from None


def last_lines(stderr: str, lines: int = 12) -> str:
    kept = [line for line in stderr.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:]) or "(no message)"


def run_pandoc(
    args: Sequence[str],
    *,
    what: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    error: type[CohorteError] = RenderError,
) -> str:
    """pandoc's standard output; a failure raises ``error`` naming ``what`` with pandoc's last lines."""
    result = subprocess.run(
        [pandoc_path(), *args], cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if result.returncode != 0:
        raise error(f"pandoc failed while rendering {what}:\n{last_lines(result.stderr)}")
    return result.stdout
