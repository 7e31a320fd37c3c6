"""Tests of the energy-community dispatch (rule and LP) and of its KPIs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoire_abm.errors import UserError
from territoire_abm.flows.dispatch import (
    Assets,
    DispatchResult,
    Objective,
    Tariffs,
    dispatch,
    objective_value,
    window_peaks_kw,
)
from territoire_abm.flows.dispatch_lp import actual_shift_kw
from territoire_abm.flows.dispatch_rule import soc_path_kwh
from territoire_abm.indicators.energy_kpis import critical_autonomy_hours, energy_kpis

TOL = 1e-6


def synthetic_year(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load ~3.5 MW with daily and seasonal shape, 3 MWp PV, 3 MW hydro, HP/HC price."""
    rng = np.random.default_rng(seed)
    hour = np.arange(8760)
    hod, doy = hour % 24, hour // 24
    shape = (1 + 0.25 * np.cos(2 * np.pi * (doy - 15) / 365)) * (
        1 + 0.25 * np.sin(2 * np.pi * (hod - 13) / 24) + 0.15 * np.exp(-((hod - 19) / 2) ** 2))
    load = np.maximum(3500 * shape / shape.mean() * (1 + 0.05 * rng.standard_normal(8760)), 0)
    sun = np.clip(np.sin(np.pi * (hod - 6) / 14), 0, None) * (1 + 0.4 * np.cos(
        2 * np.pi * (doy - 172) / 365)) * rng.uniform(0.3, 1.0, 365).repeat(24)
    pv = sun * 3000 * 1300 / sun.sum()
    hydro = 3000 * np.clip(0.6 + 0.3 * np.cos(2 * np.pi * (doy - 60) / 365), 0.1, 1.0)
    price = np.where((hod >= 6) & (hod < 22), 0.27, 0.21)
    return load, pv, hydro, price


YEAR = synthetic_year()
YEAR_ASSETS = Assets(battery_capacity_kwh=2000, battery_power_kw=1000, biomass_capacity_kw=500,
                     flexible_share=0.1)


def check_invariants(r: DispatchResult, tariffs: Tariffs | None = None) -> None:
    """Balance closes, SoC in bounds, flows non-negative, shifts sum to zero each day."""
    assert r.balance_residual_kwh() < TOL
    cap = r.assets.battery_capacity_kwh
    assert r.soc_kwh.min() >= -TOL and r.soc_kwh.max() <= cap + TOL
    for name in ("served_load_kw", "biomass_kw", "import_kw", "export_kw", "charge_kw",
                 "discharge_kw", "curtailed_kw", "unserved_kw"):
        assert getattr(r, name).min() >= -1e-9, name
    assert np.abs(r.flexible_shift_kw.reshape(-1, 24).sum(axis=1)).max() < TOL
    assert np.all(r.flexible_shift_kw >= -r.assets.flexible_share * r.load_kw - TOL)
    assert np.all(r.charge_kw <= r.assets.battery_power_kw + TOL)
    assert np.all(r.discharge_kw <= r.assets.battery_power_kw + TOL)
    assert np.all(r.biomass_kw <= r.assets.biomass_capacity_kw + TOL)
    assert np.all(r.import_kw[r.outage_mask] == 0) and np.all(r.export_kw[r.outage_mask] == 0)
    eta = r.assets.one_way_efficiency
    stored = eta * r.charge_kw - r.discharge_kw / eta
    assert np.allclose(np.diff(r.soc_kwh), stored[1:], atol=TOL)


# --- realistic year -------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["rule", "lp"])
def test_year_invariants(mode):
    """Both modes close the balance on a realistic year, with outages."""
    load, pv, hydro, price = YEAR
    outage = np.zeros(8760, bool)
    outage[1000:1012] = outage[5000:5030] = True
    tariffs = Tariffs(price, np.full(8760, 0.13))
    r = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode=mode, outage_mask=outage)
    check_invariants(r)
    assert r.mode == mode and r.solve_seconds > 0
    totals = r.totals()
    assert totals["import_kwh"] == pytest.approx(r.import_kw.sum())
    assert totals["unserved_kwh"] == pytest.approx(r.unserved_kw.sum())
    assert totals["flexible_moved_kwh"] > 0
    assert totals["peak_import_kw"] == pytest.approx(r.import_kw.max())


