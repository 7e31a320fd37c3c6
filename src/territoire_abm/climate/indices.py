"""Yearly climate indices from one year of daily weather.

Definitions
-----------
- Hot days: Tmax > 30 °C and Tmax > 35 °C; tropical nights: Tmin > 20 °C; frost days:
  Tmin < 0 °C (Météo-France / DRIAS indicator conventions).
- Heat wave ("canicule", Météo-France and Santé publique France heat-health warning system):
  the 3-day means of Tmin (IBMn) and Tmax (IBMx) both reach departmental thresholds. Here
  every day of a qualifying 3-day window counts as a heat-wave day. Default thresholds
  20 / 34 °C are a mid-range departmental pair (those of the Rhône); Haute-Garonne uses
  about 21 / 36 °C (DOMAIN.md §1 brief, unconfirmed) — pass them explicitly there.
- Heating degree days: Σ max(0, 18 − Tmean) (base 18 °C, the French "DJU" convention of
  Météo-France, mean-temperature method). Cooling degree days: Σ max(0, Tmean − 22) (base
  22 °C, a model convention: no single French standard; Eurostat uses 21 °C when the mean
  exceeds 24 °C). Hourly degree-hours should use ``weather.hourly_temperature_c``.
- Longest dry spell: longest run of days with precipitation < 1 mm.
- Potential evapotranspiration (PET): FAO-56 Penman–Monteith from temperature
  (:mod:`territoire_abm.climate.evapotranspiration`) by default. Hargreaves & Samani 1985
  (Applied Engineering in Agriculture 1(2):96–99), PET = 0.0023 · Ra · (Tmean + 17.8) ·
  √(Tmax − Tmin), is kept for comparison: it rises about as much with warming when humidity
  is held, but cannot represent drier air.
- Drought index: SPEI-like (Vicente-Serrano et al. 2010, J. Climate 23:1696–1718) but a
  plain z-score: the April–September water balance Σ(P − PET) standardised by a fixed
  climatological mean and standard deviation. Defaults were estimated from 300 seeded
  years of the generator with the default place's normals (1991–2020, no delta), FAO-56 PET
  (``benchmarks/calibrate_hydrology.py``), so the
  reference climate gives ≈ 0; negative is drier. For another place, estimate its own
  mean and sd with :func:`growing_season_balance_mm` over reference years.
"""

from __future__ import annotations

import numpy as np

from territoire_abm.climate.evapotranspiration import fao56_pet_mm
from territoire_abm.climate.weather import DAY_OF_YEAR, N_DAYS, DailyWeather

#: Default latitude (Carbonne / Garonne plain), degrees north.
DEFAULT_LAT_DEG = 43.3
#: Reference mean and sd of the April–September balance Σ(P − PET), mm (see module doc).
DROUGHT_REF_MEAN_MM = -356.0
DROUGHT_REF_SD_MM = 75.0

_SOLAR_CONSTANT_MJ_MIN = 0.0820  # MJ m-2 min-1, FAO-56
_MM_PER_MJ = 0.408
_GROWING_SEASON = slice(90, 273)  # 1 April – 30 September, 0-based day indices
_DRY_THRESHOLD_MM = 1.0

INDEX_KEYS = (
    "hot_days_30", "hot_days_35", "tropical_nights", "heat_wave_days", "hdd", "cdd",
    "longest_dry_spell_days", "precip_mm", "tmean_c", "frost_days", "drought_index", "pet_mm",
)


def extraterrestrial_radiation_mm(lat_deg: float) -> np.ndarray:
    """Daily extraterrestrial radiation as evaporation equivalent, mm/day (365,).

    FAO-56 (Allen et al. 1998, Irrigation and Drainage Paper 56), eqs. 21–25.
    """
    phi = np.deg2rad(lat_deg)
    angle = 2.0 * np.pi * DAY_OF_YEAR / 365.0
    dr = 1.0 + 0.033 * np.cos(angle)
    decl = 0.409 * np.sin(angle - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(decl), -1.0, 1.0))
    ra_mj = (24.0 * 60.0 / np.pi) * _SOLAR_CONSTANT_MJ_MIN * dr * (
        ws * np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.sin(ws)
    )
    return _MM_PER_MJ * ra_mj


