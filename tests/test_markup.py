"""Text written by people reaches pandoc as data: allowed Markdown kept, everything else literal."""

from __future__ import annotations

import pytest

from cohorte import markup


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<script>alert(1)</script>", "raw HTML '<script>' is not allowed"),
        ("voir <img src=x onerror=alert(1)>", "raw HTML '<img' is not allowed"),
        ("`#rect()`{=typst}", "raw block {=typst} is not allowed"),
        ("```{=html}\n<b>x</b>\n```", "raw block {=html} is not allowed"),
        (
            "[cliquer](javascript:alert(1))",
            "link to 'javascript:alert(1' is not allowed; only http(s) and mailto links",
        ),
        ("<javascript:alert(1)>", "link to 'javascript:alert(1)' is not allowed"),
        ("[fichier](file:///etc/passwd)", "link to 'file:///etc/passwd' is not allowed"),
    ],
)
def test_when_text_holds_live_markup_then_problems_name_it(text: str, problem: str) -> None:
    assert any(problem in found for found in markup.problems(text)), markup.problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "La CIL a été installée en 2016 ; *le document-cadre* est **adopté**.",
        "Voir [le site](https://www.example.fr/a_b) ou [écrire](mailto:contact@example.fr).",
        "Taux < 25 % et pression > 5 : à suivre.",
    ],
)
def test_when_text_uses_only_allowed_markdown_then_no_problem(text: str) -> None:
    assert markup.problems(text) == []


def test_when_text_is_too_long_then_problem_gives_the_limit() -> None:
    assert "at most 20,000" in markup.problems("a" * 20_001)[0]


def test_when_check_finds_a_problem_then_error_names_where() -> None:
    with pytest.raises(markup.MarkupError, match=r"^params/2020/sites/mel\.yml: key 'findings\.flux\[0\]': raw HTML"):
        markup.check("<b>gras</b>", "params/2020/sites/mel.yml: key 'findings.flux[0]'")


def test_allowed_markdown_is_kept_and_the_rest_escaped() -> None:
    assert markup.inline("*a* **b** [l](https://x.fr)") == "*a* **b** [l](https://x.fr)"
    assert markup.inline("<b>`x`{=typst}</b>") == r"\<b\>\`x\`\{\=typst\}\</b\>"
    assert markup.inline("![img](https://x.fr/t.png)") == r"\![img](https://x.fr/t.png)"  # a link, never an image
    assert markup.inline("[a](javascript:alert(1))") == r"\[a\]\(javascript\:alert\(1\)\)"


def test_inline_text_stays_on_one_line_and_opens_no_block() -> None:
    assert markup.inline("- a\n\n# b") == r"\- a \# b"
    assert markup.inline("1. premier") == r"1\. premier"


def test_block_text_keeps_lists_and_paragraphs_but_no_metadata_block() -> None:
    assert markup.block("Constat :\n\n- un\n- deux\n1. trois") == "Constat \\:\n\n- un\n- deux\n1. trois"
    assert markup.block("---\ntitle: x\n---").splitlines() == [r"\---", r"title\: x", r"\---"]
