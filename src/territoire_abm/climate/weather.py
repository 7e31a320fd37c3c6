"""Seeded daily weather generator (WGEN-type) driven by monthly normals and deltas.

One call gives one 365-day year. The recipe follows Richardson 1981 (Water Resources
Research 17(1):182–190, WGEN):

1. **Seasonal cycle.** Monthly normals (+ monthly deltas) become a smooth daily cycle by a
   periodic cubic spline through mid-month values, corrected so that each month's mean is
   exactly the monthly value (a mean-preserving interpolation in the spirit of
   Epstein 1991, J. Climate 4:365–368).
2. **Wet days.** A two-state first-order Markov chain (Richardson 1981). The wet-day (≥ 1 mm)
   frequency of a month is f = P / (n_days × I), with I the mean amount per wet day, 6 mm
   (assumed; typical of lowland south-west France, unconfirmed), capped at 0.8. Transitions
   follow Geng et al. 1986 (Agric. For. Meteorol. 36:363–376): p(W|D) = (1 − r)·f,
   p(W|W) = r + (1 − r)·f with r = 0.25. Amounts are 1 mm plus a gamma variable with
   shape 0.75 (gamma shape < 1 is typical, Wilks 1999, Agric. For. Meteorol. 93:153–169),
   scaled so that the monthly mean total is preserved.
3. **Temperatures.** Daily anomalies of Tmax and Tmin are AR(1) processes with lag-1
   correlation 0.7 and standard deviations 3.5 °C (Tmax) and 2.8 °C (Tmin), cross-correlated
   at 0.6 (orders of magnitude of Richardson 1981). Tmax is 3 °C lower on wet days than on
   dry days, Tmin 0.5 °C higher, offsets weighted so that monthly means are preserved
   (WGEN conditions temperature on wet/dry state the same way).
4. **Warming-dependent extremes** (assumed, unconfirmed; direction from Schär et al. 2004,
   Nature 427:332–336 and Météo-France 2024). Let x = max(0, warming_c − 1.3 °C), the
   warming beyond the 1991–2020 normals. In summer (a seasonal weight peaking mid-July):
   the anomaly standard deviation grows by 6 %/°C of x, the lag-1 correlation rises from 0.7
   towards 0.9 (blend weight 0.25/°C of x), and the wet-day persistence r grows by
   0.05/°C of x, lengthening dry spells. The mean intensity of wet days grows by
   4.5 %/°C of the annual delta (annual maximum daily rain +15 % at +3.3 °C over 1976–2005,
   Météo-France 2024), with wet-day frequency reduced to keep monthly totals.

All stochastic draws come from the ``rng`` passed in, in a fixed order and number, so the
same seed gives the same year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import lfilter

from territoire_abm.errors import UserError

N_DAYS = 365
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
MONTH_OF_DAY = np.repeat(np.arange(12), DAYS_IN_MONTH)
#: Day of year, 1-based (1 = 1 January), no leap day.
DAY_OF_YEAR = np.arange(1, N_DAYS + 1)

#: France warming of the 1991–2020 normals (see scenarios.REFERENCE_WARMING_C).
VARIABILITY_BASELINE_C = 1.3

_WET_THRESHOLD_MM = 1.0
_WET_DAY_MEAN_MM = 6.0
_WET_FREQ_MAX = 0.8
_GAMMA_SHAPE = 0.75
_INTENSITY_GAIN_PER_C = 0.045
_WET_PERSISTENCE = 0.25
_WET_PERSISTENCE_GAIN_PER_C = 0.05
_WET_PERSISTENCE_MAX = 0.6

_SD_TMAX_C = 3.5
_SD_TMIN_C = 2.8
_CROSS_CORR = 0.6
_PHI_BASE = 0.7
_PHI_PERSISTENT = 0.9
_BLEND_GAIN_PER_C = 0.25
_SD_GAIN_PER_C = 0.06
_TMAX_WET_DRY_C = 3.0
_TMIN_WET_DRY_C = -0.5
_MIN_DTR_C = 0.2
_SPIN_UP_DAYS = 60
_SUMMER_PEAK_DOY = 196  # 15 July


@dataclass
class DailyWeather:
    """One year of daily weather (365 days, no leap day).

    Attributes
    ----------
    tmin_c, tmax_c : np.ndarray
        Daily minimum and maximum air temperature, °C, shape (365,).
    precip_mm : np.ndarray
        Daily precipitation, mm, shape (365,).
    year : int
        Calendar year (label only).
    """

    tmin_c: np.ndarray
    tmax_c: np.ndarray
    precip_mm: np.ndarray
    year: int = 0

    @property
    def tmean_c(self) -> np.ndarray:
        """Daily mean temperature, (Tmin + Tmax) / 2, °C."""
        return 0.5 * (self.tmin_c + self.tmax_c)


@cache
def _daily_from_monthly_matrix() -> np.ndarray:
    """(365, 12) matrix turning monthly means into a smooth daily cycle with those means."""
    mid = np.cumsum(DAYS_IN_MONTH) - DAYS_IN_MONTH / 2.0
    nodes = np.concatenate([mid, [mid[0] + N_DAYS]])
    values = np.vstack([np.eye(12), np.eye(12)[:1]])
    spline = CubicSpline(nodes, values, bc_type="periodic", axis=0)
    t = np.arange(N_DAYS) + 0.5
    basis = spline(np.where(t < mid[0], t + N_DAYS, t))
    averaging = np.zeros((12, N_DAYS))
    averaging[MONTH_OF_DAY, np.arange(N_DAYS)] = 1.0 / DAYS_IN_MONTH[MONTH_OF_DAY]
    matrix = basis @ np.linalg.inv(averaging @ basis)
    matrix.setflags(write=False)
    return matrix


def daily_cycle(monthly: np.ndarray) -> np.ndarray:
    """Smooth daily values (365,) whose monthly means equal ``monthly`` (12,)."""
    return _daily_from_monthly_matrix() @ np.asarray(monthly, dtype=float)


@cache
def _summer_weight() -> np.ndarray:
    """Seasonal weight, 1 in mid-July, about 0.25 in mid-April/October, 0 in winter."""
    phase = 2.0 * np.pi * (DAY_OF_YEAR - _SUMMER_PEAK_DOY) / N_DAYS
    weight = (0.5 * (1.0 + np.cos(phase))) ** 2
    weight.setflags(write=False)
    return weight


def _as_monthly(name: str, values: object) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (12,) or not np.all(np.isfinite(arr)):
        raise UserError(name, values, "12 finite monthly values")
    return arr


def _ar1(eps: np.ndarray, phi: float) -> np.ndarray:
    """Unit-variance AR(1) along the last axis, spin-up days dropped."""
    series = lfilter([np.sqrt(1.0 - phi * phi)], [1.0, -phi], eps, axis=-1)
    return series[..., _SPIN_UP_DAYS:]


def _wet_days(
    wet_freq: np.ndarray, persistence: np.ndarray, uniform: np.ndarray, first_wet: bool
) -> np.ndarray:
    """Two-state Markov chain, vectorised.

    With p01 < p11, a day is wet for sure if u < p01, dry for sure if u >= p11, and
    otherwise repeats the previous day's state: a forward fill of the decided days.
    """
    p01 = (1.0 - persistence) * wet_freq
    p11 = persistence + p01
    wet = uniform < p01
    decided = wet | (uniform >= p11)
    idx = np.where(decided, np.arange(N_DAYS), -1)
    np.maximum.accumulate(idx, out=idx)
    return np.where(idx >= 0, wet[np.maximum(idx, 0)], first_wet)


def _precipitation(
    precip_monthly_mm: np.ndarray, annual_delta_c: float, excess_c: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily precipitation (mm) and the daily wet-day frequency used to draw it."""
    uniform = rng.random(N_DAYS + 1)
    excess_amount = rng.gamma(_GAMMA_SHAPE, 1.0, N_DAYS)
    intensity = _WET_DAY_MEAN_MM * max(0.2, 1.0 + _INTENSITY_GAIN_PER_C * annual_delta_c)
    monthly_freq = precip_monthly_mm / (DAYS_IN_MONTH * intensity)
    monthly_freq = np.clip(monthly_freq, 0.0, _WET_FREQ_MAX)
    # keep monthly totals when the frequency is capped: raise the intensity instead
    per_wet = np.where(
        monthly_freq > 0, precip_monthly_mm / (DAYS_IN_MONTH * np.maximum(monthly_freq, 1e-12)),
        0.0,
    )
    wet_freq = monthly_freq[MONTH_OF_DAY]
    persistence = np.minimum(
        _WET_PERSISTENCE + _WET_PERSISTENCE_GAIN_PER_C * excess_c * _summer_weight(),
        _WET_PERSISTENCE_MAX,
    )
    wet = _wet_days(wet_freq, persistence, uniform[1:], bool(uniform[0] < wet_freq[0]))
    scale = np.maximum(per_wet[MONTH_OF_DAY] - _WET_THRESHOLD_MM, 0.0) / _GAMMA_SHAPE
    return np.where(wet, _WET_THRESHOLD_MM + excess_amount * scale, 0.0), wet_freq


