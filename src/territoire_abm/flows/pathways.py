"""Exogenous national energy pathways: grid carbon factor, energy prices and road freight.

The territory does not choose France's electricity mix, its fuel taxes or its hauliers'
trucks; it lives in them. ``data/energy_pathways.csv`` gives, per pathway and anchor year,
the grid emission factor (kgCO2e/kWh), retail prices (EUR 2024: electricity, gas, heating
oil and logs per kWh, road fuel per litre), the electric share of the car fleet and
multipliers (1 in 2025) on the emissions of road freight through the territory, of
agriculture's non-energy emissions, of waste and of fluorinated gases, which national and
EU policy drive; years between
anchors are interpolated linearly and held flat outside them (as the climate scenarios,
:mod:`territoire_abm.climate.scenarios`).

Pathways (sources in the CSV's ``source`` column):

* ``snbc`` — France's Stratégie nationale bas-carbone (SNBC-2, 2020: carbon neutrality in
  2050) with the electricity system of RTE's *Futurs énergétiques 2050* (2021) and the EU
  ETS2 carbon price on heating and road fuels from 2027;
* ``ame`` — "avec mesures existantes" projections (DGEC): slower electrification and fleet
  renewal, about half the cut by 2050;
* ``frozen`` — 2025 held constant (the model's former behaviour; a counterfactual).

``scenario.energy_pathway = "auto"`` pairs the climate scenario with a storyline: a world
holding SSP1-2.6 is one where France follows its SNBC; TRACC (France's adaptation reference,
+4 °C in 2100) and SSP2-4.5 assume the SNBC is pursued while the world warms; SSP3-7.0 and
SSP5-8.5 (regional rivalry, fossil development) go with existing measures only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from territoire_abm.errors import UserError
from territoire_abm.flows.dispatch import Tariffs

PATHWAYS = ("snbc", "ame", "frozen")
AUTO = "auto"
#: Storyline pairing of climate scenarios and national pathways (see module docstring).
SCENARIO_PATHWAY = {"ssp126": "snbc", "tracc": "snbc", "ssp245": "snbc", "ssp370": "ame",
                    "ssp585": "ame"}
#: Year of the pathways' first row, whose prices the model's price parameters stand for.
BASE_YEAR = 2025
#: Household electricity price of the 2025 rows, the base the dispatch tariffs are set at.
REFERENCE_ELECTRICITY_EUR_PER_KWH = 0.25
FIELDS = ("grid_kgco2e_per_kwh", "electricity_eur_per_kwh", "gas_eur_per_kwh",
          "fuel_oil_eur_per_kwh", "wood_eur_per_kwh", "road_fuel_eur_per_l", "freight_factor",
          "ev_fleet_share", "agriculture_factor", "waste_factor", "fgas_factor")


@dataclass(frozen=True)
class EnergyContext:
    """One year of a pathway: grid factor, prices, EV fleet share, sector multipliers."""

    grid_kgco2e_per_kwh: float
    electricity_eur_per_kwh: float
    gas_eur_per_kwh: float
    fuel_oil_eur_per_kwh: float
    wood_eur_per_kwh: float
    road_fuel_eur_per_l: float
    freight_factor: float
    ev_fleet_share: float
    agriculture_factor: float
    waste_factor: float
    fgas_factor: float


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    text = resources.files("territoire_abm.data").joinpath("energy_pathways.csv").read_text(
        encoding="utf-8")
    rows: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        rows.setdefault(row["pathway"], []).append(row)
    table = {}
    for name, items in rows.items():
        items.sort(key=lambda r: int(r["year"]))
        years = np.array([int(r["year"]) for r in items], dtype=float)
        table[name] = (years, {f: np.array([float(r[f]) for r in items]) for f in FIELDS})
    return table


def resolve(pathway: str, climate_scenario: str) -> str:
    """The pathway to use: ``pathway`` itself, or the storyline of ``climate_scenario``."""
    if pathway == AUTO:
        return SCENARIO_PATHWAY.get(climate_scenario, "snbc")
    if pathway not in PATHWAYS:
        raise UserError("scenario.energy_pathway", pathway,
                        f"allowed: {', '.join((AUTO, *PATHWAYS))}")
    return pathway


def context(pathway: str, year: int) -> EnergyContext:
    """Interpolated values of ``pathway`` (a resolved name) in ``year``."""
    if pathway not in PATHWAYS:
        raise UserError("scenario.energy_pathway", pathway, f"allowed: {', '.join(PATHWAYS)}")
    years, values = _table()[pathway]
    return EnergyContext(**{f: float(np.interp(year, years, values[f])) for f in FIELDS})


def of_scenario(scenario: Any, year: int) -> EnergyContext:
    """The year of the national pathway a scenario config (``name``, ``energy_pathway``) uses."""
    return context(resolve(scenario.energy_pathway, scenario.name), year)


def price_ratio(scenario: Any, year: int, field: str) -> float:
    """A price of the scenario's pathway in ``year`` over its 2025 value (1 in 2025)."""
    pathway = resolve(scenario.energy_pathway, scenario.name)
    base = getattr(context(pathway, BASE_YEAR), field)
    return getattr(context(pathway, year), field) / base if base > 0 else 1.0


def year_tariffs(base: Tariffs, ctx: EnergyContext) -> Tariffs:
    """``base`` (2025 tariffs) with the year's grid factor and import prices scaled by the
    pathway's electricity price against 2025 (export contracts keep their price)."""
    ratio = ctx.electricity_eur_per_kwh / REFERENCE_ELECTRICITY_EUR_PER_KWH
    return replace(base, import_price_eur_per_kwh=np.asarray(base.import_price_eur_per_kwh) * ratio,
                   import_co2_kg_per_kwh=ctx.grid_kgco2e_per_kwh)
