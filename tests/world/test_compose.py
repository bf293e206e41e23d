"""Sentences composed from interchangeable parts: every reading reachable, fields filled after, one stream each."""

from __future__ import annotations

import random

from crm_gym.world.generate.compose import pick, spin, text_rng


def _readings(template: str, **fields: str) -> set[str]:
    return {spin(random.Random(seed), template, **fields) for seed in range(400)}


def test_alternatives_nest_and_an_empty_one_makes_a_part_optional() -> None:
    assert _readings("[Hi|Hello] [there |]{name}[, [thanks|cheers]|].", name="Dana") == {
        f"{greeting} {there}Dana{end}."
        for greeting in ("Hi", "Hello")
        for there in ("there ", "")
        for end in (", thanks", ", cheers", "")
    }


def test_fields_are_filled_after_the_choice_so_their_brackets_stay() -> None:
    assert spin(random.Random(0), "Order {code}", code="[A|B]") == "Order [A|B]"


def test_spaces_left_by_empty_parts_close_up_and_lines_stay() -> None:
    assert spin(random.Random(0), "A: one [|]  , two [|].\nB: three") == "A: one, two.\nB: three"


def test_the_same_record_stream_reads_the_same_way_and_other_records_differ() -> None:
    template = "[a|b|c|d] [e|f|g|h] [i|j|k|l] [m|n|o|p]"
    first = pick(text_rng(3, "chat", "500A"), (template,))
    assert first == pick(text_rng(3, "chat", "500A"), (template,))
    others = {pick(text_rng(3, "chat", f"500{k}"), (template,)) for k in range(30)}
    assert len(others) > 20
