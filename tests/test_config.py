"""Tests of the parameter dataclasses, their validation and the Hydra configs in configs/.

Every parameter is declared once (params.py) with unit, range and source; the YAML groups are
generated from the dataclasses; a wrong value stops with one line naming field, value and what
is allowed (issue 2, reliability).
"""

from __future__ import annotations

import dataclasses
import math
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from territoire_abm.config import params
from territoire_abm.config.compose import compose, config_dir, expand_sweeps, load
from territoire_abm.config.export import group_files
from territoire_abm.config.params import (
    HEATING_SYSTEMS,
    SCENARIOS,
    ModelConfig,
    PersonaConfig,
)
from territoire_abm.config.validate import model_config, to_dict, with_overrides
from territoire_abm.errors import UserError

CONFIG_CLASSES = sorted(
    (obj for obj in vars(params).values()
     if isinstance(obj, type) and dataclasses.is_dataclass(obj)),
    key=lambda cls: cls.__name__,
)


def _leaf_fields(config_class: type) -> list[tuple[dataclasses.Field, Any]]:
    """Fields that are parameters (not a nested config dataclass), with their type hints."""
    hints = typing.get_type_hints(config_class)
    return [(f, hints[f.name]) for f in dataclasses.fields(config_class)
            if not dataclasses.is_dataclass(hints[f.name])]


def _check_value(field: dataclasses.Field, hint: Any, value: Any, where: str) -> None:
    """A default (or a dict entry of one) lies inside the field's declared range."""
    meta = field.metadata
    if typing.get_origin(hint) is dict:
        _, item_type = typing.get_args(hint)
        assert isinstance(value, dict), where
        for key, item in value.items():
            if dataclasses.is_dataclass(item_type):
                assert isinstance(item, item_type), f"{where}.{key}"
                _check_instance(item, f"{where}.{key}")
            else:
                _check_value(field, item_type, item, f"{where}.{key}")
        return
    if hint is bool:
        assert isinstance(value, bool), where
        return
    if hint in (int, float):
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where
        if hint is int:
            assert isinstance(value, int), where
        assert not math.isnan(value), where
        if meta["low"] is not None:
            assert value >= meta["low"], f"{where}={value} below {meta['low']}"
        if meta["high"] is not None:
            assert value <= meta["high"], f"{where}={value} above {meta['high']}"
    if hint is str:
        assert isinstance(value, str), where
    if meta["choices"] is not None:
        assert value in meta["choices"], f"{where}={value!r} not in {meta['choices']}"


def _check_instance(instance: Any, where: str) -> None:
    for field, hint in _leaf_fields(type(instance)):
        _check_value(field, hint, getattr(instance, field.name), f"{where}.{field.name}")
    for field in dataclasses.fields(instance):
        value = getattr(instance, field.name)
        if dataclasses.is_dataclass(value):
            _check_instance(value, f"{where}.{field.name}")


# --------------------------------------------------------------------------- metadata
def test_every_config_class_is_found():
    names = {cls.__name__ for cls in CONFIG_CLASSES}
    assert {"ModelConfig", "TerritoryConfig", "PersonaConfig", "PMTConfig",
            "OptimiserConfig", "CouncilConfig", "CoordinationConfig"} <= names


@pytest.mark.parametrize("config_class", CONFIG_CLASSES, ids=lambda cls: cls.__name__)
def test_every_parameter_has_unit_and_source(config_class):
    leaves = _leaf_fields(config_class)
    assert leaves, f"{config_class.__name__} declares no parameter"
    for field, _ in leaves:
        meta = field.metadata
        assert isinstance(meta.get("unit"), str) and meta["unit"].strip(), field.name
        assert isinstance(meta.get("source"), str) and meta["source"].strip(), field.name
        low, high = meta.get("low"), meta.get("high")
        if low is not None and high is not None:
            assert low <= high, field.name


@pytest.mark.parametrize("config_class", CONFIG_CLASSES, ids=lambda cls: cls.__name__)
def test_numeric_parameters_declare_a_range_and_labels_their_choices(config_class):
    for field, hint in _leaf_fields(config_class):
        meta = field.metadata
        if hint in (int, float):
            assert meta["low"] is not None and meta["high"] is not None, field.name
        if meta["choices"] is not None:
            assert len(meta["choices"]) == len(set(meta["choices"])) >= 1, field.name


