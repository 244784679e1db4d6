"""The Word round-trip never loses newer prose: a stale DOCX is refused with the files named, --merge
takes Word's changes to the sections the files kept as exported, --force backs up first, and
`cohorte texts history` lists and restores the backups. Real DOCX files, real pandoc, the real CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from docx import Document

from cohorte.cli import main
from cohorte.report.prose import _pandoc

PROSE = {
    "governance": "<!-- consigne -->\nLa CIL s'est réunie deux fois.\n",
    "cotation": "La cotation avance.\n",
    "flux": 'Pression : {{ figure("pressure") }}.\n',
}


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def prose(home: Path, theme: str) -> Path:
    return home / "params/2020/sites/mel/prose" / f"{theme}.md"


def snapshot(home: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(prose(home, "x").parent.glob("*.md"))}


def exported(home: Path, tmp_path: Path) -> Path:
    """mel's prose set to PROSE, exported to mel.docx."""
    for theme, text in PROSE.items():
        prose(home, theme).write_text(text, encoding="utf-8")
    docx = tmp_path / "mel.docx"
    result = run("texts", "export", "2020", "mel", str(docx))
    assert result.exit_code == 0, result.output
    return docx


def edit_in_word(docx: Path, old: str, new: str) -> None:
    """Change one paragraph, as a consultant would (python-docx keeps the document's other parts)."""
    document = Document(str(docx))
    paragraph = next(p for p in document.paragraphs if p.text == old)
    paragraph.text = new
    document.save(str(docx))


def edit_file(home: Path, theme: str, text: str) -> None:
    prose(home, theme).write_text(text, encoding="utf-8")


def test_when_a_prose_file_changed_since_the_export_then_import_refuses_naming_it(
    kit_home: Path, tmp_path: Path
) -> None:
    docx = exported(kit_home, tmp_path)
    edit_file(kit_home, "governance", "<!-- consigne -->\nLa CIL s'est réunie trois fois.\n")
    edit_in_word(docx, "La cotation avance.", "La cotation est en service.")
    before = snapshot(kit_home)
    result = run("texts", "import", "2020", "mel", str(docx))
    assert result.exit_code == 1
    assert "these files changed since mel.docx was exported:" in result.output
    assert "params/2020/sites/mel/prose/governance.md (left as exported in mel.docx)" in result.output
    assert "cotation.md" not in result.output  # changed in Word only: not stale
    assert "Nothing was written." in result.output and "--merge" in result.output and "--force" in result.output
    assert snapshot(kit_home) == before
    assert not (kit_home / "params/2020/.history").exists()


def test_when_word_and_the_files_changed_different_sections_then_merge_takes_word_s_and_keeps_the_file(
    kit_home: Path, tmp_path: Path
) -> None:
    docx = exported(kit_home, tmp_path)
    edit_file(kit_home, "governance", "<!-- consigne -->\nLa CIL s'est réunie trois fois.\n")
    edit_in_word(docx, "La cotation avance.", "La cotation est en service.")
    result = run("texts", "import", "2020", "mel", str(docx), "--merge")
    assert result.exit_code == 0, result.output
    assert "updated params/2020/sites/mel/prose/cotation.md" in result.output
    assert "kept params/2020/sites/mel/prose/governance.md (changed since the export" in result.output
    assert prose(kit_home, "cotation").read_text(encoding="utf-8") == "La cotation est en service.\n"
    assert "trois fois" in prose(kit_home, "governance").read_text(encoding="utf-8")
    assert prose(kit_home, "flux").read_text(encoding="utf-8") == PROSE["flux"]  # untouched: not rewritten


def test_when_both_changed_the_same_section_then_merge_refuses_naming_the_conflict(
    kit_home: Path, tmp_path: Path
) -> None:
    docx = exported(kit_home, tmp_path)
    edit_file(kit_home, "governance", "<!-- consigne -->\nLa CIL s'est réunie trois fois.\n")
    edit_in_word(docx, "La CIL s'est réunie deux fois.", "La CIL ne s'est pas réunie.")
    edit_in_word(docx, "La cotation avance.", "La cotation est en service.")
    before = snapshot(kit_home)
    result = run("texts", "import", "2020", "mel", str(docx), "--merge")
    assert result.exit_code == 1
    assert "cannot merge mel.docx: both it and the files changed the same part since the export:" in result.output
    assert "params/2020/sites/mel/prose/governance.md (section « Gouvernance »)" in result.output
    assert snapshot(kit_home) == before  # not even the section without conflict


