"""Train sb3-contrib's `MaskablePPO` on the menu env; compare it on held-out tasks with random and fixed rules.

Default task set: crmarena_pro (small org) `named_entity_disambiguation` (which of the contact's purchases the
prompt means, or None). `MIXED_CATEGORIES` adds the knowledge-article and stage categories. A category keeps at
most as many "None" golds as other golds; its tasks alternate between the training and the held-out half.

Baselines, on the same held-out tasks: the random masked policy, "answer None" at once, and the fixed rules
"play menu slot k, then answer None", "play menu slot k, then answer the first-ranked entity" and "play menu
slot k, then answer the first-ranked entity if its rows hold a date the prompt names, else None", with k the
best slot on the training tasks for the second rule. The learned-minus-baseline margins carry a paired bootstrap
95% interval over held-out tasks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from crm_gym.envs.menu import ANSWER_NONE_SLOT, FIRST_ENTITY_SLOT, ToolMenu, make_menu_env
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites import load_suite

TRAIN_CATEGORIES = ("named_entity_disambiguation",)
MIXED_CATEGORIES = (
    "named_entity_disambiguation",
    "invalid_config",
    "quote_approval",
    "wrong_stage_rectification",
    "policy_violation_identification",
)
Chooser = Callable[[np.ndarray, np.ndarray, int], int]


class PolicyFigures(BaseModel):
    """One policy's figures over the held-out tasks (one episode per task)."""

    mean_return: float
    functional_success: float
    mean_steps: float
    returns: list[float]


class Margin(BaseModel):
    """Learned minus a baseline in mean held-out return, with a paired bootstrap 95% interval over tasks."""

    baseline: str
    mean: float
    low: float
    high: float


class SeedRun(BaseModel):
    """One training seed: its curve, time and held-out figures."""

    seed: int
    seconds: float
    cpu_seconds: float
    learned: PolicyFigures
    curve: list[tuple[int, float]]


class TrainReport(BaseModel):
    """A training run over one or more seeds and how it compares with the baselines on held-out tasks."""

    categories: list[str]
    train_tasks: int
    eval_tasks: int
    eval_none_share: float
    timesteps: int
    runs: list[SeedRun]
    baselines: dict[str, PolicyFigures]
    best_lookup_slot: int
    margins: list[Margin]


def split_tasks(categories: Sequence[str], scale: str = "small") -> tuple[list[Task], list[Task]]:
    """The balanced crmarena_pro test tasks of ``categories``: per category, even positions train, odd ones held out.

    A category keeps all its non-None tasks and at most as many "None" tasks (the first ones in suite order).
    """
    suite = load_suite("crmarena_pro", "test", scale=scale)
    train, held_out = [], []
    for category in categories:
        tasks = [t for t in suite if t.category == category]
        answered = [t for t in tasks if t.oracle.answer != "None"]
        nones = [t for t in tasks if t.oracle.answer == "None"][: len(answered)]
        kept = [t for t in tasks if t in answered or t in nones]
        train += kept[0::2]
        held_out += kept[1::2]
    return train, held_out


def evaluate(env: ToolMenu, choose: Chooser, tasks: Sequence[Task], seed: int = 10_000) -> PolicyFigures:
    """One episode per task with ``choose(observation, mask, step)``: mean return, success share, mean steps."""
    returns, successes, steps = [], [], []
    for i, task in enumerate(tasks):
        observation, _ = env.reset(seed=seed + i, options={"task_id": task.id})
        total, done, info, n = 0.0, False, {}, 0
        while not done:
            observation, reward, terminated, truncated, info = env.step(choose(observation, env.action_masks(), n))
            total, done, n = total + reward, terminated or truncated, n + 1
        returns.append(round(total, 6))
        successes.append(float(info.get("functional", 0.0) >= 1.0))
        steps.append(n)
    return PolicyFigures(
        mean_return=float(np.mean(returns)),
        functional_success=float(np.mean(successes)),
        mean_steps=float(np.mean(steps)),
        returns=returns,
    )


