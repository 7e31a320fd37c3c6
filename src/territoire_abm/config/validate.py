"""Build and check a :class:`ModelConfig` from plain data, in one place, before anything runs.

Every mistake raises :class:`~territoire_abm.errors.UserError` with one line naming the
dotted field, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from territoire_abm.config.params import HEATING_SYSTEMS, ModelConfig, PersonaConfig
from territoire_abm.errors import UserError

SHARE_TOLERANCE = 1e-6


@cache
def _hints(config_class: type) -> dict[str, Any]:
    return typing.get_type_hints(config_class)


def build(config_class: type, data: Mapping[str, Any] | None, path: str = "") -> Any:
    """Return an instance of ``config_class`` from nested ``data``, checking every value."""
    data = dict(data or {})
    defaults = config_class()
    known = {f.name: f for f in dataclasses.fields(config_class)}
    for key in data:
        if key not in known:
            allowed = ", ".join(sorted(known))
            raise UserError(f"{path}{key}", data[key], f"unknown key; allowed keys: {allowed}")
    values = {}
    for name, field in known.items():
        full = f"{path}{name}"
        if name not in data:
            values[name] = getattr(defaults, name)
            continue
        values[name] = _coerce(field, _hints(config_class)[name], data[name], full)
    return config_class(**values)


def _coerce(field: dataclasses.Field, hint: Any, value: Any, path: str) -> Any:
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise UserError(path, value, f"expected a mapping of {hint.__name__} fields")
        return build(hint, value, f"{path}.")
    origin = typing.get_origin(hint)
    if origin is dict:
        return _coerce_dict(field, typing.get_args(hint), value, path)
    return _check_scalar(field, hint, value, path)


def _coerce_dict(field: dataclasses.Field, args: tuple, value: Any, path: str) -> dict:
    if not isinstance(value, Mapping):
        raise UserError(path, value, "expected a mapping")
    _, value_type = args
    result = {}
    for key, item in value.items():
        item_path = f"{path}.{key}"
        if dataclasses.is_dataclass(value_type):
            result[str(key)] = build(value_type, item, f"{item_path}.")
        else:
            result[str(key)] = _check_scalar(field, value_type, item, item_path)
    return result


def _check_scalar(field: dataclasses.Field, hint: Any, value: Any, path: str) -> Any:
    value = _convert_type(hint, value, path)
    meta = field.metadata
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        raise UserError(path, value, f"allowed: {', '.join(map(str, choices))}")
    low, high = meta.get("low"), meta.get("high")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value) or (low is not None and value < low) or (
            high is not None and value > high
        ):
            raise UserError(path, value, _range_text(low, high, meta.get("unit", "")))
    return value


def _range_text(low: Any, high: Any, unit: str) -> str:
    """``allowed range [1, 10] kW``; no unit for a dimensionless ``-``; ``allowed range >= 0``
    when the upper bound is only the integer limit."""
    unit = "" if unit in ("", "-") else f" {unit}"
    if high is None or (isinstance(high, int) and high >= 2**62):
        return f"allowed range >= {low}{unit}"
    return f"allowed range [{low}, {high}]{unit}"


def _convert_type(hint: Any, value: Any, path: str) -> Any:
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise UserError(path, value, "expected true or false")
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise UserError(path, value, "expected an integer")
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(path, value, "expected a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise UserError(path, value, "expected text")
        return value
    return value


def check_consistency(config: ModelConfig) -> ModelConfig:
    """Checks that span several fields: shares summing to 1, years in order."""
    personae = config.territory.personae
    if not personae:
        raise UserError("territory.personae", {}, "at least one persona is needed")
    total = sum(p.share for p in personae.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise UserError("territory.personae.*.share", round(total, 6), "shares must sum to 1")
    for name, persona in personae.items():
        _check_heating_mix(name, persona)
    mix = config.policy.coordination
    total = mix.reciprocity + mix.exchange + mix.authority
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise UserError("policy.coordination", round(total, 6),
                        "reciprocity + exchange + authority must sum to 1")
    if config.until < config.start:
        raise UserError("until", config.until, f"must be >= start ({config.start})")
    _check_risk_weights(config)
    _check_plan(config)
    for name in ("window_h", "lookahead_h"):
        hours = getattr(config.optimiser, name)
        if hours % 24:
            raise UserError(f"optimiser.{name}", hours, "a whole number of days (multiple of 24)")
    return config


def _check_plan(config: ModelConfig) -> None:
    """A plan (``policy.plan``) is read and checked once, before the run."""
    settings = config.policy.plan
    if settings.name != "none" or settings.actions or settings.thresholds:
        from territoire_abm.governance.plans import resolve_plan

        resolve_plan(settings)


def _check_risk_weights(config: ModelConfig) -> None:
    """Haer et al.'s update divides by a + b + c: one weight must be positive."""
    risk = config.behaviour.risk
    if risk.memory_weight + risk.no_event_experience_weight + risk.social_weight <= 0:
        raise UserError("behaviour.risk.memory_weight", risk.memory_weight,
                        "memory, no-event experience and social weights cannot all be 0")
    if risk.memory_weight + risk.experience_weight <= 0:
        raise UserError("behaviour.risk.experience_weight", risk.experience_weight,
                        "memory and experience weights cannot both be 0")


def _check_heating_mix(name: str, persona: PersonaConfig) -> None:
    path = f"territory.personae.{name}.heating_mix"
    for system, share in persona.heating_mix.items():
        if system not in HEATING_SYSTEMS:
            raise UserError(path, system, f"allowed systems: {', '.join(HEATING_SYSTEMS)}")
        if not 0.0 <= share <= 1.0:
            raise UserError(f"{path}.{system}", share, "allowed range [0, 1] share")
    total = sum(persona.heating_mix.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise UserError(path, round(total, 6), "shares must sum to 1")


def model_config(data: Mapping[str, Any] | None = None) -> ModelConfig:
    """Return a checked :class:`ModelConfig` from nested plain data."""
    return check_consistency(build(ModelConfig, data))


def to_dict(config: Any) -> dict[str, Any]:
    """Plain nested dict of a config dataclass (YAML/JSON friendly)."""
    return dataclasses.asdict(config)


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``value`` at a dotted path inside nested dicts, creating levels as needed."""
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = value


# Group selections accepted in dotted overrides ("scenario=ssp585", "optimiser=lp").
GROUP_SELECTORS = {"scenario": "scenario.name", "optimiser": "optimiser.mode",
                   "policy.plan": "policy.plan.name"}


def with_overrides(config: ModelConfig, overrides: Mapping[str, Any]) -> ModelConfig:
    """Return a new checked config with dotted-path overrides applied."""
    data = to_dict(config)
    for key, value in overrides.items():
        if key in GROUP_SELECTORS and not isinstance(value, Mapping):
            key = GROUP_SELECTORS[key]
        set_path(data, key, value)
    return model_config(data)
