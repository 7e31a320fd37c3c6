"""One simulated year, in the order of DESIGN.md: climate, hydrology, demands, energy, water,
impacts, perception, decisions, implementation, accounts.

Each stage is a short function; :func:`simulate_year` chains them and returns the year's
indicator record. This module is the only one that reads and writes the model's attributes:
the phases below it (adoption, negotiation, rules, elections, wellbeing, accounts) get the
narrow state they use (:mod:`territoire_abm.types`) and return what they decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from territoire_abm.agents import adoption, wellbeing
from territoire_abm.agents import firms as firm_agents
from territoire_abm.climate import hydrology
from territoire_abm.climate.evapotranspiration import fao56_pet_mm
from territoire_abm.climate.indices import yearly_indices
from territoire_abm.climate.scenarios import (
    DEFAULT_REFERENCE_PERIOD,
    REFERENCE_WARMING_C,
    delta_c,
    monthly_precip_factor,
    monthly_temperature_delta_c,
)
from territoire_abm.climate.weather import (
    generate_year,
    hourly_temperature_c,
    solar_capacity_factor_hourly,
)
from territoire_abm.config.params import PV_YIELD_REFERENCE_KWH_PER_KWP  # noqa: F401
from territoire_abm.flows import carbon, demand, pathways
from territoire_abm.flows import water as water_flows
from territoire_abm.flows.basin import WaterYear
from territoire_abm.flows.dispatch import Assets, DispatchResult, Objective, Tariffs, dispatch
from territoire_abm.governance import elections, negotiation, plans
from territoire_abm.impacts import heat
from territoire_abm.indicators import accounts
from territoire_abm.indicators import emissions as territorial
from territoire_abm.indicators.energy_kpis import energy_kpis
from territoire_abm.indicators.household_energy import income_per_cu
from territoire_abm.measures.effects import COOLING_IDS, HEAT_PUMP_IDS
from territoire_abm.territory import levers
from territoire_abm.types import (  # noqa: F401  (Climate, EnergyYear, Impacts re-exported)
    Climate,
    Commune,
    EnergyYear,
    FirmState,
    HouseholdState,
    Impacts,
)

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

HEAT_PUMP_SYSTEM = adoption.HEAT_PUMP_SYSTEM
#: French peak/off-peak (HP/HC) tariff: 16 peak hours a day, here 7:00–23:00 (CRE).
PEAK_HOURS = (7, 23)
#: Leak-reduction measures together cut network losses by at most 90 %: no network is
#: leak-free (SISPEA: the best networks lose about 10 % of their input), estimate.
MAX_LEAK_REDUCTION_SHARE = 0.9
#: Reference climate for the cooling-degree-day reference: the normals' own period
#: (1991–2020, scenarios.REFERENCE_WARMING_C), five seeded years of its own stream.
REFERENCE_CDD_YEARS, REFERENCE_CDD_SEED = 5, 12345


def simulate_year(model: TerritoryModel, year: int) -> dict[str, float]:
    """Run every stage of ``year`` and return its indicator record."""
    _implementation(model, year)
    climate = _climate(model, year)
    water = _water(model, year, climate)  # first: its pumping is part of the electric load
    energy = _energy(model, year, climate)
    impacts = _impacts(model, year, climate, water)
    _perception(model, year, climate, impacts)
    households, firms = household_state(model), firm_state(model)
    _wellbeing(model, year, households, energy, impacts)
    kpis = energy_kpis(energy.dispatch, model.tariffs)
    model.community.state.last_kpis = kpis
    commune = commune_state(model, year)
    # E+C- energy level against the French average balance per inhabitant (ecm.py).
    model.bilan_reference_kwhep = commune.population * (
        model.config.territory.emissions.ecm_reference_kwhep_per_inhabitant)
    partial = accounts.partial_record(commune, households, firms, climate, energy, water,
                                      impacts, kpis, model.bilan_reference_kwhep)
    model.last_energy, model.last_partial = energy, partial
    model.battery_soc_kwh = float(energy.dispatch.soc_kwh[-1])
    _adoption(model, year, households, firms, energy)
    summary = _decisions(model, commune, firms, partial, impacts)
    return accounts.year_record(commune, households, firms, partial, summary,
                                model.first_record)


# --------------------------------------------------------------------------- narrow state
def household_state(model: TerritoryModel) -> HouseholdState:
    """The households' part of the model, for the phases that use it."""
    return HouseholdState(
        arrays=model.households, effects=model.household_effects,
        portfolio=model.household_portfolio, network=model.network,
        network_matrix=model.network_matrix, network_degree=model.network_degree,
        has_cooling=model.has_cooling, rooftop_kwp=model.rooftop_kwp,
        external_knowledge=model.external_knowledge, hazard_frequency=model.hazard_frequency)