def fixed_rule(first_slot: int, then_slot: int) -> Chooser:
    """Play ``first_slot`` (or "answer None" when it is masked), then ``then_slot`` (or "answer None")."""

    def choose(observation: np.ndarray, mask: np.ndarray, step: int) -> int:
        slot = first_slot if step == 0 else then_slot
        return slot if mask[slot] else ANSWER_NONE_SLOT

    return choose


def dated_rule(env: ToolMenu, first_slot: int) -> Chooser:
    """Play ``first_slot``, then answer the first-ranked entity if its rows hold a prompt date, else "None"."""

    def choose(observation: np.ndarray, mask: np.ndarray, step: int) -> int:
        if step == 0:
            return first_slot if mask[first_slot] else ANSWER_NONE_SLOT
        dated = mask[FIRST_ENTITY_SLOT] and env.entity_features(observation, 0)["date_match"] > 0
        return FIRST_ENTITY_SLOT if dated else ANSWER_NONE_SLOT

    return choose


def random_masked(seed: int) -> Chooser:
    """A uniformly random valid slot at every step (seeded)."""
    rng = np.random.default_rng(seed)
    return lambda observation, mask, step: int(rng.choice(np.flatnonzero(mask)))


def best_lookup_slot(env: ToolMenu, tasks: Sequence[Task]) -> int:
    """The first slot k for which "play k, then answer the first-ranked entity" does best on ``tasks``."""
    slots = sorted({int(s) for task in tasks for s in np.flatnonzero(_first_mask(env, task))} - {ANSWER_NONE_SLOT})
    scores = {k: evaluate(env, fixed_rule(k, FIRST_ENTITY_SLOT), tasks).mean_return for k in slots}
    return max(slots, key=lambda k: (scores[k], -k))


def _first_mask(env: ToolMenu, task: Task) -> np.ndarray:
    env.reset(seed=0, options={"task_id": task.id})
    return env.action_masks()


