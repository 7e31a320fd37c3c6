"""Experiment specifications: load an experiment YAML, validate it, build its design.

An experiment lives in ``experiments/<name>/config.yaml`` (OmegaConf/Hydra YAML;
interpolations work). Parameter paths may be written dotted (``behaviour.pmt.delay_years``)
or nested; command-line overrides (``design.n=64``,
``uncertainties.behaviour.pmt.delay_years.high=4``) are merged in either case.

Every mistake is reported as a one-line :class:`~territoire_abm.errors.UserError`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from territoire_abm.errors import UserError
from territoire_abm.experiments.designs import (
    DESIGN_METHODS,
    LEVER_MODES,
    RESERVED_COLUMNS,
    SEED_STRATEGIES,
    Design,
    Policy,
    make_design,
)
from territoire_abm.experiments.parameters import Parameter, parameters_from_config

__all__ = ["ExperimentSpec", "load_spec", "resolve_experiment", "spec_from_config"]

TOP_KEYS = (
    "name", "description", "question", "model", "until", "master_seed", "constants",
    "uncertainties", "levers", "policies", "outcomes", "design", "replications",
    "execution", "analysis",
)
DESIGN_KEYS = ("method", "n", "options", "levers", "seeds", "levels")
EXECUTION_KEYS = ("batch_size", "target_batch_seconds")
# Keys that do not change which runs are made nor their results.
_NOT_FINGERPRINTED = ("description", "question", "execution", "analysis")
_SPEC_MARKERS = frozenset({"low", "high", "categories", "values", "type", "levels", "integer",
                           "remainder_to"})


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment: what to vary, what to record, how to sample."""

    name: str
    model: str
    uncertainties: tuple[Parameter, ...] = ()
    levers: tuple[Parameter, ...] = ()
    policies: tuple[Policy, ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)
    outcomes: tuple[str, ...] | None = None
    method: str = "lhs"
    n: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    levers_mode: str = "cross"
    seeds: str = "per_sample"
    levels: int = 3
    replications: int = 1
    master_seed: int = 0
    until: int | None = None
    batch_size: int | None = None
    target_batch_seconds: float = 2.0
    description: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None

    def make_design(self) -> Design:
        """The run table of this experiment (deterministic given the config)."""
        return make_design(
            list(self.uncertainties),
            list(self.levers),
            method=self.method,
            n=self.n,
            policies=list(self.policies) or None,
            replications=self.replications,
            master_seed=self.master_seed,
            options=self.options,
            levers_mode=self.levers_mode,
            seeds=self.seeds,
            levels=self.levels,
        )

    def fingerprint(self) -> str:
        """Hash of everything that decides the runs and their results."""
        relevant = {k: v for k, v in self.config.items() if k not in _NOT_FINGERPRINTED}
        blob = json.dumps(relevant, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _is_spec(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(set(value) & _SPEC_MARKERS)


def _flatten(entries: Any, field_name: str, what: str,
             leaf: Callable[[Any], bool], put: Callable[[dict[str, Any], str, Any], None],
             ) -> dict[str, Any]:
    """Walk nested mappings down to the ``leaf`` values, stored by dotted path with ``put``;
    a value that is neither a leaf nor a mapping is refused."""
    if entries is None:
        return {}
    if not isinstance(entries, Mapping):
        raise UserError(field_name, entries, f"expected a mapping of parameter path to {what}")
    out: dict[str, Any] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if leaf(value):
                put(out, path, value)
            elif isinstance(value, Mapping):
                walk(value, f"{path}.")
            else:
                raise UserError(f"{field_name}.{path}", value,
                                "expected {low: .., high: ..} or {categories: [..]}")

    walk(entries, "")
    return out


def _is_spec_leaf(value: Any) -> bool:
    return _is_spec(value) or (isinstance(value, Sequence) and not isinstance(value, str))


def _merge_spec(out: dict[str, Any], path: str, value: Any) -> None:
    if path in out and isinstance(out[path], Mapping) and isinstance(value, Mapping):
        out[path] = {**out[path], **value}
    else:
        out[path] = value


def _set_value(out: dict[str, Any], path: str, value: Any) -> None:
    out[path] = value


def flatten_specs(entries: Any, field_name: str) -> dict[str, Any]:
    """Flatten nested parameter specs to ``{dotted.path: spec}``.

    A leaf is a mapping holding spec keys (low/high/categories/...) or a list. When the
    same path appears twice (a dotted key and a nested override), the later entry's keys
    win.
    """
    return _flatten(entries, field_name, "spec", _is_spec_leaf, _merge_spec)


def flatten_values(entries: Any, field_name: str) -> dict[str, Any]:
    """Flatten nested constant values to ``{dotted.path: value}`` (later keys win)."""
    return _flatten(entries, field_name, "value", lambda value: not isinstance(value, Mapping),
                    _set_value)


def _policies(entries: Any) -> list[Policy]:
    if entries is None:
        return []
    if isinstance(entries, Mapping):
        items = list(entries.items())
    elif isinstance(entries, Sequence) and not isinstance(entries, str):
        items = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "name" not in entry:
                raise UserError(f"policies[{i}]", entry, "expected {name: .., params: {..}}")
            extra = set(entry) - {"name", "params"}
            if extra:
                raise UserError(f"policies[{i}]", sorted(extra)[0], "allowed keys: name, params")
            items.append((entry["name"], entry.get("params") or {}))
    else:
        raise UserError("policies", entries, "expected a mapping of name to lever values")
    return [Policy(str(name), flatten_values(params, f"policies.{name}")) for name, params in items]


def _int(cfg: Mapping[str, Any], key: str, default: Any, *, minimum: int, where: str) -> Any:
    value = cfg.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise UserError(where, value, f"expected an integer >= {minimum}")
    return value


def _check_top_level(cfg: Any) -> None:
    """A mapping of known top-level keys."""
    if not isinstance(cfg, Mapping):
        raise UserError("experiment", cfg, "expected a mapping at the top level")
    unknown = [k for k in cfg if k not in TOP_KEYS]
    if unknown:
        raise UserError(str(unknown[0]), cfg[unknown[0]], f"allowed keys: {', '.join(TOP_KEYS)}")


def _model(cfg: Mapping[str, Any]) -> str:
    """The ``package.module:function`` that runs one simulation."""
    model = cfg.get("model")
    if not isinstance(model, str) or model.count(":") != 1 or not all(model.split(":")):
        raise UserError("model", model, "expected 'package.module:function'")
    return model


def _check_names(varied: Sequence[Parameter], constants: Mapping[str, Any]) -> None:
    """No reserved column name is varied or held, and nothing is both varied and held."""
    for p in varied:
        if p.name in RESERVED_COLUMNS:
            raise UserError(p.name, p.describe(), "seeds derive from master_seed; use "
                            "replications for more seeds" if p.name == "seed" else
                            f"reserved names: {', '.join(RESERVED_COLUMNS)}")
        for name in (p.name, *getattr(p, "remainder_to", ())):
            if name in constants:
                raise UserError(f"constants.{name}", constants[name],
                                "is also varied; remove it from constants")
    for key in constants:
        if key in RESERVED_COLUMNS:
            raise UserError(f"constants.{key}", constants[key],
                            f"reserved names: {', '.join(RESERVED_COLUMNS)}")


def _outcomes(cfg: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The outcome names to keep (a single name is a list of one; None: all)."""
    outcomes = cfg.get("outcomes")
    if outcomes is None:
        return None
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if (not isinstance(outcomes, Sequence) or not outcomes
            or not all(isinstance(o, str) and o for o in outcomes)):
        raise UserError("outcomes", outcomes, "expected a non-empty list of outcome names")
    return tuple(outcomes)


def _section(cfg: Mapping[str, Any], name: str, keys: Sequence[str]) -> Mapping[str, Any]:
    """An optional sub-mapping (``design``, ``execution``) holding only known keys."""
    section = cfg.get(name) or {}
    if not isinstance(section, Mapping):
        raise UserError(name, section, "expected a mapping")
    bad = [k for k in section if k not in keys]
    if bad:
        raise UserError(f"{name}.{bad[0]}", section[bad[0]], f"allowed keys: {', '.join(keys)}")
    return section


def _design_settings(cfg: Mapping[str, Any], uncertainties: Sequence[Parameter],
                     levers: Sequence[Parameter]) -> dict[str, Any]:
    """``design:`` as :class:`ExperimentSpec` fields: method, n, options, levers_mode,
    seeds, levels (``n`` is required when anything is sampled, except by a grid)."""
    design = _section(cfg, "design", DESIGN_KEYS)
    method = design.get("method", "lhs")
    if method not in DESIGN_METHODS:
        raise UserError("design.method", method, f"allowed: {', '.join(DESIGN_METHODS)}")
    n = _int(design, "n", None, minimum=1, where="design.n")
    options = design.get("options") or {}
    if not isinstance(options, Mapping):
        raise UserError("design.options", options, "expected a mapping of sampler options")
    levers_mode = design.get("levers", "cross")
    if levers_mode not in LEVER_MODES:
        raise UserError("design.levers", levers_mode, f"allowed: {', '.join(LEVER_MODES)}")
    sampled = bool(uncertainties) or (levers_mode == "joint" and bool(levers))
    if n is None and method != "grid" and sampled:
        raise UserError("design.n", None, f"design.method={method} needs a positive integer n")
    seeds = design.get("seeds", "per_sample")
    if seeds not in SEED_STRATEGIES:
        raise UserError("design.seeds", seeds, f"allowed: {', '.join(SEED_STRATEGIES)}")
    levels = _int(design, "levels", 3, minimum=2, where="design.levels")
    return {"method": method, "n": n, "options": dict(options), "levers_mode": levers_mode,
            "seeds": seeds, "levels": levels}


def _execution_settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """``execution:`` as :class:`ExperimentSpec` fields: batch_size (None: chosen from a
    pilot run) and target_batch_seconds."""
    execution = _section(cfg, "execution", EXECUTION_KEYS)
    batch_size = execution.get("batch_size", "auto")
    if batch_size == "auto" or batch_size is None:
        batch_size = None
    elif not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise UserError("execution.batch_size", batch_size, "expected 'auto' or an integer >= 1")
    target = execution.get("target_batch_seconds", 2.0)
    if not isinstance(target, int | float) or isinstance(target, bool) or not (
        math.isfinite(target) and target > 0
    ):
        raise UserError("execution.target_batch_seconds", target, "expected seconds > 0")
    return {"batch_size": batch_size, "target_batch_seconds": float(target)}


def spec_from_config(cfg: Mapping[str, Any], *, source: str | None = None) -> ExperimentSpec:
    """Validate a plain config mapping and build an :class:`ExperimentSpec`."""
    _check_top_level(cfg)
    name = cfg.get("name") or (Path(source).parent.name if source else "experiment")
    model = _model(cfg)
    uncertainties = parameters_from_config(flatten_specs(cfg.get("uncertainties"),
                                                         "uncertainties"), "uncertainties")
    levers = parameters_from_config(flatten_specs(cfg.get("levers"), "levers"), "levers")
    constants = flatten_values(cfg.get("constants"), "constants")
    policies = _policies(cfg.get("policies"))
    _check_names([*uncertainties, *levers], constants)
    outcomes = _outcomes(cfg)
    design = _design_settings(cfg, uncertainties, levers)
    replications = _int(cfg, "replications", 1, minimum=1, where="replications")
    master_seed = _int(cfg, "master_seed", 0, minimum=0, where="master_seed")
    until = _int(cfg, "until", None, minimum=0, where="until")
    execution = _execution_settings(cfg)
    if policies and design["levers_mode"] == "joint":
        raise UserError("policies", len(policies), "explicit policies need design.levers=cross")
    return ExperimentSpec(
        name=str(name),
        model=model,
        uncertainties=tuple(uncertainties),
        levers=tuple(levers),
        policies=tuple(policies),
        constants=constants,
        outcomes=outcomes,
        **design,
        replications=replications,
        master_seed=master_seed,
        until=until,
        **execution,
        description=str(cfg.get("description") or cfg.get("question") or ""),
        config=dict(cfg),
        source=source,
    )


def resolve_experiment(name_or_path: str | Path, base_dir: str | Path | None = None) -> Path:
    """Find an experiment config: a YAML path, a folder holding config.yaml, or a name
    under ``<base_dir>/experiments/``."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    raw = Path(name_or_path)
    candidates = [raw, base / raw]
    for c in candidates:
        if c.is_file():
            return c
        if c.is_dir() and (c / "config.yaml").is_file():
            return c / "config.yaml"
    named = base / "experiments" / str(name_or_path) / "config.yaml"
    if named.is_file():
        return named
    root = base / "experiments"
    known = sorted(p.parent.name for p in root.glob("*/config.yaml")) if root.is_dir() else []
    allowed = f"known experiments: {', '.join(known)}" if known else (
        f"no experiments/<name>/config.yaml under {base}; give a path to a config")
    raise UserError("experiment", str(name_or_path), allowed)


def _yaml_error(path: Path, exc: Exception) -> str:
    """``invalid YAML at <file>:<line>: <problem>`` from a PyYAML error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    return f"invalid YAML at {where}: {problem}"


def load_spec(
    name_or_path: str | Path,
    overrides: Sequence[str] = (),
    *,
    base_dir: str | Path | None = None,
) -> ExperimentSpec:
    """Load, override (``key=value`` dotlist) and validate an experiment config."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    path = resolve_experiment(name_or_path, base_dir)
    try:
        cfg = OmegaConf.load(path)
        for item in overrides:
            if "=" not in item:
                raise UserError("override", item, "expected key=value")
        if overrides:
            cfg = OmegaConf.merge(cfg, OmegaConf.from_dotlist(list(overrides)))
        data = OmegaConf.to_container(cfg, resolve=True)
    except yaml.YAMLError as exc:
        raise UserError("experiment", str(path), _yaml_error(path, exc)) from None
    except OmegaConfBaseException as exc:
        first = str(exc).strip().splitlines()[0]
        raise UserError("experiment", str(path), f"invalid config: {first}") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, UserError):
            raise
        raise UserError("experiment", str(path), f"cannot read: {exc}") from None
    return spec_from_config(data, source=str(path))
