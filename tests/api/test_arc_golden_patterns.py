"""Arc's 103 golden-case patterns in Arc's call form: each behaves as Arc intends or as its documented defect is
corrected, every refusal changes nothing and names the field, the value and what is allowed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from arc_golden_patterns import DEFECTS, PATTERNS, Pattern, agreement, run_pattern

from crm_gym.api.registry import TOOL_PROFILES

DOC = Path(__file__).resolve().parents[2] / "docs" / "arc_compat.md"


def test_the_patterns_mirror_arcs_last_golden_cases() -> None:
    assert len(PATTERNS) == 103 and len({p.arc_case for p in PATTERNS}) == 103
    assert Counter(p.arc_outcome for p in PATTERNS) == {"success": 50, "refusal": 53}
    assert Counter(p.tool for p in PATTERNS) == {
        "create_new_client": 18,
        "create_new_opportunity": 25,
        "create_quote": 20,
        "upload_document": 18,
        "modify_opportunity": 22,
    }
    # Arc's own shapes are what is exercised: its updates objects and its free-text quote versions.
    assert all("updates" in p.args for p in PATTERNS if p.tool == "modify_opportunity")
    assert {p.args["version"] for p in PATTERNS if "version" in p.args} == {"v1", "v2", "2.3", "R4"}


@pytest.mark.parametrize("profile", TOOL_PROFILES)
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.arc_case)
def test_each_pattern_behaves_as_arc_intends_or_as_corrected(pattern: Pattern, profile: str) -> None:
    result = run_pattern(pattern, profile)
    assert result.outcome == pattern.expected, result.error
    assert result.state_ok, "a success writes exactly the values given; a refusal leaves the state hash unchanged"
    assert result.message_ok, f"{result.error!r} should name {pattern.names}"
    assert result.agrees


def test_the_agreement_figure_is_at_least_100_of_103_and_the_docs_give_it() -> None:
    figure = agreement([run_pattern(p) for p in PATTERNS])
    assert figure["agree"] >= 100
    assert figure == {"cases": 103, "as_arc_intends": 100, "as_corrected": 3, "agree": 103}
    text = DOC.read_text()
    assert f"{figure['agree']} of 103" in text and f"{figure['as_arc_intends']} as Arc intends" in text


def test_every_corrected_defect_is_documented_with_its_reason() -> None:
    text = DOC.read_text()
    for key in DEFECTS:
        assert re.search(rf"`{key}`", text), f"docs/arc_compat.md does not list the defect {key!r}"
    assert {p.defect for p in PATTERNS if p.defect} == set(DEFECTS)
