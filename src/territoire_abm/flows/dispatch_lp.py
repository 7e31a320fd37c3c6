"""Rolling-horizon LP dispatch of a community, solved by HiGHS through ``highspy``.

Each solve covers ``window_h`` committed hours plus ``lookahead_h`` hours seen ahead; only
the committed hours are kept, then the horizon rolls on from the state of charge reached.
A full-year hourly LP (about 50,000 columns) takes about 0.8 s in HiGHS (STACK.md
"Optimiser"); weekly windows with a day of look-ahead keep a year near 0.2 s. The
constraint matrix depends only on the window length and the battery efficiency: it is built
once with ``scipy.sparse`` and cached; between windows only costs and bounds change.

Decision variables per hour ``t`` (kW = kWh per hour): import ``i``, export ``e``, charge
``c``, discharge ``d``, state of charge ``s`` (kWh), biomass ``b``, curtailment ``k``,
unserved ``u``, flexible shift ``f`` and shortfall below the reserve ``r``; plus one peak
import ``p`` for the committed hours and one for the look-ahead hours.

Minimise ``Σ_t [w_cost·(π_t·i_t − π^x_t·e_t + π^b·b_t) + (CO2 price/1000)·g_t·i_t
+ w_res·r_t·[no outage] + v_t·u_t] + w_peak·(p + p_look)`` subject to, each hour,

* balance: ``i + d + u + b − k − f − c − e = load − pv − hydro``;
* storage: ``s_t = s_{t−1} + η·c_t − d_t/η`` with ``η = sqrt(round trip)``, ``0 ≤ s ≤ E``;
* reserve: ``s_t + r_t ≥ share·E``;  peak: ``p ≥ i_t``;
* flexibility: ``−φ·load_t ≤ f_t ≤ φ·Σ_day load``, ``Σ_day f = 0``;
* terminal: ``s_T ≥ min(max(s_0, share·E), s_0 + η·Σ_t c̄_t, E)`` at the horizon's last hour
  (:func:`terminal_soc_kwh`): no window ends emptier than it started;
* outage hours: ``i = e = 0``; no grid charging: ``c_t ≤ max(pv + hydro − load, 0)``;
* unserved: ``u_t = 0`` where the largest possible deficit ``load + φ·Σ_day load + c̄ − pv −
  hydro`` fits in the biomass capacity plus the import limit (none in outages).

**Unserved energy as the settlement leaves it.** The settlement (and the rule) imports up to
the limit, then uses the spare biomass, and only then leaves load unserved. A plan that sheds
load while import or biomass is left is therefore never realised: the grid takes it, and the
plan's other decisions were made for a peak that does not happen. With the default weights
shedding is attractive to the LP (VOLL 3 €/kWh < peak charge 5 €/kW + energy), so the unserved
price ``v_t`` is VOLL raised, where needed, just above the dearest resource the settlement
would use first: ``w_cost·π^b`` and, with the grid up, ``w_cost·π_t + CO2 price·g_t/1000 +
w_peak`` (one kWh imported raises one peak variable by at most 1 kW). The LP then sheds only
what the settlement sheds, and its objective bounds the evaluated cost of its plan from above,
with equality for plans that shed nothing with the grid up. Shedding with the grid up happens
only at the import limit, so the committed peak is then the limit: for windows where this is
possible (``u_t`` free in a committed hour with the grid up) a second LP is solved with
``p ≥ import limit`` and ``v_t = max(VOLL, w_cost·π^b, w_cost·π_t + CO2 price·g_t/1000)`` (+
a tie-breaker) on the committed hours, and the plan with the lower objective is kept; where
such an hour must shed load whatever the plan, the second LP alone is solved, and where the
first LP's reduced costs prove that the second cannot do better, it is skipped. Together they
give the exact optimum of the evaluated objective (``dispatch.objective_value``) of a window
when VOLL is at least the biomass and import marginal costs. One LP cannot: an hour's
realised cost rises by ``π + w_peak`` per kWh of deficit up to the limit (while that hour
sets the peak) and by VOLL beyond, which is not convex when VOLL < π + w_peak. With no import
limit the second LP is never needed.

The look-ahead peak ``p_look`` carries the full peak weight: it is a lower bound of the next
window's peak, which keeps the plan from ending with an import spike just past the window.
Outages are known to the optimiser (announced or storm-warned); the rule has no foresight.

The committed plan is settled against the actual load and production (see
:func:`.dispatch_rule.settle`): battery, biomass and shift decisions are kept, the grid takes
the forecast error. Without forecast error the settlement reproduces the LP flows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import highspy
import numpy as np
import scipy.sparse as sp

from territoire_abm.flows.dispatch_rule import settle
from territoire_abm.flows.dispatch_types import Problem

BLOCKS = ("import", "export", "charge", "discharge", "soc", "biomass", "curtail", "unserved",
          "shift", "shortfall")
_B = {name: j for j, name in enumerate(BLOCKS)}
# Tie-breaker, € per kWh discharged: without it, cycling the battery through free exports or
# curtailment costs nothing and the LP may return such useless cycles. Not in the evaluation.
# Also the margin by which unserved energy is priced above the resources used before it.
TIE_BREAK_EUR_PER_KWH = 1e-6


@dataclass(frozen=True)
class _Matrix:
    """Column-wise constraint matrix of one window length (cached, read-only)."""

    n_hours: int
    n_commit: int
    num_col: int
    num_row: int
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray


def _col(block: str, hours: np.ndarray, n: int) -> np.ndarray:
    return _B[block] * n + hours


@lru_cache(maxsize=16)
def window_matrix(n_hours: int, n_commit: int, eta: float) -> _Matrix:
    """Constraint matrix for a window of ``n_hours`` of which ``n_commit`` are committed."""
    n, t = n_hours, np.arange(n_hours)
    peak_col = len(BLOCKS) * n + (t >= n_commit)
    rows, cols, vals = [], [], []

    def add(row: np.ndarray, col: np.ndarray, val: float | np.ndarray) -> None:
        rows.append(row)
        cols.append(col)
        vals.append(np.broadcast_to(np.asarray(val, float), row.shape))

    for block, sign in (("import", 1), ("discharge", 1), ("unserved", 1), ("biomass", 1),
                        ("curtail", -1), ("shift", -1), ("charge", -1), ("export", -1)):
        add(t, _col(block, t, n), sign)                       # balance rows 0..n-1
    add(n + t, _col("soc", t, n), 1.0)                        # storage rows n..2n-1
    add(n + t[1:], _col("soc", t[:-1], n), -1.0)
    add(n + t, _col("charge", t, n), -eta)
    add(n + t, _col("discharge", t, n), 1.0 / eta)
    add(2 * n + t, _col("soc", t, n), 1.0)                    # reserve rows 2n..3n-1
    add(2 * n + t, _col("shortfall", t, n), 1.0)
    add(3 * n + t, peak_col, 1.0)                             # peak rows 3n..4n-1
    add(3 * n + t, _col("import", t, n), -1.0)
    add(4 * n + t // 24, _col("shift", t, n), 1.0)            # daily flexibility rows
    last = np.array([n - 1])
    add(4 * n + n // 24 + np.zeros(1, int), _col("soc", last, n), 1.0)  # terminal row
    num_col, num_row = len(BLOCKS) * n + 2, 4 * n + n // 24 + 1
    matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(num_row, num_col))
    matrix.sort_indices()
    return _Matrix(n, n_commit, num_col, num_row, matrix.indptr.astype(np.int32),
                   matrix.indices.astype(np.int32), matrix.data)


@dataclass(frozen=True)
class _Window:
    """Hourly data of one solve: forecast load and production, actual outages and prices."""

    load_kw: np.ndarray
    local_kw: np.ndarray
    outage: np.ndarray
    import_cost: np.ndarray
    export_price: np.ndarray


def _unserved_cost(p: Problem, w: _Window, peak_eur_per_kw: np.ndarray) -> np.ndarray:
    """€ per kWh left unserved: VOLL, or just above the dearest resource settlement uses first.

    Settlement meets a deficit by import up to the limit (grid up; its cost then includes
    ``peak_eur_per_kw``, the peak charge one more kWh may add), then by the biomass capacity
    left, whatever its cost; only the rest is unserved. Pricing unserved energy above those
    resources keeps the LP from planning shedding that settlement would not realise.
    """
    obj, a = p.objective, p.assets
    first = np.full(w.load_kw.size, -np.inf)
    if a.biomass_capacity_kw > 0:
        first[:] = obj.cost_weight * a.biomass_cost_eur_per_kwh
    if p.import_limit_kw > 0:
        first = np.where(w.outage, first, np.maximum(first, w.import_cost + peak_eur_per_kw))
    return np.maximum(obj.voll_eur_per_kwh, first + TIE_BREAK_EUR_PER_KWH)


def _costs(p: Problem, w: _Window, unserved_cost: np.ndarray) -> np.ndarray:
    obj, a = p.objective, p.assets
    n = w.load_kw.size
    cost = np.zeros(len(BLOCKS) * n + 2)
    cost[_col("import", np.arange(n), n)] = w.import_cost
    cost[_col("export", np.arange(n), n)] = -obj.cost_weight * w.export_price
    cost[_col("biomass", np.arange(n), n)] = obj.cost_weight * a.biomass_cost_eur_per_kwh
    cost[_col("discharge", np.arange(n), n)] = TIE_BREAK_EUR_PER_KWH
    cost[_col("unserved", np.arange(n), n)] = unserved_cost
    cost[_col("shortfall", np.arange(n), n)] = np.where(w.outage, 0.0, obj.reserve_weight)
    cost[-2:] = obj.peak_weight_eur_per_kw
    return cost


def _col_bounds(p: Problem, w: _Window) -> tuple[np.ndarray, np.ndarray]:
    a, n = p.assets, w.load_kw.size
    flexible = a.flexible_share * w.load_kw
    day_flex = np.repeat(flexible.reshape(-1, 24).sum(axis=1), 24)
    power = a.battery_power_kw if a.battery_capacity_kwh > 0 else 0.0
    charge_up = np.full(n, power)
    if not p.objective.allow_grid_charging:
        charge_up = np.minimum(charge_up, np.maximum(w.local_kw - w.load_kw, 0.0))
    # Finite caps on import/export keep the LP bounded whatever the prices; never binding.
    import_up = np.minimum(p.import_limit_kw, w.load_kw + day_flex + power)
    export_up = np.minimum(p.export_limit_kw, w.local_kw + a.biomass_capacity_kw + power)
    # Settlement leaves load unserved only beyond the biomass capacity and the import limit:
    # where even the largest deficit (all flexible load in, full charge) fits, u = 0.
    supply_cap = a.biomass_capacity_kw + np.where(w.outage, 0.0, p.import_limit_kw)
    unserved_up = np.where(w.load_kw + day_flex + charge_up - w.local_kw > supply_cap,
                           np.inf, 0.0)
    zeros, inf = np.zeros(n), np.full(n, np.inf)
    upper = [np.where(w.outage, 0.0, import_up), np.where(w.outage, 0.0, export_up), charge_up,
             np.full(n, power), np.full(n, a.battery_capacity_kwh),
             np.full(n, a.biomass_capacity_kw), w.local_kw, unserved_up, day_flex, inf]
    lower = [zeros] * 8 + [-flexible, zeros]
    return (np.concatenate(lower + [np.zeros(2)]),
            np.concatenate(upper + [np.full(2, np.inf)]))


def terminal_soc_kwh(p: Problem, soc_kwh: float, charge_up_kw: np.ndarray) -> float:
    """Least state of charge at the end of a solve's horizon (the terminal condition).

    The battery must end the horizon with at least what it started with, and at least its
    reserve when the horizon's local surplus can refill it that far (``soc + η·Σ charge
    bound``, the most it could store): the LP can no longer empty the battery at the end of
    every window, and a year never ends below the reserve unless an outage drained it and
    no surplus came since. Always feasible (holding the charge meets it).
    """
    a = p.assets
    reachable = soc_kwh + a.one_way_efficiency * float(np.sum(charge_up_kw))
    return float(min(max(soc_kwh, a.reserve_kwh), reachable, a.battery_capacity_kwh))


def _row_bounds(p: Problem, w: _Window, soc_kwh: float,
                charge_up_kw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = w.load_kw.size
    balance = w.load_kw - w.local_kw
    storage = np.zeros(n)
    storage[0] = soc_kwh
    terminal = [terminal_soc_kwh(p, soc_kwh, charge_up_kw)]
    lower = np.concatenate([balance, storage, np.full(n, p.assets.reserve_kwh), np.zeros(n),
                            np.zeros(n // 24), terminal])
    upper = np.concatenate([balance, storage, np.full(n, np.inf), np.full(n, np.inf),
                            np.zeros(n // 24), [np.inf]])
    return lower, upper


# ``highspy.Highs()`` enables its callbacks in the constructor, which prints the HiGHS banner
# on stdout before any option can be set (HiGHS issues #1702, #2749). The core class it
# extends does everything this solver uses, without callbacks and silently.
_HIGHS_CLASS = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)


class _Solver:
    """One HiGHS instance; the model is passed once per window length, then only updated."""

    def __init__(self) -> None:
        self.highs = _HIGHS_CLASS()
        self.highs.setOptionValue("output_flag", False)
        self.loaded: _Matrix | None = None
        self.primal_tol, self.dual_tol = self.tolerance("primal"), self.tolerance("dual")

    def solve(self, m: _Matrix, cost: np.ndarray, col_bounds: tuple[np.ndarray, np.ndarray],
              row_bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        if self.loaded is not m:
            self._pass(m, cost, col_bounds, row_bounds)
        else:
            cols, rows = np.arange(m.num_col, dtype=np.int32), np.arange(m.num_row, dtype=np.int32)
            self.highs.changeColsCost(m.num_col, cols, cost)
            self.highs.changeColsBounds(m.num_col, cols, *col_bounds)
            self.highs.changeRowsBounds(m.num_row, rows, *row_bounds)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"dispatch LP: {self.highs.modelStatusToString(status)}")
        return np.asarray(self.highs.getSolution().col_value)

    def reduced_costs(self) -> np.ndarray:
        """Reduced costs (column duals) of the last solve."""
        return np.asarray(self.highs.getSolution().col_dual)

    def tolerance(self, kind: str) -> float:
        """HiGHS ``primal`` or ``dual`` feasibility tolerance (1e-7 by default)."""
        value = self.highs.getOptionValue(f"{kind}_feasibility_tolerance")
        return float(value[1] if isinstance(value, tuple) else value)   # (status, value)

    def _pass(self, m: _Matrix, cost, col_bounds, row_bounds) -> None:
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m.num_col, m.num_row
        lp.col_cost_ = cost
        lp.col_lower_, lp.col_upper_ = col_bounds
        lp.row_lower_, lp.row_upper_ = row_bounds
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.start, m.index, m.value
        self.highs.passModel(lp)
        self.loaded = m


def _forecast(actual: np.ndarray, error: float, rng: np.random.Generator) -> np.ndarray:
    if error <= 0:
        return actual
    return np.maximum(actual * (1.0 + error * rng.standard_normal(actual.size)), 0.0)


def _window(p: Problem, lo: int, hi: int, error: float, rng: np.random.Generator) -> _Window:
    return _Window(load_kw=_forecast(p.load_kw[lo:hi], error, rng),
                   local_kw=_forecast(p.pv_kw[lo:hi], error, rng)
                   + _forecast(p.hydro_kw[lo:hi], error, rng),
                   outage=p.outage[lo:hi],
                   import_cost=p.import_marginal_eur_per_kwh[lo:hi],
                   export_price=p.export_price[lo:hi])


def lp_dispatch(p: Problem, *, window_h: int, lookahead_h: int, forecast_error: float,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rolling-horizon LP dispatch of ``p``; returns the hourly flows of a ``DispatchResult``."""
    n = p.load_kw.size
    plan = {name: np.zeros(n) for name in ("charge", "discharge", "soc", "biomass", "shift")}
    planned_load = np.zeros(n)
    solver, soc = _Solver(), p.soc0_kwh
    eta = p.assets.one_way_efficiency
    for lo in range(0, n, window_h):
        commit = min(window_h, n - lo)
        hi = min(lo + commit + lookahead_h, n)
        w = _window(p, lo, hi, forecast_error, rng)
        x = _solve_window(solver, window_matrix(hi - lo, commit, eta), p, w, soc)
        for name in plan:
            plan[name][lo:lo + commit] = x[_col(name, np.arange(commit), hi - lo)]
        planned_load[lo:lo + commit] = w.load_kw[:commit]
        soc = float(np.clip(plan["soc"][lo + commit - 1], 0.0, p.assets.battery_capacity_kwh))
    return _realise(p, plan, planned_load)


