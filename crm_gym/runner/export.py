"""Export a run's trajectories for fine-tuning: chat-format JSONL (``sft``) or a Hugging Face dataset folder (``hf``).

An ``sft`` line is one scored episode in the OpenAI Chat Completions shape: ``{"messages": [...], "tools":
[...]}`` with a system message (persona, context, schema summary), the user's prompt, one assistant message per
tool call followed by the tool's result, and the final assistant answer. The tools are the episode's own specs
(drifted names included), recomputed by resetting an env with the record's seed, task and levels. An action the
env could not parse is kept as assistant text followed by the env's error as a user message.

An ``hf`` folder holds ``data/train-00000-of-00001.jsonl`` (the same rows with every message field as text and
``tools`` as JSON text, since Arrow needs one type per column, plus the episode's key and scores) and a
``README.md`` dataset card, so ``datasets.load_dataset(folder)`` loads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from crm_gym.errors import CrmGymError
from crm_gym.runner.records import EpisodeResult
from crm_gym.runner.replay import Replayer
from crm_gym.runner.store import read_episodes, read_run

ExportFormat = Literal["sft", "hf"]
HF_DATA_FILE = "data/train-00000-of-00001.jsonl"


def export(out_dir: Path, format: ExportFormat, out: Path, passed_only: bool = False) -> int:
    """Write the scored episodes of the run in ``out_dir`` to ``out``; returns how many were written.

    Args:
        out_dir: A run folder (``run.json`` and ``episodes.jsonl``).
        format: ``"sft"`` (``out`` is a JSONL file) or ``"hf"`` (``out`` is a folder).
        out: Where to write.
        passed_only: Keep only the episodes that passed.
    """
    if format not in ("sft", "hf"):
        raise CrmGymError(f"Unknown export format {format!r}; use sft or hf.")
    out_dir, out = Path(out_dir), Path(out)
    replayer = Replayer(read_run(out_dir).eval_config())
    records = [r for r in read_episodes(out_dir) if r.scored and (r.passed or not passed_only)]
    rows = [chat_example(r, replayer.env(r).tool_specs("openai_chat")) for r in records]
    if format == "hf":
        rows = [_hf_row(r, row) for r, row in zip(records, rows, strict=True)]
        _write_card(out, len(rows), out_dir)
        out = out / HF_DATA_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as file:
        file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return len(rows)


def chat_example(record: EpisodeResult, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One episode as ``{"messages": [...], "tools": [...]}`` (OpenAI chat format)."""
    observation = record.observation
    system = "\n\n".join(
        part for part in (observation.get("persona", ""), observation.get("context", ""), _schema(observation)) if part
    )
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": observation.get("prompt", "")},
    ]
    for i, step in enumerate(record.steps):
        action = step.action
        if isinstance(action, dict) and "answer" in action and step.tool_error is None:
            messages.append({"role": "assistant", "content": str(action["answer"])})
        elif isinstance(action, dict) and isinstance(action.get("tool"), str):
            call_id = f"call_{i}"
            function = {"name": action["tool"], "arguments": json.dumps(action.get("args", {}), ensure_ascii=False)}
            messages += [
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": call_id, "type": "function", "function": function}],
                },
                {"role": "tool", "tool_call_id": call_id, "content": step.result},
            ]
        else:
            text = action if isinstance(action, str) else json.dumps(action, ensure_ascii=False)
            messages += [{"role": "assistant", "content": text}, {"role": "user", "content": step.result}]
    return {"messages": messages, "tools": tools}


def _schema(observation: dict[str, Any]) -> str:
    schema = observation.get("schema", "")
    return f"Objects and fields:\n{schema}" if schema else ""


def _hf_row(record: EpisodeResult, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "messages": [_flat_message(m) for m in example["messages"]],
        "tools": json.dumps(example["tools"], ensure_ascii=False),
        "task_id": record.key.task_id,
        "trial": record.key.trial,
        "drift_level": record.key.drift_level,
        "rot_level": record.key.rot_level,
        "suite": record.suite,
        "category": record.category,
        "seed": record.seed,
        "passed": bool(record.passed),
        "functional": record.functional,
        "score_total": (record.score or {}).get("total"),
        "policy": json.dumps(record.policy, sort_keys=True),
    }


def _flat_message(message: dict[str, Any]) -> dict[str, str]:
    """A message with the same four text fields as every other (Arrow needs one type per column)."""
    calls = message.get("tool_calls")
    return {
        "role": message["role"],
        "content": message.get("content") or "",
        "tool_calls": json.dumps(calls, ensure_ascii=False) if calls else "",
        "tool_call_id": message.get("tool_call_id", ""),
    }


def _write_card(folder: Path, rows: int, run: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    card = f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: {HF_DATA_FILE}
license: apache-2.0
task_categories:
- text-generation
tags:
- crm
- tool-use
- agents
---

# crm_gym trajectories

{rows} scored episodes exported by `crm-gym export --format hf` from the run in `{run.name}`.

Columns: `messages` (`role`, `content`, `tool_calls` as JSON text or "", `tool_call_id` or "": the OpenAI
chat format with every field as text), `tools` (the episode's tool specs, OpenAI function format, as JSON
text), the episode key (`task_id`, `trial`, `drift_level`, `rot_level`), `suite`, `category`, `seed`, and the
scores (`passed`, `functional`, `score_total`), with the policy config as JSON text.
"""
    (folder / "README.md").write_text(card, encoding="utf-8")
