"""French typography: no-break spaces where a French line must not break (cohorte.typography)."""

from __future__ import annotations

import pytest

from cohorte.typography import NBSP, french


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Instances techniques : non documenté", "Instances techniques~: non documenté"),
        ("Et alors ? Rien ; enfin !", "Et alors~? Rien~; enfin~!"),
        ("le « lieu commun » et «fichier»", "le «~lieu commun~» et «~fichier~»"),
        ("1 146 320 habitants", "1~146~320 habitants"),
        ("15,5 % et 8 882 € en 10 mois", "15,5~% et 8~882~€ en 10~mois"),
        ("le 24 novembre 2021, le 1er septembre 2021", "le 24~novembre~2021, le 1er~septembre~2021"),
        ("de septembre 2020 à février 2021", "de septembre~2020 à février~2021"),
        ("décret n° 2019-1378, p. 26", "décret n°~2019-1378, p.~26"),
    ],
)
def test_when_french_text_is_typeset_then_no_line_can_break_inside(typed: str, expected: str) -> None:
    assert french(typed) == expected.replace("~", NBSP)


def test_when_typeset_twice_then_the_text_is_unchanged() -> None:
    once = french("« Sites » : 1 146 320 habitants, 15,5 % le 24 novembre 2021 ?")
    assert french(once) == once


def test_when_markdown_syntax_or_code_is_present_then_it_is_left_alone() -> None:
    text = (
        ": Les sites observés\n::: {.encadre}\ntexte\n:::\n"
        "`a : b` [lien](https://x.fr/a?b=c) ![x](attachment:figure-1.png){width=100%}\n"
        "```\ncode : 1 000\n```\n| a | b |\n|:--|--:|"
    )
    assert french(text) == text


def test_when_years_follow_each_other_then_they_are_not_joined_as_one_number() -> None:
    assert french("2017 2018 2019") == "2017 2018 2019"
    assert french("en 2019 272 000 attributions") == f"en 2019 272{NBSP}000 attributions"
