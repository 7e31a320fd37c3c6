"""Time to rank 10,000 synthetic candidate places as climate twins (target: < 1 s), one
French commune from its name (< 1 s) and every commune of a département (≤ 10 s).

Run: ``python benchmarks/bench_twinning.py [n_candidates] [repeats]``. Prints the median
wall time of :func:`territoire_abm.twinning.ranking.find_twins` for each metric, with the
candidates held as a :class:`~territoire_abm.twinning.candidates.CandidateSet` (the form the
loaders return), plus the one-off cost of stacking them from a list of places.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from territoire_abm.climate.normals import MONTHS, PlaceNormals, place_normals
from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.ranking import find_twins

BUDGET_S = 1.0


def synthetic_candidates(n: int, seed: int = 1) -> CandidateSet:
    """``n`` plausible southern-European climates around Carbonne's (seeded)."""
    rng = np.random.default_rng(seed)
    base = place_normals("Carbonne")
    season = np.cos(2 * np.pi * (np.arange(12) - 6) / 12)
    shift = rng.normal(2.0, 3.0, (n, 1))
    amplitude = rng.normal(1.0, 0.15, (n, 1))
    tmean = base.tmean_c.mean() + shift + amplitude * (base.tmean_c - base.tmean_c.mean())
    tmean = tmean + rng.normal(0, 0.3, (n, 12))
    half_range = rng.uniform(3.0, 7.0, (n, 1)) + 1.0 * season
    precip = base.precip_mm * rng.lognormal(0.0, 0.4, (n, 1)) * (1 - 0.4 * rng.random((n, 1))
                                                               * (season > 0))
    monthly = {"tmin": tmean - half_range, "tmax": tmean + half_range, "tmean": tmean,
               "precip": precip}
    names = np.array([f"place {i:05d}" for i in range(n)], dtype=object)
    obj = np.array([""] * n, dtype=object)
    return CandidateSet(
        names=names, countries=np.array(["ES"] * n, dtype=object),
        periods=np.array(["1981-2010"] * n, dtype=object),
        kinds=np.array(["grid"] * n, dtype=object), notes=obj.copy(),
        rurality=np.where(rng.random(n) < 0.7, "rural", "urban").astype(object),
        sources=obj.copy(), estimated=np.zeros(n, dtype=bool),
        lat=rng.uniform(35, 44, n), lon=rng.uniform(-9, 4, n),
        altitude_m=rng.uniform(0, 1500, n), population=10 ** rng.uniform(2.5, 6.5, n),
        monthly=monthly, annual_precip=precip.sum(axis=1), annual_tmean=tmean.mean(axis=1),
        origin="synthetic",
    )


def _time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(n: int = 10_000, repeats: int = 5) -> dict[str, float]:
    """Print and return median seconds per ranking, by metric and variable set."""
    target = place_normals("Carbonne")
    cands = synthetic_candidates(n)
    results = {}
    for variables in ("ministry4", "monthly"):
        for metric in ("seuclidean", "mahalanobis", "sigma"):
            seconds = _time(lambda v=variables, m=metric: find_twins(
                target, cands, horizon=2050, variables=v, metric=m), repeats)
            results[f"{variables}/{metric}"] = seconds
            flag = "ok" if seconds < BUDGET_S else "OVER BUDGET"
            print(f"rank {n:,} candidates, {variables:9s} {metric:11s}: {seconds:.3f} s  [{flag}]")
    places = [
        PlaceNormals(name=f"p{i}", country="ES", lat=40.0, lon=-3.0, altitude_m=500.0,
                     population=1e4, rurality="rural", period="1981-2010",
                     tmin_c=cands.monthly["tmin"][i], tmax_c=cands.monthly["tmax"][i],
                     tmean_c=cands.monthly["tmean"][i], precip_mm=cands.monthly["precip"][i])
        for i in range(n)
    ]
    stack = _time(lambda: CandidateSet.from_places(places), 1)
    results["stack_from_places"] = stack
    print(f"stack {n:,} PlaceNormals into a CandidateSet (one-off): {stack:.3f} s")
    print(f"months: {', '.join(MONTHS)}; budget {BUDGET_S:.1f} s per ranking")
    return results




def bench_communes(departement: str = "31", repeats: int = 3) -> dict[str, float]:
    """Time one commune's ranking (gazetteer → estimate → rank; target < 1 s) and a whole
    département's (every commune, target ≤ 10 s for ~600 communes). Prints wall and CPU."""
    from territoire_abm.climate.normals import load_places
    from territoire_abm.twinning.departement import rank_departement
    from territoire_abm.twinning.gazetteer import communes_in, load_gazetteer
    from territoire_abm.twinning.targets import resolve_target

    start = time.perf_counter()
    load_gazetteer()
    print(f"load the gazetteer (once): {time.perf_counter() - start:.3f} s")
    places = load_places()

    def single() -> None:
        target = resolve_target("Toulouse", field="commune", places=places, candidates=None)
        find_twins(target, warming_level=4.0)

    one = _time(single, repeats)
    cpu0 = time.process_time()
    wall = _time(lambda: rank_departement(departement, warming_level=4.0), 1)
    cpu = time.process_time() - cpu0
    n = len(communes_in(departement))
    print(f"one commune (Toulouse, gazetteer + estimate + rank): {one:.3f} s  "
          f"[{'ok' if one < 1.0 else 'OVER BUDGET'}]")
    print(f"département {departement} ({n} communes): {wall:.2f} s wall, {cpu:.2f} s CPU  "
          f"[{'ok' if wall <= 10.0 else 'OVER BUDGET'}]")
    return {"one_commune": one, "departement_wall": wall, "departement_cpu": cpu}


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
    bench_communes()
