"""Parameters, designs, seeds and experiment specs."""

from __future__ import annotations

import numpy as np
import pytest

from territoire_abm.errors import UserError
from territoire_abm.experiments.designs import Policy, make_design, run_seed
from territoire_abm.experiments.parameters import (
    CategoricalParameter,
    IntegerParameter,
    RealParameter,
    parameter_from_config,
)
from territoire_abm.experiments.spec import load_spec, spec_from_config

MODEL = "territoire_abm.experiments.testing_models:ishigami"


def test_parameters_map_unit_interval():
    """Each parameter type maps [0, 1] onto its values and back."""
    real = RealParameter("a", low=2.0, high=4.0)
    assert real.from_unit(np.array([0.0, 0.5, 1.0])) == [2.0, 3.0, 4.0]
    assert np.allclose(real.to_unit([2.0, 3.0]), [0.0, 0.5])
    integer = IntegerParameter("k", low=1, high=3)
    assert integer.from_unit(np.array([0.0, 0.34, 0.99, 1.0])) == [1, 2, 3, 3]
    assert integer.from_unit(integer.to_unit([1, 2, 3])) == [1, 2, 3]
    cat = CategoricalParameter("s", categories=("a", "b", "c", "d"))
    assert cat.from_unit(np.array([0.0, 0.26, 0.74, 1.0])) == ["a", "b", "c", "d"]
    assert cat.from_unit(cat.to_unit(["c", "a"])) == ["c", "a"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"low": 1, "high": 1}, "p"),
        ({"low": 0}, "p"),
        ({"categories": []}, "p.categories"),
        ({"categories": ["a", 1]}, "p.categories"),
        ({"low": 0, "high": 1, "step": 2}, "p"),
    ],
)
def test_bad_parameter_specs_are_one_line_user_errors(spec, field):
    """Invalid specs raise UserError naming the field."""
    with pytest.raises(UserError) as err:
        parameter_from_config("p", spec, "")
    assert err.value.field.lstrip(".") == field
    assert "\n" not in str(err.value)


def test_sobol_design_size_and_determinism():
    """A Saltelli design has N(2D+2) rows and is reproducible from the master seed."""
    params = [RealParameter(f"x{i}", low=0, high=1) for i in range(3)]
    d1 = make_design(params, method="sobol", n=64, master_seed=5)
    d2 = make_design(params, method="sobol", n=64, master_seed=5)
    d3 = make_design(params, method="sobol", n=64, master_seed=6)
    assert d1.n_runs == 64 * (2 * 3 + 2)
    assert d1.table.equals(d2.table)
    assert not np.allclose(d1.table["x0"], d3.table["x0"])
    assert d1.options["calc_second_order"] is True
    assert d1.problem["bounds"] == [[0.0, 1.0]] * 3


def test_seeds_common_random_numbers_across_policies():
    """Per-sample seeds: same future → same seed for every policy; replications differ."""
    d = make_design(
        [RealParameter("x", low=0, high=1)],
        method="lhs", n=5, replications=3, master_seed=11,
        policies=[Policy("a", {"lever": 1.0}), Policy("b", {"lever": 2.0})],
    )
    t = d.table
    assert len(t) == 5 * 2 * 3
    per_future = t.groupby(["sample_id", "replication"])["seed"].nunique()
    assert (per_future == 1).all()
    assert t.drop_duplicates(["sample_id", "replication"])["seed"].is_unique
    # run 7 = sample 1, policy a, replication 1
    assert t.loc[t.run_id == 7, "seed"].item() == run_seed(11, 1, 1, 1)


def test_seeds_do_not_depend_on_design_size():
    """Adding samples does not change the seeds of existing ones."""
    p = [RealParameter("x", low=0, high=1)]
    small = make_design(p, method="mc", n=4, master_seed=3).table
    large = make_design(p, method="mc", n=9, master_seed=3).table
    assert small["seed"].tolist() == large["seed"].tolist()[:4]


def test_common_seed_strategy():
    """seeds=common: every sample of a replication shares one seed."""
    t = make_design([RealParameter("x", low=0, high=1)], method="lhs", n=6, replications=2,
                    seeds="common", master_seed=1).table
    assert t.groupby("replication")["seed"].nunique().tolist() == [1, 1]
    assert t["seed"].nunique() == 2


def test_grid_design_with_lever_grid():
    """Grid over uncertainties crossed with a grid over levers."""
    d = make_design(
        [CategoricalParameter("scenario", categories=("ssp245", "ssp585"))],
        [RealParameter("policy.subsidy_rate", low=0, high=0.5)],
        method="grid", levels=3,
    )
    assert d.n_samples == 2
    assert len(d.policies) == 3
    assert d.table["policy.subsidy_rate"].tolist() == [0.0, 0.25, 0.5] * 2
    assert d.table["scenario"].tolist() == ["ssp245"] * 3 + ["ssp585"] * 3


