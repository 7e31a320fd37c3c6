"""Leave-one-out error of the normals estimate for a commune without a station.

Run: ``python benchmarks/bench_estimate_loo.py [places.csv]``. Each measured station of the
shipped data (or of a normals file, e.g. one built by ``twin import-normals``) is estimated
from the others (lapse rate −6.5 °C/km, inverse-distance weights 1/d², 3 nearest within
300 km) and compared with its own normals. Prints bias, MAE, RMSE and the 90th percentile of
the absolute error for the ministry's four variables, and the time taken.
"""

from __future__ import annotations

import sys
import time

from territoire_abm.climate.loo import leave_one_out, summarise
from territoire_abm.twinning.loaders import load_candidates


def main(path: str | None = None) -> None:
    """Print the LOO table for the shipped places or the places of ``path``."""
    places = None
    if path:
        cands = load_candidates(path)
        places = [cands.place(i) for i in range(len(cands))]
    start = time.perf_counter()
    table = leave_one_out(places)
    summary = summarise(table)
    seconds = time.perf_counter() - start
    print(f"leave-one-out over {len(table)} measured places ({path or 'shipped data'}), "
          f"{seconds:.1f} s")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    worst = table.assign(err=(table["est_tmax_jul"] - table["obs_tmax_jul"]).abs())
    worst = worst.dropna(subset=["err"]).nlargest(5, "err")
    print("largest July-maximum errors:",
          ", ".join(f"{r['name']} {r['err']:.1f} °C" for _, r in worst.iterrows()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