def _anomalies(excess_c: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Standardised Tmax and Tmin anomalies with warming-dependent summer persistence."""
    eps = rng.standard_normal((4, N_DAYS + _SPIN_UP_DAYS))
    base = _ar1(eps[:2], _PHI_BASE)
    persistent = _ar1(eps[2:], _PHI_PERSISTENT)
    blend = np.minimum(_BLEND_GAIN_PER_C * excess_c, 1.0) * _summer_weight()
    mixed = np.sqrt(1.0 - blend) * base + np.sqrt(blend) * persistent
    z_max = mixed[0]
    z_min = _CROSS_CORR * mixed[0] + np.sqrt(1.0 - _CROSS_CORR**2) * mixed[1]
    return z_max, z_min


def _wet_dry_offsets(wet: np.ndarray, wet_freq: np.ndarray, size_c: float) -> np.ndarray:
    """Offset −size·(1 − f) on wet days and +size·f on dry days: zero mean in expectation."""
    return np.where(wet, -size_c * (1.0 - wet_freq), size_c * wet_freq)


def generate_year(
    tmin_normal_c: np.ndarray,
    tmax_normal_c: np.ndarray,
    precip_normal_mm: np.ndarray,
    *,
    delta_c_monthly: np.ndarray,
    precip_factor_monthly: np.ndarray,
    warming_c: float,
    rng: np.random.Generator,
    year: int = 0,
) -> DailyWeather:
    """Generate one year of daily Tmin, Tmax and precipitation.

    Parameters
    ----------
    tmin_normal_c, tmax_normal_c : array (12,)
        Monthly normals of daily minimum / maximum temperature, °C.
    precip_normal_mm : array (12,)
        Monthly normal precipitation totals, mm.
    delta_c_monthly : array (12,)
        Warming added to the temperature normals, °C
        (:func:`~territoire_abm.climate.scenarios.monthly_temperature_delta_c`).
    precip_factor_monthly : array (12,)
        Multiplicative change of monthly precipitation
        (:func:`~territoire_abm.climate.scenarios.monthly_precip_factor`).
    warming_c : float
        France warming vs pre-industrial this year, °C; drives the growth of summer
        variability, persistence and dry spells beyond the 1991–2020 level (1.3 °C).
    rng : numpy.random.Generator
        Source of all randomness.
    year : int
        Calendar year stored on the result.

    Returns
    -------
    DailyWeather
        With ``tmin_c <= tmax_c`` and ``precip_mm >= 0`` everywhere.
    """
    tmin_n = _as_monthly("tmin_normal_c", tmin_normal_c)
    tmax_n = _as_monthly("tmax_normal_c", tmax_normal_c)
    precip_n = _as_monthly("precip_normal_mm", precip_normal_mm)
    delta = _as_monthly("delta_c_monthly", delta_c_monthly)
    factor = _as_monthly("precip_factor_monthly", precip_factor_monthly)
    if np.any(precip_n < 0) or np.any(factor < 0):
        raise UserError("precip_normal_mm", precip_normal_mm, "monthly totals >= 0")
    if np.any(tmin_n > tmax_n):
        raise UserError("tmin_normal_c", tmin_normal_c, "each month's Tmin <= Tmax")
    if not np.isfinite(warming_c):
        raise UserError("warming_c", warming_c, "a finite warming in °C")
    excess_c = max(0.0, float(warming_c) - VARIABILITY_BASELINE_C)
    precip_monthly = precip_n * factor
    precip, wet_freq = _precipitation(precip_monthly, float(delta.mean()), excess_c, rng)
    z_max, z_min = _anomalies(excess_c, rng)
    wet = precip > 0
    sd_gain = 1.0 + _SD_GAIN_PER_C * excess_c * _summer_weight()
    tmax = daily_cycle(tmax_n + delta) + _wet_dry_offsets(wet, wet_freq, _TMAX_WET_DRY_C)
    tmin = daily_cycle(tmin_n + delta) + _wet_dry_offsets(wet, wet_freq, _TMIN_WET_DRY_C)
    tmax = tmax + _SD_TMAX_C * sd_gain * z_max
    tmin = tmin + _SD_TMIN_C * sd_gain * z_min
    mid, half = 0.5 * (tmax + tmin), 0.5 * np.maximum(tmax - tmin, _MIN_DTR_C)
    return DailyWeather(tmin_c=mid - half, tmax_c=mid + half, precip_mm=precip, year=int(year))


# --------------------------------------------------------------------------------------
# Hourly temperature
# --------------------------------------------------------------------------------------

_HOUR_TMIN = 6.0
_HOUR_TMAX = 15.0


@cache
def _diurnal_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per hour of day: segment (0 night-before, 1 rising, 2 evening) and cosine weight."""
    hours = np.arange(24, dtype=float)
    night = hours < _HOUR_TMIN
    rising = (hours >= _HOUR_TMIN) & (hours <= _HOUR_TMAX)
    fall_len = 24.0 - _HOUR_TMAX + _HOUR_TMIN
    frac = np.where(
        night, (hours + 24.0 - _HOUR_TMAX) / fall_len,
        np.where(rising, (hours - _HOUR_TMIN) / (_HOUR_TMAX - _HOUR_TMIN),
                 (hours - _HOUR_TMAX) / fall_len),
    )
    weight = 0.5 * (1.0 - np.cos(np.pi * frac))
    for arr in (night, rising, weight):
        arr.setflags(write=False)
    return night, rising, weight


def hourly_temperature_c(weather: DailyWeather) -> np.ndarray:
    """Hourly air temperature (8760,), °C, from daily Tmin and Tmax.

    Cosine interpolation: Tmin at 06:00, Tmax at 15:00, then a cosine fall to the next
    day's Tmin (a WAVE-type scheme; Reicosky et al. 1989, Agric. For. Meteorol.
    46:193–209). Hour h stands for h:00 local solar time. The year wraps around: the night
    of 1 January follows 31 December's Tmax of the same year.
    """
    tmin, tmax = weather.tmin_c, weather.tmax_c
    night, rising, weight = _diurnal_weights()
    prev_tmax = np.roll(tmax, 1)[:, None]
    next_tmin = np.roll(tmin, -1)[:, None]
    start = np.where(night, prev_tmax, np.where(rising, tmin[:, None], tmax[:, None]))
    end = np.where(night, tmin[:, None], np.where(rising, tmax[:, None], next_tmin))
    return (start + (end - start) * weight).ravel()


# --------------------------------------------------------------------------------------
# Photovoltaic output
# --------------------------------------------------------------------------------------

_PV_TILT_DEG = 30.0
_ALBEDO = 0.2
_NOCT_C = 45.0
_TEMP_COEFF_PER_C = -0.004
#: System losses (inverter, wiring, soiling, mismatch), calibrated so Montauban-like
#: 1991–2020 weather at 43.3° N gives about 1,300 kWh/kWp/yr (DOMAIN.md §4: 1,250–1,350
#: in Haute-Garonne).
_PV_SYSTEM_FACTOR = 0.84
_CLEAR_DRY, _CLEAR_WET, _CLEAR_SD = 0.88, 0.40, 0.12


@cache
def _solar_geometry(lat_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cos(zenith), cos(incidence on a tilted plane facing the equator — south in the northern
    hemisphere, north in the southern), normal extraterrestrial irradiance (W/m²), shape
    (365, 24), at mid-hour solar time; read-only, cached per latitude.

    All from pvlib (Anderson et al. 2023, JOSS 8:5994), which implements the definitions cited
    here exactly (Duffie & Beckman 2013, Solar Engineering of Thermal Processes, ch. 1–2):
    declination after Cooper 1969 (``declination_cooper69``), zenith and azimuth by the
    spherical-trigonometry formulas
    (``solar_zenith_analytical``, ``solar_azimuth_analytical``), cos(incidence) on the plane
    (``irradiance.aoi_projection``) and G_on = 1361·(1 + 0.033·cos(2π·n/365)) W/m²
    (``get_extra_radiation(method="asce", solar_constant=1361)``; Duffie & Beckman eq. 1.4.1a
    with the 1361 W/m² solar constant of Kopp & Lean 2011). The hour angle is 15° per hour
    from solar noon, hour h standing for h:30 solar time (pvlib's ``hour_angle`` converts
    clock time, which the model does not use). pvlib is imported here, on first use, so that
    the command line does not pay its import (0.1–0.3 s).
    """
    from pvlib import irradiance, solarposition

    phi = np.deg2rad(lat_deg)
    decl = solarposition.declination_cooper69(DAY_OF_YEAR)[:, None]
    omega = np.deg2rad(15.0 * (np.arange(24) + 0.5 - 12.0))[None, :]
    zenith = solarposition.solar_zenith_analytical(phi, omega, decl)
    cos_z = np.cos(zenith)
    up = cos_z > 0
    with np.errstate(invalid="ignore"):  # azimuth is undefined below the horizon
        azimuth = solarposition.solar_azimuth_analytical(phi, omega, decl, zenith)
        cos_i = irradiance.aoi_projection(_PV_TILT_DEG, 180.0 if lat_deg >= 0 else 0.0,
                                          np.rad2deg(zenith),
                                          np.rad2deg(azimuth))
    g_on = irradiance.get_extra_radiation(DAY_OF_YEAR, method="asce", solar_constant=1361.0)
    result = (np.where(up, cos_z, 0.0), np.where(up, np.maximum(cos_i, 0.0), 0.0),
              np.asarray(g_on, dtype=float)[:, None])
    for arr in result:
        arr.setflags(write=False)
    return result


#: Haurwitz clear-sky constants: GHI = 1098·cos z·exp(−0.057 / cos z) W/m², the form quoted by
#: Reno, Hansen & Stein 2012 (Sandia SAND2012-2389). pvlib's ``clearsky.haurwitz`` uses −0.059:
#: −0.5 % of the annual yield here (1,301 → 1,294 kWh/kWp/yr, 30 seeded years at 43.3° N);
#: the system factor was calibrated with −0.057, so ours is kept (checked against pvlib's in
#: tests/test_solar.py).
_HAURWITZ_W_M2, _HAURWITZ_EXP = 1098.0, 0.057


def _clear_sky_ghi(cos_z: np.ndarray) -> np.ndarray:
    """Clear-sky global horizontal irradiance, W/m², after Haurwitz 1945 (J. Meteorol.
    2:154–166); 0 when the sun is down."""
    safe_cos_z = np.maximum(cos_z, 1e-3)
    return np.where(cos_z > 0, _HAURWITZ_W_M2 * cos_z * np.exp(-_HAURWITZ_EXP / safe_cos_z), 0.0)


def _erbs_diffuse_fraction(kt: np.ndarray) -> np.ndarray:
    """Diffuse fraction of global horizontal irradiance (Erbs et al. 1982, Solar Energy 28).

    The polynomial of ``pvlib.irradiance.erbs``, kept here because pvlib's function computes
    the clearness index kt from its own extraterrestrial irradiance (Spencer 1971, solar
    constant 1366.1 W/m²), not the 1361 W/m² model of :func:`_solar_geometry`; with the same
    kt both give the same diffuse irradiance to the bit (tests/test_solar.py). pvlib's
    whole function would lower the yield by 0.1 %.
    """
    mid = 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return np.where(kt <= 0.22, 1.0 - 0.09 * kt, np.where(kt <= 0.8, mid, 0.165))


def solar_capacity_factor_hourly(
    lat_deg: float, weather: DailyWeather, rng: np.random.Generator,
    hourly_temperature: np.ndarray | None = None,
) -> np.ndarray:
    """Hourly PV output per kWp (kW/kWp, 8760,) for a module tilted 30° facing the equator.

    Clear-sky global horizontal irradiance after Haurwitz 1945 (:func:`_clear_sky_ghi`),
    times a daily clearness drawn around 0.88 on dry days and 0.40 on wet days (sd 0.12;
    assumed). Beam and diffuse split by Erbs et al. 1982 (:func:`_erbs_diffuse_fraction`);
    then pvlib: isotropic-sky transposition (Liu & Jordan 1963; ``irradiance.isotropic``,
    ``get_ground_diffuse``, albedo 0.2), cell temperature from Ross's NOCT model (45 °C;
    ``temperature.ross``) and PVWatts DC power with −0.4 %/°C (``pvsystem.pvwatts_dc``) for
    1 kWp derated by a system factor of 0.84 calibrated to ~1,300 kWh/kWp/yr at 43.3° N
    (DOMAIN.md §4). Geometry: :func:`_solar_geometry`.
    """
    from pvlib import irradiance, pvsystem, temperature

    cos_z, cos_i, g_on = _solar_geometry(float(lat_deg))
    ghi_clear = _clear_sky_ghi(cos_z)
    wet = weather.precip_mm >= 1.0
    clearness = np.where(wet, _CLEAR_WET, _CLEAR_DRY) + _CLEAR_SD * rng.standard_normal(N_DAYS)
    ghi = ghi_clear * np.clip(clearness, 0.05, 1.0)[:, None]
    g0h = g_on * cos_z
    kt = np.divide(ghi, g0h, out=np.zeros_like(ghi), where=g0h > 1.0)
    diffuse = ghi * _erbs_diffuse_fraction(np.clip(kt, 0.0, 1.0))
    beam_normal = np.where(cos_z > 0.05, (ghi - diffuse) / np.maximum(cos_z, 1e-3), 0.0)
    poa = (beam_normal * cos_i + irradiance.isotropic(_PV_TILT_DEG, diffuse)
           + irradiance.get_ground_diffuse(_PV_TILT_DEG, ghi, albedo=_ALBEDO))
    if hourly_temperature is None:  # callers that already have it pass it in
        hourly_temperature = hourly_temperature_c(weather)
    t_cell = temperature.ross(poa, hourly_temperature.reshape(N_DAYS, 24), noct=_NOCT_C)
    power = pvsystem.pvwatts_dc(poa, t_cell, pdc0=_PV_SYSTEM_FACTOR,
                                gamma_pdc=_TEMP_COEFF_PER_C)
    return np.clip(power, 0.0, 1.0).ravel()