def test_joint_levers_enter_the_sensitivity_problem():
    """levers_mode=joint samples levers with the uncertainties."""
    d = make_design([RealParameter("x", low=0, high=1)], [RealParameter("lever", low=0, high=1)],
                    method="morris", n=4, levers_mode="joint")
    assert d.problem["names"] == ["x", "lever"]
    assert d.policies[0].name == "default"


def test_spec_merges_dotted_keys_with_nested_overrides(tmp_path):
    """A dotted key in YAML and a nested CLI override address the same parameter."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        "name: t\nmodel: " + MODEL + "\n"
        "uncertainties:\n  behaviour.pmt.delay_years: {low: 0.5, high: 5}\n"
        "constants:\n  territory.households: 1000\n"
        "design: {method: lhs, n: 8}\n"
    )
    spec = load_spec(cfg, ["uncertainties.behaviour.pmt.delay_years.high=4",
                           "constants.territory.households=50", "design.n=16"])
    (p,) = spec.uncertainties
    assert (p.name, p.low, p.high) == ("behaviour.pmt.delay_years", 0.5, 4.0)
    assert spec.constants == {"territory.households": 50}
    assert spec.n == 16
    assert spec.make_design().n_runs == 16


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"design": {"method": "sobl", "n": 8}}, "design.method"),
        ({"design": {"method": "sobol", "n": 100}}, "design.n"),
        ({"model": "no_colon"}, "model"),
        ({"uncertainties": {"seed": {"low": 0, "high": 9}}}, "seed"),
        ({"replications": 0}, "replications"),
        ({"colour": "red"}, "colour"),
        ({"design": {"method": "lhs"}}, "design.n"),
    ],
)
def test_spec_validation(patch, field):
    """Config mistakes are UserErrors naming the field."""
    cfg = {"model": MODEL, "uncertainties": {"x1": {"low": 0, "high": 1}},
           "design": {"method": "lhs", "n": 8}}
    cfg.update(patch)
    with pytest.raises(UserError) as err:
        spec_from_config(cfg).make_design()
    assert err.value.field == field


def test_fingerprint_ignores_execution_and_text():
    """Changing batch size or description keeps the fingerprint; changing n does not."""
    base = {"model": MODEL, "uncertainties": {"x1": {"low": 0, "high": 1}},
            "design": {"method": "lhs", "n": 8}}
    a = spec_from_config(base).fingerprint()
    b = spec_from_config({**base, "execution": {"batch_size": 3}, "description": "x"}).fingerprint()
    c = spec_from_config({**base, "design": {"method": "lhs", "n": 9}}).fingerprint()
    assert a == b != c


def test_remainder_shares_keep_a_mix_summing_to_one():
    """remainder_to splits 1 - value equally, in sampled futures and in lever grids."""
    spec = spec_from_config({
        "model": MODEL,
        "uncertainties": {"policy.coordination.reciprocity": {
            "low": 0.1, "high": 0.8,
            "remainder_to": ["policy.coordination.exchange", "policy.coordination.authority"]}},
        "design": {"method": "sobol", "n": 8},
    })
    t = spec.make_design().table
    total = t["policy.coordination.reciprocity"] + t["policy.coordination.exchange"] \
        + t["policy.coordination.authority"]
    assert np.allclose(total, 1.0)
    assert (t["policy.coordination.exchange"] == t["policy.coordination.authority"]).all()
    assert spec.make_design().problem["names"] == ["policy.coordination.reciprocity"]
    grid = make_design([], [RealParameter("r", low=0.0, high=1.0, remainder_to=("e",))],
                       method="grid", levels=3)
    assert [p.params for p in grid.policies] == [{"r": 0.0, "e": 1.0}, {"r": 0.5, "e": 0.5},
                                                 {"r": 1.0, "e": 0.0}]
    with pytest.raises(UserError):
        spec_from_config({"model": MODEL, "constants": {"e": 0.5},
                          "uncertainties": {"r": {"low": 0, "high": 1, "remainder_to": ["e"]}},
                          "design": {"method": "lhs", "n": 4}})


def test_study_configs_load():
    """The three studies under experiments/ are valid and have the documented sizes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sizes = {"resilience_drivers": 960, "cooperation_mixes": 1024, "water_pathways": 180}
    for name, runs in sizes.items():
        spec = load_spec(name, base_dir=root)
        assert spec.name == name
        assert spec.model == "territoire_abm.run:simulate"
        assert spec.make_design().n_runs == runs
        assert spec.config["analysis"], "each study lists its analyses"
        assert (root / "experiments" / name / "README.md").exists()
