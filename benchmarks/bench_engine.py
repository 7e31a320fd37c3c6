"""Speed and memory benchmarks of the territory engine (benchmarks, not tests).

Run: ``python benchmarks/bench_engine.py [--quick] [--repeats 3] [--scale-firms]
[--no-pin] [--no-profile]``. Every figure is printed; a final table compares them with the
targets of the issue:

1. import time of the engine (in this process, and in a fresh interpreter);
2. reference run: default territory (2,483 households, 300 firms), 2025–2100, rule-based
   dispatch — config, construction and simulation timed separately and together (wall:
   ``time.perf_counter``, CPU: ``time.process_time``), median of ``--repeats`` runs, target
   ≤ 3 s; the same with LP dispatch (one run), target ≤ 30 s;
3. scaling: 25,000 and 100,000 households (300 firms unless ``--scale-firms``), full horizon,
   µs per household-year and its ratio to the reference (target ≤ 1.5×); 100,000 ≤ 60 s;
4. the household decision step at 25,000 households: production (vectorised
   ``households_decide``) against a plain-Mesa model whose agents each call ``decide_one``
   per measure (``shuffle_do("decide")``), on the same inputs; target ≥ 10× faster; plus
   the agreement check (max |p_vectorised − p_decide_one| < 1e-9) and adoption counts;
5. peak memory (max RSS) of a fresh subprocess running the reference, target ≤ 400 MB;
6. a cProfile of the reference run: top 15 engine entries by cumulative time, top 15 of
   everything by own time.

The process (and its subprocesses) is pinned to one CPU and BLAS/OpenMP pools are limited to
one thread, so the figures are single-core figures (``--no-pin`` to lift both). The models
are seeded (seed 0). A one-year warm-up run first pays the lazy imports and caches, which
count as import time. ``--quick``: a smoke run of smaller variants (LP over 3 years, 25,000
households over 10 years, no 100,000-household run; the targets they cannot check are
reported as skipped).
"""

from __future__ import annotations

import argparse
import os
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def _idle_ticks() -> dict[int, int]:
    """Idle + iowait ticks per CPU from /proc/stat (empty where unavailable)."""
    ticks = {}
    try:
        with open("/proc/stat") as stat:
            for line in stat:
                name, *fields = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    ticks[int(name[3:])] = int(fields[3]) + int(fields[4])
    except (OSError, IndexError, ValueError):
        return {}
    return ticks


