"""Write the generated part of ``docs/validation.md`` from the last check's CSV.

    territoire-abm check seeds=5 csv=docs/validation.csv
    python -m territoire_abm.validation.report docs/validation.csv docs/validation.md

Only the text between the two markers is generated (the comparison table, every source, and
the status of each unconfirmed parameter); the hand-written explanations around it stay.
``tests/test_validation.py`` checks that the page matches the CSV.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from territoire_abm.validation.check import _fmt, published_range
from territoire_abm.validation.grounding import load_grounding
from territoire_abm.validation.status import parameter_status

START = "<!-- generated: start (python -m territoire_abm.validation.report) -->"
END = "<!-- generated: end -->"
FLAGS = {"ok": "ok", "low": "⚠ below", "high": "⚠ above", "not modelled": "context",
         "n/a": "not run"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def comparison_table(result: pd.DataFrame) -> list[str]:
    """Markdown table: published range, model mean ± sd (min–max), ratio, flag."""
    lines = ["| indicator | unit | year | published low – high (central) | model years | "
             "model mean ± sd (min – max) | ratio | flag |",
             "|---|---|---|---|---|---|---|---|"]
    for row in result.to_dict("records"):
        published = published_range(row)
        model = "" if not math.isfinite(row["model_mean"]) else (
            f"{_fmt(row['model_mean'])} ± {_fmt(row['model_sd'])} "
            f"({_fmt(row['model_min'])} – {_fmt(row['model_max'])})")
        model_years = "" if pd.isna(row["model_years"]) else row["model_years"]
        lines.append(f"| {row['indicator']} | {_cell(row['unit'])} | {row['year']} | "
                     f"{published} | {model_years} | {model} | {_fmt(row['ratio'])} | "
                     f"{FLAGS.get(row['status'], row['status'])} |")
    return lines


def sources_list() -> list[str]:
    """Every grounding row's source, reference and note."""
    lines = []
    for row in load_grounding():
        lines.append(f"- **{row.indicator}** ({row.year}, {row.scope}): {row.source}. "
                     f"{row.reference}. {row.note}")
    return lines


def status_table() -> list[str]:
    """Each unconfirmed default: confirmed, calibrated, or why it cannot be."""
    lines = ["| parameter | default | status | how / why |", "|---|---|---|---|"]
    for item in parameter_status():
        lines.append(f"| `{item['path']}` | {_cell(item['default'])} | {item['status']} | "
                     f"{_cell(item['reason'])} |")
    return lines


def generated_block(result: pd.DataFrame) -> str:
    """The generated part of ``docs/validation.md`` between its markers: a one-line summary,
    the comparison table, every source and the status of each unconfirmed default."""
    seeds = int(result["seeds"].max()) if len(result) else 0
    flagged = int(result["status"].isin(["low", "high"]).sum())
    modelled = int(result["status"].isin(["ok", "low", "high"]).sum())
    parts = [
        START,
        "",
        f"Default territory, {seeds} seeds; {flagged} of {modelled} modelled figures outside "
        "their published range. Ratio = model mean / published central value (upper bound "
        "where there is no central value).",
        "",
        *comparison_table(result),
        "",
        "### Sources",
        "",
        *sources_list(),
        "",
        "### Unconfirmed defaults",
        "",
        *status_table(),
        "",
        END,
    ]
    return "\n".join(parts)


def render(page: str, result: pd.DataFrame) -> str:
    """``page`` with its generated block replaced (appended when it has none)."""
    block = generated_block(result)
    if START in page and END in page:
        head, _, rest = page.partition(START)
        _, _, tail = rest.partition(END)
        return head + block + tail
    return page.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m territoire_abm.validation.report [CSV] [PAGE]``: regenerate the page's block
    from the check's CSV (defaults ``docs/validation.csv``, ``docs/validation.md``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    csv_path = Path(args[0] if args else "docs/validation.csv")
    page_path = Path(args[1] if len(args) > 1 else "docs/validation.md")
    result = pd.read_csv(csv_path)
    page = page_path.read_text(encoding="utf-8") if page_path.exists() else "# Validation\n"
    page_path.write_text(render(page, result), encoding="utf-8")
    print(f"wrote {page_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
