"""The MaskablePPO training run: balanced task split, fixed-rule baselines, and a ~2,000-step smoke run."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from crm_gym.runner.train import (
    MIXED_CATEGORIES,
    PolicyFigures,
    paired_margin,
    split_tasks,
    summary,
    train_maskable_ppo,
)


def test_split_is_balanced_disjoint_and_covers_every_category():
    train, held_out = split_tasks(MIXED_CATEGORIES)
    assert not {t.id for t in train} & {t.id for t in held_out}
    for half in (train, held_out):
        assert set(Counter(t.category for t in half)) == set(MIXED_CATEGORIES)
        for category in MIXED_CATEGORIES:
            golds = [t.oracle.answer for t in half if t.category == category]
            assert golds.count("None") <= len(golds) / 2 + 1, category


def test_paired_margin_interval_brackets_the_mean_and_sees_no_difference_between_equals():
    a = PolicyFigures(mean_return=0.5, functional_success=0.5, mean_steps=2, returns=[1.0, 0.0] * 20)
    b = PolicyFigures(mean_return=0.25, functional_success=0.25, mean_steps=2, returns=[1.0, 0.0, 0.0, 0.0] * 10)
    margin = paired_margin("b", a, b)
    assert margin.low <= margin.mean == 0.25 <= margin.high and margin.low > 0
    same = paired_margin("a", a, a)
    assert same.low == same.mean == same.high == 0.0


def test_smoke_run_trains_and_writes_its_figures(tmp_path):
    report = train_maskable_ppo(timesteps=2_048, eval_episodes=6, out_dir=tmp_path)
    assert report.eval_tasks == 6 and report.runs[0].learned.mean_steps >= 1
    assert set(report.baselines) == {
        "random_masked",
        "answer_none",
        "lookup_then_none",
        "lookup_then_first_entity",
        "lookup_then_first_if_dated",
    }
    assert report.baselines["answer_none"].mean_return <= 0.0  # an unread "None" is an ungrounded guess
    assert {m.baseline.split(" ")[0] for m in report.margins} >= {"random_masked"}
    saved = json.loads((tmp_path / "maskable_ppo.json").read_text())
    assert saved["eval_tasks"] == 6 and len(saved["runs"][0]["learned"]["returns"]) == 6
    assert (tmp_path / "maskable_ppo_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isfinite(summary(report)["learned"][0]["mean_return"])
