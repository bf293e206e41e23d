"""Export a run's trajectories for trainers: TRL's conversational format with tool calls, as JSONL or a dataset.

Every format speaks the chat view of `crm_gym.envs.chat`: a system message (persona, context, schema summary, how
to work), the user's prompt, one assistant message per tool call (``tool_calls`` with ``arguments`` as an
object, as TRL and chat templates take them) followed by the tool's result, and the final assistant answer. An
action the env could not parse is kept as assistant text followed by the env's error as a user message. The
``tools`` are the episode's own specs (drifted names included), recomputed by resetting an env with the
record's seed, task, levels and interaction. A multi-turn episode's conversation is in its messages: the opening
request as the user's prompt, each question as an ``ask_user`` tool call and the user's reply as its result, and
its tools include ``ask_user``.

- ``sft``: a JSONL file, one ``{"messages": [...], "tools": [...]}`` per scored episode.
- ``hf``: a dataset folder for ``datasets.load_dataset(folder)``: the same columns (``messages`` with
  ``tool_calls`` and ``tools`` typed ``Json``, so arguments stay objects) plus the episode key and scores, in
  ``data/train-<content hash>.parquet`` with a ``README.md`` card. The file is named after its content, so the
  ``datasets`` cache, which keys local files by path, can never serve an earlier export's rows for a new one.
- ``prefs``: a dataset folder of preference pairs (TRL's conversational preference type: ``prompt``,
  ``chosen``, ``rejected``, ``tools``): every passed trial paired with every failed trial of the same episode
  opening (same task, same drifted prompt and tools), the key and scores of both alongside.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from crm_gym.envs.chat import opening_messages, tool_call_message, tool_result_message
from crm_gym.errors import CrmGymError
from crm_gym.runner.records import EpisodeResult
from crm_gym.runner.replay import Replayer
from crm_gym.runner.store import read_episodes, read_run

ExportFormat = Literal["sft", "hf", "prefs"]
FORMATS = ("sft", "hf", "prefs")


def export(out_dir: Path, format: ExportFormat, out: Path, passed_only: bool = False) -> int:
    """Write the scored episodes of the run in ``out_dir`` to ``out``; returns how many rows were written.

    Args:
        out_dir: A run folder (``run.json`` and ``episodes.jsonl``).
        format: ``"sft"`` (``out`` is a JSONL file), ``"hf"`` or ``"prefs"`` (``out`` is a folder).
        out: Where to write.
        passed_only: Keep only the episodes that passed (not with ``prefs``, which needs the failed ones).
    """
    if format not in FORMATS:
        raise CrmGymError(f"Unknown export format {format!r}; use one of {', '.join(FORMATS)}.")
    if format == "prefs" and passed_only:
        raise CrmGymError("--passed-only leaves no failed trial to pair: prefs pairs passed with failed trials.")
    out_dir, out = Path(out_dir), Path(out)
    replayer = Replayer(read_run(out_dir).eval_config())
    records = [r for r in read_episodes(out_dir) if r.scored and (r.passed or not passed_only)]
    examples = [chat_example(r, replayer.env(r).tool_specs("openai_chat")) for r in records]
    if format == "sft":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as file:
            file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in examples)
        return len(examples)
    if format == "hf":
        rows = [{**example, **_episode_columns(r)} for r, example in zip(records, examples, strict=True)]
    else:
        rows = preference_pairs(records, examples)
    _write_dataset(out, rows, format, out_dir)
    return len(rows)


def chat_example(record: EpisodeResult, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One episode as ``{"messages": [...], "tools": [...]}`` in the chat view (tool-call arguments as objects)."""
    messages = opening_messages(record.observation)
    for i, step in enumerate(record.steps):
        action = step.action
        if isinstance(action, dict) and "answer" in action and step.tool_error is None:
            messages.append({"role": "assistant", "content": str(action["answer"])})
        elif isinstance(action, dict) and isinstance(action.get("tool"), str) and isinstance(action.get("args"), dict):
            call_id = f"call_{i}"
            messages += [
                tool_call_message(call_id, action["tool"], action["args"]),
                tool_result_message(call_id, action["tool"], step.result),
            ]
        else:
            text = action if isinstance(action, str) else json.dumps(action, ensure_ascii=False)
            messages += [{"role": "assistant", "content": text}, {"role": "user", "content": step.result}]
    return {"messages": messages, "tools": tools}


