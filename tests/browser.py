"""Headless chromium through playwright, for the tests of what a reader sees.

Playwright drives Debian's ``chromium`` (``executable_path``): no browser is ever downloaded
(never run ``playwright install``). axe-core comes bundled with ``axe-playwright-python``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IMAGES_OK = "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BEST_PRACTICES = ["region", "skip-link", "empty-table-header"]
PHONE = {"width": 390, "height": 844}


@contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium (playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium not installed (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page with the errors seen since it was opened: exceptions, console errors, failed loads."""

    page: object
    errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        self.errors.clear()
        self.page.goto(url, wait_until="load")

    def evaluate(self, expression: str) -> object:
        return self.page.evaluate(expression)


def new_tab(browser, viewport: dict | None = None) -> Tab:
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1400})
    tab = Tab(page)
    page.on("pageerror", lambda exc: tab.errors.append(f"exception: {exc}"))
    page.on(
        "console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type in ("error", "assert") else None
    )
    page.on("requestfailed", lambda req: tab.errors.append(f"load failed: {req.url} {req.failure}"))
    return tab


def axe_violations(tab: Tab) -> list[str]:
    """WCAG 2.1 A/AA violations, plus the best-practice rules ``region``, ``skip-link`` and
    ``empty-table-header``, as « rule: target » lines (empty when the page passes)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    for run_only in ({"type": "tag", "values": WCAG_TAGS}, {"type": "rule", "values": BEST_PRACTICES}):
        result = axe.run(tab.page, options={"runOnly": run_only})
        for violation in result.response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets[:5]}")
    return found


def scrolls_horizontally(tab: Tab) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))
