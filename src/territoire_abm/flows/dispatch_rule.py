"""Greedy (rule-based) community dispatch, vectorised, and the settlement shared with the LP.

The rule is the self-consumption baseline every optimiser should be reported against
(CityLearn, pymgrid: ANCHORS "Energy communities"):

1. flexible load of each day moves from hours in deficit to the hours where local
   renewables exceed the load (pro rata of that surplus, never beyond it);
2. a renewable surplus charges the battery, then is exported (up to the connection limit,
   if the export price is not negative), the rest is curtailed;
3. a deficit is met by the battery down to its reserve (down to empty during an outage),
   then by biomass if its marginal cost is below the import's (price + CO2 price), then by
   import up to the limit, then by any biomass left, and what remains is unserved.

The battery never charges from the grid. One step is one hour: kW and kWh coincide.

The battery recursion ``s_t = clip(s_{t-1} + x_t, floor_t, capacity)`` is computed without a
Python loop: clamp maps ``s ↦ min(max(s + a, l), h)`` are closed under composition, so their
prefix compositions come from a Hillis–Steele scan in ``log2(n)`` vectorised steps
(Hillis & Steele 1986, "Data parallel algorithms", CACM 29(12)). A clamp is exact while the
battery starts the hour at or above its floor; after an outage has drawn it below the
reserve, a short loop holds it (no discharge, charge accepted) until it is back on the floor.
"""

from __future__ import annotations

import numpy as np

from territoire_abm.flows.dispatch_types import Problem

_TOL_KWH = 1e-9


def rule_dispatch(p: Problem) -> dict[str, np.ndarray]:
    """Greedy dispatch of ``p``; returns the hourly flows of a ``DispatchResult``."""
    shift = flexible_shift_rule_kw(p.load_kw, p.local_kw, p.assets.flexible_share)
    served = p.load_kw + shift
    charge, discharge, soc = battery_rule(p, p.local_kw - served)
    deficit = np.maximum(served + charge - p.local_kw - discharge, 0.0)
    cheap = p.objective.cost_weight * p.assets.biomass_cost_eur_per_kwh \
        < p.import_marginal_eur_per_kwh
    biomass = np.where(cheap, np.minimum(deficit, p.assets.biomass_capacity_kw), 0.0)
    return settle(p, served, charge, discharge, soc, biomass) | {"flexible_shift_kw": shift}


def flexible_shift_rule_kw(load_kw: np.ndarray, local_kw: np.ndarray,
                           share: float) -> np.ndarray:
    """Move each day's flexible load into the hours with a local renewable surplus.

    Hours in deficit give up flexible load (at most ``share·load`` and at most their deficit,
    so none of them turns into a surplus); hours in surplus receive it, pro rata of their
    surplus and never beyond it. The day's moved energy is the smaller of what can leave and
    what can be absorbed, so the daily energy is conserved.
    """
    if share <= 0:
        return np.zeros_like(load_kw)
    load, local = load_kw.reshape(-1, 24), local_kw.reshape(-1, 24)
    surplus = np.maximum(local - load, 0.0)
    movable = np.minimum(share * load, np.maximum(load - local, 0.0))
    day_surplus = surplus.sum(axis=1, keepdims=True)
    day_movable = movable.sum(axis=1, keepdims=True)
    moved = np.minimum(day_surplus, day_movable)
    with np.errstate(invalid="ignore", divide="ignore"):
        into = np.where(moved > 0, surplus * moved / day_surplus, 0.0)
        out = np.where(moved > 0, movable * moved / day_movable, 0.0)
    return (into - out).ravel()


