"""The report's text: a summary and titled Markdown sections built from `RunStats`, shared by report.md and the
HTML page (which renders the same Markdown and adds the plots).

Every text that comes from the records rather than from the report itself (agent error messages, category and
suite names, policy settings, the run config) is written as text, never as Markdown: names that are plain
identifiers as they are, anything else as an inline code span (`literal`), and the run config in a fenced block
no backtick run of it can close. So no agent text becomes a link, an image or markup in report.md, whatever
renders it (GitHub's autolinks included), nor in report.html. Secrets in an old run.json are redacted here too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from crm_gym.redaction import redact_config
from crm_gym.runner.report_stats import FailedEpisode, GroupStats, MeanEstimate, PassK, RunStats, SuccessRate

MAX_LISTED_FAILURES = 50
_DASH = "–"
_NAME = re.compile(r"[A-Za-z0-9]+(?:[_\-][A-Za-z0-9]+)*")  # a plain identifier: no Markdown can start in it


class Section(BaseModel):
    """One titled part of the report; ``id`` is its HTML anchor and the key of its plots."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    body: str  # Markdown


def literal(text: str) -> str:
    """A text from the records as an inline code span on one line: rendered as the text it is, with no link,
    image or markup (pipes escaped, so it stays in its table cell).

    >>> literal("see ![x](http://evil/x.png) and `code`")
    '`` see ![x](http://evil/x.png) and `code` ``'
    """
    text = " ".join(str(text).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" or len(fence) > 1 else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def name(text: str) -> str:
    """A name from the records (category, suite, setting): as it is when it is a plain identifier, else `literal`.

    >>> name("lead_qualification"), name("[click](http://evil)")
    ('lead_qualification', '`[click](http://evil)`')
    """
    return text if _NAME.fullmatch(text) else literal(text)


def summary(stats: RunStats) -> str:
    """One paragraph: what ran and how it went."""
    scored = stats.overall.success.n
    policies = ", ".join(sorted({name(str(p.get("kind", "?"))) for p in stats.policies})) or _DASH
    last = stats.pass_k[-1] if stats.pass_k else None
    reliability = f" pass^{last.k} is {_share(last.value, last.low, last.high)}." if last else ""
    agent = f", {len(stats.agent_failures)} ended by the agent's own failure" if stats.agent_failures else ""
    return (
        f"{stats.episodes} episodes ({scored} scored{agent}, {stats.overall.infra_errors} infrastructure failures, "
        f"excluded from every score), up to {stats.trials} trial{'s' * (stats.trials != 1)} per task condition, "
        f"policy {policies}. "
        f"Success {format_success(stats.overall.success)}, mean total {format_mean(stats.overall.total)} "
        f"of 100.{reliability} Brackets are 95% confidence intervals."
    )


def report_sections(stats: RunStats, run_config: dict[str, Any] | None) -> list[Section]:
    """The report's sections, in reading order."""
    return [
        Section(id="headline", title="Headline", body=_headline(stats)),
        Section(id="categories", title="Success by category", body=_categories(stats)),
        Section(id="dimensions", title="Score dimensions", body=_dimensions(stats)),
        Section(id="pass-k", title="Reliability: pass^k", body=_pass_k(stats)),
        *(
            [Section(id="interaction", title="Single- vs multi-turn", body=_interaction(stats))]
            if stats.interactions
            else []
        ),
        Section(id="over-refusal", title="Over-refusal", body=_over_refusal(stats)),
        Section(id="degradation", title="Degradation under drift and rot", body=_degradation(stats)),
        Section(id="infra", title="Infrastructure failures", body=_infra(stats)),
        Section(id="agent-failures", title="Agent failures", body=_agent_failures(stats)),
        Section(id="config", title="Run configuration", body=_config(stats, run_config)),
    ]


def render_markdown(title: str, stats: RunStats, sections: Sequence[Section]) -> str:
    """report.md: the title, the summary and every section."""
    parts = [f"# {title}", summary(stats), *(f"## {s.title}\n\n{s.body}" for s in sections)]
    return "\n\n".join(parts).rstrip() + "\n"


def format_success(rate: SuccessRate) -> str:
    """A success rate as ``"62.5% [48.1, 75.0]"``."""
    return _share(rate.rate, rate.low, rate.high)


def format_mean(mean: MeanEstimate) -> str:
    """A 0-100 mean as ``"58.1 [52.0, 64.2]"``."""
    if mean.mean is None:
        return _DASH
    return f"{mean.mean:.1f} [{mean.low:.1f}, {mean.high:.1f}]"


def _share(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return _DASH
    return f"{100 * value:.1f}% [{100 * low:.1f}, {100 * high:.1f}]"


def _headline(stats: RunStats) -> str:
    rows = stats.suites if len(stats.suites) == 1 else [*stats.suites, stats.overall]
    usage = stats.usage
    usage_rows = [
        ["steps", _number(usage.steps)],
        ["tool calls", _number(usage.tool_calls)],
        ["invalid calls", _number(usage.invalid_calls)],
        ["tokens scored", _number(usage.tokens_scored, 0)],
        [
            "tokens reported by the provider",
            _DASH if usage.reported_token_share is None else f"{usage.reported_token_share:.0%} of episodes",
        ],
        ["wall time, all episodes", f"{usage.wall_seconds:.1f} s"],
    ]
    versions = ", ".join(
        f"{name(suite)} v{version}" for suite, version in stats.suite_versions.items() if version is not None
    )
    return (
        _group_table(rows, "suite")
        + (f"\n\nSuite versions: {versions}." if versions else "")
        + "\n\nMeans per scored episode (tokens are the provider's usage, or emitted characters / 4 without it):\n\n"
        + _table(["measure", "mean"], usage_rows, "lr")
    )


def _categories(stats: RunStats) -> str:
    if len(stats.categories) == 1:
        return _group_table(next(iter(stats.categories.values())), "category")
    return "\n\n".join(
        f"### {name(suite)}\n\n{_group_table(rows, 'category')}" for suite, rows in stats.categories.items()
    )


def _dimensions(stats: RunStats) -> str:
    rows = [
        [name(d.name), _DASH if d.weight is None else f"{d.weight:.2f}", str(d.score.n), format_mean(d.score)]
        for d in stats.dimensions
    ]
    return (
        "Mean over the scored episodes that include each dimension (DRIFT_ADAPTATION exists only on drift "
        "episodes); efficiency, recovery and drift dimensions are gated on success (docs/scoring.md).\n\n"
        + _table(["dimension", "base weight", "episodes", "mean [95% CI]"], rows, "lrrr")
    )


def _pass_k(stats: RunStats) -> str:
    rows = [[str(p.k), str(p.conditions), _share(p.value, p.low, p.high)] for p in stats.pass_k]
    return (
        "The chance that k trials of the same task condition (task, drift and rot level, interaction mode) all "
        "pass: per condition C(c, k) / C(n, k) for c passes in n scored trials (tau-bench's estimator), averaged "
        "over the conditions with at least k scored trials; CIs from a bootstrap over conditions.\n\n"
        + _table(["k", "conditions", "pass^k [95% CI]"], rows, "rrr")
    )


def _interaction(stats: RunStats) -> str:
    rows = [
        [
            name(row.suite) + ("" if row.category is None else f" / {name(row.category)}"),
            format_success(row.single),
            format_success(row.single_same_tasks),
            format_success(row.multi),
            _number(row.user_turns),
            _number(row.repeated_questions),
        ]
        for row in stats.interactions
    ]
    modes = [m for m in ("single", "multi") if m in stats.pass_k_by_interaction]
    by_k: dict[int, dict[str, PassK]] = {}
    for mode in modes:
        for p in stats.pass_k_by_interaction[mode]:
            by_k.setdefault(p.k, {})[mode] = p
    pass_rows = [
        [str(k), *(_share(v.value, v.low, v.high) if (v := at.get(m)) else _DASH for m in modes)]
        for k, at in sorted(by_k.items())
    ]
    return (
        "Multi-turn episodes open with an incomplete request; the agent asks a simulated user (docs/conversations.md) "
        "for what is missing. Only tasks with a user scenario run multi-turn, so single-turn success is also given on "
        "those same tasks. User turns and repeated questions are per multi-turn episode.\n\n"
        + _table(
            [
                "suite / category",
                "single-turn",
                "single-turn, same tasks",
                "multi-turn",
                "user turns",
                "repeated questions",
            ],
            rows,
            "lrrrrr",
        )  # fmt: skip
        + "\n\npass^k by interaction mode:\n\n"
        + _table(["k", *(f"{m}-turn" for m in modes)], pass_rows, "r" * (len(modes) + 1))
    )


def _over_refusal(stats: RunStats) -> str:
    rows = stats.over_refusal
    if not rows or not rows[0].n:
        return "No scored episode expected to be served."
    head = (
        "Requests the agent declined although it should have served them (a legitimate look-alike of a privacy "
        "request, an ordinary question), over the scored episodes that expected an answer or a change; privacy "
        "requests, where declining is the job, are left out. These episodes already fail; the rate shows a "
        "policy that buys its privacy score by refusing.\n\n"
    )
    body = [[name(r.name), f"{r.refused} of {r.n}", _share(r.rate, r.low, r.high)] for r in rows]
    return head + _table(["slice", "declined", "rate"], body, "lrr")


def _degradation(stats: RunStats) -> str:
    return (
        "Each level pools the run's episodes at that level, whatever the other factor's level.\n\n"
        f"### By drift level\n\n{_group_table(stats.by_drift, 'drift')}\n\n"
        f"### By rot level\n\n{_group_table(stats.by_rot, 'rot')}"
    )


def _infra(stats: RunStats) -> str:
    if not stats.infra_failures:
        return "None: every episode was scored."
    return (
        f"{len(stats.infra_failures)} episodes failed outside the agent's control; they are left out of every score "
        "above (rerun them with the runner's resume).\n\n" + _failure_tables(stats.infra_failures)
    )


def _agent_failures(stats: RunStats) -> str:
    if not stats.agent_failures:
        return "None: no agent failed an episode by its own doing."
    return (
        f"{len(stats.agent_failures)} episodes ended by the agent's own failure (a task it failed, a reply that "
        "could not be used, an action the env could not take); they are scored as they stood, in every number "
        "above.\n\n" + _failure_tables(stats.agent_failures)
    )


def _failure_tables(failures: Sequence[FailedEpisode]) -> str:
    by_error = Counter(f.error for f in failures)
    counted = [[literal(e), str(n)] for e, n in sorted(by_error.items(), key=lambda x: (-x[1], x[0]))]
    listed = [[literal(f.key), literal(f.error)] for f in failures[:MAX_LISTED_FAILURES]]
    more = len(failures) - len(listed)
    return (
        _table(["error", "episodes"], counted, "lr")
        + "\n\n"
        + _table(["episode", "error"], listed, "ll")
        + (f"\n\n... and {more} more." if more else "")
    )


def _config(stats: RunStats, run_config: dict[str, Any] | None) -> str:
    parts = []
    for i, policy in enumerate(stats.policies, 1):
        heading = "Policy" if len(stats.policies) == 1 else f"Policy {i}"
        rows = [[name(str(key)), _cell(value)] for key, value in redact_config(policy).items()]
        parts.append(f"{heading}:\n\n" + _table(["setting", "value"], rows, "ll"))
    if run_config is None:
        parts.append("No run.json in the run folder.")
    else:
        text = json.dumps(redact_config(run_config), indent=2, ensure_ascii=False)
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
        parts.append(f"run.json:\n\n{fence}json\n{text}\n{fence}")
    return "\n\n".join(parts)


def _group_table(groups: Sequence[GroupStats], label: str) -> str:
    rows = [
        [
            name(g.name),
            str(g.success.n),
            str(g.success.passed),
            format_success(g.success),
            format_mean(g.total),
            str(g.infra_errors),
        ]
        for g in groups
    ]
    header = [label, "scored", "passed", "success [95% CI]", "mean total [95% CI]", "infra errors"]
    return _table(header, rows, "lrrrrr")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """A Markdown table; its cells are the report's own texts, or made safe by `name` and `literal`."""
    rule = {"l": ":--", "r": "--:"}
    lines = [header, [rule[a] for a in align], *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def _cell(value: Any) -> str:
    """A setting's value: numbers, booleans and null as they are, anything else as `literal`."""
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return literal(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _number(value: float | None, digits: int = 2) -> str:
    return _DASH if value is None else f"{value:,.{digits}f}"