@pytest.mark.parametrize("tariff", ["flat", "peak_offpeak"])
def test_lp_never_costs_more_than_rule(tariff):
    """Same objective evaluated on both: LP ≤ rule (DOMAIN §5: ratio ≈ 0.97 HP/HC)."""
    load, pv, hydro, price = YEAR
    if tariff == "flat":
        price = np.full(8760, 0.24)
    tariffs = Tariffs(price, np.full(8760, 0.13))
    rule = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="rule")
    lp = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="lp")
    ratio = objective_value(lp, tariffs) / objective_value(rule, tariffs)
    assert 0.5 < ratio < 1.0
    assert lp.import_kw.max() <= rule.import_kw.max()


def test_rolling_horizon_matches_full_year_optimum():
    """Weekly windows + 1 day look-ahead land within 0.1 % of the one-shot full-year LP."""
    load, pv, hydro, price = YEAR
    tariffs = Tariffs(price, np.full(8760, 0.13))
    objective = Objective(peak_weight_eur_per_kw=0.0)  # peaks per window differ by design
    full = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="lp", objective=objective,
                    window_h=8760, lookahead_h=0)
    rolling = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="lp", objective=objective)
    best = objective_value(full, tariffs, objective)
    assert objective_value(rolling, tariffs, objective) <= best * 1.001


def test_a_whole_year_dispatches_and_balances_in_both_modes():
    """A full 8,760-hour year in both modes (speed figures: benchmarks/bench_engine.py)."""
    load, pv, hydro, price = YEAR
    tariffs = Tariffs(price, np.full(8760, 0.13))
    for mode in ("rule", "lp"):
        result = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode=mode)
        assert result.import_kw.size == 8760
        assert result.balance_residual_kwh() < 1e-6
        assert result.solve_seconds >= 0.0


# --- known answers --------------------------------------------------------------------------

def two_day_case():
    """48 h, load 1 kW, PV 2 kW in hours 0–11, 4 kWh/1 kW battery with η = 0.9 each way."""
    load = np.ones(48)
    pv = np.where(np.arange(48) < 12, 2.0, 0.0)
    assets = Assets(battery_capacity_kwh=4.0, battery_power_kw=1.0, battery_efficiency=0.81,
                    battery_reserve_share=0.0)
    tariffs = Tariffs(np.full(48, 0.2), np.zeros(48), 0.052)
    return load, pv, np.zeros(48), assets, tariffs


def test_lp_known_answer_battery_spreads_discharge():
    """Optimum: store 4 kWh, return 3.6 kWh spread over 36 h → peak 0.9 kW.

    Objective = 32.4 kWh × (0.2 + 0.052·100/1000) €/kWh + 5 €/kW × 0.9 kW = 11.14848 €.
    """
    load, pv, hydro, assets, tariffs = two_day_case()
    r = dispatch(load, pv, hydro, assets, tariffs, mode="lp", window_h=48, lookahead_h=0,
                 soc0_kwh=0.0)
    check_invariants(r)
    assert objective_value(r, tariffs, window_h=48) == pytest.approx(11.14848, abs=1e-6)
    assert r.import_kw.max() == pytest.approx(0.9, abs=1e-6)
    assert r.import_kw.sum() == pytest.approx(32.4, abs=1e-6)
    assert r.discharge_kw.sum() == pytest.approx(3.6, abs=1e-6)


def test_rule_known_answer_battery():
    """Rule: charge 0.9 kWh/h until full (4 kWh), then discharge 1, 1, 1, 0.6 kW."""
    load, pv, hydro, assets, tariffs = two_day_case()
    r = dispatch(load, pv, hydro, assets, tariffs, soc0_kwh=0.0)
    check_invariants(r)
    assert np.allclose(r.soc_kwh[:5], [0.9, 1.8, 2.7, 3.6, 4.0])
    assert np.allclose(r.discharge_kw[12:17], [1, 1, 1, 0.6, 0])
    assert r.export_kw.sum() == pytest.approx(12 - 4 / 0.9)
    assert objective_value(r, tariffs, window_h=48) == pytest.approx(32.4 * 0.2052 + 5.0)