def paired_margin(name: str, learned: PolicyFigures, baseline: PolicyFigures, seed: int = 0) -> Margin:
    """Mean of learned minus baseline returns per task, with a paired bootstrap 95% interval (2,000 resamples)."""
    diff = np.array(learned.returns) - np.array(baseline.returns)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(len(diff), size=(2_000, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Margin(baseline=name, mean=float(diff.mean()), low=float(low), high=float(high))


def train_one_seed(train: Sequence[Task], held_out: Sequence[Task], timesteps: int, seed: int) -> SeedRun:
    """Train MaskablePPO on ``train`` for ``timesteps`` (CPU, 1 thread) and evaluate it on ``held_out``."""
    import torch
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    torch.set_num_threads(1)
    curve: list[tuple[int, float]] = []

    class Curve(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.window: list[float] = []

        def _on_step(self) -> bool:
            self.window += [float(i["episode"]["r"]) for i in self.locals["infos"] if "episode" in i]
            if len(self.window) >= 100:
                curve.append((self.num_timesteps, float(np.mean(self.window))))
                self.window = []
            return True

    vec = DummyVecEnv([lambda: Monitor(make_menu_env(tasks=train)) for _ in range(4)])
    vec.seed(seed)
    model = MaskablePPO(
        "MlpPolicy", vec, n_steps=256, batch_size=128, learning_rate=1e-3, gamma=1.0, ent_coef=0.005, seed=seed
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    model.learn(total_timesteps=timesteps, callback=Curve())
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    vec.close()

    def choose(observation: np.ndarray, mask: np.ndarray, step: int) -> int:
        return int(model.predict(observation, action_masks=mask, deterministic=True)[0])

    learned = evaluate(make_menu_env(tasks=held_out), choose, held_out)
    return SeedRun(
        seed=seed, seconds=round(seconds, 1), cpu_seconds=round(cpu_seconds, 1), learned=learned, curve=curve
    )


def train_maskable_ppo(
    timesteps: int = 60_000,
    categories: Sequence[str] = TRAIN_CATEGORIES,
    eval_episodes: int | None = None,
    seed: int = 0,
    n_seeds: int = 1,
    out_dir: Path | None = None,
) -> TrainReport:
    """Train MaskablePPO for seeds ``seed .. seed + n_seeds - 1`` and compare each with the baselines.

    ``eval_episodes`` caps the held-out tasks (one episode each) and the training tasks the fixed rules' slot is
    chosen on (None: all). With ``out_dir``, writes ``maskable_ppo_curve.png`` (learning curves) and
    ``maskable_ppo.json`` (this report).
    """
    train, held_out = split_tasks(categories)
    held_out = held_out[:eval_episodes]
    env = make_menu_env(tasks=train + held_out)
    lookup = best_lookup_slot(env, train[:eval_episodes])
    baselines = {
        "random_masked": evaluate(env, random_masked(seed), held_out),
        "answer_none": evaluate(env, fixed_rule(ANSWER_NONE_SLOT, ANSWER_NONE_SLOT), held_out),
        "lookup_then_none": evaluate(env, fixed_rule(lookup, ANSWER_NONE_SLOT), held_out),
        "lookup_then_first_entity": evaluate(env, fixed_rule(lookup, FIRST_ENTITY_SLOT), held_out),
        "lookup_then_first_if_dated": evaluate(env, dated_rule(env, lookup), held_out),
    }
    runs = [train_one_seed(train, held_out, timesteps, s) for s in range(seed, seed + n_seeds)]
    margins = [
        paired_margin(f"{name} (seed {run.seed})", run.learned, baselines[name])
        for run in runs
        for name in baselines
        if name != "answer_none"
    ]
    report = TrainReport(
        categories=list(categories),
        train_tasks=len(train),
        eval_tasks=len(held_out),
        eval_none_share=float(np.mean([t.oracle.answer == "None" for t in held_out])),
        timesteps=timesteps,
        runs=runs,
        baselines=baselines,
        best_lookup_slot=lookup,
        margins=margins,
    )
    if out_dir is not None:
        write_results(report, out_dir)
    return report


def write_results(report: TrainReport, out_dir: Path) -> None:
    """Save the learning curves as PNG and the report as JSON under ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    for run in report.runs:
        if run.curve:
            xs, ys = zip(*run.curve, strict=True)
            ax.plot(xs, ys, label=f"MaskablePPO seed {run.seed} (training episodes, mean of 100)")
    styles = {
        "random_masked": "grey",
        "lookup_then_none": "orange",
        "lookup_then_first_entity": "red",
        "lookup_then_first_if_dated": "purple",
    }
    for name, color in styles.items():
        ax.axhline(report.baselines[name].mean_return, color=color, linestyle="--", label=f"{name} (held out)")
    learned = np.mean([run.learned.mean_return for run in report.runs])
    ax.axhline(learned, color="green", linestyle=":", label="MaskablePPO, mean over seeds (held out)")
    ax.set_xlabel("timesteps")
    ax.set_ylabel("episode return")
    ax.set_ylim(-0.1, 1.05)
    ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    fig.savefig(out_dir / "maskable_ppo_curve.png", dpi=120)
    plt.close(fig)
    (out_dir / "maskable_ppo.json").write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n")


def summary(report: TrainReport) -> dict[str, Any]:
    """The headline figures of a run, for printing (no per-task returns)."""
    return {
        "eval_tasks": report.eval_tasks,
        "eval_none_share": round(report.eval_none_share, 3),
        "learned": [
            {
                "seed": r.seed,
                "seconds": r.seconds,
                "cpu_seconds": r.cpu_seconds,
                **r.learned.model_dump(exclude={"returns"}),
            }
            for r in report.runs
        ],
        "baselines": {k: v.model_dump(exclude={"returns"}) for k, v in report.baselines.items()},
        "margins": [m.model_dump() for m in report.margins],
    }
