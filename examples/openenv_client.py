"""Run an LLM agent on a crm_gym OpenEnv server: the model's tool calls go to the env over WebSocket sessions,
many episodes at once. The same server serves any trainer that consumes OpenEnv (TRL, verifiers v1, NeMo Gym,
SkyRL); this loop is the one those trainers run.

Install ``pip install -e '.[openenv,llm]'``, then (docs/training.md, "OpenEnv"):

    crm-gym serve --protocol openenv --suite arc --port 8001 --stable-tools     # or: docker run -p 8001:8000 ...
    vllm serve Qwen/Qwen3-8B --enable-auto-tool-choice --tool-call-parser hermes --max-model-len 32768
    python examples/openenv_client.py --env-url http://127.0.0.1:8001 --base-url http://localhost:8000/v1 \\
        --model Qwen/Qwen3-8B --episodes 64 --concurrency 16 --drift high
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from crm_gym.envs.chat import wire_message
from crm_gym.integrations.openenv import CrmAction, CrmGymClient

LEVELS = ("none", "low", "medium", "high")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The script's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env-url", default="http://127.0.0.1:8001", help="The crm_gym OpenEnv server.")
    parser.add_argument("--base-url", default="http://localhost:8000/v1", help="OpenAI-compatible API (with /v1).")
    parser.add_argument("--model", default="Qwen/Qwen3-8B", help="Model name the server knows.")
    parser.add_argument("--api-key", default="none", help="API key (a local vLLM server takes any).")
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=8, help="Sessions at once (the server allows 64).")
    parser.add_argument("--seed", type=int, default=0, help="Episode i resets with seed + i (a random task).")
    parser.add_argument("--task-id", default=None, help="Play this task in every episode.")
    parser.add_argument("--group", default=None, help="Group key: every episode gets the same drift and rot draw.")
    parser.add_argument("--drift", choices=LEVELS, default=None, help="Schema drift (default: the server's).")
    parser.add_argument("--rot", choices=LEVELS, default=None, help="Context rot (default: the server's).")
    parser.add_argument("--max-turns", type=int, default=30, help="Model turns before the episode is stopped.")
    parser.add_argument("--max-tokens", type=int, default=1024, help="Tokens per model turn.")
    return parser.parse_args(argv)


def reset_options(args: argparse.Namespace, episode: int) -> dict[str, Any]:
    """What episode ``episode`` resets with (None values are left to the server)."""
    options = {
        "seed": args.seed + episode,
        "task_id": args.task_id,
        "group": args.group,
        "drift_level": args.drift,
        "rot_level": args.rot,
    }
    return {k: v for k, v in options.items() if v is not None}


async def play(env: CrmGymClient, llm: Any, model: str, reset: dict[str, Any], **options: Any) -> dict[str, Any]:
    """One episode: the model's first tool call of each reply is played, a reply without one is the answer.

    Args:
        env: An open session on the server.
        llm: An ``openai.AsyncOpenAI`` client (any object with ``chat.completions.create``).
        model: The model name.
        reset: The reset options (``seed``, ``task_id``, ``group``, ``drift_level``, ``rot_level``).
        **options: ``max_turns`` (then the episode is stopped and scored as it stands), ``max_tokens``.

    Returns:
        The summed reward (the score / 100 plus step rewards), the end-of-episode info and the session's state.
    """
    max_turns, max_tokens = options.get("max_turns", 30), options.get("max_tokens", 1024)
    result = await env.reset(**reset)
    messages, tools = list(result.observation.messages), result.observation.tools
    total, turns = 0.0, 0
    while not result.done:
        if turns >= max_turns:
            action = CrmAction(stop=True)
        else:
            reply = await llm.chat.completions.create(
                model=model, messages=[wire_message(m) for m in messages], tools=tools, max_tokens=max_tokens
            )
            action = _action(reply.choices[0].message)
        result = await env.step(action)
        messages += result.observation.messages
        total, turns = total + (result.reward or 0.0), turns + 1
    return {"reward": total, "info": result.observation.metadata, "state": await env.state()}


def _action(message: Any) -> CrmAction:
    if not message.tool_calls:
        return CrmAction(answer=message.content or "")
    call = message.tool_calls[0]
    try:
        arguments = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError:
        arguments = {"_unparsed": call.function.arguments}  # the env answers with an error naming the arguments
    return CrmAction(tool=call.function.name, arguments=arguments if isinstance(arguments, dict) else {})


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Play ``--episodes`` episodes, ``--concurrency`` at a time, one session per worker."""
    import openai

    llm = openai.AsyncOpenAI(base_url=args.base_url, api_key=args.api_key)
    queue = list(range(args.episodes))
    results: list[dict[str, Any]] = []

    async def worker() -> None:
        async with CrmGymClient(base_url=args.env_url) as env:
            while queue:
                episode = queue.pop(0)
                outcome = await play(
                    env,
                    llm,
                    args.model,
                    reset_options(args, episode),
                    max_turns=args.max_turns,
                    max_tokens=args.max_tokens,
                )
                results.append(outcome)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(args.concurrency, args.episodes))))
    elapsed = time.perf_counter() - start
    await llm.close()
    return {
        "episodes": len(results),
        "mean_reward": sum(r["reward"] for r in results) / max(len(results), 1),
        "passed": sum(bool(r["info"].get("passed")) for r in results),
        "mean_score_total": sum(r["info"]["score"]["total"] for r in results) / max(len(results), 1),
        "episodes_per_s": len(results) / elapsed,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the episodes and print the summary."""
    summary = asyncio.run(run(parse_args(argv)))
    print(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
