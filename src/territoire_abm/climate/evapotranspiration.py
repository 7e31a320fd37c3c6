"""Reference evapotranspiration by FAO-56 Penman–Monteith from the generator's variables.

The weather generator gives daily Tmin, Tmax and precipitation only, so the missing inputs
are estimated the way FAO-56 prescribes for missing data (Allen et al. 1998, Irrigation and
Drainage Paper 56, ch. 3 and Annex 6):

- solar radiation from the temperature range, Rs = kRs·√(Tmax − Tmin)·Ra (eq. 50;
  kRs = 0.16 for interior locations, 0.19 coastal);
- actual vapour pressure from the dew point, taken as Tmin minus a dew-point depression
  (eq. 48; 0 °C in humid and sub-humid climates, about 2 °C in arid ones, Annex 6);
- wind speed 2 m/s at 2 m (the FAO-56 default when no data, §"Missing wind speed data");
- clear-sky radiation Rso = (0.75 + 2·10⁻⁵·z)·Ra (eq. 37), net long-wave radiation eq. 39,
  albedo 0.23, soil heat flux 0 at the daily step (eq. 42).

The Penman–Monteith equation itself is FAO-56 eq. 6. pyet's ``pm_fao56`` implements the same
equations but takes pandas objects and costs about 70 ms per year of 365 days, too slow for a
model that computes 76 years × several seeds per run; this vectorised version costs well
under a millisecond and is checked against FAO-56's worked Example 18 (3.9 mm/day) and
against pyet on random inputs (``tests/test_evapotranspiration.py``).
"""

from __future__ import annotations

import numpy as np

from territoire_abm.climate.weather import DAY_OF_YEAR, DailyWeather

_SOLAR_CONSTANT_MJ_MIN = 0.0820
_STEFAN_BOLTZMANN_MJ = 4.903e-9  # MJ K-4 m-2 day-1
_ALBEDO = 0.23
_MJ_TO_MM = 0.408


def saturation_vapour_pressure_kpa(t_c: np.ndarray | float) -> np.ndarray:
    """e°(T), kPa (FAO-56 eq. 11)."""
    t = np.asarray(t_c, dtype=float)
    return 0.6108 * np.exp(17.27 * t / (t + 237.3))


def extraterrestrial_radiation_mj(lat_deg: float, day_of_year: np.ndarray = DAY_OF_YEAR
                                  ) -> np.ndarray:
    """Daily extraterrestrial radiation Ra, MJ m⁻² day⁻¹ (FAO-56 eqs. 21–25)."""
    phi = np.deg2rad(lat_deg)
    angle = 2.0 * np.pi * np.asarray(day_of_year, dtype=float) / 365.0
    dr = 1.0 + 0.033 * np.cos(angle)
    decl = 0.409 * np.sin(angle - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(decl), -1.0, 1.0))
    return (24.0 * 60.0 / np.pi) * _SOLAR_CONSTANT_MJ_MIN * dr * (
        ws * np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.sin(ws))


def penman_monteith_mm(
    tmin_c: np.ndarray,
    tmax_c: np.ndarray,
    *,
    lat_deg: float,
    elevation_m: float = 0.0,
    wind_m_s: float | np.ndarray = 2.0,
    day_of_year: np.ndarray = DAY_OF_YEAR,
    rs_mj: np.ndarray | None = None,
    ea_kpa: np.ndarray | None = None,
    krs: float = 0.16,
    dewpoint_depression_c: float | np.ndarray = 0.0,
) -> np.ndarray:
    """FAO-56 reference evapotranspiration ET0, mm/day (eq. 6).

    ``rs_mj`` (solar radiation, MJ m⁻² day⁻¹) and ``ea_kpa`` (actual vapour pressure) are
    estimated from temperature when not given (eqs. 50 and 48, see the module docstring).
    """
    tmin, tmax = np.asarray(tmin_c, dtype=float), np.asarray(tmax_c, dtype=float)
    tmean = 0.5 * (tmin + tmax)
    ra = extraterrestrial_radiation_mj(lat_deg, day_of_year)
    rs = krs * np.sqrt(np.maximum(tmax - tmin, 0.0)) * ra if rs_mj is None else rs_mj
    ea = (saturation_vapour_pressure_kpa(tmin - dewpoint_depression_c) if ea_kpa is None
          else np.asarray(ea_kpa, dtype=float))
    es = 0.5 * (saturation_vapour_pressure_kpa(tmax) + saturation_vapour_pressure_kpa(tmin))
    rso = (0.75 + 2e-5 * elevation_m) * ra
    ratio = np.clip(np.divide(rs, rso, out=np.ones_like(ra), where=rso > 0), 0.25, 1.0)
    rnl = (_STEFAN_BOLTZMANN_MJ * 0.5 * ((tmax + 273.16) ** 4 + (tmin + 273.16) ** 4)
           * (0.34 - 0.14 * np.sqrt(np.maximum(ea, 0.0))) * (1.35 * ratio - 0.35))
    rn = (1.0 - _ALBEDO) * rs - rnl
    pressure = 101.3 * ((293.0 - 0.0065 * elevation_m) / 293.0) ** 5.26
    gamma = 0.665e-3 * pressure
    delta = 4098.0 * saturation_vapour_pressure_kpa(tmean) / (tmean + 237.3) ** 2
    wind = np.asarray(wind_m_s, dtype=float)
    numerator = (_MJ_TO_MM * delta * rn
                 + gamma * 900.0 / (tmean + 273.0) * wind * np.maximum(es - ea, 0.0))
    return np.maximum(numerator / (delta + gamma * (1.0 + 0.34 * wind)), 0.0)


def fao56_pet_mm(weather: DailyWeather, *, lat_deg: float, elevation_m: float = 0.0,
                 wind_m_s: float = 2.0, krs: float = 0.16,
                 dewpoint_depression_c: float = 0.0) -> np.ndarray:
    """Daily FAO-56 ET0 (mm/day, 365,) for one generated year."""
    return penman_monteith_mm(weather.tmin_c, weather.tmax_c, lat_deg=lat_deg,
                              elevation_m=elevation_m, wind_m_s=wind_m_s, krs=krs,
                              dewpoint_depression_c=dewpoint_depression_c)