def firm_state(model: TerritoryModel) -> FirmState:
    """The firms' part of the model."""
    return FirmState(arrays=model.firms, effects=model.firm_effects,
                     portfolio=model.firm_portfolio, eligible=model.firm_eligible)


def commune_state(model: TerritoryModel, year: int) -> Commune:
    """What the deciding roles see (the second argument of a controller's ``decide``)."""
    return Commune(
        year=year, config=model.config, households=model.households, network=model.network,
        council=model.council.state, council_effects=model.council_effects,
        council_portfolio=model.council_portfolio, community=model.community.state,
        community_effects=model.community_effects,
        community_portfolio=model.community_portfolio, population=model.population,
        records=model.records, events=model.events)


# --------------------------------------------------------------------------- state updates
def _wellbeing(model: TerritoryModel, year: int, households: HouseholdState,
               energy: EnergyYear, impacts: Impacts) -> None:
    """Bills, energy poverty and satisfaction of the year (before the indicators read them)."""
    prices = wellbeing.pathway_prices(model.config, territorial.energy_context(model.config,
                                                                              year))
    wellbeing.update_bills(households, model.config, energy.households, year,
                           model.tariff_surcharge_eur, prices)
    # Satisfaction weighs the bill before boilers' hot water (as when hot water was added):
    # moving add_hot_water_bill first would change results.
    wellbeing.update_satisfaction(households.arrays, impacts,
                                  model.config.behaviour.satisfaction)
    wellbeing.add_hot_water_bill(households.arrays, model.config, energy.households, prices)
    wellbeing.update_energy_poverty(households.arrays)


def _adoption(model: TerritoryModel, year: int, households: HouseholdState, firms: FirmState,
              energy: EnergyYear) -> None:
    """Households and firms adopt their own measures; the community recruits members."""
    prices = wellbeing.pathway_prices(model.config, territorial.energy_context(model.config,
                                                                              year))
    chosen = adoption.households_decide(households, model.config, year, energy.households,
                                        model.streams["behaviour"], model.streams["delays"],
                                        prices)
    model.subsidies_eur = chosen.subsidies_eur
    model.household_investment_eur = chosen.investment_eur
    model.firm_investment_eur = firm_agents.firms_decide(
        firms, model.config, year, energy.firm_fuel_kwh, model.streams["behaviour"]
    ).investment_eur
    negotiation.community_membership(
        model.households, model.firms, model.community.state, model.network_matrix,
        model.config.behaviour.community, year, model.streams["governance"])


def _decisions(model: TerritoryModel, commune: Commune, firms: FirmState,
               partial: dict[str, float], impacts: Impacts) -> dict[str, float]:
    """The negotiation, then trust and elections; returns the record fields."""
    outcome = negotiation.negotiate(
        commune, model.controller, firms.arrays, partial, model.external_council_knowledge,
        model.last.get("cooperation_rate"), model.streams["governance"], model.subsidies_eur)
    model.decision_log[commune.year] = outcome.decisions
    model.dispatch_mode = outcome.dispatch_mode
    # Exchange mode: users pay their share through next year's electricity bills.
    model.tariff_surcharge_eur = outcome.tariff_eur
    wellbeing.update_trust(model.households, model.network,
                           model.config.behaviour.trust_learning_rate,
                           model.config.behaviour.cooperation, outcome.kept, outcome.broken,
                           outcome.tariff_eur)
    summary = dict(outcome.summary)
    summary.update(elections.maybe_hold(commune, impacts, model.streams["elections"]))
    summary.update(plans.apply_parameter_changes(model, commune.year))  # adaptive plan
    return summary


