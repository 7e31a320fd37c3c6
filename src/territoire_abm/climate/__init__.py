"""Climate: warming scenarios, a seeded daily weather generator, indices and river flow.

Typical year (all pure functions, randomness from one ``numpy.random.Generator``)::

    scen = get_scenario("tracc")
    d = delta_c(scen, year=2060, reference_period="1991-2020")
    w = generate_year(tmin, tmax, precip,
                      delta_c_monthly=monthly_temperature_delta_c(d),
                      precip_factor_monthly=monthly_precip_factor(d),
                      warming_c=scen.warming_at(2060), rng=rng, year=2060)
    pet = fao56_pet_mm(w, lat_deg=43.3)
    idx = yearly_indices(w, pet_mm_daily=pet)
    flow, state = daily_river_flow_m3s(w, mean_flow_m3s=190, pet_mm_daily=pet,
                                       state=state, rng=rng)
    levels = restriction_levels(flow)   # natural flow; the basin year adds support and uses
"""

from territoire_abm.climate.evapotranspiration import fao56_pet_mm, penman_monteith_mm
from territoire_abm.climate.hydrology import (
    RESTRICTION_NAMES,
    daily_river_flow_m3s,
    restriction_levels,
    thresholds_from_alert,
)
from territoire_abm.climate.indices import (
    INDEX_KEYS,
    hargreaves_pet_mm,
    heat_wave_mask,
    yearly_indices,
)
from territoire_abm.climate.scenarios import (
    REFERENCE_WARMING_C,
    SCENARIO_NAMES,
    Scenario,
    delta_c,
    get_scenario,
    monthly_precip_factor,
    monthly_temperature_delta_c,
    reference_warming,
    resolve_reference_period,
)
from territoire_abm.climate.weather import (
    DAY_OF_YEAR,
    DailyWeather,
    generate_year,
    hourly_temperature_c,
    solar_capacity_factor_hourly,
)

__all__ = [
    "DAY_OF_YEAR",
    "INDEX_KEYS",
    "REFERENCE_WARMING_C",
    "RESTRICTION_NAMES",
    "SCENARIO_NAMES",
    "DailyWeather",
    "Scenario",
    "daily_river_flow_m3s",
    "delta_c",
    "fao56_pet_mm",
    "generate_year",
    "get_scenario",
    "hargreaves_pet_mm",
    "heat_wave_mask",
    "hourly_temperature_c",
    "monthly_precip_factor",
    "monthly_temperature_delta_c",
    "penman_monteith_mm",
    "reference_warming",
    "resolve_reference_period",
    "restriction_levels",
    "solar_capacity_factor_hourly",
    "thresholds_from_alert",
    "yearly_indices",
]
