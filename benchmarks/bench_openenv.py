"""The OpenEnv server's cost: round-trip latency per step and episodes/s at 1, 16 and 64 concurrent WebSocket
sessions, against the same env in process, with the same policy (the oracle).

The server is ``crm-gym serve --protocol openenv`` (uvicorn) in a process of its own on loopback; the clients are
`CrmGymClient` sessions on one asyncio loop in this process. Each episode replays the oracle's actions for a
(task, group) key, computed beforehand; a step's latency is the time around ``await session.step(action)``. Every
session plays one untimed episode first (its env's first queries), then the sessions play ``--episodes`` episodes
together from a shared queue. "In process" plays the same episodes on one `CrmGymEnvironment` (the class each
server session wraps), so the difference is the protocol: JSON over WebSocket, the server's threads, the client.

Run ``python benchmarks/bench_openenv.py`` (both suites) or ``--suite arc --sessions 16``; it prints a table and
writes ``benchmarks/results/openenv.json``. Needs the ``openenv`` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import requests

from crm_gym.integrations.openenv import CrmAction, CrmGymClient, CrmGymEnvironment, OpenEnvSettings

RESULTS = Path(__file__).resolve().parent / "results" / "openenv.json"
SUITES = ("arc", "crmarena_pro")
SESSIONS = (1, 16, 64)
Plan = tuple[dict[str, Any], list[CrmAction]]


def oracle_plans(settings: OpenEnvSettings, count: int, seed: int) -> list[Plan]:
    """``count`` episodes (reset options and the oracle's actions), seeded: tasks drawn from the split."""
    env = settings.env()
    rng = np.random.default_rng(seed)
    ids = list(env.tasks)
    plans = []
    for i in range(count):
        reset = {"task_id": ids[int(rng.integers(len(ids)))], "group": f"bench-{seed}-{i}"}
        env.reset(options=dict(reset))
        actions = [
            CrmAction(answer=a["answer"]) if "answer" in a else CrmAction(tool=a["tool"], arguments=a["args"])
            for a in env.oracle_actions()
        ]
        plans.append((reset, actions))
    return plans


def _summary(step_s: list[float], reset_s: list[float], wall_s: float, outcomes: list[tuple[float, bool]]) -> dict:
    steps = np.array(step_s) * 1e3
    resets = np.array(reset_s) * 1e3
    return {
        "episodes": len(outcomes),
        "steps": len(step_s),
        "step_p50_ms": float(np.percentile(steps, 50)),
        "step_p95_ms": float(np.percentile(steps, 95)),
        "reset_p50_ms": float(np.percentile(resets, 50)),
        "reset_p95_ms": float(np.percentile(resets, 95)),
        "episodes_per_s": len(outcomes) / wall_s,
        "steps_per_s": len(step_s) / wall_s,
        "mean_reward": float(np.mean([reward for reward, _ in outcomes])),
        "oracle_passed": sum(passed for _, passed in outcomes),
    }


def in_process(settings: OpenEnvSettings, plans: list[Plan]) -> dict[str, Any]:
    """The same episodes on one `CrmGymEnvironment`, no server (after one warm-up episode)."""
    env = CrmGymEnvironment(settings)
    _play_local(env, plans[0])
    step_s: list[float] = []
    reset_s: list[float] = []
    start = time.perf_counter()
    outcomes = [_play_local(env, plan, step_s, reset_s) for plan in plans]
    return _summary(step_s, reset_s, time.perf_counter() - start, outcomes)


def _play_local(
    env: CrmGymEnvironment, plan: Plan, step_s: list | None = None, reset_s: list | None = None
) -> tuple[float, bool]:
    """Play one episode; returns its summed reward and whether it passed."""
    reset, actions = plan
    start = time.perf_counter()
    env.reset(**reset)
    if reset_s is not None:
        reset_s.append(time.perf_counter() - start)
    total = 0.0
    for action in actions:
        start = time.perf_counter()
        observation = env.step(action)
        if step_s is not None:
            step_s.append(time.perf_counter() - start)
        total += observation.reward or 0.0
    return total, bool(observation.metadata.get("passed"))


async def _play_remote(
    session: CrmGymClient, plan: Plan, step_s: list | None, reset_s: list | None
) -> tuple[float, bool]:
    """Play one episode over the session; returns its summed reward and whether it passed."""
    reset, actions = plan
    start = time.perf_counter()
    await session.reset(**reset)
    if reset_s is not None:
        reset_s.append(time.perf_counter() - start)
    total = 0.0
    for action in actions:
        start = time.perf_counter()
        result = await session.step(action)
        if step_s is not None:
            step_s.append(time.perf_counter() - start)
        total += result.reward or 0.0
    return total, bool(result.observation.metadata.get("passed"))


async def over_server(url: str, pid: int, plans: list[Plan], sessions: int, episodes: int) -> dict[str, Any]:
    """``episodes`` episodes over ``sessions`` concurrent WebSocket sessions (each warmed by one episode), with the
    CPU time the server process (``pid``) and this client process spent per step."""
    async with AsyncExitStack() as stack:
        start = time.perf_counter()
        clients = [await stack.enter_async_context(CrmGymClient(base_url=url)) for _ in range(sessions)]
        await asyncio.gather(*(_play_remote(c, plans[i % len(plans)], None, None) for i, c in enumerate(clients)))
        open_s = time.perf_counter() - start
        queue = [plans[i % len(plans)] for i in range(episodes)]
        step_s: list[float] = []
        reset_s: list[float] = []
        outcomes: list[tuple[float, bool]] = []

        async def worker(client: CrmGymClient) -> None:
            while queue:
                outcomes.append(await _play_remote(client, queue.pop(), step_s, reset_s))

        start, server_cpu, client_cpu = time.perf_counter(), _cpu_s(pid), time.process_time()
        await asyncio.gather(*(worker(c) for c in clients))
        wall = time.perf_counter() - start
        server_cpu, client_cpu = _cpu_s(pid) - server_cpu, time.process_time() - client_cpu
    moves = len(step_s) + len(reset_s)
    return {
        "sessions": sessions,
        "open_and_warm_s": open_s,
        **_summary(step_s, reset_s, wall, outcomes),
        "server_cpu_ms_per_move": server_cpu / moves * 1e3,
        "client_cpu_ms_per_move": client_cpu / moves * 1e3,
    }


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@contextmanager
def server(settings: OpenEnvSettings) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """``crm-gym serve --protocol openenv`` on a free loopback port; yields its URL, process and start-up time."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "crm_gym",
        "serve",
        "--protocol",
        "openenv",
        "--port",
        str(port),
        "--suite",
        settings.suite,
        "--scale",
        settings.org_scale,
        "--drift",
        settings.drift_level,
        "--max-sessions",
        str(settings.max_sessions),
        "--stable-tools",
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}: {' '.join(command)}")
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield url, process, time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_suite(suite: str, args: argparse.Namespace) -> dict[str, Any]:
    """In-process figures, then the server's at every session count."""
    settings = OpenEnvSettings(
        suite=suite, org_scale=args.scale, drift_level=args.drift, stable_tools=True, max_sessions=max(args.sessions)
    )
    plans = oracle_plans(settings, args.plans, args.seed)
    result: dict[str, Any] = {"settings": settings.model_dump(), "in_process": in_process(settings, plans)}
    print(f"{suite}: in process {_line(result['in_process'])}", flush=True)
    with server(settings) as (url, process, startup_s):
        result["server_startup_s"] = startup_s
        result["server"] = []
        for sessions in args.sessions:
            episodes = max(args.episodes, 2 * sessions)
            figures = asyncio.run(over_server(url, process.pid, plans, sessions, episodes))
            figures["server_rss_mib"] = _rss_mib(process.pid)
            result["server"].append(figures)
            cpu = f"CPU per move: server {figures['server_cpu_ms_per_move']:.2f} ms"
            cpu += f", client {figures['client_cpu_ms_per_move']:.2f} ms"
            print(f"{suite}: {sessions:>2} sessions {_line(figures)}; {cpu}", flush=True)
    return result


def _line(f: dict[str, Any]) -> str:
    return (
        f"step p50 {f['step_p50_ms']:.2f} ms, p95 {f['step_p95_ms']:.2f} ms; reset p50 {f['reset_p50_ms']:.2f} ms; "
        f"{f['episodes_per_s']:.1f} episodes/s, {f['steps_per_s']:.0f} steps/s; "
        f"mean reward {f['mean_reward']:.3f}, passed {f['oracle_passed']}/{f['episodes']}"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the benchmarks, print them and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=SUITES, help="repeatable; default: both")
    parser.add_argument("--sessions", type=int, action="append", help="repeatable; default: 1, 16 and 64")
    parser.add_argument("--episodes", type=int, default=256, help="timed episodes per figure (at least 2 a session)")
    parser.add_argument("--plans", type=int, default=64, help="distinct (task, group) episodes replayed")
    parser.add_argument("--scale", default="default", help="crmarena_pro org scale")
    parser.add_argument("--drift", default="none", help="drift level of every episode")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.sessions = args.sessions or list(SESSIONS)

    results = {suite: bench_suite(suite, args) for suite in args.suite or SUITES}
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "argv": sys.argv[1:] if argv is None else argv,
        "suites": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
