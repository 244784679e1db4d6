"""Coded fields compared between editions, on hand-made grids: advance, regress, unchanged, unconfirmed,
sites joining and leaving."""

from __future__ import annotations

import pytest

from cohorte.changes.transitions import (
    Transition,
    classify,
    cohort_transitions,
    moves,
    renewal,
    site_transitions,
    unconfirmed,
)
from cohorte.grids import Grid, confirmable_fields, load_grids


@pytest.fixture(scope="module")
def base() -> Grid:
    return load_grids(2020)["mel"]


def _with(
    grid: Grid, *, stage: str | None = None, posture: str | None = None, to_confirm: list[str] | None = None
) -> Grid:
    cotation = grid.cotation.model_copy(update={"stage": stage}) if stage else grid.cotation
    flux = grid.flux.model_copy(update={"epci_posture": posture}) if posture else grid.flux
    return grid.model_copy(update={"cotation": cotation, "flux": flux, "to_confirm": to_confirm or []})


@pytest.mark.parametrize(
    ("key", "before", "after", "pending", "status"),
    [
        ("cotation.stage", "principles", "started", False, "advanced"),
        ("cotation.stage", "operational", "started", False, "regressed"),
        ("cotation.stage", "started", "started", False, "unchanged"),
        ("cotation.stage", "started", "started", True, "unconfirmed"),
        ("cotation.stage", "started", "operational", True, "advanced"),  # a changed value counts as confirmed
        ("cotation.stage", None, "started", False, "documented"),
        ("flux.epci_posture", "not_documented", "pilot", False, "documented"),
        ("demand_service.said_common_place", "project", "stalled", False, "changed"),  # same rank, other situation
        ("governance.cil_installed", 2016, 2017, False, "changed"),
        ("cotation.stage", "started", None, False, "undocumented"),  # losing a value is not a change
        ("flux.epci_posture", "pilot", "not_documented", False, "undocumented"),
    ],
)
def test_when_a_field_moves_then_its_status_says_how(
    key: str, before: object, after: object, pending: bool, status: str
) -> None:
    assert classify(key, before, after, pending) == status
    if status == "undocumented":
        assert not Transition("x", key, before, after, status).changed


def test_when_a_grid_is_carried_over_unchanged_then_every_field_is_unconfirmed(base: Grid) -> None:
    carried = _with(base, to_confirm=list(confirmable_fields()))
    transitions = site_transitions("mel", base, carried)
    assert {t.status for t in transitions} == {"unconfirmed"}
    assert not any(t.changed for t in transitions)
    assert unconfirmed("mel", carried, base) == list(confirmable_fields())


def test_when_a_consultant_changes_a_listed_field_then_it_is_a_change_not_a_field_to_confirm(base: Grid) -> None:
    carried = _with(base, stage="operational", to_confirm=list(confirmable_fields()))
    stage = next(
        t for t in site_transitions("mel", _with(base, stage="principles"), carried) if t.key == "cotation.stage"
    )
    assert stage.status == "advanced" and stage.changed
    assert "cotation.stage" not in unconfirmed("mel", carried, _with(base, stage="principles"))


def test_when_the_cohort_is_renewed_then_only_sites_in_both_editions_are_compared(base: Grid) -> None:
    before = {"a": _with(base, stage="principles"), "b": _with(base, stage="operational"), "gone": base}
    after = {"a": _with(base, stage="started"), "b": _with(base, stage="started", posture="observer"), "new": base}
    frame = cohort_transitions(before, after)
    assert sorted(frame["site"].unique()) == ["a", "b"]
    stage = moves(frame, "cotation.stage")
    assert stage["advanced"] == ["a"] and stage["regressed"] == ["b"]
    assert moves(frame, "flux.epci_posture")["regressed"] == ["b"]  # pilot → observer
    cohort = renewal(list(before), list(after))
    assert (cohort.both, cohort.joined, cohort.left) == (["a", "b"], ["new"], ["gone"])