def _pin_one_core() -> str:
    """Limit thread pools (before numpy is imported) and pin to the idlest allowed CPU."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    if not hasattr(os, "sched_setaffinity"):
        return "BLAS/OpenMP threads = 1 (no CPU affinity on this platform)"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) == 1 or "--child" in sys.argv:  # children inherit the parent's choice
        return f"pinned to CPU {cpus[0]}; BLAS/OpenMP threads = 1"
    import time

    before = _idle_ticks()
    time.sleep(0.5)
    after = _idle_ticks()
    idle = {cpu: after.get(cpu, 0) - before.get(cpu, 0) for cpu in cpus}
    chosen = max(cpus, key=lambda cpu: idle[cpu])
    os.sched_setaffinity(0, {chosen})
    return (f"pinned to CPU {chosen}, the idlest of {len(cpus)} allowed over 0.5 s; BLAS/OpenMP"
            " threads = 1")


# Pin before anything imports numpy (the child mode below imports the engine at once).
_PINNING = (_pin_one_core() if "--no-pin" not in sys.argv
            else "not pinned (--no-pin); thread pools left alone")

import dataclasses  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

START, END = 2025, 2100
REFERENCE_HOUSEHOLDS = 2483
SCALES = (25_000, 100_000)
DECISION_HOUSEHOLDS = 25_000
TARGETS = {
    "rule_s": 3.0,
    "lp_s": 30.0,
    "per_hh_year_ratio": 1.5,
    "households_100k_s": 60.0,
    "decision_speedup": 10.0,
    "probability_diff": 1e-9,
    "peak_rss_mb": 400.0,
}
ENGINE_IMPORTS = ("territoire_abm.territory.model", "territoire_abm.run",
                  "territoire_abm.agents.adoption", "territoire_abm.agents.behaviour")
SCRIPT = Path(__file__).resolve()
# Runs the command in argv and reports the largest RSS of its (only) child, in KB on Linux:
# a fresh wrapper, so no earlier child of this benchmark can inflate the figure.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)\n"
    "sys.stdout.write(done.stdout)\n"
    "print('RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(done.returncode)\n"
)


# --------------------------------------------------------------------------- helpers
@dataclasses.dataclass
class RunTiming:
    """Wall (perf_counter) and CPU (process_time) seconds of one run."""

    households: int
    firms: int
    years: int
    mode: str
    config_wall: float
    build_wall: float
    simulate_wall: float
    config_cpu: float
    build_cpu: float
    simulate_cpu: float

    @property
    def total_wall(self) -> float:
        return self.config_wall + self.build_wall + self.simulate_wall

    @property
    def total_cpu(self) -> float:
        return self.config_cpu + self.build_cpu + self.simulate_cpu

    @property
    def household_years(self) -> int:
        return self.households * self.years

    def us_per_household_year(self, simulate_only: bool = False, cpu: bool = False) -> float:
        if cpu:
            seconds = self.simulate_cpu if simulate_only else self.total_cpu
        else:
            seconds = self.simulate_wall if simulate_only else self.total_wall
        return 1e6 * seconds / self.household_years

    def line(self, label: str) -> str:
        return (f"{label}: config {self.config_wall:7.3f} s | construct {self.build_wall:7.3f} s"
                f" | simulate {self.simulate_wall:7.3f} s | total {self.total_wall:7.3f} s wall,"
                f" {self.total_cpu:7.3f} s CPU ({self.years} years, {self.households:,}"
                f" households, {self.firms} firms, {self.us_per_household_year():.2f}"
                f" µs/household-year){_contention(self.total_wall, self.total_cpu)}")


def _contention(wall: float, cpu: float) -> str:
    """A warning when wall time exceeds CPU time: the CPU was shared with other work."""
    ratio = wall / max(cpu, 1e-9)
    return f" [wall/CPU {ratio:.2f}: CPU shared with other work]" if ratio > 1.1 else ""


def _params(households: int, mode: str, scale_firms: bool) -> dict:
    params = {"territory.households": households, "optimiser.mode": mode}
    if scale_firms and households != REFERENCE_HOUSEHOLDS:
        from territoire_abm.config.params import TerritoryConfig

        defaults = TerritoryConfig()
        for name in ("farms", "industry_firms", "service_firms"):
            params[f"territory.{name}"] = round(getattr(defaults, name) * households
                                                / REFERENCE_HOUSEHOLDS)
    return params


def timed_run(households: int, mode: str = "rule", until: int = END,
              scale_firms: bool = False) -> RunTiming:
    """Config, construction and simulation of one run, timed separately."""
    from territoire_abm.run import build_config
    from territoire_abm.territory.model import TerritoryModel

    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    config = build_config(_params(households, mode, scale_firms), seed=0, until=until)
    w1, c1 = time.perf_counter(), time.process_time()
    model = TerritoryModel(config)
    w2, c2 = time.perf_counter(), time.process_time()
    model.simulate_until(until)
    w3, c3 = time.perf_counter(), time.process_time()
    years = model.year - config.start
    rows = len(model.indicators())
    if rows != years:
        raise RuntimeError(f"{rows} indicator rows for {years} simulated years")
    timing = RunTiming(len(model.households), len(model.firms), years, mode,
                       w1 - w0, w2 - w1, w3 - w2, c1 - c0, c2 - c1, c3 - c2)
    del model
    gc.collect()
    return timing


def _median_run(runs: list[RunTiming]) -> RunTiming:
    """The run of median total wall time."""
    return sorted(runs, key=lambda r: r.total_wall)[len(runs) // 2]


def _child(argv: list[str]) -> None:
    """Subprocess mode: import the engine and (unless imports-only) run one simulation."""
    w0 = time.perf_counter()
    for name in ENGINE_IMPORTS:
        __import__(name)
    imports = time.perf_counter() - w0
    out = {"import_wall": imports}
    if argv[0] != "imports":
        households, mode, until = int(argv[0]), argv[1], int(argv[2])
        run = timed_run(households, mode, until, scale_firms="--scale-firms" in argv)
        out.update(total_wall=run.total_wall, years=run.years, households=run.households)
    out["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("CHILD", json.dumps(out))


def peak_rss(args: list[str]) -> tuple[int, dict]:
    """Max RSS (KB) of a fresh subprocess ``bench_engine.py --child ARGS`` and its report."""
    command = [sys.executable, "-c", RSS_WRAPPER, sys.executable, str(SCRIPT), "--child", *args]
    if "--no-pin" in sys.argv:
        command.append("--no-pin")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rss_kb, report = 0, {}
    for line in done.stdout.splitlines():
        if line.startswith("RSS_KB"):
            rss_kb = int(line.split()[1])
        elif line.startswith("CHILD"):
            report = json.loads(line[len("CHILD"):])
    return rss_kb, report


def _mb(kb: int) -> float:
    return kb * 1024 / 1e6


def _header(title: str) -> None:
    print(f"\n=== {title}")


# --------------------------------------------------------------------------- sections
def section_environment() -> dict:
    _header("environment")
    from importlib.metadata import version  # no import of numpy or mesa before section 2

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"python {platform.python_version()} | numpy {version('numpy')} | mesa {version('mesa')}"
          f" | {platform.platform()}")
    print(f"CPU: {cpu}; {os.cpu_count()} logical CPUs; {_PINNING}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load)
          + "  (other work on the machine slows every figure below)")
    return {}


def section_imports() -> dict:
    _header("imports")
    w0, c0 = time.perf_counter(), time.process_time()
    for name in ENGINE_IMPORTS:
        __import__(name)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"engine imports in this process ({', '.join(ENGINE_IMPORTS)}): {wall:.3f} s wall,"
          f" {cpu:.3f} s CPU")
    w0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    start = time.perf_counter() - w0
    _, report = peak_rss(["imports"])
    print(f"fresh interpreter: start-up {start:.3f} s;"
          f" engine imports {report['import_wall']:.3f} s")
    w0 = time.perf_counter()
    warm = timed_run(REFERENCE_HOUSEHOLDS, "rule", START)
    w1 = time.perf_counter()
    warm_lp = timed_run(REFERENCE_HOUSEHOLDS, "lp", START)
    print(f"warm-up runs of one year (lazy imports, caches): rule {w1 - w0:.3f} s"
          f" (simulate {warm.simulate_wall:.3f} s), LP {warm_lp.total_wall:.3f} s"
          f" (simulate {warm_lp.simulate_wall:.3f} s)")
    return {"import_s": wall, "import_fresh_s": report["import_wall"], "startup_s": start}


def section_reference(repeats: int, quick: bool) -> dict:
    _header(f"reference run: {REFERENCE_HOUSEHOLDS:,} households, {START}–{END}")
    runs = []
    for i in range(repeats):
        runs.append(timed_run(REFERENCE_HOUSEHOLDS, "rule"))
        print(runs[-1].line(f"rule run {i + 1}"))
    median = _median_run(runs)
    walls = [r.total_wall for r in runs]
    print(f"rule median: config {statistics.median(r.config_wall for r in runs):.3f} s |"
          f" construct {statistics.median(r.build_wall for r in runs):.3f} s |"
          f" simulate {statistics.median(r.simulate_wall for r in runs):.3f} s |"
          f" total {statistics.median(walls):.3f} s wall (min {min(walls):.3f}, max"
          f" {max(walls):.3f}), {statistics.median(r.total_cpu for r in runs):.3f} s CPU;"
          f" {1e3 * median.simulate_wall / median.years:.2f} ms per simulated year;"
          f" {median.us_per_household_year():.2f} µs/household-year"
          f" ({median.us_per_household_year(True):.2f} simulate only)")
    out = {"rule": median, "rule_total_s": statistics.median(walls),
           "rule_total_cpu_s": statistics.median(r.total_cpu for r in runs),
           "rule_build_s": statistics.median(r.build_wall for r in runs),
           "rule_simulate_s": statistics.median(r.simulate_wall for r in runs)}
    lp_until = START + 2 if quick else END
    lp = timed_run(REFERENCE_HOUSEHOLDS, "lp", lp_until)
    print(lp.line("LP run"))
    per_year = lp.simulate_wall / lp.years
    print(f"LP: {1e3 * per_year:.1f} ms per simulated year (rule: "
          f"{1e3 * median.simulate_wall / median.years:.1f} ms); LP/rule per simulated year"
          f" {per_year / (median.simulate_wall / median.years):.1f}×" + (
              f"; {END - START + 1} years would take ≈ {per_year * (END - START + 1):.1f} s"
              if quick else ""))
    out["lp"] = lp
    return out


def section_scaling(reference: RunTiming, quick: bool, scale_firms: bool) -> dict:
    until = START + 9 if quick else END
    firms = "scaled in proportion (--scale-firms)" if scale_firms else "kept at 300"
    _header(f"scaling: rule dispatch, {START}–{until}, firms {firms}")
    out = {}
    ref_us, ref_cpu = reference.us_per_household_year(), reference.us_per_household_year(cpu=True)
    print(f"{REFERENCE_HOUSEHOLDS:>8,} households: {ref_us:6.2f} µs/household-year wall,"
          f" {ref_cpu:.2f} CPU ({reference.us_per_household_year(True):.2f} wall simulate"
          " only) = reference median run")
    for households in SCALES:
        if quick and households > SCALES[0]:
            print(f"{households:>8,} households: skipped (--quick)")
            continue
        run = timed_run(households, "rule", until, scale_firms)
        print(run.line(f"{households:>8,} households"))
        us, cpu = run.us_per_household_year(), run.us_per_household_year(cpu=True)
        marginal = 1e6 * (run.total_wall / run.years - reference.total_wall / reference.years) / (
            households - REFERENCE_HOUSEHOLDS)
        print(f"{households:>8,} households: {us:6.2f} µs/household-year wall, {cpu:.2f} CPU"
              f" ({run.us_per_household_year(True):.2f} wall simulate only); ratio to reference"
              f" {us / ref_us:.2f}× wall, {cpu / ref_cpu:.2f}× CPU; marginal cost of an extra"
              f" household {marginal:.2f} µs/household-year wall")
        out[households] = run
    if out:
        big = out[max(out)]
        for label, ref_s, big_s in (("wall", reference.total_wall, big.total_wall),
                                    ("CPU", reference.total_cpu, big.total_cpu)):
            slope = (big_s / big.years - ref_s / reference.years) / (
                big.households - REFERENCE_HOUSEHOLDS)
            fixed = ref_s / reference.years - slope * REFERENCE_HOUSEHOLDS
            print(f"cost per simulated year ({label}) ≈ {1e3 * fixed:.2f} ms + {1e6 * slope:.2f}"
                  f" µs × households (line through {REFERENCE_HOUSEHOLDS:,} and"
                  f" {big.households:,}); the fixed part (climate, hydrology, dispatch,"
                  f" accounts) is {100 * fixed * reference.years / ref_s:.0f} % of the reference")
    return out


def section_decision(households: int, warm_years: int, production_repeats: int,
                     plain_steps: int) -> dict:
    import numpy as np
    from plain_mesa_households import PlainHouseholdModel

    from territoire_abm.agents import adoption
    from territoire_abm.agents.behaviour import adoption_probability, decide_one
    from territoire_abm.run import build_config
    from territoire_abm.territory import year as year_steps
    from territoire_abm.territory.model import TerritoryModel

    config = build_config({"territory.households": households, "optimiser.mode": "rule"},
                          seed=0, until=START + warm_years - 1)
    model = TerritoryModel(config)
    model.simulate_until(config.until)
    year, energy = model.year, model.last_energy.households
    _header(f"household decision step: {households:,} households, decisions of {year}"
            f" (after {warm_years} simulated years)")
    rng = model.streams["behaviour"]
    saved_portfolio, saved_rng = model.household_portfolio.state(), rng.bit_generator.state

    def decide():
        return adoption.households_decide(
            year_steps.household_state(model), model.config, year, energy, rng,
            model.streams["delays"])

    def restore() -> None:
        model.household_portfolio.restore(saved_portfolio)
        rng.bit_generator.state = saved_rng

    # Capture the inputs the production path feeds to the rule (the engine is not changed:
    # its module-level name is wrapped for this one call only).
    captured: dict = {}
    original = adoption.adoption_probability

    def capture(inputs, config, social_norm_boost=1.0):
        probability = original(inputs, config, social_norm_boost=social_norm_boost)
        captured.update(inputs=inputs, behaviour=config, boost=social_norm_boost,
                        probability=probability)
        return probability

    adoption.adoption_probability = capture
    try:
        production_chosen = decide().chosen
    finally:
        adoption.adoption_probability = original
    inputs, behaviour, boost = captured["inputs"], captured["behaviour"], captured["boost"]
    probability = captured["probability"]
    n, m = probability.shape

    walls, cpus = [], []
    for _ in range(production_repeats):
        restore()
        w0, c0 = time.perf_counter(), time.process_time()
        decide()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    restore()
    production = statistics.median(walls)
    print(f"production households_decide (inputs + rule + draws + delays + recording):"
          f" {1e3 * production:.2f} ms/year wall (median of {production_repeats}; min"
          f" {1e3 * min(walls):.2f}), {1e3 * statistics.median(cpus):.2f} ms CPU"
          f"{_contention(production, statistics.median(cpus))}")
    draw_rng = np.random.default_rng(1)
    rule_walls = []
    for _ in range(production_repeats):
        w0 = time.perf_counter()
        p = adoption_probability(inputs, behaviour, social_norm_boost=boost)
        _ = draw_rng.random(p.shape) < p
        rule_walls.append(time.perf_counter() - w0)
    rule_only = statistics.median(rule_walls)
    print(f"production rule only (adoption_probability + draws, inputs given):"
          f" {1e3 * rule_only:.2f} ms/year")

    gc.collect()
    w0 = time.perf_counter()
    plain = PlainHouseholdModel(inputs, behaviour, boost, seed=0)
    plain_build = time.perf_counter() - w0
    eligible_calls = int(np.count_nonzero(inputs.eligible))
    print(f"plain Mesa: {len(plain.agents):,} agents built in {plain_build:.3f} s; {m} measures,"
          f" {eligible_calls:,} decide_one calls per year ({eligible_calls / n:.1f} per agent)")
    plain_walls, plain_cpus = [], []
    counts = np.zeros(m)
    for _ in range(plain_steps):
        w0, c0 = time.perf_counter(), time.process_time()
        plain.step()
        plain_walls.append(time.perf_counter() - w0)
        plain_cpus.append(time.process_time() - c0)
        counts += plain.chosen().sum(axis=0)
    plain_time = statistics.median(plain_walls)
    print(f"plain Mesa shuffle_do('decide') (rule + draws, inputs given):"
          f" {1e3 * plain_time:.1f} ms/year wall (median of {plain_steps}),"
          f" {1e3 * statistics.median(plain_cpus):.1f} ms CPU"
          f"{_contention(plain_time, statistics.median(plain_cpus))};"
          f" {1e6 * plain_time / max(eligible_calls, 1):.2f} µs per decide_one call")
    speedup = plain_time / production
    speedup_cpu = statistics.median(plain_cpus) / statistics.median(cpus)
    print(f"speed-up of production over plain Mesa: {speedup:.1f}× wall, {speedup_cpu:.1f}× CPU"
          f" (full households_decide); {plain_time / rule_only:.1f}× wall (rule only against"
          " rule only)")

    # Agreement: the same probabilities for the same inputs.
    diff_eligible = float(np.max(np.abs(plain.probabilities() - probability)))
    full = dataclasses.replace(inputs, eligible=np.ones_like(inputs.eligible))
    vectorised = adoption_probability(full, behaviour, social_norm_boost=boost)
    columns = [np.broadcast_to(np.asarray(a, dtype=float), (n, m)).tolist() for a in (
        full.threat, full.net_cost_eur, full.annual_saving_eur, full.neighbour_share)]
    income, owner, prosocial = (np.asarray(a).tolist() for a in (
        inputs.income_eur, inputs.owner, inputs.prosocial))
    lifetime, knowledge, kinds = (np.asarray(a).tolist() for a in (
        inputs.lifetime_yr, inputs.knowledge, inputs.adaptation))
    one_by_one = np.array([[decide_one(columns[0][i][j], columns[1][i][j], columns[2][i][j],
                                       lifetime[j], income[i], owner[i], prosocial[i],
                                       columns[3][i][j], knowledge[j], kinds[j], behaviour, boost)
                            for j in range(m)] for i in range(n)])
    diff_all = float(np.max(np.abs(one_by_one - vectorised)))
    print(f"agreement: max |p_plain − p_vectorised| = {diff_eligible:.3e} on the production"
          f" inputs ({n:,} × {m}, ineligible = 0); {diff_all:.3e} on every (household, measure)"
          f" with eligibility lifted (target < {TARGETS['probability_diff']:.0e});"
          f" mean p {probability.mean():.4f}")
    expected = probability.sum(axis=0)
    variance = np.maximum((probability * (1 - probability)).sum(axis=0), 1e-12)
    z_plain = (counts - plain_steps * expected) / np.sqrt(plain_steps * variance)
    retrofit = getattr(adoption, "RETROFIT_ID", None)
    keep = np.array([measure != retrofit for measure in model.household_effects.ids])
    z_production = (production_chosen.sum(axis=0) - expected) / np.sqrt(variance)
    print(f"adoptions per year: expected Σp {expected.sum():.1f}; plain Mesa"
          f" {counts.sum() / plain_steps:.1f} (mean of {plain_steps} draws); production"
          f" {production_chosen[:, keep].sum():.0f} without {retrofit} (expected"
          f" {expected[keep].sum():.1f}) + {production_chosen[:, ~keep].sum():.0f} {retrofit}"
          f" (rental mandate adds to the draws)")
    print(f"per-measure z-scores of the counts against Σp: plain Mesa max |z| ="
          f" {np.max(np.abs(z_plain)):.2f}; production max |z| ="
          f" {np.max(np.abs(z_production[keep])):.2f} (|z| < 3.5 for {m} measures is consistent)")
    del plain
    return {"production_s": production, "plain_s": plain_time, "speedup": speedup,
            "speedup_cpu": speedup_cpu,
            "diff": max(diff_eligible, diff_all), "households": households}


def section_memory(quick: bool, scale_firms: bool) -> dict:
    _header("peak memory (max RSS of a fresh subprocess, ru_maxrss of RUSAGE_CHILDREN)")
    base_kb, _ = peak_rss(["imports"])
    print(f"interpreter + engine imports only: {base_kb:,} KB = {_mb(base_kb):.1f} MB")
    ref_kb, report = peak_rss([str(REFERENCE_HOUSEHOLDS), "rule", str(END)])
    print(f"reference run (rule, {REFERENCE_HOUSEHOLDS:,} households, {START}–{END}):"
          f" {ref_kb:,} KB = {_mb(ref_kb):.1f} MB ({ref_kb / 1024:.1f} MiB; run"
          f" {report['total_wall']:.2f} s; child's own RUSAGE_SELF {report['self_maxrss_kb']:,}"
          f" KB); the run adds {_mb(ref_kb - base_kb):.1f} MB to the imports")
    out = {"reference_kb": ref_kb}
    lp_kb, report = peak_rss([str(REFERENCE_HOUSEHOLDS), "lp", str(START + 2 if quick else END)])
    print(f"reference run with LP dispatch{' (3 years, --quick)' if quick else ''}:"
          f" {lp_kb:,} KB = {_mb(lp_kb):.1f} MB")
    if not quick:
        extra = ["--scale-firms"] if scale_firms else []
        big_kb, report = peak_rss([str(SCALES[-1]), "rule", str(END), *extra])
        print(f"{SCALES[-1]:,} households (rule, {START}–{END}): {big_kb:,} KB ="
              f" {_mb(big_kb):.1f} MB (no target; run {report['total_wall']:.1f} s)")
    return out


def section_profile(households: int) -> None:
    import cProfile
    import io
    import pstats

    from territoire_abm.run import build_config
    from territoire_abm.territory.model import TerritoryModel

    _header(f"cProfile of the reference run ({households:,} households, rule, {START}–{END})")
    profiler = cProfile.Profile()
    w0 = time.perf_counter()
    profiler.enable()
    config = build_config({"territory.households": households, "optimiser.mode": "rule"},
                          seed=0, until=END)
    TerritoryModel(config).simulate_until(END)
    profiler.disable()
    print(f"profiled run: {time.perf_counter() - w0:.3f} s wall (with profiling overhead)")
    stats = pstats.Stats(profiler)
    calls = {name: 0 for name in ("rule_dispatch", "lp_dispatch")}
    for (_, _, function), (_, ncalls, *_rest) in stats.stats.items():
        if function in calls:
            calls[function] += ncalls
    print(f"dispatch calls: rule {calls['rule_dispatch']}, LP {calls['lp_dispatch']}"
          " (the energy community may switch modes)")
    for title, key, restriction in (
            ("top 15 engine entries by cumulative time", "cumulative", "territoire_abm"),
            ("top 15 entries (all code) by own time", "tottime", None)):
        buffer = io.StringIO()
        stats.stream = buffer
        stats.sort_stats(key)
        stats.print_stats(*(r for r in (restriction, 15) if r is not None))
        text = buffer.getvalue()
        body = text[text.index("   ncalls"):] if "   ncalls" in text else text
        print(f"--- {title}\n{body.rstrip()}")


# --------------------------------------------------------------------------- summary
def _row(rows: list, figure: str, measured: str, target: str, ok: bool | None) -> None:
    rows.append((figure, measured, target, {True: "pass", False: "FAIL", None: "-"}[ok]))


def summary(results: dict, quick: bool) -> int:
    rows: list = []
    _row(rows, "engine import time (this process)", f"{results['import_s']:.3f} s", "-", None)
    _row(rows, "interpreter start-up", f"{results['startup_s']:.3f} s", "-", None)
    rule = results["rule"]
    _row(rows, "reference rule: construct (median)", f"{results['rule_build_s']:.3f} s", "-",
         None)
    _row(rows, "reference rule: simulate (median)", f"{results['rule_simulate_s']:.3f} s", "-",
         None)
    _row(rows, "reference rule: total (median)", f"{results['rule_total_s']:.3f} s (CPU"
         f" {results['rule_total_cpu_s']:.3f})",
         f"≤ {TARGETS['rule_s']:g} s", results["rule_total_s"] <= TARGETS["rule_s"])
    lp = results["lp"]
    if quick:
        _row(rows, f"reference LP: total ({lp.years} years)", f"{lp.total_wall:.3f} s",
             f"≤ {TARGETS['lp_s']:g} s (76 yr)", None)
    else:
        _row(rows, "reference LP: total", f"{lp.total_wall:.3f} s (CPU {lp.total_cpu:.3f})",
             f"≤ {TARGETS['lp_s']:g} s",
             lp.total_wall <= TARGETS["lp_s"])
    ref_us = rule.us_per_household_year()
    _row(rows, f"µs/household-year, {REFERENCE_HOUSEHOLDS:,}",
         f"{ref_us:.2f} (CPU {rule.us_per_household_year(cpu=True):.2f})", "-", None)
    for households in SCALES:
        run = results["scales"].get(households)
        if run is None:
            _row(rows, f"µs/household-year, {households:,}", "skipped (--quick)", "≤ 1.5× ref",
                 None)
            continue
        ratio = run.us_per_household_year() / ref_us
        ratio_cpu = run.us_per_household_year(cpu=True) / rule.us_per_household_year(cpu=True)
        _row(rows, f"µs/household-year, {households:,} (ratio)",
             f"{run.us_per_household_year():.2f} ({ratio:.2f}×; CPU {ratio_cpu:.2f}×)",
             f"≤ {TARGETS['per_hh_year_ratio']:g}× ref", ratio <= TARGETS["per_hh_year_ratio"])
    big = results["scales"].get(SCALES[-1])
    _row(rows, f"{SCALES[-1]:,} households: total",
         f"{big.total_wall:.2f} s (CPU {big.total_cpu:.2f})" if big
         else "skipped (--quick)", f"≤ {TARGETS['households_100k_s']:g} s",
         big.total_wall <= TARGETS["households_100k_s"] if big else None)
    d = results["decision"]
    _row(rows, f"decision step {d['households']:,}: production", f"{1e3 * d['production_s']:.2f}"
         " ms/yr", "-", None)
    _row(rows, f"decision step {d['households']:,}: plain Mesa", f"{1e3 * d['plain_s']:.1f}"
         " ms/yr", "-", None)
    _row(rows, "decision step: speed-up", f"{d['speedup']:.1f}× (CPU {d['speedup_cpu']:.1f}×)",
         f"≥ {TARGETS['decision_speedup']:g}×", d["speedup"] >= TARGETS["decision_speedup"])
    _row(rows, "decision step: max |Δp|", f"{d['diff']:.2e}",
         f"< {TARGETS['probability_diff']:.0e}", d["diff"] < TARGETS["probability_diff"])
    kb = results["memory"]["reference_kb"]
    _row(rows, "reference peak RSS", f"{_mb(kb):.1f} MB", f"≤ {TARGETS['peak_rss_mb']:g} MB",
         _mb(kb) <= TARGETS["peak_rss_mb"])
    _header("summary" + (" (--quick: smaller variants)" if quick else ""))
    widths = [max(len(str(r[i])) for r in rows + [("figure", "measured", "target", "result")])
              for i in range(4)]
    for row in [("figure", "measured", "target", "result")] + rows:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    failed = [r[0] for r in rows if r[3] == "FAIL"]
    print(f"{len(failed)} target(s) missed" + (": " + "; ".join(failed) if failed else ""))
    print("pass/fail is judged on wall time (perf_counter); the CPU time (process_time) in"
          " brackets is the single-core cost without the other work sharing the CPU.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run of smaller variants")
    parser.add_argument("--repeats", type=int, default=3, help="reference rule runs (median)")
    parser.add_argument("--scale-firms", action="store_true",
                        help="scale firms with households (default: keep 300)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile section")
    parser.add_argument("--profile-households", type=int, default=REFERENCE_HOUSEHOLDS)
    args = parser.parse_args()
    results: dict = {}
    section_environment()
    results.update(section_imports())
    results.update(section_reference(args.repeats, args.quick))
    results["scales"] = section_scaling(results["rule"], args.quick, args.scale_firms)
    results["decision"] = section_decision(
        DECISION_HOUSEHOLDS, warm_years=5, production_repeats=5 if args.quick else 15,
        plain_steps=1 if args.quick else 3)
    results["memory"] = section_memory(args.quick, args.scale_firms)
    if not args.no_profile:
        section_profile(args.profile_households)
    return summary(results, args.quick)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
    else:
        sys.exit(main())
