"""The year's accounts: balances checked, E+C- indicators and KPIs recorded (DESIGN.md step 10).

The record is one flat dict of floats per year; :meth:`TerritoryModel.indicators` turns the
records into a tidy table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from territoire_abm.config.params import HEATING_SYSTEMS
from territoire_abm.flows.demand import HEATING_IS_ELECTRIC, heating_price_eur_per_kwh
from territoire_abm.flows.water import shortage_share, water_indicators
from territoire_abm.indicators import ecm, sdg
from territoire_abm.indicators import emissions as territorial
from territoire_abm.indicators.energy_kpis import energy_kpis

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

ENERGY_POVERTY_EFFORT = 0.08  # ONPE: energy spending > 8 % of income, 3 lowest deciles
GROUP_PREFIX = ("adopted_share_", "adopted_share_", "council_has_", "community_has_")
CLIMATE_KEYS = ("hot_days_30", "hot_days_35", "tropical_nights", "heat_wave_days", "hdd", "cdd",
                "longest_dry_spell_days", "precip_mm", "tmean_c", "frost_days", "drought_index",
                "pet_mm")


def partial_record(model: TerritoryModel, year: int, climate: Any, energy: Any, water: Any,
                   impacts: Any) -> dict[str, float]:
    """Indicators known before the negotiation (what the roles see when they decide)."""
    population = model.population
    kpis = energy_kpis(energy.dispatch, model.tariffs)
    model.community.state.last_kpis = kpis
    emissions = _emissions_kg(model, year, energy, water)
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
    record.update(_energy_record(model, energy, kpis, population))
    record.update(emissions)
    record["emissions_t_per_inhabitant"] = emissions["eges_t"] / population
    record.update(_wellbeing(model, energy, water, impacts))
    return record


def _share(unmet: dict[str, float], water: Any, *sectors: str) -> float:
    demand = sum(float(water.demand_m3[s].sum()) for s in sectors)
    return sum(unmet[s] for s in sectors) / demand if demand > 0 else 0.0


def _energy_record(model: TerritoryModel, energy: Any, kpis: dict[str, float],
                   population: float) -> dict[str, float]:
    hh = energy.households
    fossil = float(np.sum(np.where(np.isin(model.households.heating_system, (1, 3)),
                                   hh.heating_final_kwh, 0.0)) + energy.firm_fuel_kwh.sum()
                   + territorial.road_fuel_kwh(model, model.year))
    # The EDF plant sells to the national grid: only the community's share counts (ecm.py).
    exported = kpis["export_kwh"]
    bilan = ecm.bilan_tepos_kwhep(kpis["import_kwh"], fossil, exported)
    # Absolute reference: the French average balance per inhabitant (ecm.py).
    model.bilan_reference_kwhep = population * (
        model.config.territory.emissions.ecm_reference_kwhep_per_inhabitant)
    return {
        "electricity_demand_kwh": float(energy.dispatch.load_kw.sum()),
        "heating_demand_kwh": float(hh.heating_final_kwh.sum()),
        "cooling_demand_kwh": float(hh.cooling_kwh.sum()),
        "fossil_fuel_kwh": fossil,
        "pv_kwp": energy.pv_kwp,
        "hydro_kwh": energy.hydro_total_kwh,
        "bilan_tepos_kwhep": bilan,
        "bilan_tepos_kwhep_per_inhabitant": bilan / population,
        "ecm_energy_level": ecm.energy_level(bilan, model.bilan_reference_kwhep),
        **{key: float(value) for key, value in kpis.items()},
    }


def _emissions_kg(model: TerritoryModel, year: int, energy: Any, water: Any) -> dict[str, float]:
    """Territorial emissions by sector, embodied, Eges and E+C- carbon level, tCO2e/yr
    (:mod:`territoire_abm.indicators.emissions`)."""
    return territorial.emissions_record(model, year, energy)


def _wellbeing(model: TerritoryModel, energy: Any, water: Any, impacts: Any) -> dict[str, float]:
    """Bills, energy poverty and satisfaction of households."""
    hh = model.households
    price = model.config.policy.electricity_price_eur_per_kwh
    heating_fuel = np.where(HEATING_IS_ELECTRIC[hh.heating_system], 0.0, energy.households
                            .heating_final_kwh * heating_price_eur_per_kwh(hh.heating_system,
                                                                           price))
    surcharge = model.tariff_surcharge_eur / max(len(hh), 1)  # exchange mode: users pay
    hh.energy_bill_eur = energy.households.electricity_kwh * price + heating_fuel + surcharge
    litres = model.config.territory.drinking_water_l_per_person_day
    saving = model.household_portfolio.factor(model.year, model.household_effects.factors[
        "water_demand_factor"])
    hh.water_bill_eur = (hh.persons * litres * 0.365 * saving
                         * model.config.policy.water_price_eur_per_m3)
    low_income = hh.income_eur <= np.quantile(hh.income_eur, 0.3)
    hh.energy_poor = low_income & (hh.energy_bill_eur > ENERGY_POVERTY_EFFORT * hh.income_eur)
    harm = np.clip(impacts.heat_stress_by_household / np.maximum(hh.persons, 1) / 20.0, 0, 1)
    burden = np.clip((hh.energy_bill_eur + hh.water_bill_eur) / hh.income_eur / 0.15, 0, 1)
    restricted = impacts.unmet_share["households_outdoor"]
    comfort = 1.0 - 0.4 * harm - 0.3 * burden - 0.2 * restricted * hh.garden
    hh.satisfaction = np.clip(0.7 * hh.satisfaction + 0.3 * comfort, 0.0, 1.0)
    return {
        "energy_poverty_share": float(hh.energy_poor.mean()),
        "energy_bill_mean_eur": float(hh.energy_bill_eur.mean()),
        "satisfaction_mean": float(hh.satisfaction.mean()),
        "risk_heat_mean": float(hh.risk_heat.mean()),
        "risk_drought_mean": float(hh.risk_drought.mean()),
    }


def year_record(model: TerritoryModel, year: int, partial: dict[str, float],
                decisions: dict[str, Any]) -> dict[str, float]:
    """Complete the record after the negotiation."""
    hh, firms, state = model.households, model.firms, model.council.state
    record = dict(partial)
    record.update({key: float(value) for key, value in decisions.items()})
    contributors = hh.contributes.sum() + firms.contributes.sum()
    record.update({
        "trust_mean": float(hh.trust.mean()),
        "cooperation_rate": float(contributors / max(len(hh) + len(firms), 1)),
        "community_members": float(model.community.state.members),
        "community_formed": float(model.community.state.formed),
        "budget_eur": state.budget_eur,
        "debt_eur": state.debt_eur,
        "debt_per_inhabitant_eur": state.debt_eur / model.population,
        "council_archetype": float(model.config_archetype_index()),
        "council_measures_active": float(model.council_portfolio.active(year + 1).sum()),
    })
    for group, (portfolio, effects) in zip(GROUP_PREFIX, model.portfolios(), strict=True):
        active = portfolio.active(year + 1)
        held = active.mean(axis=0) if active.shape[0] else np.zeros(active.shape[1])
        for measure, share in zip(effects.ids, held, strict=True):
            record[f"{group}{measure}"] = float(share)
    systems = np.bincount(hh.heating_system, minlength=len(HEATING_SYSTEMS)) / max(len(hh), 1)
    for system, share in zip(HEATING_SYSTEMS, systems, strict=True):
        record[f"heating_share_{system}"] = float(share)
    record["cooling_share"] = float(model.has_cooling.mean())
    record.update(sdg.sdg_scores(record, model.first_record))
    return record