def _solve_window(solver: _Solver, m: _Matrix, p: Problem, w: _Window,
                  soc_kwh: float) -> np.ndarray:
    """Optimal plan of one window; a second LP where load may go unserved with the grid up.

    First LP: unserved energy priced above import with its peak charge (no shedding while
    import is left). Load is left unserved with the grid up only at the import limit, so in
    a plan that does so the committed peak is the limit: the second LP fixes the peak there
    (its charge is sunk) and prices unserved energy above import without the peak charge,
    ``δ_t`` less. Both objectives bound the evaluated cost of their plan from above and are
    exact on the plans they are meant for; the lower one is kept.

    The second LP is skipped when no committed hour with the grid up may shed load, or when
    the first LP's duals prove it cannot do better: its plans are plans of the first LP, so
    each costs at least ``LP1* + Σ_t (rc_t − δ_t)·u_t`` (``rc_t`` the reduced cost of ``u_t``,
    all ``u_t`` at 0 in LP1's optimum), which is ``≥ LP1*`` when every ``rc_t ≥ δ_t``. When a
    committed hour must shed load whatever the plan (full discharge, full biomass and its
    flexible load moved out leave more than the import limit), every plan has its peak at the
    limit and the second LP alone is solved.
    """
    n, commit = m.n_hours, m.n_commit
    lower, upper = _col_bounds(p, w)
    row_bounds = _row_bounds(p, w, soc_kwh, upper[_col("charge", np.arange(n), n)])
    peak = np.full(n, p.objective.peak_weight_eur_per_kw)
    cost = _costs(p, w, _unserved_cost(p, w, peak))
    hours, grid = np.arange(commit), ~w.outage[:commit]
    unserved = _col("unserved", hours, n)
    may_shed = grid & (upper[unserved] > 0)
    if p.import_limit_kw <= 0 or not may_shed.any():
        return solver.solve(m, cost, (lower, upper), row_bounds)
    least_deficit = (w.load_kw[:commit] - w.local_kw[:commit] + lower[_col("shift", hours, n)]
                     - upper[_col("discharge", hours, n)] - upper[_col("biomass", hours, n)])
    must_shed = grid & (least_deficit > p.import_limit_kw)
    peak[:commit] = 0.0
    cost_at_limit = _costs(p, w, _unserved_cost(p, w, peak))
    delta = cost[unserved] - cost_at_limit[unserved]
    x = None
    if not must_shed.any():
        x = solver.solve(m, cost, (lower, upper), row_bounds)
        check = may_shed & (delta > 0)
        # Duality certificate, within HiGHS's primal and dual feasibility tolerances.
        if np.all(x[unserved][check] <= solver.primal_tol) and np.all(
                solver.reduced_costs()[unserved][check] >= delta[check] - solver.dual_tol):
            return x
    lower_at_limit = lower.copy()
    lower_at_limit[len(BLOCKS) * n] = p.import_limit_kw      # committed peak p
    x_at_limit = solver.solve(m, cost_at_limit, (lower_at_limit, upper), row_bounds)
    if x is None or cost_at_limit @ x_at_limit < cost @ x:
        return x_at_limit
    return x


