"""Every suite has a folder under data/suites with a README and either its tasks or the manifest that pins them."""

from __future__ import annotations

import pytest

from crm_gym.config import data_dir
from crm_gym.tasks.suites import list_suites


@pytest.mark.parametrize("suite", list_suites())
def test_suite_folder_has_its_files(suite: str) -> None:
    folder = data_dir() / "suites" / suite
    assert (folder / "README.md").is_file()
    assert (folder / "tasks.jsonl").is_file() or (folder / "manifest.json").is_file()
