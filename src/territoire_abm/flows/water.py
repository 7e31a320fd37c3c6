"""The territory's water year: restriction cuts, sector-specific supplies, basin feedback.

Restriction levels follow the French national guide on drought management (2023) and the
prefectoral "arrêtés sécheresse" (DOMAIN §1): from *alerte* agricultural withdrawals are cut
below 50 %, from *alerte renforcée* by 50 % or more, at *crise* only priority uses remain.
When even the allowed demand exceeds the water available, priority uses are served first
(drinking water, then economic uses, then gardens, then irrigation: Code de l'environnement
L211-1).

Two kinds of unmet demand are kept apart:

- **restricted** = demand − allowed: cut by order (garden bans, irrigation cuts);
- **shortage** = allowed − delivered: water that was allowed but not there.

The day-by-day mechanics (levels decided from the gauge, support releases, stocks) are in
:mod:`territoire_abm.flows.basin`; this module assembles one year's inputs from the
territory's demand, measures and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territoire_abm.climate.hydrology import thresholds_from_alert
from territoire_abm.flows.basin import (
    FARM_FILL_SEASON,
    SECTORS,
    BasinRules,
    LocalSupply,
    Stocks,
    WaterYear,
    simulate_water_year,
)
from territoire_abm.flows.demand import WaterDemand

# Share of demand cut at level none, vigilance, alerte, alerte renforcée, crise (index level+1).
# Agriculture: < 50 % at alerte, ≥ 50 % at alerte renforcée, 100 % at crise (national guide 2023).
# Gardens: voluntary saving, hour bans, then bans. Industry: ICPE orders typically −10 % to −50 %
# (estimate, unconfirmed). Indoor drinking water is never restricted.
CUTS = {
    "households_indoor": np.array([0.0, 0.0, 0.0, 0.0, 0.0]),
    "industry": np.array([0.0, 0.0, 0.1, 0.25, 0.5]),
    "households_outdoor": np.array([0.0, 0.1, 0.5, 1.0, 1.0]),
    "agriculture": np.array([0.0, 0.0, 0.4, 0.6, 1.0]),
}
FIRM_COMPLIANCE = 0.9  # controlled by the water police (OFB): estimate (unconfirmed)
#: Slow (groundwater) share of effective rainfall (IHACRES routing in climate.hydrology).
RECHARGE_SHARE = 0.75
#: Catalogue conventions (data/measures.csv): a rainwater tank yields 4 m³/yr per m³ of tank,
#: a farm hill reservoir 0.8 m³/yr per m³ of storage; capacity = yearly yield / this.
TANK_YIELD_PER_M3 = 4.0
FARM_RESERVOIR_YIELD_PER_M3 = 0.8
#: Minimum biological flow as a share of the mean flow (Code de l'environnement L214-18).
RESERVED_FLOW_SHARE = 0.1


@dataclass
class Supplies:
    """Yearly capacities of the territory's own sources, by who may use them (m³)."""

    tank_capacity_m3: float = 0.0       # household rainwater tanks: gardens only
    farm_capacity_m3: float = 0.0       # farm hill/substitution reservoirs: irrigation only
    reuse_m3_yr: float = 0.0            # treated wastewater: industry, then irrigation
    import_m3_yr: float = 0.0           # piped water from a neighbouring territory


def basin_rules(territory, compliance_households: float) -> BasinRules:
    """Rules of the alert zone from the territory config (``TerritoryConfig``)."""
    water = territory.water
    thresholds = thresholds_from_alert(territory.alert_flow_m3s, water.crisis_ratio)
    compliance = {"households_indoor": compliance_households,
                  "households_outdoor": compliance_households,
                  "industry": FIRM_COMPLIANCE, "agriculture": FIRM_COMPLIANCE}
    return BasinRules(
        thresholds_m3s=(thresholds["vigilance_m3s"], thresholds["alert_m3s"],
                        thresholds["reinforced_m3s"], thresholds["crisis_m3s"]),
        cuts=CUTS, compliance=compliance,
        territory_equivalents=water.basin_territory_equivalents,
        consumptive_piped=water.consumptive_share_piped,
        consumptive_agriculture=water.consumptive_share_irrigation,
        support_capacity_hm3=water.support_capacity_hm3,
        support_max_release_m3s=water.support_max_release_m3s,
        support_target_m3s=water.support_target_m3s,
        support_fill_share=water.support_fill_share,
        river_cap_share=territory.river_withdrawal_cap_share,
        reserved_flow_m3s=RESERVED_FLOW_SHARE * territory.river_mean_flow_m3s,
    )


