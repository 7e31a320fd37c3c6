"""One water year, day by day: basin restriction decisions, low-flow support and the
territory's supplies, with their stocks.

Why a daily loop
----------------
Restriction levels, withdrawals and the river depend on each other: the prefect's drought
committee sets the level from the river gauge (trailing 10-day minimum flow, national guide
2023, DOMAIN §1); the level cuts withdrawals; withdrawals lower the gauge flow; reservoir
releases top it up while the reservoir lasts. Computing levels from natural flow before any
water is allocated (as the model did until 2026-12) makes restriction days blind to every
lever. Here each day uses the gauge flows of the days before it, so saving water, storing it
in winter or releasing more changes the levels that follow.

Basin scale
-----------
One commune takes a few thousandths of the Garonne; the alert zone's restriction decision
responds to all its users. The territory stands for the basin's users: basin consumption =
``basin_territory_equivalents`` × the territory's consumptive withdrawals (a representative-
user assumption, ODD+D §"Basin"). Consumptive shares: irrigation fully consumed in low-flow
periods (Adour-Garonne, DOMAIN §1); piped water largely returns through sewage works.

Stocks (each kept in [0, capacity]; what overflows is counted as spill)
---------------------------------------------------------------------
- **Low-flow support reservoir** (hm³): filled from a share of natural flow 1 November–
  30 June (snowmelt and winter rain), released 1 July–31 October towards the objective flow
  (DOE) at the gauge, at most ``support_max_release_m3s``, never more than it holds (SMEAG:
  54 hm³ guaranteed 2008–2019, up to 18 m³/s released in 2022; 2016 releases stopped when
  lake Oô was empty). Releases react to yesterday's gauge flow (travel time).
- **Aquifer** (m³): recharge from the day's effective rainfall over the recharge area,
  natural drainage S/τ to the river, pumping down to a protected minimum share.
- **Farm reservoirs** (m³): filled by effective rain 1 November–31 March (winter filling of
  substitution and hill reservoirs), used only for irrigation.
- **Rainwater tanks** (m³): filled by every rain, used only for gardens.
Reuse of treated wastewater is a daily flow for non-potable uses (industry, then irrigation).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from territoire_abm.climate.weather import DAY_OF_YEAR

SECTORS = ("households_indoor", "industry", "households_outdoor", "agriculture")
PIPED = ("households_indoor", "industry", "households_outdoor")
#: Support season (1 July–31 October) and reservoir filling season (1 November–30 June).
SUPPORT_SEASON = (DAY_OF_YEAR >= 182) & (DAY_OF_YEAR <= 304)
FARM_FILL_SEASON = (DAY_OF_YEAR >= 305) | (DAY_OF_YEAR <= 90)
WINDOW_DAYS = 10
_S_PER_DAY = 86400.0
_M3_PER_HM3 = 1e6


@dataclass
class Stocks:
    """Water stocks carried from one year to the next."""

    support_hm3: float
    aquifer_m3: float
    farm_reservoir_m3: float = 0.0
    tank_m3: float = 0.0
    gauge_history_m3s: list[float] = field(default_factory=list)


@dataclass
class BasinRules:
    """Thresholds and rules of the alert zone, and the representative-user scale."""

    thresholds_m3s: tuple[float, float, float, float]
    cuts: dict[str, np.ndarray]          # sector -> cut share by level index (level + 1)
    compliance: dict[str, float]
    territory_equivalents: float
    consumptive_piped: float
    consumptive_agriculture: float
    support_capacity_hm3: float
    support_max_release_m3s: float
    support_target_m3s: float
    support_fill_share: float
    river_cap_share: float
    reserved_flow_m3s: float


@dataclass
class LocalSupply:
    """The territory's own sources for one year (inflows are daily arrays, m³/day)."""

    aquifer_capacity_m3: float
    aquifer_min_share: float
    aquifer_tau_days: float
    aquifer_recharge_m3: np.ndarray
    pump_capacity_m3_day: float
    farm_capacity_m3: float
    farm_inflow_m3: np.ndarray
    tank_capacity_m3: float
    tank_inflow_m3: np.ndarray
    reuse_m3_day: float
    import_m3_day: float
    loss_share: float
    irrigation_quota_m3: float | None = None


