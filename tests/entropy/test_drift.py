"""The drift map: seeded, at the promised fractions, collision-free and invertible."""

from __future__ import annotations

import pytest

from crm_gym.entropy.drift import FIELD_FRACTION, draw_drift
from crm_gym.world.schema import load_schema

SCHEMA = load_schema("arc")
TOTAL_FIELDS = sum(len(o.fields) for o in SCHEMA.objects.values())


def _renamed_count(level: str, seed: int) -> int:
    drift = draw_drift(SCHEMA, level, seed)
    return sum(len(drift.renamed_fields(o)) for o in SCHEMA.objects)


@pytest.mark.parametrize("level", ["none", "low", "medium", "high"])
def test_fraction_of_renamed_fields_matches_level(level: str) -> None:
    for seed in range(5):
        share = _renamed_count(level, seed) / TOTAL_FIELDS
        # whole field names are renamed at once, so the share may overshoot by one field group
        assert FIELD_FRACTION[level] <= share <= FIELD_FRACTION[level] + 0.12


def test_same_seed_same_map_other_seed_other_map() -> None:
    assert draw_drift(SCHEMA, "medium", 7) == draw_drift(SCHEMA, "medium", 7)
    assert draw_drift(SCHEMA, "medium", 7) != draw_drift(SCHEMA, "medium", 8)


def test_keys_renamed_only_at_high() -> None:
    keys = {o.primary_key for o in SCHEMA.objects.values()} | {
        f for o in SCHEMA.objects.values() for f, s in o.fields.items() if s.type.endswith("reference")
    }
    for seed in range(10):
        assert not keys & set(draw_drift(SCHEMA, "medium", seed).fields)
    assert any(keys & set(draw_drift(SCHEMA, "high", seed).fields) for seed in range(10))


def test_renames_never_collide_and_invert() -> None:
    for seed in range(20):
        drift = draw_drift(SCHEMA, "high", seed)
        assert len(set(drift.objects.values())) == len(drift.objects)
        assert not set(drift.objects.values()) & set(SCHEMA.objects)
        for name, obj in SCHEMA.objects.items():
            visible = [drift.field_name(name, f) for f in obj.fields]
            assert len(set(visible)) == len(visible), (seed, name, visible)
            assert [drift.canonical_field(name, v) for v in visible] == list(obj.fields)
            assert drift.canonical_object(drift.object_name(name)) == name
        renamed_object = next(iter(drift.objects), None)
        if renamed_object:
            assert drift.canonical_object(renamed_object) is None  # the canonical name no longer exists


def test_rewrite_text_renames_schema_names_not_prose() -> None:
    drift = draw_drift(SCHEMA, "high", 3)
    text = "Update Opportunity.stage for opportunity_id; the name of the deal stays."
    rewritten = drift.rewrite_text(text)
    assert f"{drift.object_name('Opportunity')}.{drift.field_name('Opportunity', 'stage')}" in rewritten
    assert drift.field_name("Quote", "opportunity_id") in rewritten
    assert "the name of the deal stays" in rewritten
    assert draw_drift(SCHEMA, "none", 3).rewrite_text(text) == text


def test_prose_keeps_renamed_object_names_that_are_picklist_values() -> None:
    schema = load_schema("crmarena_pro_b2b")
    drift = next(d for d in (draw_drift(schema, "high", s) for s in range(200)) if "Quote" in d.objects)
    assert drift.data_words == ("Quote",)  # "Quote" is also an Opportunity stage
    text = "Deals in the Quote stage; read Quote.Status first."
    assert drift.rewrite_text(text, prose=True) == (
        f"Deals in the Quote stage; read {drift.objects['Quote']}.{drift.field_name('Quote', 'Status')} first."
    )
    assert drift.rewrite_text(text).startswith(f"Deals in the {drift.objects['Quote']} stage")  # schema text does
