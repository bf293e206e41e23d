"""Train an LLM agent on crm_gym with TRL's GRPO: ``GRPOTrainer(environment_factory=...)``, or the asynchronous
``AsyncGRPOTrainer`` (generation on a vLLM server overlaps the training steps).

Every rollout is a live crm_gym episode: TRL calls ``reset(**row)`` with a row of `grpo_dataset`, offers the
model the suite's tools (`ArcToolEnv` / `CrmArenaProToolEnv` methods), runs its tool calls on the env and takes
``get_reward()``, the episode's 7-dimension score / 100, as the reward. The G rollouts of a group share the row,
hence the task, the drift and the rot.

Install ``pip install -e '.[trl]' 'trl[vllm]'`` on a GPU machine, then (docs/training.md, "TRL"):

    # one GPU, vLLM colocated with training
    python examples/train_grpo_trl.py --model Qwen/Qwen3-1.7B --vllm colocate
    # two GPUs: a vLLM server on GPU 0, the trainer on GPU 1
    CUDA_VISIBLE_DEVICES=0 trl vllm-serve --model Qwen/Qwen3-1.7B --max-model-len 16384
    CUDA_VISIBLE_DEVICES=1 python examples/train_grpo_trl.py --model Qwen/Qwen3-1.7B --vllm server
    # asynchronous GRPO against the same server
    CUDA_VISIBLE_DEVICES=1 python examples/train_grpo_trl.py --model Qwen/Qwen3-1.7B --trainer async

``--cpu --vllm none`` trains with ``model.generate`` on the CPU (slow: for checking the set-up on a small model).
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from crm_gym.integrations.trl import ArcToolEnv, CrmArenaProToolEnv, grpo_dataset

ENV_CLASSES = {"arc": ArcToolEnv, "crmarena_pro": CrmArenaProToolEnv}
LEVELS = ("none", "low", "medium", "high")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Qwen/Qwen3-1.7B", help="Hub id or local path of a chat model with tools.")
    parser.add_argument("--trainer", choices=("grpo", "async"), default="grpo", help="GRPOTrainer or AsyncGRPOTrainer.")
    parser.add_argument(
        "--vllm",
        choices=("colocate", "server", "none"),
        default="colocate",
        help="grpo: vLLM in the training process, on a `trl vllm-serve` server, or model.generate (async: a server).",
    )
    parser.add_argument("--vllm-url", default="http://localhost:8000", help="The `trl vllm-serve` server.")
    parser.add_argument("--suite", choices=tuple(ENV_CLASSES), default="crmarena_pro")
    parser.add_argument("--split", default="test")
    parser.add_argument("--org-scale", default="default", help="crmarena_pro org scale (default, small, tiny).")
    parser.add_argument("--categories", nargs="*", default=None, help="Only these task categories.")
    parser.add_argument("--limit", type=int, default=None, help="At most this many tasks.")
    parser.add_argument("--drift", choices=LEVELS, default="none", help="Schema drift of every episode.")
    parser.add_argument("--rot", choices=LEVELS, default="none", help="Context rot of every episode.")
    parser.add_argument("--groups-per-task", type=int, default=1, help="Dataset rows per task (other drift draws).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-generations", type=int, default=8, help="Rollouts per group (G).")
    parser.add_argument("--batch-size", type=int, default=8, help="Rollouts per device and step.")
    parser.add_argument("--max-steps", type=int, default=200, help="Optimizer steps.")
    parser.add_argument("--learning-rate", type=float, default=1e-6)
    parser.add_argument("--max-completion-length", type=int, default=4096, help="Tokens of all turns of a rollout.")
    parser.add_argument("--max-tool-calls", type=int, default=20, help="Tool-calling turns per rollout.")
    parser.add_argument("--max-model-len", type=int, default=16384, help="vLLM context (prompt + completion).")
    parser.add_argument("--step-rewards", action="store_true", help="Add the step rewards to the terminal score.")
    parser.add_argument("--output-dir", default="runs/grpo_trl")
    parser.add_argument("--report-to", default="none", help="e.g. wandb, tensorboard.")
    parser.add_argument("--cpu", action="store_true", help="Train on the CPU in float32 (with --vllm none).")
    args = parser.parse_args(argv)
    if args.cpu and (args.vllm != "none" or args.trainer == "async"):
        parser.error("--cpu generates with model.generate: use it with --trainer grpo --vllm none.")
    return args


def environment_factory(args: argparse.Namespace) -> functools.partial:
    """The env class of the suite with the run's settings; a ``partial`` of a module-level class pickles, as the
    async trainer's rollout process needs."""
    return functools.partial(ENV_CLASSES[args.suite], max_steps=args.max_tool_calls, step_rewards=args.step_rewards)


def dataset(args: argparse.Namespace) -> Any:
    """The rows ``reset`` reads: one per task and group key, with the prompt."""
    return grpo_dataset(
        args.suite,
        args.split,
        seed=args.seed,
        drift_level=args.drift,
        rot_level=args.rot,
        org_scale=args.org_scale,
        categories=args.categories,
        limit=args.limit,
        groups_per_task=args.groups_per_task,
    )


def config_options(args: argparse.Namespace) -> dict[str, Any]:
    """The trainer config's arguments for the options (bf16 on a GPU, TRL's default; float32 with ``--cpu``)."""
    options: dict[str, Any] = {
        "output_dir": args.output_dir,
        "num_generations": args.num_generations,
        "max_completion_length": args.max_completion_length,
        "max_tool_calling_iterations": args.max_tool_calls,
        "max_steps": args.max_steps,
        "learning_rate": args.learning_rate,
        "per_device_train_batch_size": args.batch_size,
        "logging_steps": 1,
        "report_to": args.report_to,
        "seed": args.seed,
        "chat_template_kwargs": {"enable_thinking": False},  # Qwen3: answer with tool calls, not long thoughts
    }
    if args.cpu:
        options |= {"use_cpu": True, "bf16": False}
    if args.trainer == "async":
        return options | {"vllm_server_base_url": args.vllm_url}
    options["beta"] = 0.0  # no reference model
    if args.vllm != "none":
        options |= {"use_vllm": True, "vllm_mode": args.vllm, "vllm_max_model_length": args.max_model_len}
        if args.vllm == "server":
            options["vllm_server_base_url"] = args.vllm_url
    return options


def trainer_config(args: argparse.Namespace) -> Any:
    """``GRPOConfig`` or ``AsyncGRPOConfig`` for the options."""
    if args.trainer == "async":
        from trl.experimental.async_grpo import AsyncGRPOConfig

        return AsyncGRPOConfig(**config_options(args))
    from trl import GRPOConfig

    return GRPOConfig(**config_options(args))


def build_trainer(args: argparse.Namespace, model: Any = None, processing_class: Any = None) -> Any:
    """The trainer over the suite's episodes; ``model`` and ``processing_class`` default to ``--model``."""
    if args.trainer == "async":
        from trl.experimental.async_grpo import AsyncGRPOTrainer as Trainer
    else:
        from trl import GRPOTrainer as Trainer

    return Trainer(
        model=args.model if model is None else model,
        args=trainer_config(args),
        train_dataset=dataset(args),
        processing_class=processing_class,
        environment_factory=environment_factory(args),
    )


def main(argv: list[str] | None = None) -> None:
    """Train, then save the model to ``--output-dir``."""
    args = parse_args(argv)
    trainer = build_trainer(args)
    trainer.train()
    trainer.save_model(args.output_dir)


if __name__ == "__main__":
    main()
