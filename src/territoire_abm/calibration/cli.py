"""``territoire-abm calibrate [samples=40] [seeds=2] [waves=1] [until=2034] [out=DIR]
[overwrite=true] [workers=N] [parameters=a,b] [key=value ...]``.

History matching (:mod:`.history_matching`) of unconfirmed parameters against the grounding
table: a Latin hypercube of parameter values, each run over ``seeds`` seeds through the
experiment executors (local processes; ``scheduler=tcp://…`` for Dask), implausibility of
each point against every grounding row the runs can read, and the non-implausible ranges.
Writes ``samples.csv``, ``accepted_ranges.csv`` and ``plausible_set.png`` to ``out`` (a folder
that holds files is refused unless ``overwrite=true``) and changes no default: adopting a
calibrated value is an edit of ``config/params.py``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.calibration.history_matching import (
    CUTOFF,
    Uncertain,
    accepted_ranges,
    design,
    implausibility,
    refocus,
)
from territoire_abm.cli_options import HELP_FLAGS, check_output_dir, parse_bool
from territoire_abm.errors import UserError
from territoire_abm.validation.check import run_tasks
from territoire_abm.validation.cli import int_option, positive_int, split_args
from territoire_abm.validation.grounding import load_grounding

# Unconfirmed parameters that a grounding figure constrains, with the range explored. The
# default calibration (to 2034) takes the first group; the second needs runs to 2054 (PV in
# 2050, elections to 2050): ``parameters=… until=2054``.
PARAMETERS = (
    Uncertain("behaviour.energy.prebound_at_class_g", 0.1, 0.7),
    Uncertain("behaviour.energy.income_elasticity", 0.0, 1.2),
    Uncertain("behaviour.pmt.base_adoption_rate", 0.01, 0.3),
    Uncertain("behaviour.pmt.intention_threshold", 0.3, 0.7),
    Uncertain("behaviour.pmt.intention_slope", 0.02, 0.3),
    Uncertain("territory.rooftop_pv_share", 0.01, 0.12),
    Uncertain("policy.budget_per_inhabitant_eur", 10.0, 120.0),
)
LONG_PARAMETERS = (
    Uncertain("behaviour.adoption.firm_adoption_rate", 0.002, 0.06),
    Uncertain("behaviour.voting.incumbency_advantage", -0.5, 0.5),
    Uncertain("behaviour.voting.swing_sd", 0.05, 1.5),
)
OPTIONS = ("samples", "seeds", "waves", "until", "out", "overwrite", "workers", "executor",
           "scheduler", "parameters", "design_seed")
# The default territory scaled down by 0.4 (households and firms alike) so the default
# calibration takes minutes on 2 cores; shares and per-household or per-inhabitant figures
# do not depend on the size.
FAST = {"territory.households": 1000}  # firms follow households: 16, 12 and 93


def _parameters(options: dict[str, str]) -> list[Uncertain]:
    if "parameters" not in options:
        return list(PARAMETERS)
    known = {p.path: p for p in PARAMETERS + LONG_PARAMETERS}
    chosen = [name.strip() for name in options["parameters"].split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise UserError("parameters", options["parameters"],
                        f"allowed (comma-separated): {', '.join(known)}")
    return [known[name] for name in chosen]


def evaluate(points: pd.DataFrame, overrides: dict[str, Any], seeds: int, until: int,
             executor: dict[str, Any]) -> pd.DataFrame:
    """Run every point over the seeds; one line per point with its implausibilities."""
    # Rows of another storyline (``run``) are not read from the default runs of the design.
    rows = [row for row in load_grounding() if row.modelled and not row.run]
    records = points.to_dict("records")
    tasks = [({**overrides, **point}, seed, until) for point in records for seed in range(seeds)]
    tables = list(run_tasks(tasks, **executor).values())
    lines = []
    for number, point in enumerate(records):
        runs = dict(enumerate(tables[number * seeds:(number + 1) * seeds]))
        scores = implausibility(rows, runs)
        lines.append({"point": number, **point,
                      **{f"I_{name}": value for name, value in scores.items()},
                      "max_implausibility": max(scores.values()) if scores else np.nan})
    return pd.DataFrame(lines)


def plausible_set_figure(samples: pd.DataFrame, parameters: list[Uncertain], path: Path) -> None:
    """One panel per parameter: each point's maximum implausibility against its value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(3, len(parameters))
    rows = -(-len(parameters) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
    kept = samples["max_implausibility"] <= CUTOFF
    for ax, p in zip(axes.flat, parameters, strict=False):
        ax.scatter(samples.loc[~kept, p.path], samples.loc[~kept, "max_implausibility"],
                   s=14, color="0.6", label="ruled out")
        ax.scatter(samples.loc[kept, p.path], samples.loc[kept, "max_implausibility"],
                   s=18, color="tab:green", label="non-implausible")
        ax.axhline(CUTOFF, color="tab:red", lw=1, ls="--", label=f"cut-off {CUTOFF:g}")
        ax.set_xlabel(p.path, fontsize=8)
        ax.set_ylabel("max implausibility")
        ax.set_yscale("log")
    for ax in list(axes.flat)[len(parameters):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("History matching against the grounding table")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _defaults(parameters: list[Uncertain], overrides: dict[str, Any]) -> dict[str, float]:
    from territoire_abm.run import build_config

    config = build_config(overrides)
    values = {}
    for p in parameters:
        value: Any = config
        for part in p.path.split("."):
            value = getattr(value, part)
        values[p.path] = float(value)
    return values


def main(args: list[str]) -> int:
    """``territoire-abm calibrate``: history matching in ``waves`` waves of ``samples``
    points, each run over ``seeds`` seeds; writes the samples, accepted ranges and figure."""
    if HELP_FLAGS & set(args):
        print(__doc__.strip())
        return 0
    options, overrides = split_args(args, OPTIONS, example="samples=40 out=calib",
                                    overrides=FAST)
    parameters = _parameters(options)
    samples = positive_int(options, "samples", 40)
    seeds = positive_int(options, "seeds", 2)
    waves = positive_int(options, "waves", 1)
    until = positive_int(options, "until", 2034)
    design_seed = int_option(options, "design_seed", 1, minimum=0)
    defaults = _defaults(parameters, overrides)  # a bad override stops here
    readable = [row for row in load_grounding()
                if row.modelled and not row.run and row.last_year <= until]
    if not readable:
        first = min(row.last_year for row in load_grounding() if row.modelled)
        raise UserError("until", until, f"no grounding figure ends by then; use until >= {first}")
    out = Path(options.get("out") or f"outputs/calibration/{datetime.now():%Y-%m-%d_%H-%M-%S}")
    check_output_dir(out, "out", overwrite=parse_bool("overwrite",
                                                      options.get("overwrite", "false")))
    out.mkdir(parents=True, exist_ok=True)
    executor = {"workers": positive_int(options, "workers", None),
                "executor": options.get("executor"), "scheduler": options.get("scheduler")}
    all_samples, current = [], parameters
    for wave in range(1, waves + 1):
        points = design(current, samples, design_seed + wave)
        table = evaluate(points, overrides, seeds, until, executor).assign(wave=wave)
        all_samples.append(table)
        ranges = accepted_ranges(table, parameters, defaults)
        print(f"wave {wave}: {int((table['max_implausibility'] <= CUTOFF).sum())} of "
              f"{len(table)} points non-implausible")
        current = refocus(current, ranges)
    result = pd.concat(all_samples, ignore_index=True)
    ranges = accepted_ranges(result[result["wave"] == waves], parameters, defaults)
    result.to_csv(out / "samples.csv", index=False)
    ranges.to_csv(out / "accepted_ranges.csv", index=False)
    plausible_set_figure(result, parameters, out / "plausible_set.png")
    print(ranges.to_string(index=False))
    print(f"wrote {out}/samples.csv, accepted_ranges.csv, plausible_set.png; "
          "no default changed (edit config/params.py to adopt a value)")
    return 0