@pytest.mark.parametrize("config_class", CONFIG_CLASSES, ids=lambda cls: cls.__name__)
def test_defaults_lie_inside_their_ranges(config_class):
    _check_instance(config_class(), config_class.__name__)


def test_default_config_passes_validation_and_round_trips():
    config = model_config(None)
    assert config == ModelConfig()
    assert model_config(to_dict(config)) == config


def test_default_personae_and_heating_mixes_sum_to_one():
    personae = ModelConfig().territory.personae
    assert math.isclose(sum(p.share for p in personae.values()), 1.0, abs_tol=1e-9)
    for name, persona in personae.items():
        assert set(persona.heating_mix) <= set(HEATING_SYSTEMS), name
        assert math.isclose(sum(persona.heating_mix.values()), 1.0, abs_tol=1e-9), name
    assert math.isclose(sum(PersonaConfig().heating_mix.values()), 1.0, abs_tol=1e-9)


# --------------------------------------------------------------------------- YAML == dataclasses
def test_composed_yaml_equals_dataclass_defaults():
    composed = compose([])
    expected = to_dict(ModelConfig())
    mismatches = _differences(composed, expected)
    assert not mismatches, "configs/ out of date (python -m territoire_abm.config.export " \
        f"configs): {mismatches[:10]}"


def test_every_generated_yaml_file_matches_its_dataclass():
    root = config_dir()
    stale = []
    for relative, content in group_files().items():
        path = Path(root) / relative
        assert path.is_file(), f"missing {relative}"
        on_disk = yaml.safe_load(path.read_text(encoding="utf-8"))
        if on_disk != content:
            stale.append((relative, _differences(on_disk, content)[:5]))
    assert not stale, stale


