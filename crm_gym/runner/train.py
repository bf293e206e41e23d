"""Train sb3-contrib's `MaskablePPO` on the menu env and compare it with the random masked policy."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from crm_gym.envs.menu import ANSWER_NONE_SLOT, ToolMenu, make_menu_env
from crm_gym.tasks.model import Task
from crm_gym.tasks.suites import load_suite

TRAIN_CATEGORIES = (
    "invalid_config",
    "quote_approval",
    "wrong_stage_rectification",
    "policy_violation_identification",
)


class PolicyFigures(BaseModel):
    """One policy's figures over the evaluation episodes."""

    mean_return: float
    functional_success: float
    mean_steps: float


class TrainReport(BaseModel):
    """What a training run did and how the learned policy compares with the random masked policy."""

    categories: list[str]
    train_tasks: int
    eval_tasks: int
    timesteps: int
    seconds: float
    learned: PolicyFigures
    random: PolicyFigures
    lookup_then_none: PolicyFigures
    margin: float
    curve: list[tuple[int, float]]


def split_tasks(categories: Sequence[str], scale: str = "small") -> tuple[list[Task], list[Task]]:
    """The crmarena_pro test tasks of ``categories``, split in two: even positions train, odd ones held out."""
    wanted = set(categories)
    tasks = [t for t in load_suite("crmarena_pro", "test", scale=scale) if t.category in wanted]
    return tasks[0::2], tasks[1::2]


def evaluate(
    env: ToolMenu, choose: Callable[[np.ndarray, np.ndarray, int], int], seeds: Sequence[int]
) -> PolicyFigures:
    """Play one episode per seed with ``choose(observation, mask, step)``; mean return, success share, mean steps."""
    returns, successes, steps = [], [], []
    for seed in seeds:
        observation, _ = env.reset(seed=seed)
        total, done, info, n = 0.0, False, {}, 0
        while not done:
            observation, reward, terminated, truncated, info = env.step(choose(observation, env.action_masks(), n))
            total, done, n = total + reward, terminated or truncated, n + 1
        returns.append(total)
        successes.append(float(info.get("functional", 0.0) >= 1.0))
        steps.append(n)
    return PolicyFigures(
        mean_return=float(np.mean(returns)),
        functional_success=float(np.mean(successes)),
        mean_steps=float(np.mean(steps)),
    )


def _lookup_then_none(observation: np.ndarray, mask: np.ndarray, step: int) -> int:
    """A degenerate baseline: the last valid lookup slot first (something read from the org), then "None"."""
    return int(np.flatnonzero(mask)[-1]) if step == 0 else ANSWER_NONE_SLOT


def train_maskable_ppo(
    timesteps: int = 50_000,
    categories: Sequence[str] = TRAIN_CATEGORIES,
    eval_episodes: int = 200,
    seed: int = 0,
    out_dir: Path | None = None,
) -> TrainReport:
    """Train MaskablePPO on CPU over the training half of ``categories``; evaluate on the held-out half.

    With ``out_dir``, writes ``maskable_ppo_curve.png`` (learning curve) and ``maskable_ppo.json`` (this report).
    """
    import torch
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    torch.set_num_threads(1)
    train, held_out = split_tasks(categories)
    curve: list[tuple[int, float]] = []

    class Curve(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.window: list[float] = []

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.window.append(float(info["episode"]["r"]))
            if len(self.window) >= 100:
                curve.append((self.num_timesteps, float(np.mean(self.window))))
                self.window = []
            return True

    vec = DummyVecEnv([lambda i=i: Monitor(make_menu_env(tasks=train)) for i in range(4)])
    vec.seed(seed)
    model = MaskablePPO("MlpPolicy", vec, n_steps=256, batch_size=256, learning_rate=3e-4, ent_coef=0.01, seed=seed)
    started = time.perf_counter()
    model.learn(total_timesteps=timesteps, callback=Curve())
    seconds = time.perf_counter() - started

    env = make_menu_env(tasks=held_out)
    seeds = range(10_000, 10_000 + eval_episodes)
    learned = evaluate(
        env, lambda obs, mask, _: int(model.predict(obs, action_masks=mask, deterministic=True)[0]), seeds
    )
    rng = np.random.default_rng(seed)
    random = evaluate(env, lambda obs, mask, _: int(rng.choice(np.flatnonzero(mask))), seeds)
    lookup_then_none = evaluate(env, _lookup_then_none, seeds)
    report = TrainReport(
        categories=list(categories),
        train_tasks=len(train),
        eval_tasks=len(held_out),
        timesteps=timesteps,
        seconds=round(seconds, 1),
        learned=learned,
        random=random,
        lookup_then_none=lookup_then_none,
        margin=learned.mean_return - random.mean_return,
        curve=curve,
    )
    if out_dir is not None:
        write_results(report, out_dir)
    return report


def write_results(report: TrainReport, out_dir: Path) -> None:
    """Save the learning curve as PNG and the report as JSON under ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if report.curve:
        xs, ys = zip(*report.curve, strict=True)
        ax.plot(xs, ys, label="MaskablePPO (mean of 100 training episodes)")
    ax.axhline(report.random.mean_return, color="grey", linestyle="--", label="random masked policy (held out)")
    ax.axhline(
        report.lookup_then_none.mean_return, color="orange", linestyle="-.", label="one lookup, then None (held out)"
    )
    ax.axhline(report.learned.mean_return, color="green", linestyle=":", label="trained policy (held out)")
    ax.set_xlabel("timesteps")
    ax.set_ylabel("episode return")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "maskable_ppo_curve.png", dpi=120)
    plt.close(fig)
    (out_dir / "maskable_ppo.json").write_text(json.dumps(report.model_dump(mode="json"), indent=2) + "\n")


def summary(report: TrainReport) -> dict[str, Any]:
    """The headline figures of a run, for printing."""
    return {
        "seconds": report.seconds,
        "learned": report.learned.model_dump(),
        "random": report.random.model_dump(),
        "lookup_then_none": report.lookup_then_none.model_dump(),
        "margin": round(report.margin, 4),
    }