@dataclass
class WaterYear:
    """Daily series of one water year (m³/day unless named otherwise)."""

    levels: np.ndarray
    natural_m3s: np.ndarray
    gauge_m3s: np.ndarray
    release_m3s: np.ndarray
    basin_consumption_m3s: np.ndarray
    demand_m3: dict[str, np.ndarray]
    allowed_m3: dict[str, np.ndarray]
    delivered_m3: dict[str, np.ndarray]
    sources_m3: dict[str, np.ndarray]
    losses_m3: np.ndarray
    stocks_end: Stocks
    stock_series: dict[str, np.ndarray]
    spill_m3: dict[str, float]
    aquifer_drained_m3: float = 0.0

    def unmet_m3(self, sector: str) -> np.ndarray:
        """Demand not delivered, for any reason (restriction or shortage)."""
        return self.demand_m3[sector] - self.delivered_m3[sector]

    @property
    def withdrawal_river_m3(self) -> np.ndarray:
        return self.sources_m3["river"]

    @property
    def withdrawal_groundwater_m3(self) -> np.ndarray:
        return self.sources_m3["aquifer"]

    @property
    def network_losses_m3(self) -> np.ndarray:
        return self.losses_m3

    @property
    def restriction_level(self) -> np.ndarray:
        return self.levels

    def balance_residual_m3(self) -> float:
        """Largest daily |sources − (deliveries + network losses)|."""
        sources = sum(self.sources_m3.values())
        uses = sum(self.delivered_m3.values()) + self.losses_m3
        return float(np.max(np.abs(sources - uses)))


def level_from_flow(flow_m3s: float, thresholds: tuple[float, float, float, float]) -> int:
    """−1 none … 3 crise: the number of thresholds the flow is strictly below, minus one."""
    return sum(flow_m3s < t for t in thresholds) - 1


def support_fill_m3(natural_m3s: np.ndarray, share: float) -> np.ndarray:
    """Daily inflow available to the support reservoirs, m³ (only in the filling season)."""
    return np.where(SUPPORT_SEASON, 0.0, share * natural_m3s * _S_PER_DAY)


def simulate_water_year(
    natural_m3s: np.ndarray,
    demand_m3: dict[str, np.ndarray],
    rules: BasinRules,
    supply: LocalSupply,
    stocks: Stocks,
    fixed_levels: np.ndarray | None = None,
) -> WaterYear:
    """Run the 365 days; ``fixed_levels`` imposes levels instead of deciding them.

    Each day: (1) the level from the trailing 10-day minimum of the gauge up to yesterday;
    (2) the support release from yesterday's flow without support; (3) allowed demand after
    cuts and the authorised irrigation volume; (4) sector-specific sources (tanks → gardens,
    farm reservoirs → irrigation, reuse → industry then irrigation); (5) the network by
    priority from imports, the aquifer and the river (with losses), then irrigation from
    the river; (6) basin consumption = equivalents × consumptive withdrawals; (7) stocks.
    """
    natural_arr = np.asarray(natural_m3s, dtype=float)
    fill = support_fill_m3(natural_arr, rules.support_fill_share).tolist()
    season = SUPPORT_SEASON.tolist()
    fixed = None if fixed_levels is None else [int(v) for v in fixed_levels]
    loop = _Loop(rules, supply, stocks, demand_m3)
    loop.run(natural_arr.tolist(), fill, season, fixed)
    return loop.result(demand_m3, natural_arr)


