"""Typed experiment parameters: uncertainties (futures) and levers (policies).

Follows the EMA Workbench vocabulary (``RealParameter``, ``IntegerParameter``,
``CategoricalParameter``). Every parameter maps the unit interval [0, 1] onto its values,
so one unit-space design (LHS, Sobol, Morris, FAST) drives parameters of any type. The
unit-space coordinates are what the SALib analysers receive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from territoire_abm.errors import UserError

__all__ = [
    "CategoricalParameter",
    "IntegerParameter",
    "Parameter",
    "RealParameter",
    "parameter_from_config",
    "parameters_from_config",
]

_SPEC_KEYS = frozenset({"low", "high", "categories", "values", "type", "levels", "integer",
                        "remainder_to"})


@dataclass(frozen=True)
class Parameter:
    """A named parameter of the simulation, addressed by its dotted path."""

    name: str
    kind: ClassVar[str] = "abstract"

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-space coordinates (in [0, 1]) to parameter values."""
        raise NotImplementedError

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        """Map parameter values to unit-space coordinates (inverse of :meth:`from_unit`)."""
        raise NotImplementedError

    def grid(self, levels: int) -> list[Any]:
        """Values used by a full-factorial design."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """JSON-ready description, stored in the manifest."""
        raise NotImplementedError


@dataclass(frozen=True)
class RealParameter(Parameter):
    """A real-valued parameter uniform on ``[low, high]``.

    ``remainder_to`` names parameters that share what is left to 1 in equal parts: a share
    of a mix that must sum to 1 (e.g. reciprocity varied, exchange and authority each
    ``(1 - reciprocity) / 2``). Those parameters are set, not sampled.
    """

    low: float = 0.0
    high: float = 1.0
    levels: int | None = None
    remainder_to: tuple[str, ...] = ()
    kind: ClassVar[str] = "real"

    def remainders(self, values: Sequence[float]) -> dict[str, list[float]]:
        """Values of the ``remainder_to`` parameters for each value of this one."""
        k = len(self.remainder_to)
        return {name: [(1.0 - float(v)) / k for v in values] for name in self.remainder_to}

    def from_unit(self, u: np.ndarray) -> list[float]:
        u = np.asarray(u, dtype=float)
        return [float(v) for v in self.low + u * (self.high - self.low)]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        return (v - self.low) / (self.high - self.low)

    def grid(self, levels: int) -> list[float]:
        n = self.levels or levels
        return [float(v) for v in np.linspace(self.low, self.high, n)]

    def describe(self) -> dict[str, Any]:
        out = {"name": self.name, "type": self.kind, "low": self.low, "high": self.high}
        if self.remainder_to:
            out["remainder_to"] = list(self.remainder_to)
        return out


@dataclass(frozen=True)
class IntegerParameter(Parameter):
    """An integer parameter uniform on ``low..high`` (both included)."""

    low: int = 0
    high: int = 1
    levels: int | None = None
    kind: ClassVar[str] = "integer"

    @property
    def count(self) -> int:
        return self.high - self.low + 1

    def from_unit(self, u: np.ndarray) -> list[int]:
        u = np.asarray(u, dtype=float)
        idx = np.clip(np.floor(u * self.count), 0, self.count - 1).astype(np.int64)
        return [int(self.low + i) for i in idx]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        return (v - self.low + 0.5) / self.count

    def grid(self, levels: int) -> list[int]:
        n = self.levels or levels
        if self.count <= n:
            return list(range(self.low, self.high + 1))
        return sorted({int(round(v)) for v in np.linspace(self.low, self.high, n)})

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class CategoricalParameter(Parameter):
    """A parameter taking one of a few values (strings or numbers), equally likely.

    For SALib designs the unit interval is cut into equal bins, one per category, in the
    order given: put ordered categories (e.g. scenarios by forcing) in their order.
    """

    categories: tuple[Any, ...] = ()
    kind: ClassVar[str] = "categorical"

    def from_unit(self, u: np.ndarray) -> list[Any]:
        k = len(self.categories)
        idx = np.clip(np.floor(np.asarray(u, dtype=float) * k), 0, k - 1).astype(np.int64)
        return [self.categories[i] for i in idx]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        k = len(self.categories)
        index = {c: i for i, c in enumerate(self.categories)}
        return np.array([(index[v] + 0.5) / k for v in values], dtype=float)

    def grid(self, levels: int) -> list[Any]:
        return list(self.categories)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "categories": list(self.categories)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spec_mapping(spec: Any, where: str) -> Mapping[str, Any]:
    """The entry as a mapping of known keys (a bare list is ``{categories: list}``)."""
    if isinstance(spec, Sequence) and not isinstance(spec, str):
        spec = {"categories": list(spec)}
    if not isinstance(spec, Mapping):
        raise UserError(where, spec, "expected {low: .., high: ..} or {categories: [..]}")
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise UserError(where, sorted(unknown)[0], f"allowed keys: {', '.join(sorted(_SPEC_KEYS))}")
    kind = spec.get("type")
    if kind not in (None, "real", "integer", "categorical"):
        raise UserError(f"{where}.type", kind, "allowed: real, integer, categorical")
    return spec


def _categorical(name: str, cats: Any, where: str) -> CategoricalParameter:
    """Distinct categories, all numbers or all text (or booleans)."""
    if not isinstance(cats, Sequence) or isinstance(cats, str) or len(cats) == 0:
        raise UserError(f"{where}.categories", cats, "expected a non-empty list")
    cats = tuple(cats)
    if len(set(cats)) != len(cats):
        raise UserError(f"{where}.categories", list(cats), "categories must be distinct")
    numeric = [_is_number(c) for c in cats]
    if any(numeric) and not all(numeric):
        raise UserError(f"{where}.categories", list(cats), "mix of numbers and text")
    if not all(numeric) and not all(isinstance(c, str | bool) for c in cats):
        raise UserError(f"{where}.categories", list(cats), "expected numbers or text")
    return CategoricalParameter(name, categories=cats)


def _bounds(spec: Mapping[str, Any], where: str) -> tuple[float, float]:
    """Finite numeric ``low < high``."""
    if "low" not in spec or "high" not in spec:
        raise UserError(where, dict(spec), "expected both low and high, or categories")
    low, high = spec["low"], spec["high"]
    if not (_is_number(low) and _is_number(high)):
        raise UserError(where, dict(spec), "low and high must be numbers")
    if not math.isfinite(low) or not math.isfinite(high) or not low < high:
        raise UserError(where, dict(spec), "need finite low < high")
    return low, high


def _remainder_to(name: str, spec: Mapping[str, Any], low: float, high: float,
                  where: str) -> tuple[str, ...]:
    """Names of the other shares of a mix this share leaves the rest to (see
    :class:`RealParameter`); only for a share within [0, 1]."""
    rest = spec.get("remainder_to") or ()
    if isinstance(rest, str):
        rest = (rest,)
    if rest and (not all(isinstance(r, str) and r for r in rest) or name in rest
                 or low < 0 or high > 1):
        raise UserError(f"{where}.remainder_to", list(rest), "expected other parameter names, "
                        "for a share within [0, 1]")
    return tuple(rest)


def _ranged(name: str, spec: Mapping[str, Any], where: str) -> Parameter:
    """A real (or, with ``integer: true`` / ``type: integer``, an integer) parameter."""
    low, high = _bounds(spec, where)
    levels = spec.get("levels")
    if levels is not None and (not isinstance(levels, int) or levels < 2):
        raise UserError(f"{where}.levels", levels, "expected an integer >= 2")
    rest = _remainder_to(name, spec, low, high, where)
    if spec.get("type") == "integer" or spec.get("integer", False):
        if rest:
            raise UserError(f"{where}.remainder_to", list(rest), "only for real shares")
        if int(low) != low or int(high) != high:
            raise UserError(where, dict(spec), "integer parameters need integer bounds")
        return IntegerParameter(name, low=int(low), high=int(high), levels=levels)
    return RealParameter(name, low=float(low), high=float(high), levels=levels,
                         remainder_to=rest)


def parameter_from_config(name: str, spec: Any, field: str) -> Parameter:
    """Build a parameter from its config entry.

    Accepted forms: ``{low, high}`` (real; ``integer: true`` or ``type: integer`` for
    integers; optional ``levels`` for grids), ``{categories: [...]}`` or ``{values: [...]}``
    (categorical) and a bare list (categorical).
    """
    where = f"{field}.{name}"
    spec = _spec_mapping(spec, where)
    cats = spec.get("categories", spec.get("values"))
    if cats is not None or spec.get("type") == "categorical":
        return _categorical(name, cats, where)
    return _ranged(name, spec, where)


def parameters_from_config(entries: Mapping[str, Any], field: str) -> list[Parameter]:
    """Build parameters from a mapping of dotted name to spec (see :func:`flatten_specs`)."""
    return [parameter_from_config(name, spec, field) for name, spec in entries.items()]
