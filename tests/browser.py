"""Headless chromium for the tests of what a reader sees, through pytest-playwright's fixtures.

Loaded as a pytest plugin (``conftest.py``). pytest-playwright's ``browser``, ``context`` and
``page`` fixtures launch Debian's ``chromium`` (``executable_path``, set below): no browser is
ever downloaded (never run ``playwright install``); a test that needs the browser skips, saying
why, where chromium is absent. axe-core comes bundled with ``axe-playwright-python``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "chromium not installed (apt-get install chromium)"
IMAGES_OK = "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BEST_PRACTICES = ["region", "skip-link", "empty-table-header"]
DESKTOP = {"width": 1280, "height": 1400}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, on Debian's chromium."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "fr-FR"}


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


def watch(page) -> Tab:
    """A playwright page whose errors are collected."""
    tab = Tab(page)
    page.on("pageerror", lambda exc: tab.errors.append(f"exception: {exc}"))
    page.on(
        "console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type in ("error", "assert") else None
    )
    page.on("requestfailed", lambda req: tab.errors.append(f"load failed: {req.url} {req.failure}"))
    return tab


@pytest.fixture
def tab(new_context) -> Tab:
    """A page in a desktop-sized context, its errors collected."""
    return watch(new_context(viewport=DESKTOP).new_page())


@pytest.fixture
def phone_tab(new_context) -> Tab:
    """A page in a 390 px wide context (a phone), its errors collected."""
    return watch(new_context(viewport=PHONE).new_page())


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
