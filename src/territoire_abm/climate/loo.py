"""Leave-one-out error of the normals estimate (lapse rate + inverse distance weighting).

Each measured station that has a variable is estimated from the *other* measured places
with :func:`territoire_abm.climate.normals.estimate_place` (same k, power and radius as
for a commune) and compared with its own normals. The errors are summarised per feature:
annual mean temperature, January minimum, July maximum (°C) and annual precipitation (%),
the ministry's four variables. ``benchmarks/bench_estimate_loo.py`` prints the table;
docs/twinning.md quotes it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import PlaceNormals, estimate_place, load_places
from territoire_abm.errors import UserError

#: The four features scored (name, how to read it from a place, unit).
FEATURES = ("tmean_annual", "tmin_jan", "tmax_jul", "precip_annual")


def _features(place: PlaceNormals) -> dict[str, float]:
    return {
        "tmean_annual": float(np.mean(place.tmean_c)) if place.has("tmean") else math.nan,
        "tmin_jan": float(place.tmin_c[0]) if place.has("tmin") else math.nan,
        "tmax_jul": float(place.tmax_c[6]) if place.has("tmax") else math.nan,
        "precip_annual": float(np.sum(place.precip_mm)) if place.has("precip") else math.nan,
    }


def leave_one_out(places: list[PlaceNormals] | None = None, **estimate_kwargs) -> pd.DataFrame:
    """One row per measured station: its observed and estimated features.

    Stations without coordinates or altitude are skipped; a station with no neighbour
    within reach for a variable gets NaN for it (counted as "not estimable").
    """
    pool = [p for p in (load_places() if places is None else places) if not p.estimated]
    rows = []
    for station in pool:
        if not (math.isfinite(station.lat) and math.isfinite(station.altitude_m)):
            continue
        others = [p for p in pool if p is not station]
        try:
            est = estimate_place(station.name, station.lat, station.lon, station.altitude_m,
                                 places=others, **estimate_kwargs)
            estimated = _features(est)
        except UserError:
            estimated = dict.fromkeys(FEATURES, math.nan)
        observed = _features(station)
        row = {"name": station.name, "country": station.country, "kind": station.kind}
        for f in FEATURES:
            row[f"obs_{f}"], row[f"est_{f}"] = observed[f], estimated[f]
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per feature: stations with an observation, estimable share, bias, MAE, RMSE, P90 |e|.

    Temperatures in °C; precipitation as a relative error in % of the observed total.
    """
    out = []
    for f in FEATURES:
        obs, est = table[f"obs_{f}"], table[f"est_{f}"]
        have = obs.notna()
        ok = have & est.notna()
        err = est[ok] - obs[ok]
        unit = "°C"
        if f == "precip_annual":
            err, unit = 100.0 * err / obs[ok], "%"
        out.append({
            "feature": f, "unit": unit, "stations": int(have.sum()),
            "estimable": int(ok.sum()),
            "bias": float(err.mean()) if len(err) else math.nan,
            "mae": float(err.abs().mean()) if len(err) else math.nan,
            "rmse": float(np.sqrt((err ** 2).mean())) if len(err) else math.nan,
            "p90_abs": float(err.abs().quantile(0.9)) if len(err) else math.nan,
        })
    return pd.DataFrame(out)
