"""Benchmark of the community dispatch on a realistic year.

Run: ``python benchmarks/bench_dispatch.py [--repeats N]``. Prints the median wall time per
simulated year of the rule and the rolling-horizon LP (budgets: 5 ms and 0.35 s, so that a
76-year run stays under 30 s), the LP/rule ratio of the common objective and of the energy
cost, and the import peak of both modes, for a flat and a peak/off-peak tariff.

The year: load ~3.5 MW mean with daily and seasonal shape, 3 MWp PV (~1,300 kWh/kWp), 3 MW
run-of-river hydro, 2 MWh / 1 MW battery, 500 kW biomass, 10 % flexible load; tariffs from
``configs/optimiser`` (0.27 / 0.21 €/kWh HP/HC 6–22 h, export 0.13 €/kWh); 2 outages.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

from territoire_abm.flows.dispatch import Assets, Tariffs, dispatch, objective_value
from territoire_abm.indicators.energy_kpis import energy_kpis

BUDGET_S = {"rule": 0.005, "lp": 0.35}


def realistic_year(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hourly load, PV, hydro (kW) and a peak/off-peak import price (€/kWh)."""
    rng = np.random.default_rng(seed)
    hour = np.arange(8760)
    hod, doy = hour % 24, hour // 24
    shape = (1 + 0.25 * np.cos(2 * np.pi * (doy - 15) / 365)) * (
        1 + 0.25 * np.sin(2 * np.pi * (hod - 13) / 24) + 0.15 * np.exp(-((hod - 19) / 2) ** 2))
    load = np.maximum(3500 * shape / shape.mean() * (1 + 0.05 * rng.standard_normal(8760)), 0)
    sun = np.clip(np.sin(np.pi * (hod - 6) / 14), 0, None) * (1 + 0.4 * np.cos(
        2 * np.pi * (doy - 172) / 365)) * rng.uniform(0.3, 1.0, 365).repeat(24)
    pv = sun * 3000 * 1300 / sun.sum()
    hydro = 3000 * np.clip(0.6 + 0.3 * np.cos(2 * np.pi * (doy - 60) / 365), 0.1, 1.0)
    price = np.where((hod >= 6) & (hod < 22), 0.27, 0.21)
    return load, pv, hydro, price


def _median_seconds(repeats: int, **kwargs) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        result = dispatch(**kwargs)
        times.append(result.solve_seconds)
    return statistics.median(times), result


def main(repeats: int = 7) -> None:
    """Print the timings, cost ratios and peaks."""
    load, pv, hydro, hphc = realistic_year()
    assets = Assets(battery_capacity_kwh=2000, battery_power_kw=1000, biomass_capacity_kw=500,
                    flexible_share=0.1)
    outage = np.zeros(8760, bool)
    outage[[400, 401, 402, 6000, 6001, 6002, 6003, 6004]] = True
    for name, price in (("peak/off-peak", hphc), ("flat", np.full(8760, 0.24))):
        tariffs = Tariffs(price, np.full(8760, 0.13))
        base = dict(load_kw=load, pv_kw=pv, hydro_kw=hydro, assets=assets, tariffs=tariffs,
                    outage_mask=outage)
        print(f"--- {name} tariff")
        results = {}
        for mode in ("rule", "lp"):
            seconds, results[mode] = _median_seconds(repeats, mode=mode, **base)
            flag = "ok" if seconds < BUDGET_S[mode] else "OVER BUDGET"
            print(f"{mode:4s}: {seconds * 1e3:8.2f} ms/year  (budget {BUDGET_S[mode] * 1e3:.0f} ms,"
                  f" {flag}); 76 years: {76 * seconds:6.2f} s;"
                  f" peak import {results[mode].import_kw.max():7.0f} kW")
        rule, lp = results["rule"], results["lp"]
        k_rule, k_lp = energy_kpis(rule, tariffs), energy_kpis(lp, tariffs)
        ratio = objective_value(lp, tariffs) / objective_value(rule, tariffs)
        print(f"objective LP/rule {ratio:.4f}"
              f"; energy cost LP/rule {k_lp['cost_eur'] / k_rule['cost_eur']:.4f}"
              f"; self-sufficiency rule {k_rule['self_sufficiency_rate']:.3f}"
              f" LP {k_lp['self_sufficiency_rate']:.3f}")
    tariffs = Tariffs(hphc, np.full(8760, 0.13))
    base = dict(load_kw=load, pv_kw=pv, hydro_kw=hydro, assets=assets, tariffs=tariffs)
    print("--- LP window / look-ahead (peak/off-peak)")
    for window_h, lookahead_h in ((168, 24), (168, 48), (72, 24), (24, 24), (336, 24)):
        seconds, _ = _median_seconds(max(3, repeats // 2), mode="lp", window_h=window_h,
                                     lookahead_h=lookahead_h, **base)
        print(f"window {window_h:4d} h + {lookahead_h:3d} h: {seconds * 1e3:7.1f} ms/year")
    seconds, _ = _median_seconds(3, mode="lp", forecast_error=0.1, **base)
    print(f"forecast error 10 %: {seconds * 1e3:7.1f} ms/year")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    main(parser.parse_args().repeats)
