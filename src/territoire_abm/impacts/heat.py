"""Indoor overheating by dwelling, and heat-related mortality.

Overheating (continuous, dwelling-dependent)
--------------------------------------------
Each dwelling is a free-running first-order thermal model (one resistance, one capacitance),
hour by hour from 1 May to 30 September:

    T_in(h) = a·T_in(h−1) + (1 − a)·T_eq(h),  a = exp(−1 h / τ),
    T_eq(h) = T_out(h) − ΔT_green + ΔT_int + ΔT_sol · s(h),

with τ the dwelling's time constant, ΔT_int the rise due to internal gains, ΔT_sol the rise at
full sun (by energy class: poorly insulated roofs and walls let more sun heat in), s(h) the
hour's sunshine (the PV output per kWp of the weather generator, over its clear-sky peak)
and ΔT_green the local cooling of vegetation (Bowler et al. 2010). Measures change the
parameters: external shading, cool roofs and deep retrofit cut ΔT_sol; garden trees and
municipal greening add ΔT_green; ceiling fans raise the comfort limit (air speed, EN 16798-1);
air conditioning holds the cooled rooms at the set point.

Overheating degree-hours (K·h) = Σ_h max(0, T_in − T_upper), with T_upper the EN 16798-1:2019
adaptive comfort limit of category II: θ_c + 3 K, θ_c = 0.33·θ_rm + 18.8 °C, θ_rm the
running mean of daily outdoor mean temperature (α = 0.8), bounded to 10–30 °C as the standard
allows. France's RE2020 uses the same idea (degree-hours of summer discomfort, 26–28 °C).

Heat-related mortality
----------------------
Baccini et al. 2008 (Epidemiology 19(5):711–719, PHEWE, 15 European cities): above a
city-specific threshold, daily all-cause mortality rises 3.12 % (95 % CI 0.60–5.72) per °C of
maximum apparent temperature in Mediterranean cities. Expected heat deaths of the year =
Σ_days baseline daily deaths × RR-slope × max(0, Tmax − threshold) × protection, where the
protection is the population-weighted product of the households' heat-stress factors
(catalogue) and the council's cover (cool rooms, heat-wave plan). Tmax stands for maximum
apparent temperature (a stated simplification: no humidity in the generator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from territoire_abm.climate.weather import N_DAYS

#: 1 May – 30 September, 0-based days.
SEASON_DAYS = slice(120, 273)
#: Clear-sky peak of the PV output per kWp (weather.solar_capacity_factor_hourly): s(h) = 1.
SUN_PEAK_KW_PER_KWP = 0.8
RUNNING_MEAN_ALPHA = 0.8  # EN 16798-1:2019 eq. (running mean of daily mean temperature)
ENERGY_CLASSES = ("A", "B", "C", "D", "E", "F", "G")
#: Household measures that change the thermal model (data/measures.csv ids).
HEAT_MEASURES = ("external_solar_shading", "cool_roof_light_walls", "deep_retrofit_old_house",
                 "garden_shade_trees", "ceiling_fans", "air_conditioning", "heat_pump_air_air")


@dataclass
class DwellingHeat:
    """Per household thermal parameters for one summer."""

    solar_rise_c: np.ndarray      # ΔT_sol at full sun
    green_cooling_c: np.ndarray   # ΔT_green
    comfort_gain_c: np.ndarray    # raise of the comfort limit (fans)
    cooled: np.ndarray            # bool: air conditioning or reversible heat pump


def comfort_upper_limit_c(daily_mean_c: np.ndarray, offset_c: float = 3.0) -> np.ndarray:
    """Hourly EN 16798-1 adaptive upper limit (8760,), from daily mean outdoor temperature."""
    previous = np.concatenate([[daily_mean_c[0]], daily_mean_c[:-1]])
    alpha = RUNNING_MEAN_ALPHA
    running, _ = lfilter([1.0 - alpha], [1.0, -alpha], previous, zi=[alpha * previous[0]])
    theta_c = 0.33 * np.clip(running, 10.0, 30.0) + 18.8
    return np.repeat(theta_c + offset_c, 24)


def indoor_temperature_c(outdoor_c: np.ndarray, sun: np.ndarray, solar_rise_c: np.ndarray,
                         green_cooling_c: np.ndarray, *, internal_rise_c: float,
                         time_constant_h: float) -> np.ndarray:
    """Free-running indoor temperature, (types, hours): the first-order model above."""
    equilibrium = (outdoor_c[None, :] - green_cooling_c[:, None] + internal_rise_c
                   + solar_rise_c[:, None] * sun[None, :])
    a = np.exp(-1.0 / time_constant_h)
    start = equilibrium[:, :24].mean(axis=1)
    out, _ = lfilter([1.0 - a], [1.0, -a], equilibrium, axis=1, zi=(a * start)[:, None])
    return out


def overheating_degree_hours(
    hourly_outdoor_c: np.ndarray, sun_kw_per_kwp: np.ndarray, dwellings: DwellingHeat, *,
    offset_c: float, internal_rise_c: float, time_constant_h: float,
    cooling_setpoint_c: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Degree-hours (K·h) and hours above the comfort limit of each dwelling, May–September.

    Dwellings sharing parameters are computed once (a few dozen types for thousands of
    households).
    """
    days = hourly_outdoor_c.reshape(N_DAYS, 24)
    upper = comfort_upper_limit_c(days.mean(axis=1), offset_c).reshape(N_DAYS, 24)
    season = slice(SEASON_DAYS.start * 24, SEASON_DAYS.stop * 24)
    outdoor = hourly_outdoor_c[season]
    sun = np.clip(sun_kw_per_kwp[season] / SUN_PEAK_KW_PER_KWP, 0.0, 1.5)
    limit = upper[SEASON_DAYS].ravel()
    keys = np.column_stack([dwellings.solar_rise_c, dwellings.green_cooling_c,
                            dwellings.comfort_gain_c, dwellings.cooled.astype(float)])
    types, inverse = _unique_rows(keys)
    thermal, thermal_index = _unique_rows(types[:, :2])
    indoor = indoor_temperature_c(outdoor, sun, thermal[:, 0], thermal[:, 1],
                                  internal_rise_c=internal_rise_c,
                                  time_constant_h=time_constant_h).astype(np.float32)
    limit32 = limit.astype(np.float32)
    # Every type at once (types × season hours, float32): the same element-wise operations
    # in the same order as one type at a time, so the sums are bit-identical to that loop.
    temperature = indoor[thermal_index]
    cooled = types[:, 3] > 0
    if cooled.any():
        temperature[cooled] = np.minimum(temperature[cooled], np.float32(cooling_setpoint_c))
    excess = temperature - limit32
    excess -= types[:, 2].astype(np.float32)[:, None]
    hours = np.count_nonzero(excess > 0, axis=1).astype(float)
    degree_hours = np.maximum(excess, 0.0, out=excess).sum(axis=1).astype(float)
    return degree_hours[inverse], hours[inverse]


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of a small-float table via a 1-D view (faster than ``axis=0``)."""
    rounded = np.ascontiguousarray(np.round(keys, 6))
    view = rounded.view(np.dtype((np.void, rounded.dtype.itemsize * rounded.shape[1])))
    _, first, inverse = np.unique(view.ravel(), return_index=True, return_inverse=True)
    return rounded[first], inverse.ravel()


def heat_deaths(tmax_c: np.ndarray, population: float, protection: float, *,
                deaths_per_1000_yr: float, rr_per_c: float, threshold_c: float) -> float:
    """Expected heat-related deaths of the year (Baccini et al. 2008 slope)."""
    daily_deaths = population * deaths_per_1000_yr / 1000.0 / 365.0
    excess_c = np.maximum(np.asarray(tmax_c, dtype=float) - threshold_c, 0.0)
    return float(daily_deaths * rr_per_c * excess_c.sum() * protection)


def dwelling_parameters(energy_class: np.ndarray, active: dict[str, np.ndarray],
                        has_cooling: np.ndarray, council_greening_cover: float,
                        heat) -> tuple[DwellingHeat, DwellingHeat, float]:
    """Per household parameters from energy class and active measures (``heat`` is the
    ``HeatConfig``). Returns (without council greening, with it, the covered share)."""
    n = len(energy_class)
    by_class = np.array([heat.solar_rise_c_by_class[c] for c in ENERGY_CLASSES])
    solar = by_class[np.asarray(energy_class, dtype=int)]
    for measure, cut in (("external_solar_shading", heat.shading_solar_cut),
                         ("cool_roof_light_walls", heat.cool_roof_solar_cut),
                         ("deep_retrofit_old_house", heat.retrofit_solar_cut)):
        solar = np.where(active.get(measure, np.zeros(n, bool)), solar * (1.0 - cut), solar)
    trees = active.get("garden_shade_trees", np.zeros(n, bool))
    green = np.where(trees, heat.greening_cooling_c, 0.0)
    fans = np.where(active.get("ceiling_fans", np.zeros(n, bool)), heat.fan_comfort_gain_c, 0.0)
    cooled = has_cooling | active.get("air_conditioning", np.zeros(n, bool)) | active.get(
        "heat_pump_air_air", np.zeros(n, bool))
    plain = DwellingHeat(solar, green, fans, cooled)
    greened = DwellingHeat(solar, np.maximum(green, heat.greening_cooling_c), fans, cooled)
    return plain, greened, float(np.clip(council_greening_cover, 0.0, 1.0))


def heat_indicators(degree_hours: np.ndarray, hours: np.ndarray, energy_class: np.ndarray,
                    deaths: float, population: float) -> dict[str, float]:
    """Yearly heat indicators: mean overheating per dwelling (all, old E–G, recent A–C) and
    heat deaths (expected count and per 100,000 inhabitants)."""
    old, recent = energy_class >= 4, energy_class <= 2

    def mean(values: np.ndarray, mask: np.ndarray) -> float:
        return float(values[mask].mean()) if mask.any() else 0.0

    everyone = np.ones(len(degree_hours), dtype=bool)
    return {
        "overheating_degree_hours": mean(degree_hours, everyone),
        "overheating_hours": mean(hours, everyone),
        "overheating_degree_hours_old_dwellings": mean(degree_hours, old),
        "overheating_degree_hours_recent_dwellings": mean(degree_hours, recent),
        "overheated_dwellings_share": float(np.mean(hours > 0)) if len(hours) else 0.0,
        "heat_deaths": deaths,
        "heat_deaths_per_100k": deaths / population * 1e5 if population > 0 else 0.0,
    }