# --------------------------------------------------------------------------- 1–2 climate
def _climate(model: TerritoryModel, year: int) -> Climate:
    normals, territory = model.normals, model.config.territory
    warming = model.climate_scenario.warming_at(year)
    delta = delta_c(model.climate_scenario, year=year,
                    reference_period=model.config.scenario.reference_period)
    weather = generate_year(
        normals.tmin_c, normals.tmax_c, normals.precip_mm,
        delta_c_monthly=monthly_temperature_delta_c(delta),
        precip_factor_monthly=monthly_precip_factor(delta),
        warming_c=warming, rng=model.streams["weather"], year=year,
    )
    weather = levers.force_weather(model, year, weather)  # facilitator's events, if any
    water_cfg = territory.water
    pet = fao56_pet_mm(weather, lat_deg=territory.latitude_deg, elevation_m=water_cfg.elevation_m,
                       wind_m_s=water_cfg.pet_wind_m_s, krs=water_cfg.pet_krs,
                       dewpoint_depression_c=water_cfg.dewpoint_depression_per_c
                       * max(0.0, warming - hydrology.HUMIDITY_BASELINE_WARMING_C))
    indices = yearly_indices(weather, lat_deg=territory.latitude_deg, pet_mm_daily=pet,
                             heat_wave_tmin_c=territory.heat_wave_tmin_c,
                             heat_wave_tmax_c=territory.heat_wave_tmax_c)
    flow, model.river_state = hydrology.daily_river_flow_m3s(
        weather, mean_flow_m3s=territory.river_mean_flow_m3s, pet_mm_daily=pet,
        state=model.river_state, rng=model.streams["hydrology"])
    flow = np.maximum(0.0, flow - model.upstream_withdrawal_m3s)
    effective = hydrology.effective_rain_mm(weather.precip_mm, pet)
    # Natural flow and no level yet: the water stage decides levels day by day and
    # replaces both with the gauge flow and the decided levels.
    levels = np.full(len(flow), -1, dtype=np.int8)
    hourly = hourly_temperature_c(weather)
    return Climate(weather, indices, warming, pet, hourly,
                   solar_capacity_factor_hourly(territory.latitude_deg, weather,
                                                model.streams["weather"], hourly),
                   flow, levels, effective)


# --------------------------------------------------------------------------- 9 implementation
def _implementation(model: TerritoryModel, year: int) -> None:
    """Measures whose lead time is over start working: equipment changes take effect."""
    portfolio, effects = model.household_portfolio, model.household_effects
    active = portfolio.active(year)
    for measure_id in HEAT_PUMP_IDS:
        column = effects.index(measure_id)
        if column is not None:
            model.households.heating_system[active[:, column]] = HEAT_PUMP_SYSTEM
    for measure_id in COOLING_IDS:
        column = effects.index(measure_id)
        if column is not None:
            model.has_cooling |= active[:, column]


