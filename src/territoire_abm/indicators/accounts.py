"""The year's accounts: balances checked, E+C- indicators and KPIs recorded (DESIGN.md step 10).

The record is one flat dict of floats per year; :meth:`TerritoryModel.indicators` turns the
records into a tidy table. Indicators only read the state: the state updates of the year
(bills, energy poverty, satisfaction, trust) are steps of their own (agents/wellbeing.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from territoire_abm.config.params import ARCHETYPES, HEATING_SYSTEMS
from territoire_abm.flows.demand import HEATING_IS_ELECTRIC
from territoire_abm.flows.water import shortage_share, water_indicators
from territoire_abm.indicators import ecm, sdg
from territoire_abm.indicators import emissions as territorial
from territoire_abm.indicators.household_energy import household_energy_record
from territoire_abm.measures.effects import EffectTable
from territoire_abm.measures.portfolio import Portfolio
from territoire_abm.types import Climate, Commune, EnergyYear, FirmState, HouseholdState, Impacts

INITIAL_PV_EMBODIED_KG_PER_KWP_YR = territorial.INITIAL_PV_EMBODIED_KG_PER_KWP_YR
GROUP_PREFIX = ("adopted_share_", "adopted_share_", "council_has_", "community_has_")
CLIMATE_KEYS = ("hot_days_30", "hot_days_35", "tropical_nights", "heat_wave_days", "hdd", "cdd",
                "longest_dry_spell_days", "precip_mm", "tmean_c", "frost_days", "drought_index",
                "pet_mm")


def portfolios(hh: HouseholdState, firms: FirmState, commune: Commune
               ) -> list[tuple[Portfolio, EffectTable]]:
    """Every adopter group's portfolio with its measures, in GROUP_PREFIX order."""
    return [(hh.portfolio, hh.effects), (firms.portfolio, firms.effects),
            (commune.council_portfolio, commune.council_effects),
            (commune.community_portfolio, commune.community_effects)]


def partial_record(commune: Commune, hh: HouseholdState, firms: FirmState, climate: Climate,
                   energy: EnergyYear, water: Any, impacts: Impacts, kpis: Mapping[str, float],
                   bilan_reference_kwhep: float | None) -> dict[str, float]:
    """Indicators known before the negotiation (what the roles see when they decide).

    ``kpis``: the energy community's KPIs of the year; ``bilan_reference_kwhep``: the TEPOS
    balance the energy level is measured against (None: the year's own balance).
    """
    year, population = commune.year, commune.population
    emissions = _emissions_kg(commune, hh, firms, energy)
    unmet_m3 = {s: float(water.unmet_m3(s).sum()) for s in water.demand_m3}
    record: dict[str, float] = {"year": year, "warming_c": climate.warming_c}
    record.update({key: float(climate.indices[key]) for key in CLIMATE_KEYS})
    record.update({
        "river_flow_min_m3s": float(climate.flow_m3s.min()),
        "river_flow_mean_m3s": float(climate.flow_m3s.mean()),
        "restriction_days": int(np.sum(climate.restriction_level >= 1)),
        "restriction_days_alerte_renforcee": int(np.sum(climate.restriction_level >= 2)),
        "restriction_days_crise": int(np.sum(climate.restriction_level >= 3)),
        "population": population,
        "heat_stress_person_days": impacts.heat_stress_person_days,
        "heat_stress_per_inhabitant": impacts.heat_stress_person_days / population,
        "crop_yield_factor": impacts.crop_yield_factor,
        "farm_revenue_loss_eur": impacts.farm_revenue_loss_eur,
        "productivity_loss_share": impacts.productivity_loss_share,
        "unmet_water_m3": float(sum(unmet_m3.values())),
        # allowed but not delivered; garden cuts by order are water_restricted_share_*
        "unmet_water_share_households": shortage_share(water, "households_indoor",
                                                       "households_outdoor"),
        "unmet_water_share_agriculture": _share(unmet_m3, water, "agriculture"),
        "unmet_water_share_industry": _share(unmet_m3, water, "industry"),
        "water_demand_m3": float(sum(v.sum() for v in water.demand_m3.values())),
        "water_withdrawn_m3": float(water.withdrawal_river_m3.sum()
                                    + water.withdrawal_groundwater_m3.sum()),
        "network_losses_m3": float(water.network_losses_m3.sum()),
        "water_balance_residual_m3": water.balance_residual_m3(),
        "energy_balance_residual_kwh": energy.dispatch.balance_residual_kwh(),
    })
    record.update(water_indicators(water))
    record.update(impacts.heat_record)
    record.update(_energy_record(hh, energy, kpis, population, bilan_reference_kwhep,
                                 territorial.road_fuel_kwh(commune)))
    record.update(emissions)
    record["emissions_t_per_inhabitant"] = emissions["eges_t"] / population
    record.update(_wellbeing(hh))
    record.update(_household_energy(hh, energy))
    return record


def _share(unmet: dict[str, float], water: Any, *sectors: str) -> float:
    demand = sum(float(water.demand_m3[s].sum()) for s in sectors)
    return sum(unmet[s] for s in sectors) / demand if demand > 0 else 0.0


