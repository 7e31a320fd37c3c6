"""Pathways from plans simulated with in-run triggers: trigger times read from the runs,
tipping points with the action in force, the metro map and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from territoire_abm.experiments.analysis import load_results
from territoire_abm.experiments.analysis.plan_pathways import (
    action_tipping,
    plan_pathways,
    plan_tipping,
    trigger_summary,
    trigger_times,
)
from territoire_abm.experiments.cli import analyse_main
from territoire_abm.experiments.runner import run_experiment
from territoire_abm.experiments.spec import spec_from_config
from territoire_abm.governance import plans


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("plans") / "out"
    spec = spec_from_config({
        "name": "plans", "model": "territoire_abm.run:simulate", "until": 2045,
        "master_seed": 11,
        "constants": {"territory.households": 80, "territory.farms": 4,
                      "territory.industry_firms": 1, "territory.service_firms": 4},
        "uncertainties": {"scenario": {"categories": ["ssp245", "ssp585"]}},
        "levers": {"policy.plan.name": {"categories": ["none", "water_saving",
                                                       "water_adaptive"]}},
        "outcomes": ["unmet_water_share_agriculture", "warming_c", "plan_actions_mask"],
        "design": {"method": "grid"}, "replications": 2})
    run_experiment(spec, out, workers=1, progress=False)
    return load_results(out)


def test_trigger_times_match_the_runs_decision_logs(sweep):
    from territoire_abm.run import build_config
    from territoire_abm.territory.model import TerritoryModel

    times = trigger_times(sweep)
    assert set(times["plan"]) == {"water_saving", "water_adaptive"}
    assert times["fired"].any(), "some trigger fires by 2045"
    row = times[times["fired"]].iloc[0]
    design = sweep.design.set_index("run_id").loc[row["run_id"]]
    params = {k: design[k] for k in ("scenario", "policy.plan.name")}
    params.update({"territory.households": 80, "territory.farms": 4,
                   "territory.industry_firms": 1, "territory.service_firms": 4})
    model = TerritoryModel(build_config(params, int(design["seed"]), 2045)).simulate_until()
    logged = {e["action"]: year for year, d in model.decision_log.items()
              for e in d["council"].get("plan", []) if e["status"] == "applied"}
    run = times[times["run_id"] == row["run_id"]]
    for _, r in run.iterrows():
        assert (r["action"] in logged) == bool(r["fired"])
        if r["fired"]:
            assert r["year"] == logged[r["action"]]
            assert r["x"] == pytest.approx(model.indicators().loc[int(r["year"]), "warming_c"])


def test_summary_tipping_and_pathways_tables(sweep):
    times = trigger_times(sweep)
    summary = trigger_summary(times)
    assert ((summary["share_fired"] >= 0) & (summary["share_fired"] <= 1)).all()
    fired = summary[summary["share_fired"] > 0]
    assert (fired["x_q10"] <= fired["x_q50"]).all() and (fired["x_q50"] <= fired["x_q90"]).all()
    points = plan_tipping(sweep, "unmet_water_share_agriculture", 0.05, persistence=2,
                          times=times)
    assert set(points["plan"]) == {"none", "water_saving", "water_adaptive"}
    assert (points.loc[points["plan"] == "none", "in_force"] == "current").all()
    table = action_tipping(points, times)
    assert ("none", "current") in table.index
    paths = plan_pathways(points, summary)
    assert paths.loc["none", "pathway"] == "current"
    for plan in ("water_saving", "water_adaptive"):
        ids = set(plans.parse_plan(plans.load_plan_data(plan)).ids)
        steps = paths.loc[plan, "pathway"].split(" → ")
        assert steps[0] == "current" and set(steps[1:]) <= ids
    assert np.isfinite(paths["share_tipped"]).all()


def test_cli_plan_pathways_writes_the_map_and_tables(sweep, tmp_path, capsys):
    code = analyse_main([str(sweep.root), "method=plan_pathways",
                         "indicator=unmet_water_share_agriculture", "threshold=0.05",
                         "persistence=2", f"out={tmp_path}"])
    assert code == 0
    assert (tmp_path / "plan_pathways_unmet_water_share_agriculture.png").stat().st_size > 5000
    for suffix in ("", "_triggers", "_triggers_runs", "_action_tipping"):
        assert (tmp_path / f"plan_pathways_unmet_water_share_agriculture{suffix}.csv").is_file()
    code = analyse_main([str(sweep.root), "method=plan_pathways",
                         "indicator=unmet_water_share_agriculture", "threshold=low"])
    assert code == 2 and "error: threshold: got 'low'" in capsys.readouterr().err