# --------------------------------------------------------------------------- 3–4 energy
def _energy(model: TerritoryModel, year: int, climate: Climate) -> EnergyYear:
    hh, effects, portfolio = model.households, model.household_effects, model.household_portfolio
    council = council_factor(model, year, "cooling_demand_factor")
    occupants = model.config.behaviour.energy
    hh_energy = demand.household_energy(
        hh.floor_area_m2, hh.energy_class, hh.heating_system, hh.persons, model.has_cooling,
        portfolio.factor(year, effects.factors["heating_demand_factor"]),
        portfolio.factor(year, effects.factors["cooling_demand_factor"]) * council,
        climate.indices["hdd"] / model.hdd_reference, climate.indices["cdd"],
        income_per_cu(hh.income_eur, hh.persons), occupants.prebound_at_class_g,
        occupants.income_elasticity,
    )
    # A measure's saving never exceeds the demand it applies to.
    hh_energy.specific_kwh = np.maximum(0.0, hh_energy.specific_kwh + portfolio.total(
        year, effects.quantities["electricity_demand_kwh_per_unit_yr"]))
    hh_energy.heating_final_kwh = hh_energy.heating_final_kwh * portfolio.factor(
        year, effects.factors["fuel_demand_factor"])
    firms, f_effects, f_portfolio = model.firms, model.firm_effects, model.firm_portfolio
    cdd_ratio = (climate.indices["cdd"] + 1.0) / (model.cdd_reference + 1.0)
    firm_elec, firm_fuel = demand.firm_energy(
        firms.sector, firms.employees,
        np.ones(len(firms)), f_portfolio.factor(year, f_effects.factors["fuel_demand_factor"]),
        cdd_ratio)
    firm_elec = np.maximum(0.0, firm_elec + f_portfolio.total(
        year, f_effects.quantities["electricity_demand_kwh_per_unit_yr"]))
    shapes = demand.hourly_shapes(climate.hourly_temperature_c)
    pumping_kwh = model.last_water_pumping_kwh
    ctx = territorial.energy_context(model.config, year)
    model.tariffs = pathways.year_tariffs(tariffs(model.config.optimiser), ctx)
    load = (
        territorial.transport_of(commune_state(model, year), ctx).ev_kwh * shapes.flat
        + hh_energy.specific_kwh.sum() * shapes.specific
        + hh_energy.heating_electric_kwh.sum() * shapes.heating
        + hh_energy.cooling_kwh.sum() * shapes.cooling
        + firm_elec[firms.sector == 0].sum() * shapes.flat
        + firm_elec[firms.sector > 0].sum() * shapes.daytime
        + pumping_kwh * shapes.flat
        + municipal_electricity_kwh(model, year) * shapes.flat
    )
    pv_kwp = _pv_kwp(model, year)
    territory = model.config.territory
    hydro_kw = territory.hydro_capacity_kw * np.minimum(
        1.0, np.repeat(climate.flow_m3s, 24) / territory.hydro_design_flow_m3s)
    community_hydro = hydro_kw * territory.hydro_community_share
    result = _dispatch(model, year, load, pv_kwp * climate.solar_kw_per_kwp, community_hydro,
                       climate)
    return EnergyYear(hh_energy, firm_elec, firm_fuel, result, pv_kwp, float(hydro_kw.sum()),
                      float(community_hydro.sum()), pumping_kwh)


def municipal_electricity_kwh(model: TerritoryModel, year: int) -> float:
    """The commune's own electricity (public lighting, buildings, services), kWh/yr: a
    per-inhabitant baseline plus the council measures' additions, whose savings (LED street
    lighting, retrofits) never take it below zero — they are sized for a commune of about
    5,700 inhabitants and would otherwise drive a small territory's load negative."""
    baseline = (model.config.territory.municipal_electricity_kwh_per_inhabitant
                * model.population)
    measures = float(model.council_portfolio.total(year, model.council_effects.quantities[
        "electricity_demand_kwh_per_unit_yr"])[0])
    return max(0.0, baseline + measures)


def _pv_kwp(model: TerritoryModel, year: int) -> float:
    q = "pv_kwp_per_unit"
    return float(
        model.rooftop_kwp.sum()
        + model.household_portfolio.total(year, model.household_effects.quantities[q]).sum()
        + model.firm_portfolio.total(year, model.firm_effects.quantities[q]).sum()
        + model.community_portfolio.total(year, model.community_effects.quantities[q]).sum()
        + model.config.optimiser.ground_pv_kwp
    )