def hargreaves_pet_mm(weather: DailyWeather, lat_deg: float = DEFAULT_LAT_DEG) -> np.ndarray:
    """Daily potential evapotranspiration, mm/day (365,), Hargreaves & Samani 1985."""
    dtr = np.maximum(weather.tmax_c - weather.tmin_c, 0.0)
    pet = 0.0023 * extraterrestrial_radiation_mm(lat_deg) * (weather.tmean_c + 17.8)
    return np.maximum(pet * np.sqrt(dtr), 0.0)


def _default_pet(weather: DailyWeather, lat_deg: float) -> np.ndarray:
    return fao56_pet_mm(weather, lat_deg=lat_deg)


def growing_season_balance_mm(
    weather: DailyWeather, pet_mm_daily: np.ndarray | None = None,
    lat_deg: float = DEFAULT_LAT_DEG,
) -> float:
    """Σ(P − PET) over 1 April – 30 September, mm."""
    pet = _default_pet(weather, lat_deg) if pet_mm_daily is None else pet_mm_daily
    return float(np.sum(weather.precip_mm[_GROWING_SEASON] - pet[_GROWING_SEASON]))


def heat_wave_mask(
    weather: DailyWeather, tmin_threshold_c: float, tmax_threshold_c: float
) -> np.ndarray:
    """Heat-wave days (bool, 365): days in a 3-day window whose mean Tmin and mean Tmax
    both reach the thresholds (Météo-France canicule definition)."""
    kernel = np.ones(3) / 3.0
    ibmn = np.convolve(weather.tmin_c, kernel, mode="valid")
    ibmx = np.convolve(weather.tmax_c, kernel, mode="valid")
    start = (ibmn >= tmin_threshold_c) & (ibmx >= tmax_threshold_c)
    mask = np.zeros(N_DAYS, dtype=bool)
    for offset in range(3):
        mask[offset:offset + start.size] |= start
    return mask


def longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True values."""
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0


def yearly_indices(
    weather: DailyWeather,
    *,
    heat_wave_tmin_c: float = 20.0,
    heat_wave_tmax_c: float = 34.0,
    heating_base_c: float = 18.0,
    cooling_base_c: float = 22.0,
    lat_deg: float = DEFAULT_LAT_DEG,
    pet_mm_daily: np.ndarray | None = None,
    drought_ref_mean_mm: float = DROUGHT_REF_MEAN_MM,
    drought_ref_sd_mm: float = DROUGHT_REF_SD_MM,
) -> dict[str, float]:
    """Indices of one year (keys in :data:`INDEX_KEYS`; see the module docstring).

    ``pet_mm_daily`` may be passed to reuse a PET series (otherwise Hargreaves at
    ``lat_deg``). ``drought_ref_mean_mm`` / ``drought_ref_sd_mm`` set the climatology the
    drought index is standardised against.
    """
    tmin, tmax, precip = weather.tmin_c, weather.tmax_c, weather.precip_mm
    tmean = weather.tmean_c
    pet = _default_pet(weather, lat_deg) if pet_mm_daily is None else pet_mm_daily
    balance = growing_season_balance_mm(weather, pet)
    hw = heat_wave_mask(weather, heat_wave_tmin_c, heat_wave_tmax_c)
    return {
        "hot_days_30": float(np.count_nonzero(tmax > 30.0)),
        "hot_days_35": float(np.count_nonzero(tmax > 35.0)),
        "tropical_nights": float(np.count_nonzero(tmin > 20.0)),
        "heat_wave_days": float(np.count_nonzero(hw)),
        "hdd": float(np.sum(np.maximum(heating_base_c - tmean, 0.0))),
        "cdd": float(np.sum(np.maximum(tmean - cooling_base_c, 0.0))),
        "longest_dry_spell_days": float(longest_run(precip < _DRY_THRESHOLD_MM)),
        "precip_mm": float(precip.sum()),
        "tmean_c": float(tmean.mean()),
        "frost_days": float(np.count_nonzero(tmin < 0.0)),
        "drought_index": (balance - drought_ref_mean_mm) / drought_ref_sd_mm,
        "pet_mm": float(pet.sum()),
    }
