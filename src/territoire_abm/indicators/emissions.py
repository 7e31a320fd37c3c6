"""Territorial emissions by sector, the year's grid factor and the E+C- carbon levels.

Scope: a territorial inventory (Citepa Secten format, as the regional observatories publish
per commune) of what is emitted on the territory — households' heating, firms' fuel,
farming's non-energy emissions, road transport, waste, refrigerant leaks — plus imported
grid electricity (scope 2, priced at the year's grid factor of the national pathway) and,
for E+C-'s Eges, the annualised embodied emissions of the measures and assets adopted.
France: about 5.5-6 tCO2e per inhabitant on this territorial basis (SDES/Citepa, DOMAIN
"grounding"), transport first.

Sector keys (tCO2e/yr): ``heating``, ``electricity``, ``industry_fuel``, ``services_fuel``,
``farm_fuel``, ``agriculture_non_energy``, ``transport_passenger``, ``transport_freight``,
``waste``, ``fluorinated_gases``; ``operational`` is their sum, ``embodied`` the annualised
embodied part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from territoire_abm.config.params import PV_YIELD_REFERENCE_KWH_PER_KWP, ModelConfig
from territoire_abm.flows import carbon, pathways
from territoire_abm.flows.transport import (
    TransportYear,
    commute_km_per_household,
    transport_year,
)
from territoire_abm.indicators import ecm
from territoire_abm.types import Commune, FirmState, HouseholdState

# Rooftop PV present at the start: 40 gCO2e/kWh over its life (DOMAIN §3), annualised at the
# reference yield.
PV_EMBODIED_KG_PER_KWH = 0.040
INITIAL_PV_EMBODIED_KG_PER_KWP_YR = PV_EMBODIED_KG_PER_KWH * PV_YIELD_REFERENCE_KWH_PER_KWP

SECTORS = ("heating", "electricity", "industry_fuel", "services_fuel", "farm_fuel",
           "agriculture_non_energy", "transport_passenger", "transport_freight", "waste",
           "fluorinated_gases")


def energy_context(config: ModelConfig, year: int) -> pathways.EnergyContext:
    """The national pathway's grid factor, prices and sector multipliers in ``year``."""
    return pathways.of_scenario(config.scenario, year)


def _council_cover_factor(commune: Commune, column: str) -> float:
    """Π over active council measures of (1 − covered share × (1 − factor))."""
    effects = commune.council_effects
    active = commune.council_portfolio.active(commune.year)[0]
    cover = effects.quantities["population_covered_share"]
    return float(np.prod(np.where(active, 1.0 - cover * (1.0 - effects.factors[column]), 1.0)))


def transport_of(commune: Commune, ctx: pathways.EnergyContext | None = None) -> TransportYear:
    """The territory's road transport in its year (council measures and pathway applied)."""
    year = commune.year
    ctx = energy_context(commune.config, year) if ctx is None else ctx
    boost = float(commune.council_portfolio.total(
        year, commune.council_effects.quantities["ev_share_boost"])[0])
    return transport_year(commune.config.territory.emissions.transport, len(commune.households),
                          commune.population, ev_share=ctx.ev_fleet_share + boost,
                          freight_factor=ctx.freight_factor,
                          commute_factor=_council_cover_factor(commune, "commute_car_km_factor"))


def sector_emissions_t(commune: Commune, firm_state: FirmState, energy: Any
                       ) -> dict[str, float]:
    """Emissions of each sector (:data:`SECTORS`), tCO2e/yr, in the commune's year."""
    ctx = energy_context(commune.config, commune.year)
    hh, firms, cfg = energy.households, firm_state.arrays, commune.config.territory.emissions
    grid = ctx.grid_kgco2e_per_kwh
    imported = float(energy.dispatch.import_kw.sum())
    # Imported electricity used for heating is counted in ``heating`` (RE2020 factor).
    non_heating = max(0.0, imported - float(hh.heating_electric_kwh.sum()))
    by_sector = carbon.firm_fuel_emissions_by_sector_kg(energy.firm_fuel_kwh, firms.sector)
    hectares = float(firms.irrigated_ha.sum() + firms.rainfed_ha.sum())
    farms = int(np.sum(firms.sector == 0))
    road = transport_of(commune, ctx)
    waste = (cfg.waste_t_per_inhabitant * commune.population * ctx.waste_factor
             * _council_cover_factor(commune, "waste_emissions_factor"))
    return {
        "heating": carbon.heating_emissions_kg(hh.heating_final_kwh,
                                               commune.households.heating_system, grid) / 1e3,
        "electricity": non_heating * grid / 1e3,
        "industry_fuel": float(by_sector[1]) / 1e3,
        "services_fuel": float(by_sector[2]) / 1e3,
        "farm_fuel": float(by_sector[0]) / 1e3,
        "agriculture_non_energy": carbon.agriculture_non_energy_t(
            hectares, farms * cfg.agriculture.livestock_units_per_farm,
            cfg.agriculture.soil_tco2e_per_ha, cfg.agriculture.livestock_tco2e_per_lu,
            ctx.agriculture_factor),
        "transport_passenger": road.passenger_t,
        "transport_freight": road.freight_t,
        "waste": waste,
        "fluorinated_gases": cfg.fgas_t_per_inhabitant * commune.population * ctx.fgas_factor,
    }