def _assets(model: TerritoryModel, year: int) -> Assets:
    opt = model.config.optimiser
    q = "battery_kwh_per_unit"
    battery = opt.battery_kwh + opt.battery_kwh_per_household * len(model.households) + float(
        model.community_portfolio.total(year, model.community_effects.quantities[q]).sum()
        + model.household_portfolio.total(year, model.household_effects.quantities[q]).sum())
    power = max(opt.battery_kw, battery / opt.battery_duration_h)
    biomass_column = model.community_effects.index("biomass_district_heating")
    biomass = opt.biomass_kw
    if biomass_column is not None and model.community_portfolio.active(year)[0, biomass_column]:
        biomass += opt.heat_network_chp_kw  # CHP of a village heat network
    return Assets(battery_capacity_kwh=battery, battery_power_kw=power,
                  battery_reserve_share=opt.reserve_share, biomass_capacity_kw=biomass,
                  flexible_share=opt.flexible_share)


def tariffs(opt) -> Tariffs:
    """Peak/off-peak import prices and a flat export price from the optimiser config."""
    hour = np.arange(8760) % 24
    peak = (hour >= PEAK_HOURS[0]) & (hour < PEAK_HOURS[1])
    return Tariffs(
        import_price_eur_per_kwh=np.where(peak, opt.peak_price_eur_per_kwh,
                                          opt.offpeak_price_eur_per_kwh),
        export_price_eur_per_kwh=np.full(8760, opt.export_price_eur_per_kwh),
        import_co2_kg_per_kwh=carbon.GRID_KG_PER_KWH,
    )


def _outage_mask(model: TerritoryModel, climate: Climate) -> np.ndarray:
    """A contiguous grid outage each year, longer in heat-wave years (reaction test)."""
    rng = model.streams["dispatch"]
    hours = model.config.optimiser.outage_hours_per_year
    forced = levers.forced_outage_hours(model, climate.weather.year)
    mask = np.zeros(8760, dtype=bool)
    if hours <= 0 and forced <= 0:
        return mask
    growth = model.config.optimiser.outage_growth_per_heat_wave_day
    hours = int(hours * (1.0 + growth * climate.indices["heat_wave_days"])) + forced
    start = int(rng.integers(0, 8760 - min(hours, 8759)))
    mask[start:start + hours] = True
    return mask


def _dispatch(model: TerritoryModel, year: int, load_kw: np.ndarray, pv_kw: np.ndarray,
              hydro_kw: np.ndarray, climate: Climate) -> DispatchResult:
    opt = model.config.optimiser
    mode = model.dispatch_mode or opt.mode
    objective = Objective(cost_weight=opt.cost_weight,
                          peak_weight_eur_per_kw=opt.peak_weight_eur_per_kw,
                          co2_price_eur_per_t=model.config.policy.carbon_price_eur_per_t,
                          reserve_weight=opt.reserve_weight,
                          allow_grid_charging=opt.allow_grid_charging)
    assets = _assets(model, year)
    return dispatch(load_kw, pv_kw, hydro_kw, assets, model.tariffs, mode=mode,
                    objective=objective, outage_mask=_outage_mask(model, climate),
                    critical_load_kw=opt.critical_load_share * load_kw, window_h=opt.window_h,
                    lookahead_h=opt.lookahead_h, forecast_error=opt.forecast_error,
                    rng=model.streams["dispatch"], soc0_kwh=_carried_soc(model, assets))


def _carried_soc(model: TerritoryModel, assets: Assets) -> float | None:
    """Last year's final state of charge, within this year's (possibly smaller) battery."""
    if model.battery_soc_kwh is None:
        return None
    return min(model.battery_soc_kwh, assets.battery_capacity_kwh)


