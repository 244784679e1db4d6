"""A kit home without the demonstration edition 2021, for tests that start it again from 2020."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def home_2020(kit_home: Path) -> Path:
    shutil.rmtree(kit_home / "params/2021")
    return kit_home
