"""River flow from daily weather, low-flow support and drought restriction levels.

Rainfall–runoff model
---------------------
A conceptual, IHACRES-type model (Jakeman & Hornberger 1993, Water Resources Research
29(8):2637–2649) chosen because every step is a linear filter or a pointwise function, so a
year runs in a few vectorised calls:

1. **Wetness index** s_t = α·s_{t−1} + (P_t − PET_t), α = exp(−1/20 d) (mm).
2. **Effective rainfall** u_t = c_t·P_t with runoff coefficient
   c_t = 1 / (1 + exp(−s_t / 10 mm)): wet soils pass rain on, dry summer soils keep it.
3. **Routing**: two parallel linear reservoirs of unit gain, quick (25 %, 3 days) and slow
   (75 %, 90 days, the groundwater-fed baseflow). The slow store is the carried ``state``.
4. **Pluvio-nival part**: the Garonne at Portet is fed by Pyrenean snowmelt, which local
   weather cannot produce. A fixed seasonal pulse B(d) ∝ exp(1.5·cos(2π(d − 150)/365))
   (peak 30 May, mean 1) carries 30 % of the mean flow, scaled by a snow factor
   exp(−0.25·(T_JFM − 7.4 °C)) where T_JFM is the year's January–March mean temperature
   and 7.4 °C the Montauban-like normal: warmer winters, less snow (−22 %/°C, assumed,
   unconfirmed; direction from Explore2 and Pyrenean snow studies).
5. **Scaling**: flow = mean_flow × [0.7·q_t / q_ref + 0.3·B(d)·snow] × noise_t, with
   q_ref = 0.895 mm/day set so that the default place's 1991–2020 normals (300 seeded
   years, FAO-56 Penman–Monteith PET, snow factor included) give a mean flow of
   ``mean_flow`` (``benchmarks/calibrate_hydrology.py`` recomputes it).
   Other climates scale relative to that reference. Noise: log-normal AR(1)
   (sd 0.1, lag-1 0.9) for upstream weather the local station does not see.

The shape was tuned by eye to a Garonne-at-Portet-like regime (high flows March–May,
low flows August–October, mean ≈ 190 m³/s, unconfirmed). Against 1976–2005, France at
+4 °C (TRACC 2100) gives summer (JJA) natural flows −42 % and August–October flows −41 %
(annual −30 %), FAO-56 PET +20 % (``benchmarks/calibrate_hydrology.py``, 300 years each):
within Explore2's −40 to −50 % for summer flows in the South-West at the end of the
century under RCP8.5 (Explore2, INRAE/OIEau 2024; DOMAIN.md §1) and Météo-France's
+20 % PET (2024). With Hargreaves PET (before 2026-12) summer flows fell only 22–27 %.

Restrictions
------------
Levels follow the French national guide (2023) and the alert-zone arrêtés: −1 none,
0 vigilance, 1 alerte, 2 alerte renforcée, 3 crise. A level applies when the trailing
10-day minimum of daily flow falls below its threshold (the arrêtés use 10-day minimum
flows; a trailing window also delays the lifting of restrictions by up to 10 days, as
sustained recovery is required in practice). Default thresholds: alert 38 m³/s (Garonne at
Portet, DOMAIN.md §1); vigilance 1.25×, reinforced 0.8× and crisis 0.6× the alert
threshold (derived, unconfirmed; the crisis value 23 m³/s is close to the SDAGE
Adour-Garonne crisis flow at Portet, about 20 m³/s, unconfirmed).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import lfilter

from territoire_abm.climate.evapotranspiration import fao56_pet_mm
from territoire_abm.climate.indices import DEFAULT_LAT_DEG
from territoire_abm.climate.weather import DAY_OF_YEAR, N_DAYS, DailyWeather
from territoire_abm.errors import UserError

RESTRICTION_NAMES = {
    -1: "none", 0: "vigilance", 1: "alerte", 2: "alerte_renforcee", 3: "crise",
}

#: Garonne at Portet (DOMAIN.md §1): alert threshold on 10-day minimum flow, m³/s.
GARONNE_ALERT_M3S = 38.0
#: Thresholds relative to the alert threshold (derived, unconfirmed).
THRESHOLD_RATIOS = {"vigilance": 1.25, "alert": 1.0, "reinforced": 0.8, "crisis": 0.6}
WINDOW_DAYS = 10
#: France warming of the 1991–2020 normals: the dew point equals Tmin there (FAO-56 eq. 48)
#: and drifts below it with further warming (``water.dewpoint_depression_per_c``).
HUMIDITY_BASELINE_WARMING_C = 1.3

_WETNESS_TAU_D = 20.0
_WETNESS_SCALE_MM = 10.0
_QUICK_SHARE, _QUICK_TAU_D = 0.25, 3.0
_SLOW_TAU_D = 90.0
_NIVAL_SHARE, _NIVAL_KAPPA, _NIVAL_PEAK_DOY = 0.3, 1.5, 150
_SNOW_SENSITIVITY_PER_C, _SNOW_REF_TMEAN_C = 0.25, 7.4
_Q_REF_MM_DAY = 0.895
_NOISE_SD, _NOISE_PHI = 0.1, 0.9
_SPIN_UP_DAYS = 60


def _nival_shape() -> np.ndarray:
    pulse = np.exp(_NIVAL_KAPPA * np.cos(2.0 * np.pi * (DAY_OF_YEAR - _NIVAL_PEAK_DOY) / N_DAYS))
    return pulse / pulse.mean()


def _reservoir(inflow: np.ndarray, tau_d: float, start: float) -> tuple[np.ndarray, float]:
    """Unit-gain linear reservoir y_t = k·y_{t−1} + (1 − k)·x_t; returns (y, last y)."""
    k = np.exp(-1.0 / tau_d)
    out, _ = lfilter([1.0 - k], [1.0, -k], inflow, zi=[k * start])
    return out, float(out[-1])


def effective_rain_mm(precip: np.ndarray, pet: np.ndarray) -> np.ndarray:
    """Effective rainfall of the year, mm/day (365,): what runs off or recharges aquifers."""
    return _effective_rain(np.asarray(precip, dtype=float),
                           np.asarray(pet, dtype=float))[_SPIN_UP_DAYS:]


def _effective_rain(precip: np.ndarray, pet: np.ndarray) -> np.ndarray:
    """Effective rainfall (mm/day) with a wetness index spun up on the year's last 60 days."""
    water = np.concatenate([precip[-_SPIN_UP_DAYS:], precip])
    balance = np.concatenate([(precip - pet)[-_SPIN_UP_DAYS:], precip - pet])
    alpha = np.exp(-1.0 / _WETNESS_TAU_D)
    wetness = lfilter([1.0], [1.0, -alpha], balance)
    coeff = 0.5 * (1.0 + np.tanh(0.5 * wetness / _WETNESS_SCALE_MM))  # logistic
    return coeff * water