def preference_pairs(records: list[EpisodeResult], examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every passed trial against every failed trial with the same opening (prompt and tools), in run order."""
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for i, (record, example) in enumerate(zip(records, examples, strict=True)):
        opening = json.dumps([example["messages"][:2], example["tools"], record.key.task_id], sort_keys=True)
        passed, failed = groups.setdefault(opening, ([], []))
        (passed if record.passed else failed).append(i)
    rows = []
    for passed, failed in groups.values():
        for p in passed:
            for f in failed:
                rows.append(
                    {
                        "prompt": examples[p]["messages"][:2],
                        "chosen": examples[p]["messages"][2:],
                        "rejected": examples[f]["messages"][2:],
                        "tools": examples[p]["tools"],
                        **{f"chosen_{k}": v for k, v in _episode_columns(records[p]).items()},
                        **{f"rejected_{k}": v for k, v in _episode_columns(records[f]).items()},
                    }
                )
    return rows


def _episode_columns(record: EpisodeResult) -> dict[str, Any]:
    return {
        "task_id": record.key.task_id,
        "trial": record.key.trial,
        "drift_level": record.key.drift_level,
        "rot_level": record.key.rot_level,
        "interaction": record.key.interaction,
        "suite": record.suite,
        "category": record.category,
        "seed": record.seed,
        "passed": bool(record.passed),
        "functional": record.functional,
        "score_total": (record.score or {}).get("total"),
        "policy": json.dumps(record.policy, sort_keys=True),
    }


def _features(rows: list[dict[str, Any]]) -> Any:
    """Arrow types: messages as role/content/name/tool_call_id text with ``tool_calls`` as Json, tools as Json."""
    from datasets import Features, Json, List, Value

    message = {
        "role": Value("string"),
        "content": Value("string"),
        "tool_calls": List(Json()),
        "tool_call_id": Value("string"),
        "name": Value("string"),
    }
    chat_columns = {"messages", "prompt", "chosen", "rejected"}
    columns: dict[str, Any] = {}
    for name in rows[0] if rows else ("messages", "tools"):
        if name in chat_columns:
            columns[name] = List(message)
        elif name == "tools":
            columns[name] = List(Json())
        else:
            columns[name] = Value(_EPISODE_TYPES.get(name.removeprefix("chosen_").removeprefix("rejected_"), "string"))
    return Features(columns)


_EPISODE_TYPES = {
    "trial": "int64",
    "seed": "int64",
    "passed": "bool",
    "functional": "float64",
    "score_total": "float64",
}


def _write_dataset(folder: Path, rows: list[dict[str, Any]], format: str, run: Path) -> None:
    try:
        from datasets import Dataset
    except ImportError as err:
        raise CrmGymError(f"--format {format} writes a Hugging Face dataset: pip install 'crm_gym[trl]'.") from err
    dataset = Dataset.from_list(rows, features=_features(rows))
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    tmp = data / "train.parquet.tmp"
    dataset.to_parquet(str(tmp))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:16]
    name = f"train-{digest}.parquet"
    for old in data.glob("train-*.parquet"):
        old.unlink()
    tmp.replace(data / name)
    (folder / "README.md").write_text(_card(f"data/{name}", len(rows), format, run), encoding="utf-8")


def _card(path: str, rows: int, format: str, run: Path) -> str:
    what = (
        f"{rows} scored episodes: `messages` (TRL's conversational format: `tool_calls` with `arguments` as objects, "
        "typed `Json`) and `tools` (the episode's tool specs, `Json`), the episode key (`task_id`, `trial`, "
        "`drift_level`, `rot_level`, `interaction`), `suite`, `category`, `seed`, the scores (`passed`, `functional`, "
        "`score_total`) and the policy config as JSON text."
        if format == "hf"
        else f"{rows} preference pairs: `prompt` (system and user messages), `chosen` (a passed trial's turns), "
        "`rejected` (a failed trial's turns of the same opening), `tools`, and `chosen_*` / `rejected_*` keys and "
        "scores of both trials."
    )
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: {path}
license: apache-2.0
task_categories:
- text-generation
tags:
- crm
- tool-use
- agents
---

# crm_gym trajectories

Exported by `crm-gym export --format {format}` from the run in `{run.name}`.

{what}

The data file is named after a hash of its content, so `datasets.load_dataset(folder)` never serves rows of an
earlier export from its cache.
"""