# --------------------------------------------------------------------------- 5 water
def _water(model: TerritoryModel, year: int, climate: Climate) -> WaterYear:
    hh, firms = model.households, model.firms
    h_eff, f_eff = model.household_effects, model.firm_effects
    council = model.council_portfolio
    c_eff = model.council_effects
    territory = model.config.territory
    water_demand = demand.water_demand(
        hh.persons, territory.drinking_water_l_per_person_day,
        model.household_portfolio.factor(year, h_eff.factors["water_demand_factor"]),
        hh.garden, firms.irrigated_ha,
        model.firm_portfolio.factor(year, f_eff.factors["irrigation_demand_factor"]),
        firms.sector, firms.employees,
        model.firm_portfolio.factor(year, f_eff.factors["water_demand_factor"]),
        climate.weather.precip_mm, climate.pet_mm,
    )
    supplies = _supplies(model, year)
    leak_cut = min(MAX_LEAK_REDUCTION_SHARE, float(
        council.total(year, c_eff.quantities["leak_reduction_share"])[0]))
    supply = water_flows.local_supply(
        territory, supplies, climate.effective_rain_mm, climate.weather.precip_mm,
        territory.network_loss_share * (1.0 - leak_cut),
        territory.irrigation_quota_m3_per_ha * float(firms.irrigated_ha.sum()))
    rules = water_flows.basin_rules(territory, model.config.behaviour.restriction_compliance)
    if model.water_stocks is None:
        model.water_stocks = water_flows.initial_stocks(territory, supplies)
    result = water_flows.territory_water_year(water_demand, climate.flow_m3s, rules, supply,
                                              model.water_stocks)
    model.water_stocks = result.stocks_end
    climate.flow_m3s, climate.restriction_level = result.gauge_m3s, result.levels
    model.last_water_pumping_kwh = water_pumping_kwh(result)
    model.river_withdrawal_m3s = result.withdrawal_river_m3 / 86400.0
    return result


def water_pumping_kwh(water: WaterYear) -> float:
    """Electricity to pump, treat and distribute the water withdrawn (network) and to
    pressurise the irrigation delivered to farms (flows/carbon.py, flows/demand.py), kWh."""
    withdrawn = water.withdrawal_river_m3 + water.withdrawal_groundwater_m3
    irrigation = float(water.delivered_m3["agriculture"].sum())
    return (float(withdrawn.sum()) * carbon.WATER_KWH_PER_M3
            + irrigation * demand.IRRIGATION_PUMPING_KWH_PER_M3)


def _supplies(model: TerritoryModel, year: int) -> water_flows.Supplies:
    """Each sector's own sources: household tanks for gardens, farm reservoirs for
    irrigation, industry and council reuse for non-potable uses, imports for the network."""
    key = "water_supply_m3_per_unit_yr"
    tanks = float(model.household_portfolio.total(
        year, model.household_effects.quantities[key]).sum())
    firm = model.firm_portfolio.total(year, model.firm_effects.quantities[key])
    farm = float(firm[model.firms.sector == 0].sum())
    reuse = float(firm[model.firms.sector != 0].sum()) + float(
        model.council_portfolio.total(year, model.council_effects.quantities[key]).sum())
    return water_flows.Supplies(
        tank_capacity_m3=tanks / water_flows.TANK_YIELD_PER_M3,
        farm_capacity_m3=farm / water_flows.FARM_RESERVOIR_YIELD_PER_M3,
        reuse_m3_yr=reuse,
        import_m3_yr=model.config.territory.water.import_capacity_m3_yr)