def _log_noise(rng: np.random.Generator) -> np.ndarray:
    eps = rng.standard_normal(N_DAYS + _SPIN_UP_DAYS)
    z = lfilter([np.sqrt(1.0 - _NOISE_PHI**2)], [1.0, -_NOISE_PHI], eps)[_SPIN_UP_DAYS:]
    return np.exp(_NOISE_SD * z - 0.5 * _NOISE_SD**2)


def daily_river_flow_m3s(
    weather: DailyWeather,
    *,
    mean_flow_m3s: float,
    pet_mm_daily: np.ndarray | None = None,
    state: float | None = None,
    rng: np.random.Generator,
    lat_deg: float = DEFAULT_LAT_DEG,
) -> tuple[np.ndarray, float]:
    """Natural daily river flow (m³/s, 365,) and the new slow-store state.

    Parameters
    ----------
    weather : DailyWeather
        The year's weather at the territory (proxy for the basin).
    mean_flow_m3s : float
        Mean flow in the reference climate (Garonne at Portet ≈ 190 m³/s, unconfirmed).
    pet_mm_daily : array (365,), optional
        Potential evapotranspiration, mm/day; Hargreaves at ``lat_deg`` if None.
    state : float, optional
        Slow-store outflow (mm/day) at the end of the previous year, as returned by the
        previous call; None spins the store up on this year's weather.
    rng : numpy.random.Generator
        Source of the flow noise.
    lat_deg : float
        Latitude for the default PET.

    Returns
    -------
    flow_m3s : np.ndarray (365,)
        Natural flow, without low-flow support (reservoir releases are decided day by day
        in :mod:`territoire_abm.flows.basin`).
    new_state : float
        Slow-store outflow on 31 December, mm/day.
    """
    if not mean_flow_m3s > 0:
        raise UserError("mean_flow_m3s", mean_flow_m3s, "a flow > 0 m³/s")
    pet = fao56_pet_mm(weather, lat_deg=lat_deg) if pet_mm_daily is None else pet_mm_daily
    rain = _effective_rain(weather.precip_mm, np.asarray(pet, dtype=float))
    quick, _ = _reservoir(rain, _QUICK_TAU_D, 0.0)
    year_rain = rain[_SPIN_UP_DAYS:]
    if state is None:
        _, state = _reservoir(year_rain, _SLOW_TAU_D, float(year_rain.mean()))
    slow, new_state = _reservoir(year_rain, _SLOW_TAU_D, float(state))
    routed = _QUICK_SHARE * quick[_SPIN_UP_DAYS:] + (1.0 - _QUICK_SHARE) * slow
    snow = np.exp(-_SNOW_SENSITIVITY_PER_C * (weather.tmean_c[:90].mean() - _SNOW_REF_TMEAN_C))
    relative = ((1.0 - _NIVAL_SHARE) * routed / _Q_REF_MM_DAY
                + _NIVAL_SHARE * _nival_shape() * snow)
    return mean_flow_m3s * relative * _log_noise(rng), new_state