def _energy_record(households: HouseholdState, energy: EnergyYear, kpis: Mapping[str, float],
                   population: float, bilan_reference_kwhep: float | None,
                   road_fuel_kwh: float = 0.0) -> dict[str, float]:
    hh = energy.households
    fossil = float(np.sum(np.where(np.isin(households.arrays.heating_system, (1, 3)),
                                   hh.heating_final_kwh, 0.0)) + energy.firm_fuel_kwh.sum()
                   + road_fuel_kwh)
    # The EDF plant sells to the national grid: only the community's share counts (ecm.py).
    exported = kpis["export_kwh"]
    bilan = ecm.bilan_tepos_kwhep(kpis["import_kwh"], fossil, exported)
    # Reference: the French average balance per inhabitant (ecm.py), set by the year.
    reference = bilan if bilan_reference_kwhep is None else bilan_reference_kwhep
    return {
        "electricity_demand_kwh": float(energy.dispatch.load_kw.sum()),
        "heating_demand_kwh": float(hh.heating_final_kwh.sum()),
        "cooling_demand_kwh": float(hh.cooling_kwh.sum()),
        "fossil_fuel_kwh": fossil,
        "pv_kwp": energy.pv_kwp,
        "hydro_kwh": energy.hydro_total_kwh,
        "bilan_tepos_kwhep": bilan,
        "bilan_tepos_kwhep_per_inhabitant": bilan / population,
        "ecm_energy_level": ecm.energy_level(bilan, reference),
        **{key: float(value) for key, value in kpis.items()},
    }


def _emissions_kg(commune: Commune, households: HouseholdState, firm_state: FirmState,
                  energy: EnergyYear) -> dict[str, float]:
    """Territorial emissions by sector, embodied, Eges and E+C- carbon level, tCO2e/yr
    (:mod:`territoire_abm.indicators.emissions`)."""
    return territorial.emissions_record(commune, households, firm_state, energy)


def _wellbeing(households: HouseholdState) -> dict[str, float]:
    """Bills, energy poverty, satisfaction and risk perception of households (read only)."""
    hh = households.arrays
    return {
        "energy_poverty_share": float(hh.energy_poor.mean()),
        "energy_bill_mean_eur": float(hh.energy_bill_eur.mean()),
        "satisfaction_mean": float(hh.satisfaction.mean()),
        "risk_heat_mean": float(hh.risk_heat.mean()),
        "risk_drought_mean": float(hh.risk_drought.mean()),
    }


def _household_energy(households: HouseholdState, energy: EnergyYear) -> dict[str, float]:
    """Per-household energy, bills and energy poverty held against published figures."""
    hh, use = households.arrays, energy.households
    fuel = np.where(HEATING_IS_ELECTRIC[hh.heating_system], 0.0, use.heating_final_kwh)
    record = household_energy_record(use.electricity_kwh, use.heating_final_kwh,
                                     fuel + use.hot_water_fuel_kwh, hh.energy_bill_eur,
                                     hh.income_eur, hh.persons)
    record["energy_bill_mean_eur"] = float(hh.energy_bill_eur.mean())
    record["energy_poverty_share"] = float(hh.energy_poor.mean())
    return record


def year_record(commune: Commune, households: HouseholdState, firm_state: FirmState,
                partial: Mapping[str, float], decisions: Mapping[str, Any],
                first_record: Mapping[str, float] | None) -> dict[str, float]:
    """Complete the record after the negotiation (``first_record``: the run's first year,
    None in the first year itself)."""
    hh, firms, state = households.arrays, firm_state.arrays, commune.council
    year, population = commune.year, commune.population
    record = dict(partial)
    record.update({key: float(value) for key, value in decisions.items()})
    contributors = hh.contributes.sum() + firms.contributes.sum()
    record.update({
        "trust_mean": float(hh.trust.mean()),
        "cooperation_rate": float(contributors / max(len(hh) + len(firms), 1)),
        "community_members": float(commune.community.members),
        "community_formed": float(commune.community.formed),
        "budget_eur": state.budget_eur,
        "debt_eur": state.debt_eur,
        "debt_per_inhabitant_eur": state.debt_eur / population,
        "council_archetype": float(ARCHETYPES.index(state.archetype)),
        "council_measures_active": float(commune.council_portfolio.active(year + 1).sum()),
    })
    groups = portfolios(households, firm_state, commune)
    for group, (portfolio, effects) in zip(GROUP_PREFIX, groups, strict=True):
        active = portfolio.active(year + 1)
        held = active.mean(axis=0) if active.shape[0] else np.zeros(active.shape[1])
        for measure, share in zip(effects.ids, held, strict=True):
            record[f"{group}{measure}"] = float(share)
    systems = np.bincount(hh.heating_system, minlength=len(HEATING_SYSTEMS)) / max(len(hh), 1)
    for system, share in zip(HEATING_SYSTEMS, systems, strict=True):
        record[f"heating_share_{system}"] = float(share)
    # Electricity as main heating energy, convectors and heat pumps together, as SDES counts it.
    record["electricity_heating_share"] = float(systems[HEATING_IS_ELECTRIC].sum())
    record["cooling_share"] = float(households.has_cooling.mean())
    record.update(sdg.sdg_scores(record, first_record))
    return record