def battery_rule(p: Problem, net_kw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charge from the surplus ``net_kw > 0``, discharge into the deficit; kW, kW, kWh."""
    a = p.assets
    if a.battery_capacity_kwh <= 0 or a.battery_power_kw <= 0:
        zeros = np.zeros_like(net_kw)
        return zeros, zeros.copy(), np.full_like(net_kw, p.soc0_kwh)
    eta = a.one_way_efficiency
    power = a.battery_power_kw
    step = np.where(net_kw >= 0, eta * np.minimum(net_kw, power),
                    -np.minimum(-net_kw, power) / eta)
    floor = np.where(p.outage, 0.0, a.reserve_kwh)
    soc = soc_path_kwh(step, floor, a.battery_capacity_kwh, p.soc0_kwh)
    delta = np.diff(soc, prepend=p.soc0_kwh)
    return np.maximum(delta, 0.0) / eta, np.maximum(-delta, 0.0) * eta, soc


def soc_path_kwh(step_kwh: np.ndarray, floor_kwh: np.ndarray, capacity_kwh: float,
                 soc0_kwh: float) -> np.ndarray:
    """State of charge after each hour of a battery that never discharges below its floor.

    ``step_kwh`` is the wanted change of stored energy (charge > 0 is filled up to the
    capacity, discharge < 0 stops at ``floor_kwh``). A battery below its floor keeps its
    energy in deficit hours and accepts charge.
    """
    n = step_kwh.size
    soc = np.empty(n)
    t, s = 0, float(soc0_kwh)
    while t < n:
        seg = _clamp_scan(step_kwh[t:], floor_kwh[t:], capacity_kwh, s)
        before = np.concatenate(([s], seg[:-1]))
        bad = np.flatnonzero((step_kwh[t:] < 0) & (before < floor_kwh[t:] - _TOL_KWH))
        stop = n if bad.size == 0 else t + int(bad[0])
        soc[t:stop] = seg[:stop - t]
        if stop == n:
            break
        t, s = _hold_below_floor(step_kwh, floor_kwh, capacity_kwh, soc, stop,
                                 float(before[bad[0]]))
    return soc


def _hold_below_floor(step: np.ndarray, floor: np.ndarray, capacity: float, soc: np.ndarray,
                      t: int, s: float) -> tuple[int, float]:
    """Hold a battery that is below its floor (no discharge, charge accepted) until it is back.

    Fills ``soc`` from hour ``t`` and returns the first hour that starts on or above the
    floor, with the state of charge then.
    """
    filled = s + np.cumsum(np.maximum(step[t:], 0.0))
    before = np.concatenate(([s], filled[:-1]))
    back = np.flatnonzero(before >= floor[t:] - _TOL_KWH)
    k = int(back[0]) if back.size else step.size - t
    soc[t:t + k] = np.minimum(filled[:k], capacity)
    return t + k, float(soc[t + k - 1])


def _clamp_scan(step: np.ndarray, floor: np.ndarray, capacity: float, s0: float) -> np.ndarray:
    """``s_t = min(max(s_{t-1} + step_t, low_t), capacity)`` for all t, by prefix composition.

    Charge hours get ``low = -inf`` (a charge never lifts a battery to its floor); discharge
    hours get ``low = floor``, exact when the battery starts the hour at or above the floor.
    """
    a = step.copy()
    low = np.where(step < 0, floor, -np.inf)
    high = np.full(step.size, float(capacity))
    k = 1
    while k < a.size:
        # Compose the map ending at t (outer) with the one ending at t − k (inner).
        outer_a, outer_l, outer_h = a[k:], low[k:], high[k:]
        new_l = np.minimum(np.maximum(low[:-k] + outer_a, outer_l), outer_h)
        new_h = np.minimum(np.maximum(high[:-k] + outer_a, outer_l), outer_h)
        new_a = a[:-k] + outer_a
        a[k:], low[k:], high[k:] = new_a, new_l, new_h
        k *= 2
    return np.minimum(np.maximum(s0 + a, low), high)


def settle(p: Problem, served_kw: np.ndarray, charge_kw: np.ndarray, discharge_kw: np.ndarray,
           soc_kwh: np.ndarray, biomass_kw: np.ndarray) -> dict[str, np.ndarray]:
    """Close each hour's balance with the grid, given the battery and biomass decisions.

    A surplus is exported (not during outages, not at a negative price, up to the limit);
    beyond that, biomass is turned down, then renewables are curtailed. A deficit is
    imported (not during outages, up to the limit), then met by the biomass capacity left,
    then left unserved. The balance therefore closes exactly in every hour.
    """
    net = p.local_kw + biomass_kw + discharge_kw - served_kw - charge_kw
    surplus, deficit = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    export_cap = np.where(p.outage | (p.export_price < 0), 0.0, p.export_limit_kw)
    export = np.minimum(surplus, export_cap)
    biomass_cut = np.minimum(surplus - export, biomass_kw)
    curtailed = surplus - export - biomass_cut
    imported = np.minimum(deficit, np.where(p.outage, 0.0, p.import_limit_kw))
    biomass_more = np.minimum(deficit - imported,
                              np.maximum(p.assets.biomass_capacity_kw - biomass_kw, 0.0))
    return {"served_load_kw": served_kw, "biomass_kw": biomass_kw - biomass_cut + biomass_more,
            "import_kw": imported, "export_kw": export, "charge_kw": charge_kw,
            "discharge_kw": discharge_kw, "soc_kwh": soc_kwh, "curtailed_kw": curtailed,
            "unserved_kw": deficit - imported - biomass_more}