def thresholds_from_alert(alert_m3s: float, crisis_ratio: float | None = None
                          ) -> dict[str, float]:
    """The four restriction thresholds (m³/s) from an alert threshold (derived ratios);
    ``crisis_ratio`` overrides the crisis/alert ratio (Portet: DCR 27 / alert 38)."""
    ratios = dict(THRESHOLD_RATIOS)
    if crisis_ratio is not None:
        ratios["crisis"] = crisis_ratio
    return {f"{k}_m3s": alert_m3s * r for k, r in ratios.items()}


def moving_minimum(flow_m3s: np.ndarray, window_days: int = WINDOW_DAYS) -> np.ndarray:
    """Trailing moving minimum (the first days use the days available)."""
    flow = np.asarray(flow_m3s, dtype=float)
    padded = np.concatenate([np.full(window_days - 1, np.inf), flow])
    return sliding_window_view(padded, window_days).min(axis=1)


def restriction_levels(
    flow_m3s: np.ndarray,
    *,
    vigilance_m3s: float = GARONNE_ALERT_M3S * THRESHOLD_RATIOS["vigilance"],
    alert_m3s: float = GARONNE_ALERT_M3S,
    reinforced_m3s: float = GARONNE_ALERT_M3S * THRESHOLD_RATIOS["reinforced"],
    crisis_m3s: float = GARONNE_ALERT_M3S * THRESHOLD_RATIOS["crisis"],
) -> np.ndarray:
    """Daily restriction level (int8): −1 none … 3 crise (see :data:`RESTRICTION_NAMES`).

    A level applies when the trailing 10-day minimum flow is strictly below its threshold.
    Defaults: Garonne at Portet, 47.5 / 38 / 30.4 / 22.8 m³/s (alert from DOMAIN.md §1,
    the others derived).

    Raises
    ------
    UserError
        If the thresholds are not strictly decreasing from vigilance to crisis.
    """
    thresholds = np.array([vigilance_m3s, alert_m3s, reinforced_m3s, crisis_m3s], dtype=float)
    if not np.all(np.diff(thresholds) < 0) or thresholds[-1] < 0:
        raise UserError(
            "restriction thresholds", tuple(thresholds.tolist()),
            "vigilance > alert > reinforced > crisis >= 0 (m³/s)",
        )
    low = moving_minimum(flow_m3s)
    crossed = (low[:, None] < thresholds[None, :]).sum(axis=1)
    return (crossed - 1).astype(np.int8)