def test_when_forced_then_replaced_files_are_backed_up_and_restore_brings_them_back(
    kit_home: Path, tmp_path: Path
) -> None:
    docx = exported(kit_home, tmp_path)
    newer = "<!-- consigne -->\nLa CIL s'est réunie trois fois.\n"
    edit_file(kit_home, "governance", newer)
    result = run("texts", "import", "2020", "mel", str(docx), "--force")
    assert result.exit_code == 0, result.output
    assert prose(kit_home, "governance").read_text(encoding="utf-8") == PROSE["governance"]
    backup_id = result.output.split("saved as backup ")[1].split()[0]
    listing = run("texts", "history", "2020", "mel")
    assert f"{backup_id}  " in listing.output and "--force" in listing.output
    assert "    sites/mel/prose/governance.md" in listing.output
    record = (kit_home / "params/2020/.history" / backup_id / "backup.json").read_text(encoding="utf-8")
    assert '"source": "' in record and "mel.docx" in record and '"when": "' in record

    restored = run("texts", "history", "2020", "mel", "--restore", backup_id)
    assert restored.exit_code == 0, restored.output
    assert prose(kit_home, "governance").read_text(encoding="utf-8") == newer
    undo_id = restored.output.split("saved as backup ")[1].split(".")[0]
    assert run("texts", "history", "2020", "--restore", undo_id).exit_code == 0  # a restore can be undone
    assert prose(kit_home, "governance").read_text(encoding="utf-8") == PROSE["governance"]


def test_when_a_docx_carries_no_record_then_import_refuses_unless_forced(kit_home: Path, tmp_path: Path) -> None:
    docx = exported(kit_home, tmp_path)
    markdown = _pandoc(["-f", "docx", "-t", "markdown", str(docx)])
    old = tmp_path / "ancien.docx"  # as an older cohorte exported it: no document properties
    _pandoc(["-f", "markdown", "-t", "docx", "-o", str(old)], markdown.replace("deux fois", "trois fois"))
    before = snapshot(kit_home)
    result = run("texts", "import", "2020", "mel", str(old))
    assert result.exit_code == 1
    assert "ancien.docx carries no record of the files it was exported from" in result.output
    assert "--force" in result.output and snapshot(kit_home) == before
    forced = run("texts", "import", "2020", "mel", str(old), "--force")
    assert forced.exit_code == 0, forced.output
    assert "trois fois" in prose(kit_home, "governance").read_text(encoding="utf-8")
    assert "saved as backup" in forced.output


def test_when_a_docx_of_another_site_is_imported_then_it_is_refused_even_forced(kit_home: Path, tmp_path: Path) -> None:
    docx = tmp_path / "carene.docx"
    assert run("texts", "export", "2020", "carene", str(docx)).exit_code == 0
    result = run("texts", "import", "2020", "mel", str(docx), "--force")
    assert result.exit_code == 1
    assert "carene.docx holds the prose exported by `cohorte texts export 2020 carene`" in result.output


def test_when_merge_and_force_are_both_given_then_the_command_says_to_choose(kit_home: Path, tmp_path: Path) -> None:
    docx = exported(kit_home, tmp_path)
    result = run("texts", "import", "2020", "mel", str(docx), "--merge", "--force")
    assert result.exit_code == 2 and "--merge and --force exclude each other" in result.output


def test_when_no_backup_exists_then_history_says_so_and_an_unknown_id_is_named(kit_home: Path) -> None:
    assert "No backup of prose of mel yet in params/2020/.history/." in run("texts", "history", "2020", "mel").output
    result = run("texts", "history", "2020", "--restore", "20200101T000000Z")
    assert result.exit_code == 1 and "no texts backup '20200101T000000Z'" in result.output


def test_when_a_docx_is_imported_again_after_more_edits_then_its_own_earlier_import_is_no_obstacle(
    kit_home: Path, tmp_path: Path
) -> None:
    docx = exported(kit_home, tmp_path)
    edit_in_word(docx, "La cotation avance.", "La cotation est en service.")
    assert run("texts", "import", "2020", "mel", str(docx)).exit_code == 0
    again = run("texts", "import", "2020", "mel", str(docx))
    assert again.exit_code == 0 and "0 prose file(s) updated" in again.output, again.output
    edit_in_word(docx, "La cotation est en service.", "La cotation est en service depuis juin.")
    result = run("texts", "import", "2020", "mel", str(docx))
    assert result.exit_code == 0, result.output
    assert prose(kit_home, "cotation").read_text(encoding="utf-8") == "La cotation est en service depuis juin.\n"
