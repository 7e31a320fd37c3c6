"""Cost of the daily water loop and the indoor heat model, and of the default run.

Run: ``python benchmarks/bench_water_heat.py [--no-default]``. Prints (medians of 20 repeats):

- the basin's daily loop for one year (``flows/basin.py``; target ≤ 10 ms, i.e. under a
  second for a 76-year run: 365 days of plain-float arithmetic),
- indoor overheating for one year of the default territory's 2,483 dwellings
  (``impacts/heat.py``; target ≤ 10 ms: a few dozen dwelling types, May–September hourly),
- FAO-56 PET for one year (target ≤ 1 ms),
- the default command (4 weather seeds, 2025–2100, files written; target ≤ 15 s).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from territoire_abm.climate.evapotranspiration import fao56_pet_mm
from territoire_abm.climate.weather import (
    generate_year,
    hourly_temperature_c,
    solar_capacity_factor_hourly,
)
from territoire_abm.config.params import ModelConfig
from territoire_abm.flows.basin import Stocks
from territoire_abm.flows.demand import WaterDemand
from territoire_abm.flows.water import Supplies, basin_rules, local_supply, territory_water_year
from territoire_abm.impacts import heat


def _median_ms(call, repeats: int = 20) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    territory = ModelConfig().territory
    rng = np.random.default_rng(0)
    weather = generate_year(np.full(12, 8.0) + 5 * np.sin(np.arange(12) / 2),
                            np.full(12, 20.0) + 8 * np.sin(np.arange(12) / 2),
                            np.full(12, 55.0), delta_c_monthly=np.zeros(12),
                            precip_factor_monthly=np.ones(12), warming_c=2.0, rng=rng)
    days = np.arange(365)
    flow = 40 + 160 * 0.5 * (1 + np.cos(2 * np.pi * (days - 20) / 365))
    summer = (days >= 150) & (days < 270)
    demand = WaterDemand(np.full(365, 800.0), np.where(summer, 100.0, 0.0),
                         np.where(summer, 9000.0, 0.0), np.full(365, 50.0))
    rain = weather.precip_mm
    supply = local_supply(territory, Supplies(farm_capacity_m3=5e4, tank_capacity_m3=500),
                          rain, rain, 0.2, 1e6)
    rules = basin_rules(territory, 0.8)
    basin_ms = _median_ms(lambda: territory_water_year(demand, flow, rules, supply,
                                                       Stocks(54.0, 7e5, 2.5e4, 250.0)))
    hourly = hourly_temperature_c(weather)
    sun = solar_capacity_factor_hourly(43.3, weather, rng, hourly)
    n = 2483
    pick = np.random.default_rng(1)
    dwellings = heat.DwellingHeat(pick.choice([4.0, 5.0, 6.0, 7.0, 8.0, 2.8, 1.8], n),
                                  pick.choice([0.0, 0.94], n, p=[0.8, 0.2]),
                                  pick.choice([0.0, 1.2], n, p=[0.8, 0.2]),
                                  pick.random(n) < 0.25)
    options = {"offset_c": 3.0, "internal_rise_c": 1.5, "time_constant_h": 36.0,
               "cooling_setpoint_c": 26.0}
    heat_ms = _median_ms(lambda: heat.overheating_degree_hours(hourly, sun, dwellings,
                                                               **options))
    pet_ms = _median_ms(lambda: fao56_pet_mm(weather, lat_deg=43.3, elevation_m=185.0))
    default_s = float("nan")
    if "--no-default" not in sys.argv:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "territoire_abm.cli", f"output_dir={out}",
                            "quiet=true"], check=True, capture_output=True)
            default_s = time.perf_counter() - start
    print(f"{'figure':<44}{'measured':>12}{'target':>10}")
    for name, value, target, unit in (
            ("basin daily loop, one year", basin_ms, 10.0, "ms"),
            ("indoor overheating, 2,483 dwellings, one year", heat_ms, 10.0, "ms"),
            ("FAO-56 PET, one year", pet_ms, 1.0, "ms"),
            ("default command, 4 seeds, 2025–2100", default_s, 15.0, "s")):
        flag = "skipped" if value != value else ("ok" if value <= target else "over")
        print(f"{name:<44}{value:>9.2f} {unit:<2}{target:>7.1f} {unit} {flag}")


if __name__ == "__main__":
    main()