def test_lp_known_answer_flexible_load():
    """24 h, load 1 kW (half flexible), 3 kW PV at noon only, no storage.

    All PV is used (import 21 kWh) and the import is flattened over the 24 h:
    peak 21/24 kW; objective = 21 × 0.2 + 5 × 0.875 = 8.575 €. The rule moves only what the
    noon surplus absorbs: peak 21/23 kW, objective 4.2 + 5 × 21/23.
    """
    load, pv = np.ones(24), np.zeros(24)
    pv[12] = 3.0
    assets = Assets(flexible_share=0.5)
    tariffs = Tariffs(np.full(24, 0.2), np.zeros(24), 0.0)
    lp = dispatch(load, pv, np.zeros(24), assets, tariffs, mode="lp", window_h=24,
                  lookahead_h=0)
    rule = dispatch(load, pv, np.zeros(24), assets, tariffs)
    for r in (lp, rule):
        check_invariants(r)
    assert objective_value(lp, tariffs, window_h=24) == pytest.approx(8.575, abs=1e-6)
    assert objective_value(rule, tariffs, window_h=24) == pytest.approx(4.2 + 5 * 21 / 23)
    assert rule.flexible_shift_kw[12] == pytest.approx(2.0)


# --- outages, reserve, grid charging, biomass -----------------------------------------------

def test_outage_uses_reserve_then_holds_it():
    """Rule: reserve untouched before the outage, spent during it, refilled only by surplus."""
    n = 48
    load, pv = np.ones(n), np.zeros(n)
    pv[30:34] = 3.0                                      # surplus after the outage
    outage = np.zeros(n, bool)
    outage[10:14] = True
    assets = Assets(battery_capacity_kwh=10, battery_power_kw=5, battery_efficiency=1.0,
                    battery_reserve_share=0.2)
    tariffs = Tariffs(np.full(n, 0.2), np.zeros(n))
    r = dispatch(load, pv, np.zeros(n), assets, tariffs, outage_mask=outage, soc0_kwh=4.0)
    check_invariants(r)
    assert np.allclose(r.soc_kwh[:10], np.arange(3, -7, -1).clip(2, None))  # down to reserve 2
    assert np.allclose(r.soc_kwh[10:14], [1, 0, 0, 0])                     # reserve spent
    assert np.allclose(r.unserved_kw[10:14], [0, 0, 1, 1])
    assert np.allclose(r.soc_kwh[14:30], 0)                                # held below floor
    assert np.allclose(r.soc_kwh[30:35], [2, 4, 6, 8, 7])
    assert energy_kpis(r, tariffs)["critical_served_share"] == pytest.approx(0.5)
    reserve_only = Objective(cost_weight=0, peak_weight_eur_per_kw=0, co2_price_eur_per_t=0,
                             reserve_weight=1.0, voll_eur_per_kwh=0)
    # 2 kWh below the reserve for hours 14–29; outage hours are not penalised.
    assert objective_value(r, tariffs, reserve_only) == pytest.approx(32.0)


@pytest.mark.parametrize("weight, keeps", [(10.0, True), (0.0, False)])
def test_lp_reserve_weight(weight, keeps):
    """A high reserve penalty keeps the LP above the reserve; without it the LP uses it in
    the first night (PV both mornings: the terminal condition is met by the second one)."""
    load, _, hydro, _, tariffs = two_day_case()
    pv = np.where(np.arange(48) % 24 < 12, 2.0, 0.0)
    assets = Assets(battery_capacity_kwh=4.0, battery_power_kw=1.0, battery_efficiency=0.81,
                    battery_reserve_share=0.5)
    r = dispatch(load, pv, hydro, assets, tariffs, mode="lp", window_h=48, lookahead_h=0,
                 objective=Objective(reserve_weight=weight), soc0_kwh=0.0)
    check_invariants(r)
    assert (r.soc_kwh[12:24].min() >= 2.0 - TOL) == keeps


@pytest.mark.parametrize("mode", ["rule", "lp"])
def test_outage_without_resources_is_unserved(mode):
    """No battery, no production: the whole outage load is unserved, nothing imported."""
    load = np.full(24, 2.0)
    outage = np.zeros(24, bool)
    outage[5:9] = True
    r = dispatch(load, np.zeros(24), np.zeros(24), Assets(), Tariffs(np.full(24, 0.2),
                 np.zeros(24)), mode=mode, outage_mask=outage, window_h=24)
    check_invariants(r)
    assert np.allclose(r.unserved_kw, np.where(outage, 2.0, 0.0))


