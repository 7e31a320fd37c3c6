"""Warming trajectories for mainland France and the deltas they imply.

A :class:`Scenario` gives the warming of mainland France relative to pre-industrial
(1850–1900, or 1900–1930 for the observed part) at anchor years; other years are linearly
interpolated. Before the first anchor and after the last one the warming is held flat
(the value, not the slope, is held): the model never invents a trend no source gives.
For SSP3-7.0 and SSP5-8.5, whose last anchor is 2090, this underestimates 2100 warming.

Sources
-------
- TRACC (trajectoire de réchauffement de référence pour l'adaptation), decree and order of
  January 2026: +2.0 °C in 2030, +2.7 °C in 2050, +4.0 °C in 2100 (DOMAIN.md §1).
- Ribes et al. 2022, Earth System Dynamics 13:1397–1415: forced warming of mainland France
  in 2020 is 1.66 [1.41–1.90] °C relative to 1900–1930 (our 2020 anchor, 1.7 °C).
- IPCC AR6 WG1 SPM Table 1 (2021): global best estimates for 2021–2040, 2041–2060 and
  2081–2100, anchored here at 2030, 2050 and 2090; converted to France with the factor
  4.0 / 3.0 implied by TRACC (France +4 °C for a world at +3 °C).
- Météo-France 2024, "Quel climat pour la France à +4 °C": 14.2 °C against 10.9 °C in
  1976–2005, i.e. +3.3 °C over 1976–2005, so 1976–2005 was at +0.7 °C.
- Météo-France 2022 (1991–2020 normals press release): 1991–2020 is 0.42 °C warmer than
  1981–2010 and 1.15 °C warmer than 1961–1990.
- Seasonality: Météo-France 2024 (summer about 1 °C more than winter at +4 °C);
  Ribes et al. 2022 (summer +30 %, winter −15 % of the annual warming).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from territoire_abm.errors import UserError

SCENARIO_NAMES = ("tracc", "ssp126", "ssp245", "ssp370", "ssp585")

#: First and last calendar years a delta can be asked for.
YEAR_MIN = 1950
YEAR_MAX = 2150
#: Year by which :meth:`Scenario.year_at_warming` must reach a level.
HORIZON_YEAR = 2100

#: France / global warming ratio implied by TRACC (+4.0 °C France for +3.0 °C world).
FRANCE_OVER_GLOBAL = 4.0 / 3.0

#: France warming (°C vs pre-industrial) of the periods of climate normals.
#: "1976-2005": 4.0 − 3.3 (Météo-France 2024, +4 °C report).
#: "1981-2010": derived, 0.7 + 5 yr × 0.036 °C/yr (trend of Ribes et al. 2022) = 0.88.
#: "1991-2020": derived, 0.88 + 0.42 (Météo-France 2022 normals) = 1.30.
#: "1961-1990": derived, 1.30 − 1.15 (Météo-France 2022 normals) = 0.15.
REFERENCE_WARMING_C: dict[str, float] = {
    "1961-1990": 0.15,
    "1976-2005": 0.7,
    "1981-2010": 0.9,
    "1991-2020": 1.3,
}
DEFAULT_REFERENCE_PERIOD = "1991-2020"

# Observed part shared by all scenarios: each normals period at its central year, then the
# 2020 forced warming of Ribes et al. 2022 (1.66 °C, rounded). Derived, see above.
_HISTORY_YEARS = (1975, 1990, 1995, 2005, 2020)
_HISTORY_WARMING_C = (0.15, 0.7, 0.9, 1.3, 1.7)

# IPCC AR6 WG1 SPM Table 1, global best estimates (°C vs 1850–1900).
_AR6_GLOBAL_C = {
    "ssp126": (1.5, 1.7, 1.8),
    "ssp245": (1.5, 2.0, 2.7),
    "ssp370": (1.5, 2.1, 3.6),
    "ssp585": (1.6, 2.4, 4.4),
}
_AR6_YEARS = (2030, 2050, 2090)
_AR6_LABELS = {
    "ssp126": "SSP1-2.6 (IPCC AR6, scaled to France ×4/3)",
    "ssp245": "SSP2-4.5 (IPCC AR6, scaled to France ×4/3)",
    "ssp370": "SSP3-7.0 (IPCC AR6, scaled to France ×4/3)",
    "ssp585": "SSP5-8.5 (IPCC AR6, scaled to France ×4/3)",
}

# Seasonal pattern, a cosine peaking in July (month index 6). Its mean over JJA is
# cos(30°)·2/3 + 1/3 = 0.911 and over DJF −0.911.
_SEASON_COS = np.cos(2.0 * np.pi * (np.arange(12) - 6) / 12.0)
_JJA_COS = 0.9106836025229591
#: France annual warming over 1976–2005 in a France at +4 °C (Météo-France 2024).
_CALIBRATION_DELTA_C = 3.3
#: Summer minus winter warming at that delta, °C (Météo-France 2024: "about 1 °C").
_SUMMER_MINUS_WINTER_C = 1.0
#: Precipitation change at that delta, south-west France: JJA −20 %, DJF +10 %
#: (unconfirmed; within Météo-France 2024 / Terray & Boé 2013, C. R. Geosci. 345:136–149,
#: who give summer drying in the south, slight winter wetting; annual ≈ −5 %).
_PRECIP_JJA_CHANGE = -0.20
_PRECIP_DJF_CHANGE = 0.10
_PRECIP_FACTOR_BOUNDS = (0.2, 2.0)


@dataclass(frozen=True)
class Scenario:
    """A warming trajectory of mainland France.

    Attributes
    ----------
    name : str
        One of :data:`SCENARIO_NAMES`.
    label : str
        Human-readable name with its source.
    years : tuple of int
        Anchor years, increasing.
    warming_c : tuple of float
        Warming vs pre-industrial at the anchor years, °C.
    region : str
        Region the warming applies to.
    """

    name: str
    label: str
    years: tuple[int, ...]
    warming_c: tuple[float, ...]
    region: str

    def warming_at(self, year: int | float) -> float:
        """Warming (°C vs pre-industrial) in ``year``, linear between anchors, flat outside."""
        return float(np.interp(float(year), self.years, self.warming_c))

    def year_at_warming(self, level_c: float) -> int | None:
        """First calendar year whose warming reaches ``level_c``; None if not by 2100."""
        years = np.arange(YEAR_MIN, HORIZON_YEAR + 1)
        reached = np.interp(years, self.years, self.warming_c) >= level_c - 1e-9
        if not reached.any():
            return None
        return int(years[np.argmax(reached)])

    def max_warming_c(self) -> float:
        """Highest warming the scenario reaches, °C."""
        return float(max(self.warming_c))


def _tracc() -> Scenario:
    return Scenario(
        name="tracc",
        label="TRACC, French reference trajectory for adaptation (decree 2026)",
        years=_HISTORY_YEARS + (2030, 2050, 2100),
        warming_c=_HISTORY_WARMING_C + (2.0, 2.7, 4.0),
        region="mainland France",
    )


def _ssp(name: str) -> Scenario:
    france = tuple(round(g * FRANCE_OVER_GLOBAL, 3) for g in _AR6_GLOBAL_C[name])
    return Scenario(
        name=name,
        label=_AR6_LABELS[name],
        years=_HISTORY_YEARS + _AR6_YEARS,
        warming_c=_HISTORY_WARMING_C + france,
        region="mainland France",
    )


def get_scenario(name: str) -> Scenario:
    """Return the scenario called ``name`` (case-insensitive).

    Raises
    ------
    UserError
        If the name is not one of :data:`SCENARIO_NAMES`.
    """
    key = str(name).strip().lower()
    if key not in SCENARIO_NAMES:
        raise UserError("scenario", name, f"allowed: {', '.join(SCENARIO_NAMES)}")
    return _tracc() if key == "tracc" else _ssp(key)


def resolve_reference_period(period: str | None) -> tuple[str, bool]:
    """Normalise a normals period; return (period, known).

    "1991–2020", "1991-2020 (stated)" and "1991 2020" all give "1991-2020". A period not in
    :data:`REFERENCE_WARMING_C`, or no period at all, gives the default "1991-2020" and
    ``known=False``.
    """
    match = re.search(r"(\d{4})\D{1,3}(\d{4})", str(period or ""))
    if match:
        key = f"{match.group(1)}-{match.group(2)}"
        if key in REFERENCE_WARMING_C:
            return key, True
    return DEFAULT_REFERENCE_PERIOD, False


def reference_warming(period: str) -> float:
    """France warming (°C vs pre-industrial) of a normals period.

    Tolerant: an unknown or unstated period falls back to "1991-2020" (1.3 °C), the
    period of current Météo-France and most shipped normals. Use
    :func:`resolve_reference_period` to know whether the fallback was used.
    """
    key, _known = resolve_reference_period(period)
    return REFERENCE_WARMING_C[key]


def delta_c(
    scenario: Scenario | str,
    *,
    year: int | None = None,
    warming_level_c: float | None = None,
    reference_period: str = DEFAULT_REFERENCE_PERIOD,
) -> float:
    """Annual-mean warming relative to the normals' period, °C.

    Parameters
    ----------
    scenario : Scenario or str
        The trajectory, or its name.
    year : int, optional
        Calendar year, 1950–2150.
    warming_level_c : float, optional
        France warming vs pre-industrial; must lie within what the scenario reaches.
    reference_period : str
        Period of the normals the delta is added to (see :func:`reference_warming`).

    Raises
    ------
    UserError
        If both or neither of ``year`` / ``warming_level_c`` are given, the year is out of
        range, or the level is outside the scenario's range.
    """
    scen = get_scenario(scenario) if isinstance(scenario, str) else scenario
    if (year is None) == (warming_level_c is None):
        raise UserError("year/warming_level_c", (year, warming_level_c), "give exactly one")
    if year is not None:
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise UserError("year", year, f"allowed: {YEAR_MIN}–{YEAR_MAX}")
        level = scen.warming_at(year)
    else:
        level = float(warming_level_c)
        low, high = min(scen.warming_c), scen.max_warming_c()
        if not low <= level <= high:
            raise UserError(
                "warming_level_c", warming_level_c,
                f"scenario {scen.name} spans {low:.2f}–{high:.2f} °C",
            )
    return level - reference_warming(reference_period)


def monthly_temperature_delta_c(annual_delta_c: float) -> np.ndarray:
    """Monthly warming (12 values, °C) whose mean is exactly ``annual_delta_c``.

    A cosine peaking in July; summer (JJA) warms 1.0 °C more than winter (DJF) when the
    annual delta is 3.3 °C (France at +4 °C vs 1976–2005, Météo-France 2024), scaled in
    proportion to the delta (pattern scaling). This is JJA ≈ +15 %, DJF ≈ −15 % of the
    annual delta; Ribes et al. 2022 give +30 % / −15 %, so summer may be underestimated.
    """
    amplitude = _SUMMER_MINUS_WINTER_C / (2.0 * _JJA_COS * _CALIBRATION_DELTA_C)
    monthly = annual_delta_c * (1.0 + amplitude * _SEASON_COS)
    return monthly - (monthly.mean() - annual_delta_c)


def monthly_precip_factor(annual_delta_c: float) -> np.ndarray:
    """Multiplicative change of monthly precipitation (12 values).

    ``1 + Δ·(b + a·cos(2π(m − 6)/12))`` with a, b per °C set so that at Δ = 3.3 °C
    (France +4 °C vs 1976–2005) summer (JJA) changes by −20 %, winter (DJF) by +10 %,
    spring and autumn by −5 %: about −5 % a year for a south-west French regime
    (unconfirmed; Météo-France 2024: "in the extreme south-west most simulations give less
    rain"; Terray & Boé 2013). Clipped to [0.2, 2.0].
    """
    per_c = 1.0 / _CALIBRATION_DELTA_C
    mean_slope = 0.5 * (_PRECIP_JJA_CHANGE + _PRECIP_DJF_CHANGE) * per_c
    cos_slope = 0.5 * (_PRECIP_JJA_CHANGE - _PRECIP_DJF_CHANGE) / _JJA_COS * per_c
    factor = 1.0 + annual_delta_c * (mean_slope + cos_slope * _SEASON_COS)
    return np.clip(factor, *_PRECIP_FACTOR_BOUNDS)
