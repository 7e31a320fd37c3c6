"""``territoire-abm check``: the default territory against the grounding table.

The model runs over several seeds (weather and population draws); each modelled row of the
grounding table is read from every run (:func:`grounding.model_value`) and reported as a mean
with its spread across seeds, never one stochastic year. A value outside the published range
is flagged; flags are information, not failure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.validation.grounding import (
    GroundingRow,
    last_year_needed,
    load_grounding,
    model_value,
)

RESULT_COLUMNS = ("indicator", "unit", "year", "model_years", "low", "central", "high",
                  "model_mean", "model_sd", "model_min", "model_max", "seeds", "ratio",
                  "status", "source", "run")


def simulate_series(task: tuple[dict[str, Any], int, int]) -> pd.DataFrame:
    """One run's yearly indicator table (module level: picklable for the executors)."""
    from territoire_abm.run import simulate

    params, seed, until = task
    return simulate(params, seed, until=until, outcomes=("population",)).series


def run_tasks(tasks: Sequence[tuple[dict[str, Any], int, int]], workers: int | None = None,
              executor: str | None = None, scheduler: str | None = None
              ) -> dict[int, pd.DataFrame]:
    """Yearly tables of ``(params, seed, until)`` runs, by task number, through the experiment
    executors (local processes by default, Dask with a scheduler address)."""
    from territoire_abm.experiments.executors import make_executor

    numbered = [(number, *task) for number, task in enumerate(tasks)]
    if workers is None and executor is None and scheduler is None:
        workers = max(1, min(2, len(numbered)))
    results: dict[int, pd.DataFrame] = {}
    with make_executor(executor, scheduler=scheduler, workers=workers) as pool:
        for task, result in pool.imap_unordered(_numbered_series, numbered):
            if isinstance(result, BaseException):
                raise result
            results[task[0]] = result
    return dict(sorted(results.items()))


def _numbered_series(task: tuple[int, dict[str, Any], int, int]) -> pd.DataFrame:
    return simulate_series(task[1:])


def run_series(params: Mapping[str, Any] | None, seeds: Iterable[int], until: int,
               **executor: Any) -> dict[int, pd.DataFrame]:
    """Yearly tables of the runs, one per seed."""
    seeds = [int(seed) for seed in seeds]
    tables = run_tasks([(dict(params or {}), seed, int(until)) for seed in seeds], **executor)
    return dict(zip(seeds, tables.values(), strict=True))


def compare(rows: Sequence[GroundingRow], runs: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """One line per grounding row: published range, model mean ± sd over runs, ratio, flag."""
    lines = []
    for row in rows:
        values = np.array([model_value(row, series) for series in runs.values()]) \
            if row.modelled else np.array([])
        values = values[np.isfinite(values)]
        mean = float(values.mean()) if len(values) else math.nan
        lines.append({
            "indicator": row.indicator, "unit": row.unit, "year": row.year,
            "model_years": f"{row.first_year}-{row.last_year}" if row.modelled else "",
            "low": row.low, "central": row.central, "high": row.high,
            "model_mean": mean,
            "model_sd": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
            "model_min": float(values.min()) if len(values) else math.nan,
            "model_max": float(values.max()) if len(values) else math.nan,
            "seeds": len(values),
            "ratio": _ratio(mean, row),
            "status": row.status(mean) if row.modelled else "not modelled",
            "source": row.source,
            "run": row.run,
        })
    return pd.DataFrame(lines, columns=list(RESULT_COLUMNS))


def _ratio(mean: float, row: GroundingRow) -> float:
    reference = row.central if math.isfinite(row.central) else row.high
    if not math.isfinite(mean) or not math.isfinite(reference) or reference == 0:
        return math.nan
    return mean / reference


def run_check(params: Mapping[str, Any] | None = None, seeds: Iterable[int] = range(5),
              until: int | None = None, rows: Sequence[GroundingRow] | None = None,
              **executor: Any) -> pd.DataFrame:
    """Run the territory over ``seeds`` and compare it with the grounding table.

    Rows whose years lie beyond ``until`` are reported as not run (``n/a``). A row with a
    ``run`` (a storyline's overrides) is read from runs of that storyline, over the same
    seeds, on top of ``params``.
    """
    rows = list(rows if rows is not None else load_grounding())
    seeds = list(seeds)
    groups: dict[str, list[GroundingRow]] = {}
    for row in rows:
        groups.setdefault(row.run if row.modelled else "", []).append(row)
    lines = {}
    for run, members in groups.items():
        modelled = [row for row in members if row.modelled]
        end = int(until or (last_year_needed(modelled) if modelled else 0))
        if run and not modelled:
            continue
        runs = run_series({**dict(params or {}), **members[0].overrides}, seeds, end,
                          **executor) if modelled else {}
        for row, line in zip(members, compare(members, runs).to_dict("records"), strict=True):
            lines[id(row)] = line
    return pd.DataFrame([lines[id(row)] for row in rows], columns=list(RESULT_COLUMNS))


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def published_range(line: Mapping[str, float]) -> str:
    """``low – high (central)``."""
    return f"{_fmt(line['low'])} – {_fmt(line['high'])} ({_fmt(line['central'])})"


def format_table(result: pd.DataFrame) -> str:
    """A plain-text table for the terminal."""
    header = (f"{'indicator':<40} {'published low – high (central)':>30} "
              f"{'model mean ± sd':>22} {'ratio':>6}  flag")
    lines = [header, "-" * len(header)]
    for line in result.to_dict("records"):
        published = published_range(line)
        model = f"{_fmt(line['model_mean'])} ± {_fmt(line['model_sd'])}"
        flag = {"ok": "ok", "low": "⚠ below range", "high": "⚠ above range"}.get(
            line["status"], line["status"])
        lines.append(f"{line['indicator']:<40} {published:>30} {model:>22} "
                     f"{_fmt(line['ratio']):>6}  {flag}")
    flagged = int(result["status"].isin(["low", "high"]).sum())
    modelled = int((result["status"] != "not modelled").sum())
    lines.append(f"{flagged} of {modelled} modelled figures outside their published range "
                 "(ratio = model mean / published central value; sources in docs/validation.md)")
    return "\n".join(lines)
