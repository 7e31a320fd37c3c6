"""Daily water allocation between households, agriculture and industry under restrictions.

Restriction levels follow the French national guide on drought management (2023) and the
prefectoral "arrêtés sécheresse" (DOMAIN §1): from *alerte* agricultural withdrawals are cut
below 50 %, from *alerte renforcée* by 50 % or more, at *crise* only priority uses remain.
When even the allowed demand exceeds the water available, priority uses are served first
(drinking water, then economic uses, then gardens, then irrigation: Code de l'environnement
L211-1). Unmet demand by sector measures the usage conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territoire_abm.flows.demand import WaterDemand

SECTORS = ("households_indoor", "industry", "households_outdoor", "agriculture")
PIPED = {"households_indoor": True, "industry": True, "households_outdoor": True,
         "agriculture": False}
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


@dataclass
class WaterResult:
    """Daily arrays (365) in m³/day; dicts keyed by sector."""

    demand_m3: dict[str, np.ndarray]
    allowed_m3: dict[str, np.ndarray]
    delivered_m3: dict[str, np.ndarray]
    withdrawal_river_m3: np.ndarray
    withdrawal_groundwater_m3: np.ndarray
    other_supply_m3: np.ndarray
    network_losses_m3: np.ndarray

    def unmet_m3(self, sector: str) -> np.ndarray:
        return self.demand_m3[sector] - self.delivered_m3[sector]

    def balance_residual_m3(self) -> float:
        """Largest daily |sources − (deliveries + losses)|; closes to rounding."""
        sources = self.withdrawal_river_m3 + self.withdrawal_groundwater_m3 + self.other_supply_m3
        uses = sum(self.delivered_m3.values()) + self.network_losses_m3
        return float(np.max(np.abs(sources - uses)))


def allocate_water(
    demand: WaterDemand,
    restriction_level: np.ndarray,
    *,
    river_available_m3: np.ndarray,
    groundwater_m3_per_day: float,
    other_supply_m3_per_day: float,
    network_loss_share: float,
    household_compliance: float,
    irrigation_quota_m3: float | None = None,
) -> WaterResult:
    """Apply restrictions, then serve sectors by priority from the water available each day."""
    sector_demand = {
        "households_indoor": demand.households_indoor_m3,
        "industry": demand.industry_m3,
        "households_outdoor": demand.households_outdoor_m3,
        "agriculture": demand.agriculture_m3,
    }
    level_index = np.asarray(restriction_level, dtype=int) + 1
    compliance = {"households_indoor": household_compliance, "households_outdoor":
                  household_compliance, "industry": FIRM_COMPLIANCE,
                  "agriculture": FIRM_COMPLIANCE}
    allowed = {
        sector: values * (1.0 - CUTS[sector][level_index] * compliance[sector])
        for sector, values in sector_demand.items()
    }
    if irrigation_quota_m3 is not None:
        allowed["agriculture"] = _within_quota(allowed["agriculture"], irrigation_quota_m3)
    other = np.full(len(level_index), other_supply_m3_per_day)
    groundwater = np.full(len(level_index), groundwater_m3_per_day)
    remaining = other + groundwater + river_available_m3
    delivered = {}
    loss_factor = 1.0 / (1.0 - network_loss_share)
    for sector in SECTORS:
        cost = loss_factor if PIPED[sector] else 1.0
        delivered[sector] = np.minimum(allowed[sector], remaining / cost)
        remaining = remaining - delivered[sector] * cost
    piped = sum(delivered[s] for s in SECTORS if PIPED[s])
    losses = piped * (loss_factor - 1.0)
    needed = piped + losses + delivered["agriculture"]
    other_used = np.minimum(other, needed)
    ground_used = np.minimum(groundwater, needed - other_used)
    river_used = needed - other_used - ground_used
    return WaterResult(sector_demand, allowed, delivered, river_used, ground_used, other_used,
                       losses)


def _within_quota(daily_m3: np.ndarray, quota_m3: float) -> np.ndarray:
    """Irrigation allowed until the season's authorised volume is used up.

    In the Adour-Garonne basin each irrigator holds a yearly authorised volume (autorisation
    unique de prélèvement, shared by the OUGC within the basin's "volume prélevable"); once it
    is used, irrigation stops for the season.
    """
    used_before = np.concatenate([[0.0], np.cumsum(daily_m3)[:-1]])
    return np.clip(quota_m3 - used_before, 0.0, daily_m3)


def river_available_m3(flow_m3s: np.ndarray, withdrawal_cap_share: float,
                       reserved_flow_m3s: float) -> np.ndarray:
    """Daily volume the territory may take from the river, m³/day.

    At most ``withdrawal_cap_share`` of the flow, and never below the reserved (minimum
    biological) flow, Code de l'environnement L214-18 ("débit réservé").
    """
    usable = np.maximum(0.0, flow_m3s - reserved_flow_m3s)
    return np.minimum(usable, flow_m3s * withdrawal_cap_share) * 86400.0
