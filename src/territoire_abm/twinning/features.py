"""Climate features compared by the twin search, and their default scales.

A feature is named ``<variable>[_<period>]``: ``variable`` is tmin, tmax, tmean or precip;
``period`` is a month (jan..dec), a season (djf, mam, jja, son) or nothing for the year.
Temperatures are means of the months (°C); precipitation is the total (mm) and is compared
on a log scale, ``ln(P + 10 mm)``, so that 10 % wetter counts the same in a wet and a dry
place.

Named sets (``variables=``):

- ``ministry4`` (default): annual mean temperature, January minimum, July maximum, annual
  precipitation — the four variables of the French ministry's analogue maps for a France
  at +4 °C (Météo-France data; DOMAIN.md §2).
- ``tmean4``: annual mean, January mean, July mean temperature, annual precipitation — for
  places with mean temperature only (the CHELSA grid points).
- ``seasonal``: seasonal minimum and maximum temperature and precipitation (12 features,
  as Fitzpatrick & Dunn 2019).
- ``monthly``: monthly minimum and maximum temperature and precipitation (36 features;
  monthly profiles as in the CCAFS ``analogues`` package).

Default scales stand in for the interannual standard deviation when none is supplied
(project defaults, order of magnitude for southern Europe, unconfirmed): annual mean
temperature 0.6 °C, seasonal temperature 1.0 °C, monthly temperature 1.5 °C; annual
precipitation 0.20, seasonal 0.40, monthly 0.70 in log units (≈ coefficient of variation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from territoire_abm.climate.normals import MONTHS, VARIABLES
from territoire_abm.errors import UserError

SEASONS = {"djf": (11, 0, 1), "mam": (2, 3, 4), "jja": (5, 6, 7), "son": (8, 9, 10)}
#: Offset of the log transform of precipitation, mm.
PRECIP_LOG_OFFSET_MM = 10.0

VARIABLE_SETS: dict[str, tuple[str, ...]] = {
    "ministry4": ("tmean", "tmin_jan", "tmax_jul", "precip"),
    "tmean4": ("tmean", "tmean_jan", "tmean_jul", "precip"),
    "seasonal": tuple(f"{v}_{s}" for v in ("tmin", "tmax", "precip") for s in SEASONS),
    "monthly": tuple(f"{v}_{m}" for v in ("tmin", "tmax", "precip") for m in MONTHS),
}

#: Default scale by (kind, aggregation), in transformed units (°C, or log for precipitation).
DEFAULT_SCALES = {
    ("temp", "annual"): 0.6,
    ("temp", "season"): 1.0,
    ("temp", "month"): 1.5,
    ("precip", "annual"): 0.20,
    ("precip", "season"): 0.40,
    ("precip", "month"): 0.70,
}

_FEATURE_RE = re.compile(r"^(tmin|tmax|tmean|precip)(?:_([a-z]{3}))?$")
_LABELS = {"tmin": "min. temperature", "tmax": "max. temperature",
           "tmean": "mean temperature", "precip": "precipitation"}


@dataclass(frozen=True)
class Feature:
    """One compared climate quantity."""

    name: str
    variable: str
    aggregation: str  # "annual", "season" or "month"
    months: tuple[int, ...]

    @property
    def kind(self) -> str:
        """"precip" or "temp"."""
        return "precip" if self.variable == "precip" else "temp"

    @property
    def unit(self) -> str:
        """°C or mm."""
        return "mm" if self.kind == "precip" else "°C"

    @property
    def label(self) -> str:
        """Readable name, e.g. "July max. temperature"."""
        if self.aggregation == "annual":
            period = "annual"
        elif self.aggregation == "season":
            period = self.name.split("_")[1].upper()
        else:
            period = {m: m.capitalize() for m in MONTHS}[self.name.split("_")[1]]
        return f"{period} {_LABELS[self.variable]}"

    @property
    def default_scale(self) -> float:
        """Stand-in interannual standard deviation, transformed units."""
        return DEFAULT_SCALES[(self.kind, self.aggregation)]


def parse_feature(name: str) -> Feature:
    """The :class:`Feature` called ``name`` (e.g. "tmax_jul", "precip_jja", "tmean")."""
    key = str(name).strip().lower()
    match = _FEATURE_RE.match(key)
    if not match:
        raise UserError(
            "variables", name,
            "features are <tmin|tmax|tmean|precip>[_<jan..dec|djf|mam|jja|son>]; "
            f"sets: {', '.join(VARIABLE_SETS)}",
        )
    variable, period = match.group(1), match.group(2)
    if period is None:
        return Feature(key, variable, "annual", tuple(range(12)))
    if period in SEASONS:
        return Feature(key, variable, "season", SEASONS[period])
    if period in MONTHS:
        return Feature(key, variable, "month", (MONTHS.index(period),))
    raise UserError("variables", name, "period must be jan..dec, djf, mam, jja or son")


def parse_variables(spec: str | Sequence[str]) -> tuple[str, list[Feature]]:
    """Features of a named set or of a comma-separated list; returns (label, features)."""
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in VARIABLE_SETS:
            return key, [parse_feature(n) for n in VARIABLE_SETS[key]]
        names = [n for n in re.split(r"[,\s]+", key) if n]
    else:
        names = list(spec)
    if not names:
        raise UserError("variables", spec, f"a set ({', '.join(VARIABLE_SETS)}) or features")
    features = [parse_feature(n) for n in names]
    seen = set()
    for f in features:
        if f.name in seen:
            raise UserError("variables", f.name, "each feature once")
        seen.add(f.name)
    if len(features) == 1 and not isinstance(spec, str):
        return features[0].name, features
    return ",".join(f.name for f in features), features


def feature_values(
    features: Sequence[Feature],
    monthly: dict[str, np.ndarray],
    annual_precip: np.ndarray | None = None,
    annual_tmean: np.ndarray | None = None,
) -> np.ndarray:
    """Raw feature values (°C, mm), shape (n, p), NaN where an input month is missing.

    Parameters
    ----------
    monthly : dict
        ``{"tmin": (n, 12), "tmax": ..., "tmean": ..., "precip": ...}``.
    annual_precip, annual_tmean : numpy.ndarray, optional
        Annual figures for places without monthly values (used where the months are NaN).
    """
    n = next(iter(monthly.values())).shape[0]
    out = np.empty((n, len(features)))
    for j, f in enumerate(features):
        data = monthly[f.variable][:, list(f.months)]
        if f.variable == "precip":
            col = data.sum(axis=1)
            if f.aggregation == "annual" and annual_precip is not None:
                col = np.where(np.isfinite(col), col, annual_precip)
        else:
            col = data.mean(axis=1)
            if f.aggregation == "annual" and f.variable == "tmean" and annual_tmean is not None:
                col = np.where(np.isfinite(col), col, annual_tmean)
        out[:, j] = col
    return out


def transform(features: Sequence[Feature], values: np.ndarray) -> np.ndarray:
    """Values on the comparison scale: °C for temperature, ln(P + 10 mm) for precipitation."""
    out = np.array(values, dtype=float, copy=True)
    for j, f in enumerate(features):
        if f.kind == "precip":
            out[..., j] = np.log(np.maximum(out[..., j], 0.0) + PRECIP_LOG_OFFSET_MM)
    return out


def default_scales(features: Sequence[Feature]) -> np.ndarray:
    """Stand-in interannual standard deviations, transformed units, shape (p,)."""
    return np.array([f.default_scale for f in features])


def scales_from_sd(
    features: Sequence[Feature], sd: dict[str, float], target_raw: np.ndarray
) -> np.ndarray | None:
    """Scales from interannual SDs in natural units, or None if one feature lacks an SD.

    A precipitation SD in mm becomes ``sd / (P + 10)`` on the log scale (delta method).
    """
    out = np.empty(len(features))
    for j, f in enumerate(features):
        value = sd.get(f.name)
        if value is None or not np.isfinite(value) or value <= 0:
            return None
        if f.kind == "precip":
            value = value / (max(float(target_raw[j]), 0.0) + PRECIP_LOG_OFFSET_MM)
        out[j] = value
    return out


def yearly_values(features: Sequence[Feature], years: dict[str, np.ndarray]) -> np.ndarray:
    """Raw feature values for each year of a series ``{"tmin": (n_years, 12), ...}``."""
    n_years = next(iter(years.values())).shape[0]
    filled = {v: years.get(v, np.full((n_years, 12), np.nan)) for v in VARIABLES}
    if "tmean" not in years and "tmin" in years and "tmax" in years:
        filled["tmean"] = (years["tmin"] + years["tmax"]) / 2.0
    return feature_values(features, filled)


def format_difference(feature: Feature, twin_raw: float, target_raw: float) -> str:
    """"+2.1 °C" for temperatures, "−12 %" for precipitation (twin minus target)."""
    if not (np.isfinite(twin_raw) and np.isfinite(target_raw)):
        return "n/a"
    if feature.kind == "precip":
        if target_raw <= 0:
            return f"{twin_raw - target_raw:+.0f} mm"
        return f"{100.0 * (twin_raw / target_raw - 1.0):+.0f} %"
    return f"{twin_raw - target_raw:+.1f} °C"
