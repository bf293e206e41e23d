"""report.html: one self-contained page (inline CSS and SVG, no external URL) with the report's sections and plots.

The sections' Markdown is rendered with raw HTML, links, images and autolinks switched off: the page's only links
are its own table of contents, and its only images its own plots, whatever text the records hold (the Markdown
already writes record texts as code, see `crm_gym.runner.report_markdown`; this is the second net).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt

from crm_gym.runner.report_markdown import Section, summary
from crm_gym.runner.report_plots import category_success_svg, degradation_svg, dimensions_svg, pass_k_svg
from crm_gym.runner.report_stats import RunStats

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #2f6db5; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 28px 64px; }
header h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
header p { color: var(--muted); margin: 0 0 18px; max-width: 820px; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13.5px; padding: 10px 0 16px;
  border-bottom: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px; margin: 8px 0 18px; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .ci { font-size: 12.5px; color: var(--muted); }
section { padding-top: 10px; }
h2 { font-size: 20px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; margin: 10px 0 14px;
  font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; text-align: left; }
tbody tr:hover { background: #fafbfc; }
td code { white-space: nowrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  overflow-x: auto; }
figure { margin: 14px 0 22px; }
figure svg { display: block; width: 100%; max-width: 820px; height: auto; }
"""


def render_html(title: str, stats: RunStats, sections: Sequence[Section]) -> str:
    """The whole page: header with summary and key numbers, a table of contents, then each section and its plots."""
    markdown = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .disable(["link", "image", "autolink", "html_inline", "html_block", "reference"])
    )
    plots = section_plots(stats)
    nav = "".join(f'<a href="#{s.id}">{escape(s.title)}</a>' for s in sections)
    body = "\n".join(
        f'<section id="{s.id}">\n<h2>{escape(s.title)}</h2>\n{markdown.render(s.body)}'
        + "".join(f'<figure role="img" aria-label="{escape(s.title)}">{svg}</figure>\n' for svg in plots.get(s.id, []))
        + "</section>"
        for s in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>{escape(title)}</h1>
<p>{escape(summary(stats))}</p>
{_cards(stats)}
<nav>{nav}</nav>
</header>
{body}
</main>
</body>
</html>
"""


def section_plots(stats: RunStats) -> dict[str, list[str]]:
    """The SVG plots of each section id (sections without data get none)."""
    plots = {
        "categories": [category_success_svg(rows, f"categories-{suite}") for suite, rows in stats.categories.items()],
        "dimensions": [dimensions_svg(stats.dimensions, "dimensions")],
        "pass-k": [pass_k_svg(stats.pass_k, "pass-k")],
        "degradation": [degradation_svg(stats.by_drift, stats.by_rot, "degradation")],
    }
    return plots if stats.overall.success.n else {}


def _cards(stats: RunStats) -> str:
    overall = stats.overall
    success, total = overall.success, overall.total
    last = stats.pass_k[-1] if stats.pass_k else None
    cards = [
        ("scored episodes", str(success.n), f"of {stats.episodes}"),
        _interval_card("success", success.rate, success.low, success.high, "%"),
        _interval_card("mean total", total.mean, total.low, total.high, " / 100"),
        _interval_card(f"pass^{last.k}", last.value, last.low, last.high, "%") if last else ("pass^k", "–", ""),
        ("infra failures", str(overall.infra_errors), "excluded from scores"),
    ]
    items = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
        f'<div class="ci">{escape(note)}</div></div>'
        for label, value, note in cards
    )
    return f'<div class="cards">{items}</div>'


def _interval_card(
    label: str, value: float | None, low: float | None, high: float | None, unit: str
) -> tuple[str, str, str]:
    if value is None or low is None or high is None:
        return label, "–", ""
    scale = 100 if unit == "%" else 1
    return label, f"{scale * value:.1f}{unit}", f"95% CI {scale * low:.1f} – {scale * high:.1f}"
