"""Backups of replaced files (params/EDITION/.history): listed oldest first, restored exactly, a file
that did not exist removed again, and every restore backed up itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohorte import history
from cohorte.errors import ParamsError


def test_when_a_backup_is_restored_then_files_come_back_and_files_absent_then_are_removed(kit_home: Path) -> None:
    site = kit_home / "params/2020/sites/mel/prose"
    kept, new = site / "governance.md", site / "nouveau.md"
    kept.write_text("avant\n", encoding="utf-8")
    first = history.back_up(
        2020, [kept, new], kind="texts", command="cohorte texts import …", source="a.docx", site="mel"
    )
    assert first.files == ("sites/mel/prose/governance.md",) and first.absent == ("sites/mel/prose/nouveau.md",)
    kept.write_text("après\n", encoding="utf-8")
    new.write_text("créé par l'import\n", encoding="utf-8")

    saved, restored = history.restore(2020, first.id, kind="texts", command="cohorte texts history 2020 --restore")
    assert restored == first
    assert kept.read_text(encoding="utf-8") == "avant\n" and not new.exists()
    assert [b.id for b in history.backups(2020, "texts", "mel")] == [first.id, saved.id]
    assert (saved.folder / "files/sites/mel/prose/nouveau.md").read_text(encoding="utf-8") == "créé par l'import\n"


def test_when_a_backup_is_of_the_other_kind_or_unknown_then_restore_names_it(kit_home: Path) -> None:
    grid = kit_home / "params/2020/sites/mel/grid.yml"
    made = history.back_up(2020, [grid], kind="grids", command="cohorte grids import …", source="g.xlsx")
    with pytest.raises(ParamsError, match=f"no texts backup '{made.id}'; `cohorte texts history 2020` lists them"):
        history.restore(2020, made.id, kind="texts", command="…")


def test_when_a_file_is_outside_the_edition_then_back_up_refuses(kit_home: Path, tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="not a file of edition 2020"):
        history.back_up(2020, [tmp_path / "ailleurs.md"], kind="texts", command="…", source="…")