class _Loop:
    """The daily loop over plain floats (365 small steps are faster than numpy)."""

    def __init__(self, rules: BasinRules, supply: LocalSupply, stocks: Stocks,
                 demand: dict[str, np.ndarray]) -> None:
        self.rules, self.supply = rules, supply
        self.demand = [np.asarray(demand[s], dtype=float).tolist() for s in SECTORS]
        self.cuts = [[float(c) * rules.compliance[s] for c in rules.cuts[s]] for s in SECTORS]
        self.stocks = [min(stocks.support_hm3, rules.support_capacity_hm3) * _M3_PER_HM3,
                       min(stocks.aquifer_m3, supply.aquifer_capacity_m3),
                       min(stocks.farm_reservoir_m3, supply.farm_capacity_m3),
                       min(stocks.tank_m3, supply.tank_capacity_m3)]
        self.history = deque(stocks.gauge_history_m3s[-WINDOW_DAYS:], maxlen=WINDOW_DAYS)
        self.spill = [0.0, 0.0, 0.0, 0.0]
        self.drained = 0.0
        self.rec: dict[str, list[float]] = {}

    def run(self, natural: list[float], fill: list[float], season: list[bool],
            fixed: list[int] | None) -> None:  # noqa: C901 - one day is one sequence
        rules, supply = self.rules, self.supply
        thresholds = rules.thresholds_m3s
        d_in, d_ind, d_out, d_agr = self.demand
        c_in, c_ind, c_out, c_agr = self.cuts
        support, aquifer, farm, tank = self.stocks
        support_cap = rules.support_capacity_hm3 * _M3_PER_HM3
        aq_cap, aq_min = supply.aquifer_capacity_m3, supply.aquifer_min_share * (
            supply.aquifer_capacity_m3)
        aq_tau, pump_max = supply.aquifer_tau_days, supply.pump_capacity_m3_day
        recharge = np.asarray(supply.aquifer_recharge_m3, dtype=float).tolist()
        farm_in = np.asarray(supply.farm_inflow_m3, dtype=float).tolist()
        tank_in = np.asarray(supply.tank_inflow_m3, dtype=float).tolist()
        farm_cap, tank_cap = supply.farm_capacity_m3, supply.tank_capacity_m3
        reuse_day, import_day = supply.reuse_m3_day, supply.import_m3_day
        loss_factor = 1.0 / (1.0 - supply.loss_share)
        quota = (float("inf") if supply.irrigation_quota_m3 is None
                 else supply.irrigation_quota_m3)
        target, max_release = rules.support_target_m3s, rules.support_max_release_m3s
        reserved, cap_share = rules.reserved_flow_m3s, rules.river_cap_share
        equivalents = rules.territory_equivalents
        cons_piped, cons_agri = rules.consumptive_piped, rules.consumptive_agriculture
        history, spill = self.history, self.spill
        drained_total, last_release = 0.0, 0.0
        names = ("level", "gauge", "release", "basin", "losses", "support", "aquifer", "farm",
                 "tank", "al_in", "al_ind", "al_out", "al_agr", "de_in", "de_ind", "de_out",
                 "de_agr", "river", "aq", "imp", "reuse", "farm_use", "tank_use")
        rows: list[tuple[float, ...]] = []
        for t, nat in enumerate(natural):
            # 1. level from the gauge of the previous days
            if fixed is not None:
                level = fixed[t]
            elif history:
                low = min(history)
                level = -1
                for threshold in thresholds:
                    if low < threshold:
                        level += 1
            else:
                level = -1
            # 2. support release, within the stock
            release = 0.0
            if season[t] and history:
                wanted = target - (history[-1] - last_release)
                if wanted > 0.0:
                    release = min(wanted, max_release, support / _S_PER_DAY)
            flow = nat + release
            # 3. allowed demand (inline min/max: this loop runs 365 times a year)
            k = level + 1
            a_in = d_in[t] * (1.0 - c_in[k])
            a_ind = d_ind[t] * (1.0 - c_ind[k])
            a_out = d_out[t] * (1.0 - c_out[k])
            a_agr = d_agr[t] * (1.0 - c_agr[k])
            left = quota if quota > 0.0 else 0.0
            a_agr = a_agr if a_agr < left else left
            # 4. sector-specific sources
            tank_use = a_out if a_out < tank else tank
            farm_use = a_agr if a_agr < farm else farm
            reuse_ind = a_ind if a_ind < reuse_day else reuse_day
            want, rest = a_agr - farm_use, reuse_day - reuse_ind
            reuse_agr = want if want < rest else rest
            # 5. network by priority, then irrigation from the river
            usable = flow - reserved
            usable = usable if usable > 0.0 else 0.0
            share = flow * cap_share
            river_cap = (usable if usable < share else share) * _S_PER_DAY
            above = aquifer - aq_min
            above = above if above > 0.0 else 0.0
            pump_cap = pump_max if pump_max < above else above
            available = import_day + pump_cap + river_cap
            room = available / loss_factor
            got_in = a_in if a_in < room else room
            available -= got_in * loss_factor
            room, want = available / loss_factor, a_ind - reuse_ind
            got_ind = want if want < room else room
            available -= got_ind * loss_factor
            room, want = available / loss_factor, a_out - tank_use
            got_out = want if want < room else room
            piped_in = (got_in + got_ind + got_out) * loss_factor
            from_import = piped_in if piped_in < import_day else import_day
            want = piped_in - from_import
            from_aquifer = want if want < pump_cap else pump_cap
            river_piped = piped_in - from_import - from_aquifer
            river_piped = river_piped if river_piped > 0.0 else 0.0
            want, room = a_agr - farm_use - reuse_agr, river_cap - river_piped
            room = room if room > 0.0 else 0.0
            river_agri = want if want < room else room
            quota -= farm_use + reuse_agr + river_agri
            # 6. basin consumption and the gauge
            basin = equivalents * (cons_piped * (river_piped + from_aquifer)
                                   + cons_agri * river_agri) / _S_PER_DAY
            gauge = max(0.0, flow - basin)
            history.append(gauge)
            last_release = release
            # 7. stocks (each kept in [0, capacity]; overflow counted as spill)
            support += fill[t] - release * _S_PER_DAY
            if support > support_cap:
                spill[0] += support - support_cap
                support = support_cap
            drained = min(aquifer / aq_tau, aquifer - from_aquifer)
            drained_total += drained
            aquifer += recharge[t] - from_aquifer - drained
            if aquifer > aq_cap:
                spill[1] += aquifer - aq_cap
                aquifer = aq_cap
            farm += farm_in[t] - farm_use
            if farm > farm_cap:
                spill[2] += farm - farm_cap
                farm = farm_cap
            tank += tank_in[t] - tank_use
            if tank > tank_cap:
                spill[3] += tank - tank_cap
                tank = tank_cap
            rows.append((level, gauge, release, basin, piped_in - got_in - got_ind - got_out,
                         support, aquifer, farm, tank, a_in, a_ind, a_out, a_agr, got_in,
                         reuse_ind + got_ind, tank_use + got_out,
                         farm_use + reuse_agr + river_agri, river_piped + river_agri,
                         from_aquifer, from_import, reuse_ind + reuse_agr, farm_use, tank_use))
        # One (days × series) array, then one contiguous column per series.
        table = np.array(rows, dtype=float).reshape(len(rows), len(names)).T.copy()
        self.stocks = [support, aquifer, farm, tank]
        self.drained = drained_total
        self.rec = dict(zip(names, table, strict=True))

    def result(self, demand: dict[str, np.ndarray], natural: np.ndarray) -> WaterYear:
        rec = self.rec
        support, aquifer, farm, tank = self.stocks
        stocks = Stocks(support / _M3_PER_HM3, aquifer, farm, tank, list(self.history))
        short = dict(zip(SECTORS, ("in", "ind", "out", "agr"), strict=True))
        return WaterYear(
            levels=rec["level"].astype(np.int8), natural_m3s=natural, gauge_m3s=rec["gauge"],
            release_m3s=rec["release"], basin_consumption_m3s=rec["basin"],
            demand_m3={s: np.asarray(demand[s], dtype=float) for s in SECTORS},
            allowed_m3={s: rec[f"al_{short[s]}"] for s in SECTORS},
            delivered_m3={s: rec[f"de_{short[s]}"] for s in SECTORS},
            sources_m3={"river": rec["river"], "aquifer": rec["aq"], "import": rec["imp"],
                        "reuse": rec["reuse"], "farm": rec["farm_use"], "tank": rec["tank_use"]},
            losses_m3=rec["losses"], stocks_end=stocks,
            stock_series={"support_hm3": rec["support"] / _M3_PER_HM3,
                          "aquifer_m3": rec["aquifer"], "farm_reservoir_m3": rec["farm"],
                          "tank_m3": rec["tank"]},
            spill_m3=dict(zip(("support", "aquifer", "farm_reservoir", "tank"), self.spill,
                              strict=True)),
            aquifer_drained_m3=self.drained,
        )
