"""Simulated climates for checking the hydrology against published changes.

Used by ``benchmarks/calibrate_hydrology.py`` and the tests: seeded years of weather, FAO-56
PET and natural river flow at a given France warming, for the default territory's place.
Reference for published changes is 1976–2005 (France +0.7 °C; Météo-France 2024 for PET,
Explore2 for river flows).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from territoire_abm.climate import hydrology
from territoire_abm.climate.evapotranspiration import fao56_pet_mm
from territoire_abm.climate.normals import place_normals
from territoire_abm.climate.scenarios import monthly_precip_factor, monthly_temperature_delta_c
from territoire_abm.climate.weather import DailyWeather, generate_year

NORMALS_WARMING_C = 1.3  # France warming of the 1991–2020 normals (scenarios module)


def simulated_years(warming_c: float, count: int, seed: int = 1, territory=None
                    ) -> Iterator[tuple[DailyWeather, np.ndarray, np.ndarray]]:
    """(weather, PET mm/day, natural flow m³/s) for ``count`` years at ``warming_c``."""
    if territory is None:
        from territoire_abm.config.params import ModelConfig

        territory = ModelConfig().territory
    normals = place_normals(territory.climate_place)
    delta = warming_c - NORMALS_WARMING_C
    rng = np.random.default_rng(seed)
    depression = territory.water.dewpoint_depression_per_c * max(
        0.0, warming_c - hydrology.HUMIDITY_BASELINE_WARMING_C)
    state = None
    for _ in range(count):
        weather = generate_year(normals.tmin_c, normals.tmax_c, normals.precip_mm,
                                delta_c_monthly=monthly_temperature_delta_c(delta),
                                precip_factor_monthly=monthly_precip_factor(delta),
                                warming_c=warming_c, rng=rng)
        pet = fao56_pet_mm(weather, lat_deg=territory.latitude_deg,
                           elevation_m=territory.water.elevation_m,
                           wind_m_s=territory.water.pet_wind_m_s, krs=territory.water.pet_krs,
                           dewpoint_depression_c=depression)
        flow, state = hydrology.daily_river_flow_m3s(
            weather, mean_flow_m3s=territory.river_mean_flow_m3s, pet_mm_daily=pet,
            state=state, rng=rng)
        yield weather, pet, flow
