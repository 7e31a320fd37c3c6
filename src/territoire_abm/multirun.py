"""A multirun (``territoire-abm -m key=a,b …``): every job's folder, plus one combined table.

Layout of the multirun folder::

    multirun.yaml        the sweep as given and each job's overrides (as Hydra writes it)
    <n>/                 job n's own run folder (indicators.parquet, run.json, …)
    indicators.parquet   all jobs in one tidy table: job, the swept keys, year, indicators
    manifest.json, design.parquet, results/   the same rows as an experiment store, so
                         ``territoire-abm analyse <folder> method=trajectories …`` reads it

The jobs are expanded with Hydra's basic sweeper and composed by Hydra
(:mod:`territoire_abm.config.compose`); they run in this process, one after the other.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import yaml

from territoire_abm.config.validate import to_dict
from territoire_abm.experiments.designs import DEFAULT_POLICY
from territoire_abm.experiments.store import ResultStore
from territoire_abm.outputs import stored_indicators

__all__ = ["combined_table", "run_multirun", "swept_keys"]


def swept_keys(jobs: Sequence[Sequence[str]]) -> list[str]:
    """Keys whose value differs between jobs, in command-line order."""
    keys: dict[str, set[str]] = {}
    for job in jobs:
        for override in job:
            key, _, value = override.lstrip("+~").partition("=")
            keys.setdefault(key, set()).add(value)
    return [key for key, values in keys.items() if len(values) > 1 or len(jobs) == 1]


def _value(config: Any, key: str, override: str) -> Any:
    """The resolved value of ``key`` in a config (a group's option name for a group)."""
    node: Any = to_dict(config)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return override
        node = node[part]
    if isinstance(node, dict):
        return node.get("name", override)
    return node


def design_table(jobs: Sequence[Sequence[str]], configs: Sequence[Any]) -> pd.DataFrame:
    """One row per job: run_id, the swept keys' resolved values, seed, policy."""
    keys = swept_keys(jobs)
    rows = []
    for number, (job, config) in enumerate(zip(jobs, configs, strict=True)):
        given = dict(o.lstrip("+~").partition("=")[::2] for o in job)
        row: dict[str, Any] = {"run_id": number, "job": " ".join(job) or "(defaults)"}
        row |= {key: _value(config, key, given.get(key, "")) for key in keys if key != "seed"}
        row |= {"seed": int(config.seed), "policy": DEFAULT_POLICY}
        rows.append(row)
    return pd.DataFrame(rows)


def combined_table(design: pd.DataFrame, tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """All jobs' yearly indicators, one row per (job, year), led by the design columns."""
    frames = [table.reset_index().assign(run_id=number) for number, table in enumerate(tables)]
    series = pd.concat(frames, ignore_index=True)
    lead = design.drop(columns=["policy"])
    return lead.merge(series, on="run_id", how="right", validate="one_to_many")


def write_multirun_yaml(root: Path, sweep: Sequence[str], jobs: Sequence[Sequence[str]]) -> Path:
    """``multirun.yaml``: the sweep as given and each job's overrides and folder."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "multirun.yaml"
    content = {"overrides": list(sweep),
               "jobs": [{"number": n, "overrides": list(job), "dir": str(n)}
                        for n, job in enumerate(jobs)]}
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def write_store(root: Path, design: pd.DataFrame, combined: pd.DataFrame) -> None:
    """The combined table as an experiment store (manifest, design, results/)."""
    store = ResultStore(root)
    keys = [c for c in design.columns if c not in ("run_id", "job", "seed", "policy")]
    series = combined.drop(columns=[c for c in design.columns
                                    if c != "run_id" and c in combined.columns])
    n = len(design)
    runs = pa.table({"run_id": pa.array(range(n), type=pa.int64()),
                     "status": pa.array(["ok"] * n, type=pa.string())})
    store.write_design(design)
    store.write_batch("multirun", {
        "scalars": pa.Table.from_pandas(design, preserve_index=False),
        "series": pa.Table.from_pandas(series, preserve_index=False), "runs": runs})
    store.write_manifest({
        "name": root.name, "status": "complete",
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "design": {"method": "multirun", "factors": keys,
                   "parameters": [{"name": key} for key in keys]},
        "problem": {}, "config": {}, "totals": {"runs": n, "ok": n, "failed": 0},
    })


def run_multirun(jobs: Sequence[Sequence[str]], configs: Sequence[Any], root: Path,
                 sweep: Sequence[str], *, quiet: bool = False,
                 extra_seeds: int | None = None, lang: str = "en") -> pd.DataFrame:
    """Run every job into ``root/<n>`` (summaries and figures in ``lang``) and write the
    combined table; return it."""
    from territoire_abm.cli import run_one

    write_multirun_yaml(root, sweep, jobs)
    tables = []
    for number, (job, config) in enumerate(zip(jobs, configs, strict=True)):
        if not quiet:
            print(f"[{number + 1}/{len(jobs)}] {' '.join(job) or '(defaults)'}")
        model = run_one(config, root / str(number), quiet=quiet, extra_seeds=extra_seeds,
                        lang=lang)
        tables.append(stored_indicators(model.indicators()))
    design = design_table(jobs, configs)
    combined = combined_table(design, tables)
    combined.to_parquet(root / "indicators.parquet", index=False)
    write_store(root, design, combined)
    if not quiet:
        by = next((c for c in design.columns if c not in ("run_id", "job")), "job")
        print(f"combined table of {len(jobs)} jobs: {root / 'indicators.parquet'}; e.g. "
              f"territoire-abm analyse {root} method=trajectories indicator=warming_c by={by}")
    return combined
