"""History matching: known-answer implausibility, the design, and a tiny calibrate run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from territoire_abm.calibration.history_matching import (
    Uncertain,
    accepted_ranges,
    design,
    implausibility,
    refocus,
    target,
)
from territoire_abm.cli import main
from territoire_abm.validation.grounding import load_grounding


def _row(name: str):
    return next(row for row in load_grounding() if row.indicator == name)


def test_design_is_a_latin_hypercube_within_the_ranges():
    params = [Uncertain("a", 0.0, 1.0), Uncertain("b", 10.0, 20.0)]
    points = design(params, 8, seed=3)
    assert points.shape == (8, 2)
    assert points["a"].between(0, 1).all() and points["b"].between(10, 20).all()
    # one point in each of the 8 strata of each parameter
    assert sorted((points["a"] * 8).astype(int)) == list(range(8))
    assert design(params, 8, seed=3).equals(points)


def test_implausibility_has_a_known_answer():
    """|mean − z| / sqrt(V_obs + V_ens + V_disc) with V_obs = (range / 4)²."""
    row = _row("energy_poverty_share")
    centre, v_obs = target(row)
    assert centre == pytest.approx(0.119) and v_obs == pytest.approx((0.04 / 4) ** 2)
    years = np.arange(2025, 2030)
    runs = {seed: pd.DataFrame({"year": years, "energy_poverty_share": value})
            for seed, value in enumerate([0.2, 0.22])}
    scores = implausibility([row], runs, discrepancy_share=0.0)
    expected = abs(0.21 - 0.119) / math.sqrt(v_obs + np.var([0.2, 0.22], ddof=1) / 2)
    assert scores["energy_poverty_share"] == pytest.approx(expected)


def test_accepted_ranges_keep_only_non_implausible_points_and_refocus():
    params = [Uncertain("a", 0.0, 1.0)]
    samples = pd.DataFrame({"a": [0.1, 0.4, 0.6, 0.9], "max_implausibility": [5, 2, 1, 4]})
    ranges = accepted_ranges(samples, params, {"a": 0.5})
    line = ranges.iloc[0]
    assert (line["accepted_low"], line["accepted_high"]) == (0.4, 0.6)
    assert line["default_inside"] and line["accepted_points"] == 2
    assert refocus(params, ranges) == [Uncertain("a", 0.4, 0.6)]


def test_calibrate_command_writes_ranges_and_figure_and_changes_no_default(tmp_path, capsys):
    from territoire_abm.config.params import ModelConfig

    before = ModelConfig()
    code = main(["calibrate", "samples=2", "seeds=1", "until=2029", "workers=1",
                 f"out={tmp_path}", "parameters=behaviour.energy.income_elasticity",
                 "territory.households=100", "territory.farms=2", "territory.industry_firms=1",
                 "territory.service_firms=4"])
    assert code == 0
    ranges = pd.read_csv(tmp_path / "accepted_ranges.csv")
    assert ranges["parameter"].tolist() == ["behaviour.energy.income_elasticity"]
    samples = pd.read_csv(tmp_path / "samples.csv")
    assert len(samples) == 2 and "I_energy_poverty_share" in samples.columns
    assert (tmp_path / "plausible_set.png").stat().st_size > 1000
    assert ModelConfig() == before
    assert "no default changed" in capsys.readouterr().out


def test_calibrate_rejects_an_unknown_parameter(capsys):
    assert main(["calibrate", "parameters=behaviour.nope"]) == 2
    assert capsys.readouterr().err.startswith("error: parameters")


def test_calibrate_refuses_a_horizon_that_reads_no_figure(capsys):
    assert main(["calibrate", "until=2026"]) == 2
    assert capsys.readouterr().err.startswith("error: until")


@pytest.mark.parametrize("value", ["x", "-1"])
def test_calibrate_refuses_a_bad_design_seed_in_one_line(capsys, value):
    """design_seed=x used to end in a ValueError traceback."""
    assert main(["calibrate", f"design_seed={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: design_seed: got '{value}'; expected an integer >= 0"]
