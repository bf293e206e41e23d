"""A run's folder: ``run.json`` (config, crm_gym version, start time) and ``episodes.jsonl`` (one episode a line).

Each finished episode is appended and flushed at once, so a killed run loses at most the episode being written
(a last line without its newline, dropped on resume). Resuming keeps the finished episodes and drops the
infrastructure failures (they are run again); the file is rewritten only when something is dropped.

One writer at a time: `RunStore.open` takes an exclusive lock on ``run.lock`` (an OS file lock, released when
the process ends, even by SIGKILL), and a second ``crm-gym eval`` on the same folder stops with an error instead
of interleaving its records. ``run.json`` holds the config with its secret options redacted (`crm_gym.redaction`;
the runner cuts secrets out of the records before they get here).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from filelock import FileLock, Timeout
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from crm_gym.errors import CrmGymError
from crm_gym.redaction import known_secrets, redact_config
from crm_gym.runner.eval_config import EvalConfig
from crm_gym.runner.records import EpisodeKey, EpisodeResult
from crm_gym.runner.storable import storable_value

RUN_FILE = "run.json"
EPISODES_FILE = "episodes.jsonl"
LOCK_FILE = "run.lock"


class RunInfo(BaseModel):
    """The content of ``run.json``."""

    config: dict[str, Any]
    crm_gym_version: str
    started_at: str

    def eval_config(self) -> EvalConfig:
        """The stored config as an `EvalConfig`."""
        return EvalConfig.model_validate(self.config)


def read_run(out_dir: Path) -> RunInfo:
    """The ``run.json`` of a run folder.

    Raises:
        CrmGymError: the folder has no ``run.json``.
    """
    path = Path(out_dir) / RUN_FILE
    if not path.is_file():
        raise CrmGymError(f"{path} does not exist: {out_dir} is not a crm_gym run folder (made by `crm-gym eval`).")
    return RunInfo.model_validate_json(path.read_text())


def read_episodes(out_dir: Path) -> list[EpisodeResult]:
    """Every complete record of ``episodes.jsonl``, in file order (a cut-off last line is left out).

    Raises:
        CrmGymError: a line other than the last is not a valid record.
    """
    return _read_lines(Path(out_dir) / EPISODES_FILE)[0]


def write_episodes(path: Path, records: Iterable[EpisodeResult]) -> None:
    """Write records as JSONL, atomically (a temporary file renamed over ``path``)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(record_line(record) + "\n" for record in records)
    os.replace(tmp, path)


def record_line(record: EpisodeResult) -> str:
    """The record as one line of JSON. A record the runner made always serialises as it is; one that does not
    (a field no runner path makes storable) is written with every value made storable instead of stopping."""
    try:
        return record.model_dump_json()
    except PydanticSerializationError:
        return EpisodeResult.model_validate(storable_value(record.model_dump())).model_dump_json()


def _read_lines(path: Path) -> tuple[list[EpisodeResult], bool]:
    """The records of ``path`` and whether a cut-off last line was left out."""
    if not path.is_file():
        return [], False
    lines = path.read_text(encoding="utf-8").split("\n")
    cut_off = lines.pop() != ""  # a complete file ends with a newline, leaving "" after the split
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append(EpisodeResult.model_validate_json(line))
        except ValidationError as err:
            raise CrmGymError(f"{path}, line {number}: not an episode record ({err.errors()[0]['msg']}).") from err
    return records, cut_off


class RunStore:
    """Writes a run folder; `open` decides what a resumed run keeps."""

    def __init__(self, out_dir: Path) -> None:
        """``out_dir``: the run folder (created if missing)."""
        self.out_dir = Path(out_dir)
        self.episodes_path = self.out_dir / EPISODES_FILE
        self._file: IO[str] | None = None
        self._lock: FileLock | None = None

    def open(self, config: EvalConfig, version: str) -> dict[EpisodeKey, EpisodeResult]:
        """Lock the folder, prepare it for ``config`` and return the finished episodes to keep, by key.

        With ``config.resume`` and an existing run: its config must match (else `CrmGymError` naming the
        differing fields); the finished episodes are kept and infrastructure failures dropped. Without
        ``resume``: the folder's run, if any, is replaced.

        Raises:
            CrmGymError: another process is writing to the folder, or it holds a run of another config.
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            return self._open(config, version)
        except BaseException:
            self.close()
            raise

    def _take_lock(self) -> None:
        lock = FileLock(self.out_dir / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout as err:
            raise CrmGymError(
                f"Another crm-gym eval is writing to {self.out_dir} (it holds {self.out_dir / LOCK_FILE}). Wait for "
                "it to finish, stop it, or use another --out; two runs in one folder would mix their records."
            ) from err
        self._lock = lock

    def _open(self, config: EvalConfig, version: str) -> dict[EpisodeKey, EpisodeResult]:
        run_path = self.out_dir / RUN_FILE
        kept: dict[EpisodeKey, EpisodeResult] = {}
        if config.resume and run_path.is_file():
            _check_same_run(read_run(self.out_dir), config, run_path)
            records, cut_off = _read_lines(self.episodes_path)
            kept = {r.key: r for r in records if r.scored}
            if cut_off or len(kept) != len(records):
                write_episodes(self.episodes_path, kept.values())
        else:
            info = RunInfo(
                config=redact_config(
                    config.model_dump(mode="json"),
                    known_secrets(config.policy_options) + known_secrets(config.user_options),
                ),
                crm_gym_version=version,
                started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            )
            run_path.write_text(info.model_dump_json(indent=2) + "\n")
            self.episodes_path.write_text("")
        self._file = self.episodes_path.open("a", encoding="utf-8")
        return kept

    def append(self, record: EpisodeResult) -> None:
        """Append one record as a line and flush it."""
        if self._file is None:
            raise CrmGymError("RunStore.append() before open().")
        self._file.write(record_line(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the episodes file and release the folder's lock."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _check_same_run(stored: RunInfo, config: EvalConfig, run_path: Path) -> None:
    before, now = stored.eval_config().identity(), config.identity()
    differing = sorted(name for name in now if before.get(name) != now[name])
    if differing:
        shown = "; ".join(f"{name}: {before.get(name)!r} there, {now[name]!r} now" for name in differing)
        raise CrmGymError(
            f"{run_path} was written by another run config ({shown}). Resume with the same settings, "
            "pass --no-resume to start over, or use another --out."
        )
