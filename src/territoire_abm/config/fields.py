"""Declare a parameter once: default, unit, allowed range or choices, and source.

Every model parameter is a dataclass field made with :func:`param`. The metadata drives
validation (:mod:`territoire_abm.config.validate`), the Hydra YAML files in ``configs/``
(:mod:`territoire_abm.config.export`), the parameter table of the ODD+D description and the
dotted names that experiments and the game use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any


def param(
    default: Any = dataclasses.MISSING,
    *,
    unit: str,
    source: str,
    low: float | None = None,
    high: float | None = None,
    choices: Sequence[Any] | None = None,
    doc: str = "",
    factory: Callable[[], Any] | None = None,
) -> Any:
    """Return a dataclass field carrying the parameter's metadata.

    Parameters
    ----------
    default : value of the parameter when nothing overrides it.
    unit : physical unit ("kWh/yr", "share", "-" for counts and labels).
    source : publication, dataset or reasoning the default rests on; "estimate (unconfirmed)"
        when no primary source backs the number yet.
    low, high : inclusive bounds for numbers.
    choices : allowed values for labels.
    doc : one-line meaning.
    factory : for mutable defaults (dicts, lists).
    """
    metadata = {
        "unit": unit,
        "source": source,
        "low": low,
        "high": high,
        "choices": tuple(choices) if choices is not None else None,
        "doc": doc,
    }
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def describe(config_class: type, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten a config dataclass into rows: path, default, unit, range, source, doc."""
    rows: list[dict[str, Any]] = []
    defaults = config_class()
    for field in dataclasses.fields(config_class):
        path = f"{prefix}{field.name}"
        value = getattr(defaults, field.name)
        if dataclasses.is_dataclass(value):
            rows.extend(describe(type(value), prefix=f"{path}."))
            continue
        rows.append({"path": path, "default": value, **field_metadata(field)})
    return rows


def field_metadata(field: dataclasses.Field) -> dict[str, Any]:
    """Unit, range, choices, source and doc of one parameter field."""
    meta = field.metadata
    return {key: meta.get(key, "" if key in ("unit", "source", "doc") else None)
            for key in ("unit", "low", "high", "choices", "source", "doc")}