def _realise(p: Problem, plan: dict[str, np.ndarray],
             planned_load: np.ndarray) -> dict[str, np.ndarray]:
    """Apply the committed plan to the actual hours and settle the balance with the grid."""
    a = p.assets
    eta = a.one_way_efficiency
    soc = np.clip(plan["soc"], 0.0, a.battery_capacity_kwh)
    delta = np.diff(soc, prepend=p.soc0_kwh)
    charge, discharge = np.maximum(delta, 0.0) / eta, np.maximum(-delta, 0.0) * eta
    biomass = np.clip(plan["biomass"], 0.0, a.biomass_capacity_kw)
    shift = actual_shift_kw(plan["shift"], planned_load, p.load_kw, a.flexible_share)
    flows = settle(p, p.load_kw + shift, charge, discharge, soc, biomass)
    return flows | {"flexible_shift_kw": shift}


def actual_shift_kw(shift_kw: np.ndarray, planned_load_kw: np.ndarray, load_kw: np.ndarray,
                    share: float) -> np.ndarray:
    """Carry a planned shift over to the actual load, keeping bounds and daily zero sums.

    Each hour gives up the same fraction of its actual flexible load as planned; each day's
    moved energy goes to the planned receiving hours, pro rata of the planned moves.
    """
    if share <= 0:
        return np.zeros_like(load_kw)
    planned_flex = share * planned_load_kw
    with np.errstate(invalid="ignore", divide="ignore"):
        out_frac = np.where(planned_flex > 0, np.clip(-shift_kw / planned_flex, 0.0, 1.0), 0.0)
    moved_out = (out_frac * share * load_kw).reshape(-1, 24)
    moved_in = np.maximum(shift_kw, 0.0).reshape(-1, 24)
    day_in = moved_in.sum(axis=1, keepdims=True)
    moved_out = np.where(day_in > 0, moved_out, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        into = np.where(day_in > 0, moved_in / day_in, 0.0) * moved_out.sum(axis=1, keepdims=True)
    return (into - moved_out).ravel()