def embodied_kg(commune: Commune, households: HouseholdState, firms: FirmState
                ) -> tuple[float, float]:
    """Annualised embodied emissions of active measures and initial PV, kgCO2e/yr: the
    territory's total and the households' part (E+C- static LCA, catalogue.py)."""
    holdings = [(households.portfolio, households.effects), (firms.portfolio, firms.effects),
                (commune.council_portfolio, commune.council_effects),
                (commune.community_portfolio, commune.community_effects)]
    groups = [float(portfolio.active(commune.year).astype(float).sum(axis=0)
                    @ effects.embodied_kg_per_yr()) for portfolio, effects in holdings]
    rooftop = float(households.rooftop_kwp.sum()) * INITIAL_PV_EMBODIED_KG_PER_KWP_YR
    return sum(groups) + rooftop, groups[0] + rooftop


def road_fuel_kwh(commune: Commune) -> float:
    """Road fuel burnt by residents' cars, kWh (for the primary-energy balance)."""
    return transport_of(commune).fuel_l * carbon.ROAD_FUEL_KWH_PER_L


def housing_operational_kg(commune: Commune, energy: Any) -> float:
    """Dwellings' operational emissions: heating plus appliances and cooling at the grid
    factor (as if imported: the conservative reading for the E+C- carbon level), kgCO2e."""
    hh = energy.households
    grid = energy_context(commune.config, commune.year).grid_kgco2e_per_kwh
    heating = carbon.heating_emissions_kg(hh.heating_final_kwh,
                                          commune.households.heating_system, grid)
    return heating + float(hh.specific_kwh.sum() + hh.cooling_kwh.sum()) * grid


def emissions_record(commune: Commune, households: HouseholdState, firms: FirmState,
                     energy: Any) -> dict[str, float]:
    """The year's emission indicators: per sector (t and t/inhabitant), operational,
    embodied, Eges, the grid factor used and the E+C- carbon level of housing."""
    sectors = sector_emissions_t(commune, firms, energy)
    embodied, household_embodied = embodied_kg(commune, households, firms)
    population = commune.population
    operational = sum(sectors.values())
    record = {f"emissions_{name}_t": value for name, value in sectors.items()}
    record.update({f"emissions_{name}_t_per_inhabitant": value / population
                   for name, value in sectors.items()})
    housing = ecm.housing_eges_kg_per_m2_yr(housing_operational_kg(commune, energy),
                                            household_embodied,
                                            float(commune.households.floor_area_m2.sum()))
    record["emissions_transport_t_per_inhabitant"] = (
        sectors["transport_passenger"] + sectors["transport_freight"]) / population
    record.update({
        "operational_t": operational,
        "operational_t_per_inhabitant": operational / population,
        "embodied_t": embodied / 1e3,
        "eges_t": operational + embodied / 1e3,
        "eges_pce_t_per_inhabitant": embodied / 1e3 / population,
        "grid_kgco2e_per_kwh": energy_context(commune.config, commune.year).grid_kgco2e_per_kwh,
        "housing_eges_kg_per_m2": housing,
        "ecm_carbon_level": float(ecm.carbon_level(housing)),
    })
    return record


def council_avoided_t(commune: Commune, indicators: dict[str, float]) -> np.ndarray:
    """Emissions (tCO2e/yr) each council measure would avoid, judged from last year's record:
    the covered share of commuting car emissions times (1 − ``commute_car_km_factor``), the
    passenger emissions an ``ev_share_boost`` electrifies, and the waste emissions times
    (1 − ``waste_emissions_factor``). What the council weighs at the carbon price."""
    effects, cfg = commune.council_effects, commune.config.territory.emissions.transport
    passenger = indicators.get("emissions_transport_passenger_t", 0.0)
    car_km = cfg.cars_per_household * cfg.km_per_car_yr
    commute_share = min(1.0, commute_km_per_household(cfg) / car_km) if car_km > 0 else 0.0
    cover = effects.quantities["population_covered_share"]
    ev = energy_context(commune.config, commune.year).ev_fleet_share
    return (passenger * commute_share * cover * (1.0 - effects.factors["commute_car_km_factor"])
            + passenger * effects.quantities["ev_share_boost"] / max(1e-9, 1.0 - ev)
            + indicators.get("emissions_waste_t", 0.0)
            * (1.0 - effects.factors["waste_emissions_factor"]))