def test_lp_grid_charging_only_when_allowed():
    """Cost-only LP with HP/HC: arbitrage from the grid appears only with the flag."""
    hod = np.arange(72) % 24
    price = np.where((hod >= 6) & (hod < 22), 0.27, 0.10)
    tariffs = Tariffs(price, np.zeros(72), 0.0)
    assets = Assets(battery_capacity_kwh=10, battery_power_kw=5, battery_reserve_share=0.0)
    cost_only = Objective(peak_weight_eur_per_kw=0.0, co2_price_eur_per_t=0.0)
    args = (np.full(72, 3.0), np.zeros(72), np.zeros(72), assets, tariffs)
    blocked = dispatch(*args, mode="lp", objective=cost_only, window_h=24)
    allowed = dispatch(*args, mode="lp", window_h=24,
                       objective=Objective(peak_weight_eur_per_kw=0.0, co2_price_eur_per_t=0.0,
                                           allow_grid_charging=True))
    assert blocked.charge_kw.max() == pytest.approx(0.0, abs=1e-9)
    assert allowed.charge_kw.sum() > 10
    assert objective_value(allowed, tariffs, cost_only) < objective_value(blocked, tariffs,
                                                                          cost_only)


def test_rule_biomass_only_when_cheaper():
    """Rule: biomass at 0.08 €/kWh runs against a 0.27 €/kWh import, not against 0.05."""
    load = np.full(24, 2.0)
    assets = Assets(biomass_capacity_kw=1.5)
    dear = dispatch(load, np.zeros(24), np.zeros(24), assets, Tariffs(np.full(24, 0.27),
                    np.zeros(24)))
    cheap = dispatch(load, np.zeros(24), np.zeros(24), assets,
                     Tariffs(np.full(24, 0.05), np.zeros(24), 0.0))
    assert np.allclose(dear.biomass_kw, 1.5) and np.allclose(dear.import_kw, 0.5)
    assert np.allclose(cheap.biomass_kw, 0.0) and np.allclose(cheap.import_kw, 2.0)


def test_import_limit_then_biomass_then_unserved():
    """Rule, limit 1 kW: deficit 3 kW → import 1, dear biomass 1, unserved 1."""
    load = np.full(24, 3.0)
    tariffs = Tariffs(np.full(24, 0.05), np.zeros(24), 0.0, import_limit_kw=1.0)
    r = dispatch(load, np.zeros(24), np.zeros(24), Assets(biomass_capacity_kw=1.0), tariffs)
    check_invariants(r)
    assert np.allclose([r.import_kw[0], r.biomass_kw[0], r.unserved_kw[0]], [1, 1, 1])


def test_lp_plans_no_shedding_that_settlement_would_import():
    """Peak charge 5 €/kW above VOLL 3 €/kWh; limit 4 kW, biomass 2 kW at 0.25 €/kWh, import
    0.2 €/kWh. Hour 0 needs 7 kW: import 4, biomass 2, 1 kWh unserved whatever the plan, so
    the peak is 4 kW and the other 23 hours import 1 kW (0.2 < 0.25 €/kWh). Planning to shed
    hour 0 instead (peak 0, biomass elsewhere) would never be realised: settlement imports,
    and the plan would cost 30.05 €. Hand-computed optimum: 27·0.2 + 2·0.25 + 4·5 + 1·3 = 28.9 €.
    """
    load = np.full(24, 1.0)
    load[0] = 7.0
    assets = Assets(biomass_capacity_kw=2.0, biomass_cost_eur_per_kwh=0.25)
    tariffs = Tariffs(np.full(24, 0.2), np.zeros(24), 0.0, import_limit_kw=4.0)
    for mode in ("rule", "lp"):
        r = dispatch(load, np.zeros(24), np.zeros(24), assets, tariffs, mode=mode)
        check_invariants(r)
        assert objective_value(r, tariffs) == pytest.approx(28.9, abs=1e-6), mode
        assert np.allclose(r.import_kw, np.where(load > 1, 4.0, 1.0)), mode
        assert np.allclose(r.unserved_kw, np.where(load > 1, 1.0, 0.0)), mode


