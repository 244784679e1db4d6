"""Page by page text of a PDF (poppler's pdftotext), for the tests of what a PDF reader sees."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

CAPTION = re.compile(r"^(Tableau|Figure)\s+\d+")
RUNNING = re.compile(r"Page \d+ sur \d+|Données fictives — document de démonstration")


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def last_line(page: str, running: tuple[str, ...] = ()) -> str:
    """The last line of a page's text, running head and foot left out."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    body = [line for line in lines if not RUNNING.search(line) and line not in running]
    return body[-1] if body else ""


def stranded(pdf: Path, headings: set[str], running: tuple[str, ...] = ()) -> list[str]:
    """« page N: line » for every page (but the last) that ends with a heading or a caption."""
    found = []
    for number, page in enumerate(pages(pdf)[:-1], start=1):
        line = last_line(page, running)
        if line in headings or CAPTION.match(line):
            found.append(f"page {number}: {line}")
    return found