def _differences(got: Any, want: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(got, dict) and isinstance(want, dict):
        out = []
        for key in sorted(set(got) | set(want), key=str):
            out += _differences(got.get(key, "<missing>"), want.get(key, "<missing>"),
                                f"{path}.{key}" if path else str(key))
        return out
    return [] if got == want else [(path, got, want)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_scenario_group_selects_its_name_only(scenario):
    composed = compose([f"scenario={scenario}"])
    assert composed["scenario"]["name"] == scenario
    baseline = compose([])
    assert {k: v for k, v in composed.items() if k != "scenario"} == \
        {k: v for k, v in baseline.items() if k != "scenario"}


def test_optimiser_group_lp_switches_mode_only():
    composed = compose(["optimiser=lp"])
    baseline = compose([])
    assert composed["optimiser"]["mode"] == "lp"
    assert {k: v for k, v in composed["optimiser"].items() if k != "mode"} == \
        {k: v for k, v in baseline["optimiser"].items() if k != "mode"}


# --------------------------------------------------------------------------- Hydra overrides
def test_hydra_overrides_reach_the_config():
    config = load(["scenario=ssp585", "territory.households=10000", "seed=3", "until=2060"])
    assert config.scenario.name == "ssp585"
    assert config.territory.households == 10000
    assert config.seed == 3
    assert config.until == 2060
    # the rest keeps its defaults
    defaults = ModelConfig()
    assert config.territory.farms == defaults.territory.farms
    assert config.policy == defaults.policy


def test_nested_override_of_a_persona_and_the_lp_group():
    config = load(["optimiser=lp", "policy.coordination.reciprocity=0.6",
                   "policy.coordination.exchange=0.2", "policy.coordination.authority=0.2",
                   "behaviour.pmt.delay_years=3"])
    assert config.optimiser.mode == "lp"
    assert (config.policy.coordination.reciprocity, config.policy.coordination.exchange,
            config.policy.coordination.authority) == (0.6, 0.2, 0.2)
    assert config.behaviour.pmt.delay_years == 3.0
    assert isinstance(config.behaviour.pmt.delay_years, float)


def test_expand_sweeps_is_the_cartesian_product():
    jobs = expand_sweeps(["scenario=tracc,ssp126", "seed=0,1"])
    assert len(jobs) == 4
    assert sorted(map(tuple, jobs)) == sorted([
        ("scenario=tracc", "seed=0"), ("scenario=tracc", "seed=1"),
        ("scenario=ssp126", "seed=0"), ("scenario=ssp126", "seed=1"),
    ])
    configs = [load(job) for job in jobs]
    assert sorted((c.scenario.name, c.seed) for c in configs) == sorted(
        [("tracc", 0), ("tracc", 1), ("ssp126", 0), ("ssp126", 1)])


def test_expand_sweeps_without_sweep_is_one_job():
    assert expand_sweeps(["seed=4", "territory.households=10"]) == [
        ["seed=4", "territory.households=10"]]
    assert expand_sweeps([]) == [[]]


def test_with_overrides_accepts_group_names_and_dotted_paths():
    config = with_overrides(ModelConfig(), {"scenario": "ssp245", "optimiser": "lp",
                                            "behaviour.risk.social_weight": 0.5})
    assert config.scenario.name == "ssp245"
    assert config.optimiser.mode == "lp"
    assert config.behaviour.risk.social_weight == 0.5
    # the original is left alone
    assert ModelConfig().scenario.name == "tracc"


# --------------------------------------------------------------------------- validation errors
def _one_line_error(error: UserError, field: str, value_text: str) -> str:
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{field}: got "), message
    assert value_text in message, message
    assert error.field == field
    assert error.allowed.strip(), "says what is allowed"
    assert error.exit_code == 2
    return message


@pytest.mark.parametrize(
    ("data", "field", "value_text", "allowed_text"),
    [
        ({"territory": {"households": "abc"}}, "territory.households", "'abc'", "integer"),
        ({"territory": {"households": 2.5}}, "territory.households", "2.5", "integer"),
        ({"territory": {"households": True}}, "territory.households", "True", "integer"),
        ({"territory": {"latitude_deg": "north"}}, "territory.latitude_deg", "'north'",
         "number"),
        ({"record_agents": "yes"}, "record_agents", "'yes'", "true or false"),
        ({"territory": {"name": 5}}, "territory.name", "5", "text"),
        ({"territory": 3}, "territory", "3", "mapping"),
        ({"territory": {"households": -5}}, "territory.households", "-5", "[1, 1000000]"),
        ({"territory": {"households": 0}}, "territory.households", "0", "[1, 1000000]"),
        ({"policy": {"subsidy_rate": 1.5}}, "policy.subsidy_rate", "1.5", "[0, 1]"),
        ({"territory": {"latitude_deg": float("nan")}}, "territory.latitude_deg", "nan",
         "range"),
        ({"behaviour": {"pmt": {"delay_years": -1}}}, "behaviour.pmt.delay_years", "-1",
         "range"),
        ({"seed": -1}, "seed", "-1", "range"),
        ({"territory": {"foo": 1}}, "territory.foo", "1", "unknown key"),
        ({"bogus": 1}, "bogus", "1", "unknown key"),
        ({"behaviour": {"pmt": {"delay": 2}}}, "behaviour.pmt.delay", "2", "unknown key"),
        ({"scenario": {"name": "foo"}}, "scenario.name", "'foo'", "ssp585"),
        ({"optimiser": {"mode": "milp"}}, "optimiser.mode", "'milp'", "lp"),
        ({"policy": {"council": {"archetype": "dictator"}}}, "policy.council.archetype",
         "'dictator'", "cost_benefit"),
        ({"until": 2030, "start": 2040}, "until", "2030", ">= start"),
    ],
)
def test_bad_values_raise_one_line_user_error(data, field, value_text, allowed_text):
    with pytest.raises(UserError) as caught:
        model_config(data)
    message = _one_line_error(caught.value, field, value_text)
    assert allowed_text in message


def test_unknown_key_lists_allowed_keys():
    with pytest.raises(UserError) as caught:
        model_config({"territory": {"housholds": 10}})
    message = _one_line_error(caught.value, "territory.housholds", "10")
    assert "households" in message


def test_persona_shares_not_summing_to_one():
    with pytest.raises(UserError) as caught:
        with_overrides(ModelConfig(), {"territory.personae.young_tenant_family.share": 0.5})
    error = caught.value
    assert error.field.startswith("territory.personae")
    assert "share" in error.field
    message = str(error)
    assert "\n" not in message and "1.3" in message and "sum to 1" in message


def test_personae_given_as_data_replace_the_defaults_and_must_still_sum_to_one():
    with pytest.raises(UserError, match="sum to 1"):
        model_config({"territory": {"personae": {"only": {"share": 0.4}}}})
    config = model_config({"territory": {"personae": {"only": {"share": 1.0}}}})
    assert list(config.territory.personae) == ["only"]
    with pytest.raises(UserError, match="at least one persona"):
        model_config({"territory": {"personae": {}}})


@pytest.mark.parametrize(
    ("override", "field", "value_text"),
    [
        ({"territory.personae.young_tenant_family.heating_mix.electric": 0.4},
         "territory.personae.young_tenant_family.heating_mix", "0.9"),
        ({"territory.personae.young_tenant_family.heating_mix.coal": 0.0},
         "territory.personae.young_tenant_family.heating_mix", "'coal'"),
        ({"territory.personae.young_tenant_family.heating_mix.electric": -0.2,
          "territory.personae.young_tenant_family.heating_mix.gas": 1.2},
         "territory.personae.young_tenant_family.heating_mix.electric", "-0.2"),
        ({"territory.personae.young_tenant_family.heating_mix.gas": "lots"},
         "territory.personae.young_tenant_family.heating_mix.gas", "'lots'"),
    ],
)
def test_bad_heating_mix(override, field, value_text):
    with pytest.raises(UserError) as caught:
        with_overrides(ModelConfig(), override)
    _one_line_error(caught.value, field, value_text)


def test_coordination_mix_must_sum_to_one():
    with pytest.raises(UserError) as caught:
        with_overrides(ModelConfig(), {"policy.coordination.reciprocity": 0.9})
    message = _one_line_error(caught.value, "policy.coordination", "1.56")
    assert "sum to 1" in message
    ok = with_overrides(ModelConfig(), {"policy.coordination.reciprocity": 0.5,
                                        "policy.coordination.exchange": 0.25,
                                        "policy.coordination.authority": 0.25})
    assert ok.policy.coordination.reciprocity == 0.5


def test_until_before_start_and_equal_years():
    with pytest.raises(UserError) as caught:
        with_overrides(ModelConfig(), {"start": 2050, "until": 2049})
    _one_line_error(caught.value, "until", "2049")
    same = with_overrides(ModelConfig(), {"start": 2050, "until": 2050})
    assert same.start == same.until == 2050


def test_whole_floats_are_accepted_for_integers():
    config = model_config({"territory": {"households": 300.0}})
    assert config.territory.households == 300
    assert isinstance(config.territory.households, int)


def test_errors_through_hydra_name_field_and_value():
    with pytest.raises(UserError) as caught:
        load(["territory.households=-5"])
    _one_line_error(caught.value, "territory.households", "-5")
    with pytest.raises(UserError) as caught:
        load(["scenario=foo"])
    message = _one_line_error(caught.value, "scenario", "'foo'")
    for name in SCENARIOS:
        assert name in message
    with pytest.raises(UserError) as caught:
        load(["territory.foo=1"])
    assert caught.value.field == "territory.foo"
    assert "unknown key" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("key", "value"), [("window_h", 100), ("lookahead_h", 30)])
def test_lp_windows_must_be_whole_days_at_validation(key, value):
    with pytest.raises(UserError) as caught:
        model_config({"optimiser": {"mode": "lp", key: value}})
    assert caught.value.field == f"optimiser.{key}"


def test_zero_alert_flow_is_rejected_up_front_or_runs():
    from territoire_abm.run import simulate

    try:
        model_config({"territory": {"alert_flow_m3s": 0.0}})
    except UserError as error:
        assert error.field == "territory.alert_flow_m3s"
        return
    result = simulate({"territory.households": 30, "territory.alert_flow_m3s": 0.0},
                      seed=0, until=2025)
    assert len(result.series) == 1
