"""The emulator: trained on a stored sweep, scored on held-out runs, predicts with
uncertainty inside its validity domain, and gives Sobol indices close to the analytic ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from territoire_abm.cli import main
from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis import load_results
from territoire_abm.experiments.emulator import load_emulator, snap, train_emulator
from territoire_abm.experiments.runner import run_experiment
from territoire_abm.experiments.spec import spec_from_config
from territoire_abm.experiments.testing_models import ISHIGAMI_S1, ISHIGAMI_ST

MODELS = "territoire_abm.experiments.testing_models"
PI = math.pi


def _sweep(tmp_path_factory, name, cfg):
    out = tmp_path_factory.mktemp(name) / "out"
    run_experiment(spec_from_config({"name": name, **cfg}), out, workers=1, progress=False)
    return load_results(out)


@pytest.fixture(scope="module")
def ishigami(tmp_path_factory):
    return _sweep(tmp_path_factory, "ishigami", {
        "model": f"{MODELS}:ishigami", "master_seed": 3,
        "uncertainties": {f"x{i}": {"low": -PI, "high": PI} for i in (1, 2, 3)},
        "design": {"method": "lhs", "n": 260}, "outcomes": ["y"]})


@pytest.fixture(scope="module")
def water(tmp_path_factory):
    """A categorical scenario, an integer and a noisy outcome crossed with two policies."""
    return _sweep(tmp_path_factory, "water", {
        "model": f"{MODELS}:water_actions", "master_seed": 5, "until": 2060,
        "uncertainties": {"scenario": {"categories": ["ssp245", "tracc", "ssp585"]},
                          "noise": {"low": 0.0, "high": 0.02}},
        "levers": {"policy.action": {"categories": ["current", "reservoir"]}},
        "design": {"method": "lhs", "n": 40}, "replications": 2})


@pytest.fixture(scope="module")
def gp(ishigami):
    return train_emulator(ishigami, "y", method="gp", seed=2)


def test_gp_emulator_validates_on_held_out_runs(gp):
    v = gp.validation
    assert v.n_test == 52 and v.n_train == 208
    assert v.r2 > 0.98
    assert 0.7 <= v.coverage <= 1.0  # a 90 % interval: about 90 % of held-out runs inside


def test_emulator_sobol_indices_match_the_analytic_ones(gp):
    indices = gp.sobol(n=2048)
    for name in ("x1", "x2", "x3"):
        assert indices.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.06)
        assert indices.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[name], abs=0.06)


def test_prediction_is_close_to_the_model_with_an_interval(gp):
    points = [{"x1": 0.3, "x2": -1.0, "x3": 2.0}, {"x1": -2.0, "x2": 2.5, "x3": 0.5}]
    pred = gp.predict(points)
    truth = [math.sin(p["x1"]) + 7 * math.sin(p["x2"]) ** 2 + 0.1 * p["x3"] ** 4 *
             math.sin(p["x1"]) for p in points]
    assert np.allclose(pred["mean"], truth, atol=0.6)
    assert (pred["lower"] < pred["mean"]).all() and (pred["upper"] > pred["mean"]).all()
    assert (pred["std"] > 0).all()


def test_points_outside_the_validity_domain_are_refused(gp, water):
    with pytest.raises(UserError, match=r"emulator.x1: got 4.0; outside the validity domain"):
        gp.predict({"x1": 4.0})
    with pytest.raises(UserError, match="not a factor"):
        gp.predict({"x9": 0.0})
    em = train_emulator(water, "water_deficit_end", method="gbr")
    with pytest.raises(UserError, match="categories: ssp245, tracc, ssp585"):
        em.predict({"scenario": "ssp119"})
    assert list(em.domain().index) == ["scenario", "noise", "policy"]


def test_categorical_inputs_and_policies_are_emulated(water):
    em = train_emulator(water, "water_deficit_end", method="gp")
    assert em.validation.r2 > 0.9
    pred = em.predict([{"scenario": "ssp585", "policy": "action=current"},
                       {"scenario": "ssp585", "policy": "action=reservoir"},
                       {"scenario": "ssp245", "policy": "action=reservoir"}])["mean"].to_numpy()
    assert pred[0] > pred[1] >= pred[2] - 0.02  # more capacity, less warming: less deficit
    one = train_emulator(water, "water_deficit_end", method="gp", policy="action=current")
    assert "policy" not in one.names


def test_snap_moves_categories_to_bin_centres(water):
    em = train_emulator(water, "water_deficit_end", policy="action=current")
    u = np.array([[0.01, 0.3], [0.5, 0.3], [0.99, 0.3]])
    assert np.allclose(snap(em.factors, u)[:, 0], [1 / 6, 0.5, 5 / 6])
    assert np.allclose(snap(em.factors, u)[:, 1], 0.3)


def test_bad_training_requests_are_one_clear_error(ishigami):
    for kwargs, field in [({"method": "svm"}, "method"), ({"policy": "x"}, "policy"),
                          ({"test_share": 0.9}, "test_share")]:
        with pytest.raises(UserError) as error:
            train_emulator(ishigami, "y", **kwargs)
        assert error.value.field == field
    with pytest.raises(UserError, match="outcome"):
        train_emulator(ishigami, "nope")


def test_cli_trains_predicts_and_saves(ishigami, tmp_path, capsys):
    saved = tmp_path / "em.pkl"
    code = main(["emulate", str(ishigami.root), "outcome=y", "method=gbr", "at.x1=0.5",
                 "at.x2=1", f"save={saved}"])
    out = capsys.readouterr().out
    assert code == 0 and "held-out R²" in out and "1 points in" in out
    assert (ishigami.root / "analysis" / "emulator_y.json").is_file()
    assert load_emulator(saved).predict({"x1": 0.5, "x2": 1.0})["mean"].iloc[0] == \
        pytest.approx(float(out.split("\n")[2].split()[2]), rel=1e-3)
    code = main(["emulate", str(ishigami.root), "outcome=y", "at.x1=9"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: emulator.x1: got 9.0") and "\n" not in err