def test_export_limit_curtails():
    """Surplus beyond the connection limit is curtailed."""
    pv = np.full(24, 5.0)
    tariffs = Tariffs(np.full(24, 0.2), np.full(24, 0.1), import_limit_kw=2.0)
    r = dispatch(np.ones(24), pv, np.zeros(24), Assets(), tariffs)
    assert np.allclose(r.export_kw, 2.0) and np.allclose(r.curtailed_kw, 2.0)


# --- forecast error -------------------------------------------------------------------------

def test_forecast_error_is_seeded_and_settled():
    """Noisy forecasts: balance still closes; same seed → same result; worse than perfect."""
    load, pv, hydro, price = (a[: 24 * 28] for a in YEAR)
    tariffs = Tariffs(price, np.full(load.size, 0.13))

    def run(error, seed):
        return dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="lp", forecast_error=error,
                        rng=np.random.default_rng(seed))

    perfect, noisy, again, other = run(0.0, 1), run(0.2, 1), run(0.2, 1), run(0.2, 2)
    check_invariants(noisy)
    assert np.array_equal(noisy.import_kw, again.import_kw)
    assert not np.array_equal(noisy.import_kw, other.import_kw)
    assert objective_value(noisy, tariffs) > objective_value(perfect, tariffs)


def test_actual_shift_without_error_is_the_plan():
    """Settling a plan against the load it was made for changes nothing."""
    shift = np.zeros(24)
    shift[[2, 3]], shift[[12]] = -0.5, 1.0
    load = np.full(24, 2.0)
    assert np.allclose(actual_shift_kw(shift, load, load, 0.5), shift)


# --- property tests -------------------------------------------------------------------------

@st.composite
def problems(draw):
    days = draw(st.integers(1, 3))
    n = 24 * days
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    load = rng.uniform(0, 10, n) * draw(st.sampled_from([0.0, 1.0, 1.0]))
    pv = np.clip(rng.normal(3, 4, n), 0, None) * draw(st.sampled_from([0.0, 1.0, 2.0]))
    hydro = rng.uniform(0, 3, n) * draw(st.sampled_from([0.0, 1.0]))
    cap = draw(st.sampled_from([0.0, 5.0, 20.0]))
    assets = Assets(battery_capacity_kwh=cap, battery_power_kw=draw(st.sampled_from([0.0, 2, 8])),
                    battery_efficiency=draw(st.floats(0.6, 1.0)),
                    battery_reserve_share=draw(st.floats(0.0, 1.0)),
                    biomass_capacity_kw=draw(st.sampled_from([0.0, 2.0])),
                    biomass_cost_eur_per_kwh=draw(st.floats(0.0, 0.4)),
                    flexible_share=draw(st.sampled_from([0.0, 0.3, 1.0])))
    price = rng.uniform(0.05, 0.4, n)
    tariffs = Tariffs(price, price * rng.uniform(0, 1, n), rng.uniform(0, 0.1, n),
                      import_limit_kw=draw(st.sampled_from([np.inf, 4.0])))
    outage = rng.uniform(size=n) < draw(st.sampled_from([0.0, 0.1, 0.5]))
    soc0 = draw(st.floats(0.0, 1.0)) * cap
    return load, pv, hydro, assets, tariffs, outage, soc0


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(), st.sampled_from(["rule", "lp"]))
def test_property_invariants(case, mode):
    """Random inputs: balance closes, SoC in bounds, flows ≥ 0, daily shifts sum to 0."""
    load, pv, hydro, assets, tariffs, outage, soc0 = case
    r = dispatch(load, pv, hydro, assets, tariffs, mode=mode, outage_mask=outage,
                 soc0_kwh=soc0, window_h=24, lookahead_h=24)
    check_invariants(r)
    kpis = energy_kpis(r, tariffs)
    assert all(np.isfinite(v) for v in kpis.values())