def local_supply(territory, supplies: Supplies, effective_rain_mm: np.ndarray,
                 precip_mm: np.ndarray, loss_share: float,
                 irrigation_quota_m3: float | None) -> LocalSupply:
    """The territory's own sources for one year, with their daily inflows."""
    water = territory.water
    recharge = RECHARGE_SHARE * effective_rain_mm * water.aquifer_recharge_area_km2 * 1e3
    farm_inflow = np.where(FARM_FILL_SEASON, effective_rain_mm, 0.0) * (
        supplies.farm_capacity_m3 / water.farm_reservoir_fill_mm)
    tank_inflow = precip_mm * supplies.tank_capacity_m3 / water.rainwater_tank_fill_mm
    return LocalSupply(
        aquifer_capacity_m3=water.aquifer_capacity_m3, aquifer_min_share=water.aquifer_min_share,
        aquifer_tau_days=water.aquifer_residence_days, aquifer_recharge_m3=recharge,
        pump_capacity_m3_day=territory.groundwater_m3_per_day,
        farm_capacity_m3=supplies.farm_capacity_m3, farm_inflow_m3=farm_inflow,
        tank_capacity_m3=supplies.tank_capacity_m3, tank_inflow_m3=tank_inflow,
        reuse_m3_day=supplies.reuse_m3_yr / 365.0, import_m3_day=supplies.import_m3_yr / 365.0,
        loss_share=loss_share, irrigation_quota_m3=irrigation_quota_m3,
    )


def initial_stocks(territory, supplies: Supplies) -> Stocks:
    """Stocks at the start of a run: reservoirs full, aquifer at half its usable storage."""
    water = territory.water
    return Stocks(support_hm3=water.support_capacity_hm3,
                  aquifer_m3=0.5 * water.aquifer_capacity_m3,
                  farm_reservoir_m3=supplies.farm_capacity_m3,
                  tank_m3=supplies.tank_capacity_m3)


def demand_by_sector(demand: WaterDemand) -> dict[str, np.ndarray]:
    return {"households_indoor": demand.households_indoor_m3, "industry": demand.industry_m3,
            "households_outdoor": demand.households_outdoor_m3,
            "agriculture": demand.agriculture_m3}


def territory_water_year(
    demand: WaterDemand, natural_m3s: np.ndarray, rules: BasinRules, supply: LocalSupply,
    stocks: Stocks, fixed_levels: np.ndarray | None = None,
) -> WaterYear:
    """Run the year (see :func:`territoire_abm.flows.basin.simulate_water_year`)."""
    return simulate_water_year(natural_m3s, demand_by_sector(demand), rules, supply, stocks,
                               fixed_levels)


def restricted_share(water: WaterYear, *sectors: str) -> float:
    """Share of demand cut by restriction orders (demand − allowed)."""
    demand = sum(float(water.demand_m3[s].sum()) for s in sectors)
    cut = sum(float((water.demand_m3[s] - water.allowed_m3[s]).sum()) for s in sectors)
    return cut / demand if demand > 0 else 0.0


def shortage_share(water: WaterYear, *sectors: str) -> float:
    """Share of demand allowed but not delivered (allowed − delivered)."""
    demand = sum(float(water.demand_m3[s].sum()) for s in sectors)
    short = sum(float(np.maximum(water.allowed_m3[s] - water.delivered_m3[s], 0.0).sum())
                for s in sectors)
    return short / demand if demand > 0 else 0.0


JJA = slice(151, 243)


def ten_day_low_flow_m3s(flow_m3s: np.ndarray) -> float:
    """VCN10: lowest 10-day mean flow of the year (the DOE/arrêtés statistic)."""
    return float(np.convolve(flow_m3s, np.ones(10) / 10.0, mode="valid").min())


def water_indicators(water: WaterYear) -> dict[str, float]:
    """Yearly water indicators: restricted vs shortage by sector, stocks, support, flows."""
    households = ("households_indoor", "households_outdoor")
    record = {
        "water_restricted_share_households": restricted_share(water, *households),
        "water_shortage_share_households": shortage_share(water, *households),
        "water_shortage_share_drinking": shortage_share(water, "households_indoor"),
        "garden_water_restricted_share": restricted_share(water, "households_outdoor"),
        "support_release_hm3": float(water.release_m3s.sum() * 86400.0 / 1e6),
        "support_release_max_m3s": float(water.release_m3s.max()),
        "support_stock_1jul_hm3": float(water.stock_series["support_hm3"][180]),
        "aquifer_stock_min_m3": float(water.stock_series["aquifer_m3"].min()),
        "farm_reservoir_used_m3": float(water.sources_m3["farm"].sum()),
        "rainwater_used_m3": float(water.sources_m3["tank"].sum()),
        "reuse_used_m3": float(water.sources_m3["reuse"].sum()),
        "water_imported_m3": float(water.sources_m3["import"].sum()),
        "basin_consumption_max_m3s": float(water.basin_consumption_m3s.max()),
        "river_low_flow_vcn10_m3s": ten_day_low_flow_m3s(water.gauge_m3s),
        "natural_flow_jja_m3s": float(water.natural_m3s[JJA].mean()),
        "natural_low_flow_vcn10_m3s": ten_day_low_flow_m3s(water.natural_m3s),
    }
    for sector in ("agriculture", "industry"):
        record[f"water_restricted_share_{sector}"] = restricted_share(water, sector)
        record[f"water_shortage_share_{sector}"] = shortage_share(water, sector)
    return record


__all__ = ["CUTS", "SECTORS", "Supplies", "WaterYear", "basin_rules", "initial_stocks",
           "local_supply", "restricted_share", "shortage_share", "ten_day_low_flow_m3s",
           "territory_water_year", "water_indicators"]
