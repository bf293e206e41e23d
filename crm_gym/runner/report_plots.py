"""The report's plots as inline SVG text: per-category success, the 7 dimensions, pass^k and degradation.

matplotlib is imported inside the functions (``import crm_gym`` stays light) and used through `Figure` alone, so
no pyplot state or GUI backend is touched. The SVG is deterministic: a fixed hash salt per figure (which also
keeps element ids apart when several figures share a page) and no creation date.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from crm_gym.runner.report_stats import DimensionStats, GroupStats, PassK

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BLUE, ORANGE, INK, MUTED = "#2f6db5", "#e07b26", "#1f2933", "#7b8794"
STYLE = {
    "font.size": 9.5,
    "axes.edgecolor": "#c5cbd3",
    "axes.labelcolor": INK,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e8ebef",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "legend.frameon": False,
}


def category_success_svg(categories: Sequence[GroupStats], name: str) -> str:
    """Horizontal bars of each category's success rate with Wilson 95% whiskers, best on top."""
    rows = [g for g in categories if g.success.rate is not None][::-1]
    bars = [(100 * g.success.rate, 100 * g.success.low, 100 * g.success.high) for g in rows]
    with _plot(name, height=0.9 + 0.3 * max(1, len(rows))) as (figure, ax):
        _bars(
            ax,
            [g.name.replace("_", " ") for g in rows],
            bars,
            [f"{b[0]:.0f}%  n={g.success.n}" for b, g in zip(bars, rows, strict=True)],
        )
        _percent_axis(ax, "x")
        ax.set_title("Success by category (95% Wilson CI)")
        return _svg(figure)


def dimensions_svg(dimensions: Sequence[DimensionStats], name: str) -> str:
    """Horizontal bars of the mean of each dimension and of the total, with bootstrap 95% whiskers."""
    rows = [d for d in dimensions if d.score.mean is not None][::-1]
    bars = [(d.score.mean, d.score.low, d.score.high) for d in rows]
    labels = [d.name.replace("_", " ").lower() + ("" if d.weight is None else f" ({d.weight:.0%})") for d in rows]
    colors = [ORANGE if d.weight is None else BLUE for d in rows]
    with _plot(name, height=0.9 + 0.3 * max(1, len(rows))) as (figure, ax):
        _bars(ax, labels, bars, [f"{b[0]:.1f}" for b in bars], colors)
        ax.set_xlim(0, 112)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("mean score, 0-100 (base weight in brackets)")
        ax.set_title("Score dimensions (95% bootstrap CI)")
        return _svg(figure)


def pass_k_svg(pass_k: Sequence[PassK], name: str) -> str:
    """pass^k against k with its bootstrap 95% band."""
    rows = [p for p in pass_k if p.value is not None]
    ks = [p.k for p in rows]
    with _plot(name, height=2.8) as (figure, ax):
        ax.fill_between(ks, [100 * p.low for p in rows], [100 * p.high for p in rows], color=BLUE, alpha=0.18, lw=0)
        ax.plot(ks, [100 * p.value for p in rows], color=BLUE, marker="o", lw=2)
        for p in rows:
            ax.annotate(
                f"{100 * p.value:.0f}%",
                (p.k, 100 * p.value),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                color=INK,
            )
        ax.set_xticks(ks)
        ax.set_xlim(min(ks, default=1) - 0.25, max(ks, default=1) + 0.25)
        ax.set_xlabel("k (trials of a task that must all pass)")
        _percent_axis(ax, "y")
        ax.set_title("pass^k (95% bootstrap CI over task conditions)")
        return _svg(figure)


def degradation_svg(by_drift: Sequence[GroupStats], by_rot: Sequence[GroupStats], name: str) -> str:
    """Success and mean total against the drift level and the rot level, side by side, with 95% bands."""
    with _plot(name, height=2.8, columns=2) as (figure, axes):
        for ax, groups, title in ((axes[0], by_drift, "Schema drift"), (axes[1], by_rot, "Context rot")):
            _level_lines(ax, [g for g in groups if g.success.rate is not None], title)
        axes[0].legend(loc="lower left")
        axes[0].set_ylabel("success % / total points")
        return _svg(figure)


def _bars(
    ax: Axes,
    labels: Sequence[str],
    bars: Sequence[tuple[float, float, float]],
    notes: Sequence[str],
    colors: Sequence[str] | str = BLUE,
) -> None:
    """Horizontal bars (value, low, high) with CI whiskers and a note right of the axis' 100 mark."""
    y = range(len(bars))
    # max(0, ...): a bound equal to the value can land a rounding error on the wrong side of it (100% vs 99.99..)
    whiskers = [[max(0.0, v - lo) for v, lo, _ in bars], [max(0.0, hi - v) for v, _, hi in bars]]
    ax.barh(y, [v for v, _, _ in bars], xerr=whiskers, color=colors, height=0.62, error_kw={"ecolor": INK, "lw": 1})
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(bars) - 0.4)
    ax.grid(axis="y", visible=False)
    for i, note in enumerate(notes):
        ax.annotate(note, (101.5, i), va="center", fontsize=8.5, color=MUTED)


def _level_lines(ax: Axes, groups: Sequence[GroupStats], title: str) -> None:
    x = range(len(groups))
    success = [(100 * g.success.rate, 100 * g.success.low, 100 * g.success.high) for g in groups]
    total = [(g.total.mean, g.total.low, g.total.high) for g in groups]
    for series, color, style, label in ((success, BLUE, "o-", "success %"), (total, ORANGE, "s--", "mean total")):
        ax.fill_between(x, [s[1] for s in series], [s[2] for s in series], color=color, alpha=0.14, lw=0)
        ax.plot(x, [s[0] for s in series], style, color=color, lw=2, ms=5, label=label)
    ax.set_xticks(x, [g.name for g in groups])
    ax.set_xlim(-0.3, len(groups) - 0.7)
    ax.set_ylim(0, 105)
    ax.set_xlabel(f"{title.lower()} level")
    ax.set_title(title)


def _percent_axis(ax: Axes, which: str) -> None:
    if which == "x":
        ax.set_xlim(0, 118)
        ax.set_xticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)])
    else:
        ax.set_ylim(0, 108)
        ax.set_yticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)])


@contextmanager
def _plot(name: str, height: float, columns: int = 1) -> Iterator[tuple[Figure, Any]]:
    """A styled figure of ``columns`` axes; draw and call `_svg` inside the block."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context({**STYLE, "svg.hashsalt": f"crm_gym-{name}", "svg.fonttype": "path"}):
        figure = Figure(figsize=(7.5, height), layout="constrained")
        yield figure, figure.subplots(1, columns)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    text = buffer.getvalue()
    return text[text.index("<svg") :].strip()
