"""Analyses recover known answers: sensitivity indices, PRIM boxes, regret, tipping points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis import (
    Action,
    delta_indices,
    discover,
    discover_scenarios,
    enumerate_pathways,
    fast_indices,
    first_tipping_index,
    load_results,
    morris_indices,
    pawn_indices,
    plot_pathways,
    regret,
    regret_summary,
    satisficing,
    satisficing_radius,
    sobol_indices,
    sobol_over_time,
    tipping_points,
    tipping_summary,
)
from territoire_abm.experiments.analysis.pathways import actions_from_tipping, pathway_table
from territoire_abm.experiments.cli import analyse_main
from territoire_abm.experiments.runner import run_experiment
from territoire_abm.experiments.spec import spec_from_config
from territoire_abm.experiments.testing_models import ISHIGAMI_S1, ISHIGAMI_ST

MODELS = "territoire_abm.experiments.testing_models"
PI = math.pi


def _run(tmp_path_factory, name, cfg):
    out = tmp_path_factory.mktemp(name) / "out"
    spec = spec_from_config({"name": name, **cfg})
    run_experiment(spec, out, workers=1, progress=False)
    return load_results(out)


@pytest.fixture(scope="module")
def ishigami_sobol(tmp_path_factory):
    return _run(tmp_path_factory, "ishigami", {
        "model": f"{MODELS}:ishigami", "master_seed": 1,
        "uncertainties": {f"x{i}": {"low": -PI, "high": PI} for i in (1, 2, 3)},
        "design": {"method": "sobol", "n": 1024}, "outcomes": ["y"],
    })


@pytest.fixture(scope="module")
def water(tmp_path_factory):
    """Toy water actions crossed with two scenarios, 3 noisy replications each."""
    return _run(tmp_path_factory, "water", {
        "model": f"{MODELS}:water_actions", "master_seed": 5, "until": 2100,
        "uncertainties": {"scenario": {"categories": ["ssp245", "tracc"]}},
        "levers": {"policy.action": {"categories": ["current", "saving", "reuse", "reservoir"]}},
        "constants": {"noise": 0.002},
        "design": {"method": "grid"}, "replications": 3,
        "analysis": ["method=tipping indicator=water_deficit threshold=0 x=warming_c "
                     "where=scenario:tracc",
                     "method=trajectories indicator=water_deficit"],
    })


def test_sobol_recovers_ishigami_indices(ishigami_sobol):
    """Saltelli design N=1024: S1 and ST within 0.05 of the analytic values."""
    s = sobol_indices(ishigami_sobol, "y")
    for name in ("x1", "x2", "x3"):
        assert s.indices.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.05)
        assert s.indices.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[name], abs=0.05)
    s2 = s.second_order.set_index(["parameter_1", "parameter_2"])["S2"]
    assert s2.idxmax() == ("x1", "x3")  # the only interaction of the Ishigami function
    assert s2[("x1", "x3")] == pytest.approx(ISHIGAMI_ST["x3"], abs=0.1)
    assert (s.indices["S1_conf"] > 0).all()


def test_fast_recovers_ishigami_first_order(tmp_path_factory):
    res = _run(tmp_path_factory, "fast", {
        "model": f"{MODELS}:ishigami", "master_seed": 1,
        "uncertainties": {f"x{i}": {"low": -PI, "high": PI} for i in (1, 2, 3)},
        "design": {"method": "fast", "n": 1000},
    })
    table = fast_indices(res, "y")
    for name in ("x1", "x2", "x3"):
        assert table.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.03)
    with pytest.raises(UserError, match="design.method in \\(sobol\\)"):
        sobol_indices(res, "y")


def test_morris_ranks_a_known_function(tmp_path_factory):
    """y = 10a + 5b² + c: mu* ranks a > b > c and the inert d has no effect."""
    res = _run(tmp_path_factory, "morris", {
        "model": f"{MODELS}:linear", "master_seed": 4,
        "uncertainties": {k: {"low": 0, "high": 1} for k in "abcd"},
        "design": {"method": "morris", "n": 20},
    })
    table = morris_indices(res, "y")
    assert list(table.index) == ["a", "b", "c", "d"]
    assert table.loc["a", "mu_star"] == pytest.approx(10, rel=1e-9)
    assert table.loc["c", "mu_star"] == pytest.approx(1, rel=1e-9)
    assert table.loc["d", "mu_star"] == 0
    assert table.loc["b", "sigma"] > 0.1  # b is non-linear: its effect varies
    assert table.loc["a", "sigma"] == pytest.approx(0, abs=1e-9)


def test_pawn_and_delta_rank_the_dominant_inputs(tmp_path_factory):
    res = _run(tmp_path_factory, "lhs", {
        "model": f"{MODELS}:linear", "master_seed": 4,
        "uncertainties": {k: {"low": 0, "high": 1} for k in "abcd"},
        "design": {"method": "lhs", "n": 200},
    })
    pawn = pawn_indices(res, "y")
    assert list(pawn["median"].sort_values(ascending=False).index[:2]) == ["a", "b"]
    delta = delta_indices(res, "y", num_resamples=5)
    assert list(delta["delta"].sort_values(ascending=False).index[:2]) == ["a", "b"]


def test_sobol_over_time_shows_the_driver_changing(tmp_path_factory):
    """pressure(t) moves from x1 (start) to x2 (end): indices over time follow."""
    res = _run(tmp_path_factory, "traj", {
        "model": f"{MODELS}:trajectory", "master_seed": 8, "until": 2040,
        "uncertainties": {"x1": {"low": 0, "high": 1}, "x2": {"low": 0, "high": 1},
                          "x3": {"low": 0, "high": 1}},
        "design": {"method": "sobol", "n": 256, "options": {"calc_second_order": False}},
    })
    long = sobol_over_time(res, "pressure", num_resamples=50)
    s1 = long.pivot(index="year", columns="parameter", values="S1")
    assert s1.loc[2020, "x1"] > 0.95 and s1.loc[2040, "x2"] > 0.95
    assert s1.loc[2040, "x1"] < 0.05 and s1.loc[2020, "x2"] < 0.05
    assert (s1["x3"].abs() < 0.05).all()
    crossing = s1.index[(s1["x2"] > s1["x1"]).to_numpy()][0]
    assert 2029 <= crossing <= 2031  # equal weights half-way through 2020-2040
    # The same trajectory, read as a scalar outcome at one year:
    assert sobol_indices(res, "pressure", year=2040).indices.loc["x2", "S1"] > 0.95


def test_prim_finds_a_planted_box():
    """Cases of interest planted in a > 0.6 and scenario == ssp585 are found."""
    rng = np.random.default_rng(0)
    n = 3000
    x = pd.DataFrame({"a": rng.uniform(size=n), "b": rng.uniform(size=n),
                      "scenario": rng.choice(["ssp126", "ssp245", "ssp585"], n)})
    y = (x["a"] > 0.6) & (x["scenario"] == "ssp585")
    found = discover(x, y, threshold=0.97)
    (box,) = found.boxes
    assert set(box.limits.index) == {"a", "scenario"}  # 'scenario' survives the library
    assert box.limits.loc["a", "min"] == pytest.approx(0.6, abs=0.03)
    assert box.limits.loc["scenario", "categories"] == ["ssp585"]
    assert box.density >= 0.97 and box.coverage >= 0.85
    assert found.trajectories[0]["coverage"].iloc[0] == 1.0  # peeling starts from everything


def test_prim_on_experiment_results(tmp_path_factory):
    res = _run(tmp_path_factory, "prim", {
        "model": f"{MODELS}:trajectory", "master_seed": 3, "until": 2030,
        "uncertainties": {"x1": {"low": 0, "high": 1}, "x2": {"low": 0, "high": 2}},
        "design": {"method": "lhs", "n": 400},
    })
    found = discover_scenarios(res, "pressure_end", 1.5, density=0.95)
    limits = found.boxes[0].limits
    assert list(limits.index) == ["x2"]
    assert limits.loc["x2", "min"] == pytest.approx(1.5, abs=0.05)


def test_regret_and_satisficing_on_a_constructed_table():
    """Hand-computed regret (minimising cost) and satisficing shares."""
    table = pd.DataFrame({"A": [1.0, 5.0, 2.0], "B": [2.0, 2.0, 2.0], "C": [3.0, 3.0, 1.0]},
                         index=pd.Index(["f0", "f1", "f2"], name="future"))
    r = regret(table, maximise=False)
    assert r.to_dict("list") == {"A": [0, 3, 1], "B": [1, 0, 1], "C": [2, 1, 0]}
    summary = regret_summary(table, maximise=False, percentile=90)
    assert summary["regret_max"].to_dict() == {"A": 3, "B": 1, "C": 2}
    assert summary.loc["A", "regret_p90"] == pytest.approx(2.6)
    base = regret(table, maximise=False, reference="baseline", baseline_future="f0")
    assert base.to_dict("list") == {"A": [0, 4, 1], "B": [0, 0, 0], "C": [0, 0, 0]}
    flipped = regret(-table, maximise=True)
    assert flipped.equals(r)

    long = table.stack().rename("cost").reset_index().rename(columns={"level_1": "policy"})
    coords = {"f0": (0.5, 0.5), "f1": (0.9, 0.5), "f2": (0.5, 0.1)}
    long["u1"] = long["future"].map(lambda f: coords[f][0])
    long["u2"] = long["future"].map(lambda f: coords[f][1])
    sat = satisficing(long, ["cost <= 2"])
    assert sat.to_dict() == pytest.approx({"A": 2 / 3, "B": 1.0, "C": 1 / 3})
    radius = satisficing_radius(long, ["cost <= 2"], ["u1", "u2"])
    assert radius["A"] == pytest.approx(0.4 / math.sqrt(2))
    assert radius["C"] == 0.0 and radius["B"] == math.inf
    with pytest.raises(UserError):
        satisficing(long, ["cost == 2"])


def test_tipping_point_at_a_known_year():
    years = np.arange(2020, 2061)
    values = np.where(years > 2040, 0.2, 0.05)
    values[years == 2030] = 0.3  # a single bad year
    assert years[first_tipping_index(values, 0.1)] == 2030
    assert years[first_tipping_index(values, 0.1, persistence=3)] == 2041
    assert first_tipping_index(values, 0.5) is None
    assert years[first_tipping_index(1 - values, 0.85, above=False, persistence=2)] == 2041


def test_tipping_points_and_pathways_from_runs(water, tmp_path):
    """Actions of the toy water model fail at +2, +3, +4 °C (and reservoir at +5 °C)."""
    points = tipping_points(water, "water_deficit", 0.0, x="warming_c")
    tracc = points[points["sample_id"] == 1]  # categories order: ssp245, tracc
    summary = tipping_summary(tracc, x="warming_c")
    assert summary.loc["action=current", "q50"] == pytest.approx(2.0, abs=0.1)
    assert summary.loc["action=saving", "q50"] == pytest.approx(3.0, abs=0.1)
    assert summary.loc["action=reuse", "q50"] == pytest.approx(4.0, abs=0.1)
    assert summary.loc["action=reservoir", "share_tipped"] == 0
    assert summary.loc["action=reservoir", "q50"] == math.inf
    years = tipping_summary(tracc, x="year")
    assert years.loc["action=current", "q50"] == pytest.approx(2045, abs=2)

    actions = actions_from_tipping(summary, lead_times={"action=reservoir": 0.5})
    names = [a.name for a in actions]
    paths = enumerate_pathways(actions, start=names[0], max_length=4)
    assert (*names,) in paths  # current → saving → reuse → reservoir
    assert (names[0], names[3]) in paths
    table = pathway_table(actions, paths, horizon=4.2)
    assert table["holds_to_horizon"].sum() == sum(p[-1] == names[3] for p in paths)
    fig_path = tmp_path / "pathways.png"
    plot_pathways(actions, paths, x_range=(1.0, 4.2), x_label="warming (°C)",
                  signposts=["restriction days", "warming level"], path=fig_path)
    assert fig_path.stat().st_size > 20_000


def test_pathways_by_hand():
    """A map from hand-given tipping points (years)."""
    actions = [Action("current", 2030), Action("dikes", 2060, lead_time=5),
               Action("retreat", None)]
    paths = enumerate_pathways(actions, start="current")
    assert paths == [("current", "dikes", "retreat"), ("current", "retreat")]
    fig = plot_pathways(actions, paths, x_range=(2020, 2100))
    assert len(fig.axes) == 1


def test_metro_maps_share_one_frame():
    """Both metro maps (hand-given tipping points, plans simulated in the model) draw one row
    per action, first on top, labelled, with room on the right for the arrows and no frame."""
    import pandas as pd

    from territoire_abm.experiments.analysis.plan_pathways import plot_plan_pathways

    actions = [Action("current", 2030), Action("dikes", 2060, label="Dikes"),
               Action("retreat", None)]
    by_hand = plot_pathways(actions, enumerate_pathways(actions, start="current"),
                            x_range=(2020, 2100)).axes[0]
    plans = pd.DataFrame([{"plan": "p", "steps": [("dikes", 1.6, 1.8, 1.5, 1.9)],
                           "fails_at_q50": 2.5}]).set_index("plan")
    simulated = plot_plan_pathways(plans, x_range=(1.0, 3.0)).axes[0]
    for ax, labels, right in ((by_hand, ["current", "Dikes", "retreat"], 2100 + 0.04 * 80),
                              (simulated, ["current", "dikes"], 3.0 + 0.05 * 2.0)):
        assert [t.get_text() for t in ax.get_yticklabels()] == labels
        assert ax.get_ylim() == pytest.approx((len(labels) - 0.4, -0.6))
        assert ax.get_xlim()[1] == pytest.approx(right)
        assert not any(ax.spines[side].get_visible() for side in ("top", "right", "left"))


def test_cli_analyses(water, ishigami_sobol, tmp_path):
    """Every analysis method runs from the command line and writes its files."""
    root = str(water.root)
    out = tmp_path / "a"
    assert analyse_main([root, "method=tipping", "indicator=water_deficit", "threshold=0",
                         "x=warming_c", f"out={out}"]) == 0
    assert analyse_main([root, "method=pathways", "indicator=water_deficit", "threshold=0",
                         "x=warming_c", "x_range=1,4.2", f"out={out}",
                         "signposts=restriction days;warming"]) == 0
    assert analyse_main([root, "method=robustness", "objectives=water_deficit_end:min",
                         "constraints=deficit_years<=20", f"out={out}"]) == 0
    assert analyse_main([root, "method=prim", "outcome=deficit_years", "threshold=20",
                         f"out={out}"]) == 0
    assert analyse_main([str(ishigami_sobol.root), "method=sobol", "outcome=y",
                         f"out={out}"]) == 0
    plan = tmp_path / "plan"
    assert analyse_main([root, "method=all", f"out={plan}"]) == 0
    assert {p.name for p in plan.iterdir()} >= {
        "tipping_water_deficit.png", "trajectories_water_deficit_by_policy.png"}
    tracc = pd.read_csv(plan / "tipping_water_deficit.csv", index_col="policy")
    assert tracc.loc["action=saving", "q50"] == pytest.approx(3.0, abs=0.1)
    assert analyse_main([root, "method=tipping", "threshold=0", f"out={out}"]) == 2
    assert analyse_main([root, "method=summary", "colour=red"]) == 2
    made = {p.name for p in out.iterdir()}
    assert {"pathways_water_deficit.png", "tipping_water_deficit.png", "robustness.csv",
            "prim_deficit_years.png", "sobol_y.png", "sobol_y_S2.png"} <= made
    robust = pd.read_csv(out / "robustness.csv", index_col="policy")
    assert robust.loc["action=reservoir", "satisficing"] == 1.0
    assert robust.loc["action=reservoir", "water_deficit_end:regret_max"] == 0.0
