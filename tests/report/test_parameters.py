"""Each notebook's parameter model stays in step with the notebook's parameters cell."""

from __future__ import annotations

import ast

import papermill
import pytest

from cohorte import config
from cohorte.report.parameters import PARAMETERS, parameter_problems


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_model_declares_the_names_types_and_defaults_of_the_notebook_parameters_cell(name: str) -> None:
    cell = papermill.inspect_notebook(str(config.notebooks_dir() / name))
    fields = PARAMETERS[name].model_fields
    assert list(cell) == list(fields), "same names, same order"
    for key, declared in cell.items():
        assert declared["inferred_type_name"] == fields[key].annotation.__name__, key
        assert ast.literal_eval(declared["default"]) == fields[key].default, key


def test_every_shipped_notebook_has_a_model() -> None:
    assert sorted(p.name for p in config.notebooks_dir().glob("*.ipynb")) == sorted(PARAMETERS)


def test_when_values_are_complete_and_typed_then_there_is_no_problem() -> None:
    values = {"edition": 2020, "site": "mel", "prepared_dir": "/p", "output_dir": "/o"}
    assert parameter_problems(config.MONOGRAPH_NOTEBOOK, values) == []


def test_when_a_value_is_a_string_for_an_int_then_it_is_refused_not_coerced() -> None:
    problems = parameter_problems(config.SYNTHESIS_NOTEBOOK, {"edition": "2020", "sites_dir": "", "output_dir": ""})
    assert problems == ["synthesis.ipynb: parameter 'edition' must be int, got str '2020'"]
