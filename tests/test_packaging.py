"""The set-up stays reproducible: README's two commands, pinned versions in step everywhere."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from conftest import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def constraints() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version.strip()
    return pins


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme and "make test" in readme
    assert readme.index("make report") < readme.index("## Command line")


def test_every_dependency_is_pinned_in_constraints() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    missing = [r for r in requirements if _name(r) not in constraints()]
    assert not missing


def test_environment_yml_has_the_same_pins_as_constraints() -> None:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pins = constraints()
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    for spec in conda:
        name, version = re.match(r"([\w.-]+)\s*(?:=([\w.]+))?", spec).groups()
        if name in ("python", "pip", "quarto"):
            continue
        assert name in pins, f"environment.yml pins {name}, which constraints.txt does not"
        assert version == pins[name], f"environment.yml {name}={version} ≠ constraints {pins[name]}"
    for spec in pip:
        name, _, version = spec.split("#")[0].strip().partition("==")
        assert pins[name.lower().replace("_", "-")] == version, name
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    in_env = {_name(s.partition("=")[0]) for s in conda} | {_name(s) for s in pip}
    assert declared <= in_env, f"missing from environment.yml: {declared - in_env}"


def test_make_help_lists_the_targets() -> None:
    result = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True)
    for target in ("report", "test", "lint", "lab", "install", "benchmark"):
        assert f"make {target}" in result.stdout