@SETTINGS
@given(problems())
def test_property_single_window_lp_beats_rule(case):
    """With one window the LP is the exact optimum; the rule is one of its solutions when it
    meets the terminal condition (ends with at least its start and its reserve)."""
    load, pv, hydro, assets, tariffs, outage, soc0 = case
    kwargs = {"outage_mask": outage, "soc0_kwh": soc0}
    rule = dispatch(load, pv, hydro, assets, tariffs, **kwargs)
    lp = dispatch(load, pv, hydro, assets, tariffs, mode="lp", window_h=load.size,
                  lookahead_h=0, **kwargs)
    lp_value = objective_value(lp, tariffs, window_h=load.size)
    rule_value = objective_value(rule, tariffs, window_h=load.size)
    # The LP's tie-breaker (1e-6 € per kWh discharged) is not part of the evaluation.
    slack = 1e-6 * (rule.discharge_kw.sum() + max(1.0, abs(rule_value)))
    wanted = max(soc0, assets.reserve_kwh)
    assert lp.soc_kwh[-1] >= min(wanted, rule.soc_kwh[-1]) - TOL
    if rule.soc_kwh[-1] >= wanted - TOL:
        assert lp_value <= rule_value + slack


def reference_soc(step, floor, cap, s0):
    """Plain loop: fill up to cap, discharge down to the floor, never below it."""
    out, s = [], s0
    for x, low in zip(step, floor, strict=True):
        if x >= 0:
            s = min(s + x, cap)
        elif s >= low:
            s = max(s + x, low)
        out.append(s)
    return np.array(out)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300), st.floats(0, 1), st.floats(0, 1))
def test_property_scan_matches_loop(seed, n, reserve_share, start_share):
    """The vectorised clamp scan equals the plain battery loop, outages included."""
    rng = np.random.default_rng(seed)
    cap = 10.0
    step = rng.normal(0, 3, n)
    floor = np.where(rng.uniform(size=n) < 0.2, 0.0, reserve_share * cap)
    expected = reference_soc(step, floor, cap, start_share * cap)
    assert np.allclose(soc_path_kwh(step, floor, cap, start_share * cap), expected, atol=1e-9)


# --- KPIs -----------------------------------------------------------------------------------

def test_kpis_hand_computed():
    """Two-day case, rule: every KPI by hand."""
    load, pv, hydro, assets, tariffs = two_day_case()
    r = dispatch(load, pv, hydro, assets, tariffs, soc0_kwh=0.0)
    k = energy_kpis(r, tariffs)
    exported = 12 - 4 / 0.9
    assert k["local_renewable_kwh"] == pytest.approx(24.0)
    assert k["self_consumption_rate"] == pytest.approx((24 - exported) / 24)
    assert k["import_kwh"] == pytest.approx(32.4)
    assert k["self_sufficiency_rate"] == pytest.approx((48 - 32.4) / 48)
    assert k["peak_import_kw"] == pytest.approx(1.0)
    assert k["load_factor"] == pytest.approx(32.4 / 48)
    assert k["ramping_kw"] == pytest.approx(0.4 + 0.6)   # 0 → 0.4 at h15, 0.4 → 1 at h16
    assert k["cost_eur"] == pytest.approx(32.4 * 0.2)
    assert k["import_co2_t"] == pytest.approx(32.4 * 0.052 / 1000)
    assert k["unserved_kwh"] == 0 and k["curtailed_kwh"] == 0
    assert k["critical_served_share"] == 1.0


def test_kpis_zero_guards():
    """Nothing at all: rates and load factor are 0.0, not nan."""
    zeros = np.zeros(24)
    r = dispatch(zeros, zeros, zeros, Assets(), Tariffs(zeros, zeros))
    k = energy_kpis(r, Tariffs(zeros, zeros))
    assert k["self_consumption_rate"] == 0.0 and k["self_sufficiency_rate"] == 0.0
    assert k["load_factor"] == 0.0 and all(np.isfinite(v) for v in k.values())


def test_critical_autonomy_known_answer():
    """10 kWh at η = 0.9 carry 3 kW for 3 h; alternating 2/4 kW: 3 or 3.5 h by start hour."""
    soc = np.full(24, 10.0)
    assert np.allclose(critical_autonomy_hours(soc, np.full(24, 3.0), 0.9), 3.0)
    critical = np.tile([2.0, 4.0], 12)
    hours = critical_autonomy_hours(soc, critical, 1.0)
    assert hours[1] == pytest.approx(3.5)      # 2 + 4 + 2 kWh, then 2 of the next 4 kWh
    assert hours[0] == pytest.approx(3.0)      # 4 + 2 + 4 kWh exactly
    assert np.allclose(critical_autonomy_hours(soc, np.zeros(24), 1.0), 24.0)
    assert np.allclose(critical_autonomy_hours(np.zeros(24), critical, 1.0), 0.0)


