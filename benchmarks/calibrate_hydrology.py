"""Reference constants of the hydrology and their check against Explore2.

Run: ``python benchmarks/calibrate_hydrology.py [years]``. Prints

1. the routed effective rainfall q_ref (mm/day) that gives the reference mean flow with the
   default climate place's 1991–2020 normals (``hydrology._Q_REF_MM_DAY``);
2. the mean and sd of the April–September balance Σ(P − PET) (``indices.DROUGHT_REF_*``);
3. FAO-56 PET and summer (JJA) / low-flow (Aug–Oct) natural flow at France +4 °C against
   1976–2005 (the reference of Météo-France's +20 % PET and of Explore2's −40 to −50 %
   summer flows in the South-West).
"""

from __future__ import annotations

import sys

import numpy as np

from territoire_abm.climate import hydrology
from territoire_abm.climate.checks import simulated_years
from territoire_abm.climate.indices import growing_season_balance_mm

SUMMER = slice(151, 243)   # June–August
LOW_FLOW = slice(212, 304)  # August–October


def main(count: int = 500) -> None:
    ref = list(simulated_years(1.3, count))
    flows = np.array([f for _, _, f in ref])
    print(f"mean flow with q_ref = {hydrology._Q_REF_MM_DAY}: {flows.mean():.1f} m3/s "
          "(target: territory.river_mean_flow_m3s)")
    balance = np.array([growing_season_balance_mm(w, p) for w, p, _ in ref])
    print(f"drought reference: mean {balance.mean():.0f} mm, sd {balance.std():.0f} mm")
    past = list(simulated_years(0.7, count, seed=2))
    future = list(simulated_years(4.0, count, seed=3))
    for name, key in (("PET", lambda y: y[1].sum()), ("JJA flow", lambda y: y[2][SUMMER].mean()),
                      ("Aug-Oct flow", lambda y: y[2][LOW_FLOW].mean()),
                      ("annual flow", lambda y: y[2].mean())):
        a, b = np.mean([key(y) for y in past]), np.mean([key(y) for y in future])
        print(f"{name:>13}: 1976-2005 {a:8.1f}  +4 °C {b:8.1f}  change {b / a - 1:+.1%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
