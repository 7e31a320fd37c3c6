"""Benchmarks of adaptive plans and of the emulator (issue #11).

    python benchmarks/bench_plans.py [--results outputs/rd_small] [--repeats 5]

1. **Trigger check**: a run (300 households, 2025–2050, rule dispatch) without a plan and
   with a plan whose four triggers are checked every year but never fire (so both runs
   simulate the same world), interleaved repeats. Target: ≤ 5 % more. On a shared machine
   whole-run differences are dominated by noise (±20 %), so the figure held against the
   target is measured inside the run: the time spent in the plan's code (plan check,
   applying decisions, plan indicators) relative to the rest of the run. Also the cost of
   one yearly check alone, and a run with a plan that fires.
2. **Emulator prediction**: a Gaussian-process emulator trained on a stored sweep predicts
   10,000 points with their standard deviation. Target: ≤ 1 s.
3. **Emulator Sobol vs direct**: first and total Sobol indices of the resilience study's
   outcomes from the emulator against SALib's direct estimate on the sweep's runs. Target:
   every index within 0.05. Default outcomes: unmet irrigation (the study's one outcome
   where policy counts) and restriction days; heat stress, the study's first outcome, is 0
   in every run of the shrunk 2025–2040 sweep (no heat wave passes the 3-day canicule
   thresholds before 2040 in its shared weather), so there is nothing to emulate.
   The sweep is ``--results`` (a Sobol-design experiment folder); without it, a shrunk
   resilience study is run first (200 households, 2025–2040, N = 128 without second
   order: 1,536 runs, about 20 min on one core of the shared machine), as
   ``territoire-abm experiment=resilience_drivers territory.households=200 until=2040
   design.n=128 design.options.calc_second_order=false out=outputs/rd_small``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

PLAN_SILENT = [  # checked every year, never fires: thresholds beyond reach
    {"id": f"a{i}", "kind": "subsidy", "value": 0.5, "signpost": name, "mean_years": 3,
     "threshold": high}
    for i, (name, high) in enumerate([("unmet_water_share_agriculture", 1.0),
                                      ("restriction_days_crise", 366),
                                      ("heat_wave_days", 366),
                                      ("self_sufficiency_rate", 1.0)])
]


def _run(plan: dict | None, seed: int) -> float:
    from territoire_abm.config.validate import model_config
    from territoire_abm.territory.model import TerritoryModel

    data = {"territory": {"households": 300}, "until": 2050, "seed": seed,
            "optimiser": {"mode": "rule"}}
    if plan is not None:
        data["policy"] = {"plan": plan}
    model = TerritoryModel(model_config(data))
    started = time.perf_counter()
    model.simulate_until(2050)
    return time.perf_counter() - started


def _instrumented_share(plan: dict, seed: int) -> tuple[float, float]:
    """(run seconds, seconds spent in the plan's code during the run)."""
    from territoire_abm.governance import plans

    spent = [0.0]
    originals = {n: getattr(plans, n) for n in
                 ("plan_for_council", "apply_plan_decision", "record_fields")}

    def timed(fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started
        return wrapper

    for name, fn in originals.items():
        setattr(plans, name, timed(fn))
    try:
        seconds = _run(plan, seed)
    finally:
        for name, fn in originals.items():
            setattr(plans, name, fn)
    return seconds, spent[0]


def bench_triggers(repeats: int) -> None:
    from territoire_abm.governance import plans

    cases = {"no plan": None, "plan, never fires": {"actions": PLAN_SILENT},
             "plan water_adaptive (fires)": {"name": "water_adaptive"}}
    for plan in cases.values():  # warm caches (catalogue, indicator names, imports)
        _run(plan, 0)
    times: dict[str, list[float]] = {k: [] for k in cases}
    for r in range(repeats):
        for name, plan in cases.items():
            times[name].append(_run(plan, 1 + r % 2))
    base = min(times["no plan"])
    print(f"1. trigger check (300 households, 2025–2050, {repeats} interleaved repeats)")
    for name, values in times.items():
        print(f"   {name:<30} best {min(values):6.3f} s ({100 * (min(values) / base - 1):+.1f} %)"
              f", median {np.median(values):6.3f} s")
    shares = []
    for r in range(repeats):
        seconds, spent = _instrumented_share({"actions": PLAN_SILENT}, 1 + r % 2)
        shares.append(spent / (seconds - spent))
    print(f"   time inside the plan's code during a run (never-firing plan, 4 triggers): "
          f"{100 * np.median(shares):.2f} % of the rest of the run (median; target ≤ 5 %)")
    plan = plans.parse_plan({"name": "silent", "actions": PLAN_SILENT})
    history = [{"unmet_water_share_agriculture": 0.1, "restriction_days_crise": 3.0,
                "heat_wave_days": 5.0, "self_sufficiency_rate": 0.1}] * 25
    n = 20000
    started = time.perf_counter()
    for _ in range(n):
        plans.council_plan(plan, 2050, history, history[-1], {}, (), {}, 1e6)
    per_check = (time.perf_counter() - started) / n
    print(f"   one yearly check of 4 triggers alone: {per_check * 1e6:.1f} µs")


def bench_emulator(results: Path, outcome: str) -> None:
    from territoire_abm.experiments.analysis import load_results, sobol_indices
    from territoire_abm.experiments.emulator import train_emulator

    res = load_results(results)
    if res.outcome(outcome).std() == 0:
        print(f"2–3. {outcome} is constant in {results}: nothing to emulate")
        return
    started = time.perf_counter()
    em = train_emulator(res, outcome, method="gp")
    fit = time.perf_counter() - started
    print(f"2. emulator of {outcome} on {results} ({len(res.design)} runs): fitted in "
          f"{fit:.1f} s; {em.validation}")
    u = np.random.default_rng(1).random((10_000, len(em.factors)))
    em.predict_unit(u[:10])
    best = np.inf
    for _ in range(3):
        started = time.perf_counter()
        em.predict_unit(u)
        best = min(best, time.perf_counter() - started)
    print(f"   10,000 predictions with std: {best:.3f} s (target ≤ 1 s)")
    started = time.perf_counter()
    emulated = em.sobol(n=4096)
    sobol_s = time.perf_counter() - started
    direct = sobol_indices(res, outcome).indices
    diff = (emulated[["S1", "ST"]] - direct[["S1", "ST"]]).abs()
    print(f"3. Sobol indices of {outcome}: emulator (N=4096, {sobol_s:.1f} s) vs direct "
          f"({len(res.design)} runs)")
    table = direct[["S1", "ST", "ST_conf"]].join(emulated[["S1", "ST"]], rsuffix="_emulator")
    table["max_abs_diff"] = diff.max(axis=1)
    print(table.round(3).to_string())
    print(f"   largest difference {diff.to_numpy().max():.3f} (target ≤ 0.05)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="outputs/rd_small")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--outcomes", default="unmet_water_share_agriculture,restriction_days")
    parser.add_argument("--skip-triggers", action="store_true")
    args = parser.parse_args()
    if not args.skip_triggers:
        bench_triggers(args.repeats)
    results = Path(args.results)
    if not (results / "manifest.json").is_file():
        from territoire_abm.experiments import load_spec, run_experiment

        spec = load_spec("resilience_drivers", [
            "territory.households=200", "until=2040", "design.n=128",
            "design.options.calc_second_order=false"])
        run_experiment(spec, results, workers=2)
    for outcome in args.outcomes.split(","):
        bench_emulator(results, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
