"""Evaluate a model on crm_gym through verifiers (0.3.1): `load_environment` and verifiers' own rollout loop
against any OpenAI-compatible server, e.g. vLLM.

The environment is a ``StatefulToolEnv``: one live crm_gym episode per rollout, the suite's tools plus
``submit_answer``; the reward is the episode's 7-dimension score / 100 and the seven dimensions and the
functional verdict are metrics. The same environment trains with any verifiers trainer (docs/training.md).

Install ``pip install -e '.[verifiers]'``, serve a model, then (docs/training.md, "verifiers"):

    vllm serve Qwen/Qwen3-8B --enable-auto-tool-choice --tool-call-parser hermes --max-model-len 32768
    python examples/verifiers_eval.py --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B --suite arc \\
        --drift high --limit 20 --rollouts 4
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from typing import Any

from crm_gym.integrations.verifiers import load_environment
from crm_gym.scoring.dimensions import Dimension

LEVELS = ("none", "low", "medium", "high")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://localhost:8000/v1", help="OpenAI-compatible API (with /v1).")
    parser.add_argument("--model", default="Qwen/Qwen3-8B", help="Model name the server knows.")
    parser.add_argument("--api-key-var", default="OPENAI_API_KEY", help="Environment variable with the API key.")
    parser.add_argument("--suite", choices=("arc", "crmarena_pro"), default="arc")
    parser.add_argument("--split", default="test")
    parser.add_argument("--org-scale", default="default", help="crmarena_pro org scale (default, small, tiny).")
    parser.add_argument("--categories", nargs="*", default=None, help="Only these task categories.")
    parser.add_argument("--limit", type=int, default=20, help="At most this many tasks.")
    parser.add_argument("--drift", choices=LEVELS, default="none", help="Schema drift of every episode.")
    parser.add_argument("--rot", choices=LEVELS, default="none", help="Context rot of every episode.")
    parser.add_argument("--seed", type=int, default=0, help="Task order and group keys.")
    parser.add_argument("--rollouts", type=int, default=1, help="Rollouts per task (a GRPO group).")
    parser.add_argument("--max-steps", type=int, default=20, help="Tool calls per episode.")
    parser.add_argument("--max-tokens", type=int, default=1024, help="Tokens per model turn.")
    parser.add_argument("--max-concurrent", type=int, default=16, help="Rollouts in flight.")
    parser.add_argument("--out", default=None, help="Write the summary as JSON here.")
    return parser.parse_args(argv)


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """Run the rollouts; returns the mean reward, the pass rate and the mean of each dimension."""
    from verifiers.legacy.types import ClientConfig

    environment = load_environment(
        suite=args.suite,
        split=args.split,
        drift_level=args.drift,
        rot_level=args.rot,
        org_scale=args.org_scale,
        seed=args.seed,
        categories=args.categories,
        limit=args.limit,
        max_steps=args.max_steps,
    )
    os.environ.setdefault(args.api_key_var, "none")  # a local vLLM server takes any key
    client = ClientConfig(api_base_url=args.base_url, api_key_var=args.api_key_var, max_retries=2)
    results = environment.evaluate_sync(
        client=client,
        model=args.model,
        sampling_args={"max_tokens": args.max_tokens},
        num_examples=len(environment.dataset),
        rollouts_per_example=args.rollouts,
        max_concurrent=args.max_concurrent,
    )
    outputs = results["outputs"] if isinstance(results, dict) else results.outputs
    return summary([o["reward"] for o in outputs], [o["metrics"] for o in outputs])


def summary(rewards: Sequence[float], metrics: Sequence[dict[str, float]]) -> dict[str, Any]:
    """Means over the rollouts (None for drift adaptation, a metric only of episodes with drift)."""
    names = ["functional_verdict", *(d.value.lower() for d in Dimension)]
    means = {}
    for name in names:
        values = [m[name] for m in metrics if name in m]
        means[name] = sum(values) / len(values) if values else None
    return {"rollouts": len(rewards), "mean_reward": sum(rewards) / max(len(rewards), 1), "metrics": means}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Evaluate and print the summary (and write it with ``--out``)."""
    args = parse_args(argv)
    result = evaluate(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write(text + "\n")
    return result


if __name__ == "__main__":
    main()