def test_window_peaks():
    """Peaks of consecutive windows, last one short."""
    assert np.array_equal(window_peaks_kw(np.array([1.0, 3, 2, 5, 4]), 2), [3.0, 5, 4])


# --- user errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    ({"mode": "milp"}, "mode"),
    ({"window_h": 100}, "window_h"),
    ({"lookahead_h": -24}, "lookahead_h"),
    ({"soc0_kwh": 99.0}, "soc0_kwh"),
    ({"outage_mask": np.zeros(5, bool)}, "outage_mask"),
    ({"forecast_error": -0.1}, "forecast_error"),
])
def test_user_errors(kwargs, field):
    """Wrong arguments name their field."""
    ones = np.ones(24)
    with pytest.raises(UserError) as err:
        dispatch(ones, ones, ones, Assets(battery_capacity_kwh=10), Tariffs(ones, ones),
                 **kwargs)
    assert err.value.field == field


def test_user_errors_in_data():
    """Bad series and parameters are user errors."""
    ones = np.ones(24)
    with pytest.raises(UserError, match="load_kw"):
        dispatch(np.ones(30), np.ones(30), np.ones(30), Assets(), Tariffs(ones, ones))
    with pytest.raises(UserError, match="pv_kw"):
        dispatch(ones, -ones, ones, Assets(), Tariffs(ones, ones))
    with pytest.raises(UserError, match="import_price"):
        dispatch(ones, ones, ones, Assets(), Tariffs(np.ones(23), ones))
    with pytest.raises(UserError, match="flexible_share"):
        Assets(flexible_share=1.5)
    with pytest.raises(UserError, match="battery_efficiency"):
        Assets(battery_efficiency=0.0)
    with pytest.raises(UserError, match="peak_weight"):
        Objective(peak_weight_eur_per_kw=-1.0)


# --- terminal condition, against an independent formulation --------------------------------

