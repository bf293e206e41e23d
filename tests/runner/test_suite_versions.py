"""Every record carries its suite's version, and a report never pools two versions of one suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_gym.errors import CrmGymError
from crm_gym.runner.evaluate import EvalConfig, run_eval
from crm_gym.runner.report_markdown import report_sections
from crm_gym.runner.report_stats import run_stats
from crm_gym.runner.store import read_episodes
from crm_gym.tasks.suites import suite_version


def test_records_carry_the_suite_version_and_reports_refuse_to_mix_versions(tmp_path: Path) -> None:
    config = EvalConfig(policy="oracle", suite=["arc", "crmarena_pro"], org_scale="small", limit=2, out_dir=tmp_path)
    run_eval(config)
    records = read_episodes(tmp_path)
    assert {(r.suite, r.suite_version) for r in records} == {
        ("arc", suite_version("arc")),
        ("crmarena_pro", suite_version("crmarena_pro")),
    }
    stats = run_stats(records)
    assert stats.suite_versions == {"arc": suite_version("arc"), "crmarena_pro": suite_version("crmarena_pro")}
    headline = report_sections(stats, None)[0].body
    assert f"crmarena_pro v{suite_version('crmarena_pro')}" in headline.replace("`", "").replace("\\\\", "")

    older = records[0].model_copy(update={"suite_version": 99, "key": records[0].key.model_copy(update={"trial": 5})})
    with pytest.raises(CrmGymError, match="mixes versions"):
        run_stats([*records, older])