# --------------------------------------------------------------------------- 6 impacts
def _impacts(model: TerritoryModel, year: int, climate: Climate,
             water: WaterYear) -> Impacts:
    hh, firms = model.households, model.firms
    idx, params = climate.indices, model.config.territory.impacts
    hh_factor = model.household_portfolio.factor(
        year, model.household_effects.factors["heat_stress_factor"])
    hh_factor = np.where(model.has_cooling, np.minimum(hh_factor, model.cooling_heat_factor),
                         hh_factor)
    council_cover = _council_heat_cover(model, year)
    vulnerability = np.where(hh.elderly, params.elderly_heat_vulnerability, 1.0)
    per_household = hh.persons * idx["heat_wave_days"] * vulnerability * hh_factor * council_cover
    unmet = {
        sector: float(water.unmet_m3(sector).sum() / max(water.demand_m3[sector].sum(), 1e-9))
        for sector in water.demand_m3
    }
    crop_factor = model.firm_portfolio.factor(year, model.firm_effects.factors[
        "crop_heat_loss_factor"])
    heat_loss = params.crop_heat_loss_per_hot_day * idx["hot_days_35"]
    drought_loss = np.where(
        firms.irrigated_ha > 0, params.irrigated_loss_per_unmet_share * unmet["agriculture"],
        params.rainfed_loss_per_drought_sd * max(0.0, -idx["drought_index"]))
    firms.yield_factor = np.clip(1.0 - (heat_loss + drought_loss) * crop_factor, 0.0, 1.0)
    hectares = firms.irrigated_ha + firms.rainfed_ha
    productivity = model.firm_portfolio.factor(year, model.firm_effects.factors[
        "productivity_loss_factor"]) * council_factor(model, year, "productivity_loss_factor")
    sector_weight = np.array([params.productivity_weight_farm,
                              params.productivity_weight_industry,
                              params.productivity_weight_services])[firms.sector]
    firms.productivity_loss = np.clip(
        params.productivity_loss_per_hot_day * idx["hot_days_30"] * sector_weight
        * productivity, 0, 1)
    loss_eur = float(np.sum(hectares * (1.0 - firms.yield_factor))
                     * model.config.territory.crop_value_eur_per_ha)
    farm_ha = hectares.sum()
    return Impacts(
        heat_stress_person_days=float(per_household.sum()),
        heat_stress_by_household=per_household,
        crop_yield_factor=float(np.sum(firms.yield_factor * hectares) / farm_ha) if farm_ha
        else 1.0,
        farm_revenue_loss_eur=loss_eur,
        productivity_loss_share=float(np.average(firms.productivity_loss,
                                                 weights=firms.employees))
        if len(firms) else 0.0,
        unmet_share=unmet,
        heat_record=_heat_record(model, year, climate, hh_factor * council_cover)
        if model.indoor_heat else {},
    )


def _heat_record(model: TerritoryModel, year: int, climate: Climate,
                 protection: np.ndarray) -> dict[str, float]:
    """Indoor overheating by dwelling and heat deaths (impacts/heat.py)."""
    hh, effects, heat_cfg = model.households, model.household_effects, model.config.territory.heat
    active_all = model.household_portfolio.active(year)
    active = {mid: active_all[:, col] for mid in heat.HEAT_MEASURES
              if (col := effects.index(mid)) is not None}
    plain, greened, cover = heat.dwelling_parameters(
        hh.energy_class, active, model.has_cooling, _council_greening_cover(model, year), heat_cfg)
    options = {"offset_c": heat_cfg.comfort_offset_c, "internal_rise_c": heat_cfg.internal_rise_c,
               "time_constant_h": heat_cfg.time_constant_h,
               "cooling_setpoint_c": heat_cfg.cooling_setpoint_c}
    args = (climate.hourly_temperature_c, climate.solar_kw_per_kwp)
    degree_hours, hours = heat.overheating_degree_hours(*args, plain, **options)
    if cover > 0:
        green_dh, green_hours = heat.overheating_degree_hours(*args, greened, **options)
        degree_hours = (1 - cover) * degree_hours + cover * green_dh
        hours = (1 - cover) * hours + cover * green_hours
    population = float(hh.persons.sum())
    deaths = heat.heat_deaths(
        climate.weather.tmax_c, population,
        float(np.sum(hh.persons * protection) / max(population, 1e-9)),
        deaths_per_1000_yr=heat_cfg.deaths_per_1000_yr, rr_per_c=heat_cfg.mortality_rr_per_c,
        threshold_c=heat_cfg.mortality_threshold_c)
    return heat.heat_indicators(degree_hours, hours, hh.energy_class, deaths, population)