def independent_lp_value(load, pv, price, export_price, assets, objective, soc0):
    """The same one-window dispatch written afresh for ``scipy.optimize.linprog``.

    Hourly import, export, charge, discharge, state of charge, curtailment, flexible shift
    and shortfall below the reserve, one peak; no outage, no import limit (nothing is ever
    unserved), no biomass; terminal condition ``s_T ≥ s_0`` (``s_0`` at or above the reserve).
    """
    from scipy.optimize import linprog
    from scipy.sparse import diags, eye, hstack, lil_matrix, vstack

    n, eta, cap = load.size, assets.one_way_efficiency, assets.battery_capacity_kwh
    names = ("i", "e", "c", "d", "s", "k", "f", "r")
    col = {name: j * n for j, name in enumerate(names)}
    num = len(names) * n + 1
    cost = np.zeros(num)
    cost[col["i"]:col["i"] + n] = objective.cost_weight * price \
        + objective.co2_price_eur_per_t * 0.052 / 1000
    cost[col["e"]:col["e"] + n] = -objective.cost_weight * export_price
    cost[col["r"]:col["r"] + n] = objective.reserve_weight
    cost[-1] = objective.peak_weight_eur_per_kw
    ident, zero = eye(n), lil_matrix((n, n))
    # balance: i − e − c + d − k − f = load − pv
    balance = hstack([ident, -ident, -ident, ident, zero, -ident, -ident, zero,
                      lil_matrix((n, 1))])
    # storage: s_t − s_{t−1} − η c_t + d_t/η = 0 (s_{−1} = soc0)
    storage = hstack([zero, zero, -eta * ident, ident / eta, eye(n) - eye(n, k=-1), zero, zero,
                      zero, lil_matrix((n, 1))])
    rhs_storage = np.zeros(n)
    rhs_storage[0] = soc0
    days = lil_matrix((n // 24, n))
    for t in range(n):
        days[t // 24, t] = 1.0
    daily = hstack([lil_matrix((n // 24, 6 * n)), days, lil_matrix((n // 24, n + 1))])
    a_eq = vstack([balance, storage, daily]).tocsr()
    b_eq = np.concatenate([load - pv, rhs_storage, np.zeros(n // 24)])
    # peak: i_t − p ≤ 0; reserve: −s_t − r_t ≤ −reserve; terminal: −s_T ≤ −soc0
    peak = hstack([ident, lil_matrix((n, 7 * n)), -np.ones((n, 1))])
    reserve = hstack([lil_matrix((n, 4 * n)), -ident, zero, zero, -ident, lil_matrix((n, 1))])
    terminal = lil_matrix((1, num))
    terminal[0, col["s"] + n - 1] = -1.0
    a_ub = vstack([peak, reserve, terminal]).tocsr()
    b_ub = np.concatenate([np.zeros(n), np.full(n, -assets.reserve_kwh), [-soc0]])
    flexible = assets.flexible_share * load
    day_flex = np.repeat(flexible.reshape(-1, 24).sum(axis=1), 24)
    charge_up = np.minimum(assets.battery_power_kw, np.maximum(pv - load, 0.0))
    bounds = ([(0, None)] * 2 * n + [(0, u) for u in charge_up]
              + [(0, assets.battery_power_kw)] * n + [(0, cap)] * n
              + [(0, u) for u in pv] + list(zip(-flexible, day_flex, strict=True))
              + [(0, None)] * n + [(0, None)])
    del diags
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return res.fun


def terminal_case():
    """Three days with a midday PV surplus, an evening peak and HP/HC prices."""
    hour = np.arange(72) % 24
    load = 40 + 30 * np.exp(-((hour - 19) / 2.5) ** 2)
    pv = 120 * np.clip(np.sin(np.pi * (hour - 7) / 11), 0, None)
    price = np.where((hour >= 7) & (hour < 23), 0.27, 0.21)
    assets = Assets(battery_capacity_kwh=200, battery_power_kw=60, battery_efficiency=0.9,
                    battery_reserve_share=0.2, flexible_share=0.2)
    return load, pv, price, assets


def test_lp_terminal_condition_matches_independent_linprog():
    """One window: the LP ends with at least its initial charge, and its scored cost equals
    the optimum of an independent linprog formulation with ``s_T ≥ s_0``."""
    load, pv, price, assets = terminal_case()
    tariffs = Tariffs(price, np.full(72, 0.13))
    objective = Objective()
    soc0 = 100.0
    lp = dispatch(load, pv, np.zeros(72), assets, tariffs, mode="lp", window_h=72,
                  lookahead_h=0, soc0_kwh=soc0, objective=objective)
    assert lp.soc_kwh[-1] >= soc0 - 1e-6
    reference = independent_lp_value(load, pv, price, np.full(72, 0.13), assets, objective,
                                     soc0)
    value = objective_value(lp, tariffs, objective, window_h=72)
    assert value == pytest.approx(reference, rel=1e-6, abs=1e-4)


@pytest.mark.parametrize("window_h, lookahead_h", [(168, 24), (24, 0)])
def test_lp_year_never_ends_below_reserve(window_h, lookahead_h):
    """Rolling windows: a year starting at the reserve ends at or above it (the old LP
    emptied the battery in the last hours of the year)."""
    load, pv, hydro, price = YEAR
    tariffs = Tariffs(price, np.full(8760, 0.13))
    lp = dispatch(load, pv, hydro, YEAR_ASSETS, tariffs, mode="lp", window_h=window_h,
                  lookahead_h=lookahead_h)
    assert lp.soc_kwh[-1] >= YEAR_ASSETS.reserve_kwh - 1e-6


def test_lp_prints_nothing():
    """HiGHS's banner and log stay off stdout and stderr, in a fresh interpreter (the banner
    comes once per process, at the first solver's construction)."""
    import subprocess
    import sys

    code = ("import numpy as np\n"
            "from territoire_abm.flows.dispatch import Assets, Tariffs, dispatch\n"
            "n = 48\n"
            "dispatch(np.full(n, 100.0), np.full(n, 50.0), np.zeros(n), Assets(100, 50),\n"
            "         Tariffs(np.full(n, 0.2), np.full(n, 0.1)), mode='lp')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "" and "HiGHS" not in done.stderr
