"""Field rules every write meets: long text, lists and integers are bounded where SQLite and queries need it."""

from __future__ import annotations

import pytest

from crm_gym import CrmError, config
from crm_gym.world.models import validate_values
from crm_gym.world.schema import load_schema

SF = load_schema("crmarena_pro_b2b")
ARC = load_schema("arc")


def test_text_without_a_schema_length_is_capped_and_the_cap_is_stated() -> None:
    assert validate_values(SF, "Case", {"Subject": "s", "Description": "d" * config.TEXT_MAX_CHARS}, for_update=True)
    with pytest.raises(
        CrmError,
        match=f"Case.Description: 'ddd.*is not allowed; expected text at most {config.TEXT_MAX_CHARS:,} characters",
    ):
        validate_values(SF, "Case", {"Description": "d" * (config.TEXT_MAX_CHARS + 1)}, for_update=True)


def test_lists_are_capped_in_items_and_item_length() -> None:
    assert validate_values(ARC, "Company", {"contacts": ["Ann"] * config.LIST_MAX_ITEMS}, for_update=True)
    for contacts in (["Ann"] * (config.LIST_MAX_ITEMS + 1), ["x" * 256]):
        with pytest.raises(CrmError, match="at most 200 items of at most 255 characters"):
            validate_values(ARC, "Company", {"contacts": contacts}, for_update=True)


def test_integers_fit_sqlites_64_bits() -> None:
    assert validate_values(SF, "Account", {"NumberOfEmployees": 2**40}, for_update=True)
    with pytest.raises(CrmError, match="NumberOfEmployees"):
        validate_values(SF, "Account", {"NumberOfEmployees": 2**63}, for_update=True)