def _council_greening_cover(model: TerritoryModel, year: int) -> float:
    column = model.council_effects.index("municipal_greening_cool_islands")
    if column is None or not model.council_portfolio.active(year)[0, column]:
        return 0.0
    return float(model.council_effects.quantities["population_covered_share"][column])


def council_factor(model: TerritoryModel, year: int, column: str) -> float:
    """A municipal measure acts on the share of people or premises it covers:
    Π over active council measures of (1 − covered share × (1 − factor))."""
    effects = model.council_effects
    active = model.council_portfolio.active(year)[0]
    cover = effects.quantities["population_covered_share"]
    terms = 1.0 - cover * (1.0 - effects.factors[column])
    return float(np.prod(np.where(active, terms, 1.0)))


def _council_heat_cover(model: TerritoryModel, year: int) -> float:
    """Heat-stress multiplier of council measures: 1 − Σ covered share × (1 − factor)."""
    effects = model.council_effects
    active = model.council_portfolio.active(year)[0]
    cover = effects.quantities["population_covered_share"]
    reduction = np.sum(active * cover * (1.0 - effects.factors["heat_stress_factor"]))
    floor = model.config.territory.impacts.council_heat_cover_floor
    return float(np.clip(1.0 - reduction, floor, 1.0))


# --------------------------------------------------------------------------- 7 perception
def _perception(model: TerritoryModel, year: int, climate: Climate, impacts: Impacts) -> None:
    from territoire_abm.agents.behaviour import update_risk_perception

    hh, behaviour = model.households, model.config.behaviour
    perception = behaviour.perception
    effects = model.council_effects
    boost = float(model.council_portfolio.total(  # campaigns reach the share they cover
        year, effects.quantities["risk_perception_boost"]
        * effects.quantities["population_covered_share"])[0])
    heat_event = climate.indices["heat_wave_days"] >= perception.heat_event_days
    heat_experience = np.clip(impacts.heat_stress_by_household / np.maximum(hh.persons, 1.0)
                              / perception.heat_experience_scale_days, 0.0, 1.0)
    hh.risk_heat = update_risk_perception(
        hh.risk_heat, heat_experience, model.network.neighbour_mean(hh.risk_heat), heat_event,
        behaviour, boost)
    severe_days = int(np.sum(climate.restriction_level >= 2))
    drought_event = severe_days >= perception.drought_event_days
    drought_experience = np.where(hh.garden, 1.0, perception.drought_experience_no_garden) \
        * min(1.0, severe_days / perception.drought_experience_scale_days)
    hh.risk_drought = update_risk_perception(
        hh.risk_drought, drought_experience, model.network.neighbour_mean(hh.risk_drought),
        drought_event, behaviour, boost)
    memory = perception.hazard_memory
    model.hazard_frequency["heat"] = memory * model.hazard_frequency["heat"] + (
        1 - memory) * float(heat_event)
    model.hazard_frequency["drought"] = memory * model.hazard_frequency["drought"] + (
        1 - memory) * float(drought_event)
    model.events = {"heat": bool(heat_event), "drought": bool(drought_event)}


def reference_cdd(model: TerritoryModel, years: int = REFERENCE_CDD_YEARS) -> float:
    """Mean cooling degree days of the reference climate (no warming), from seeded years."""
    rng = np.random.Generator(np.random.PCG64(REFERENCE_CDD_SEED))
    normals = model.normals
    zeros = np.zeros(12)
    values = []
    for _ in range(years):
        weather = generate_year(normals.tmin_c, normals.tmax_c, normals.precip_mm,
                                delta_c_monthly=zeros, precip_factor_monthly=np.ones(12),
                                warming_c=REFERENCE_WARMING_C[DEFAULT_REFERENCE_PERIOD], rng=rng)
        values.append(yearly_indices(weather)["cdd"])
    return float(np.mean(values))
