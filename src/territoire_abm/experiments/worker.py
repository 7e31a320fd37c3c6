"""What a worker process runs: a batch of model runs.

This module is imported by every worker (local process, Dask worker), so it stays small
and free of global state. The model function is given as an importable ``"module:function"``
string and resolved in the worker; it is called as
``model_fn(params, seed, until=..., outcomes=...)`` and returns either an object with
``scalars`` (mapping) and ``series`` (DataFrame indexed by ``year``) attributes — the
engine's ``RunResult`` — or a plain mapping of scalar outcomes.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["BatchOutput", "BatchTask", "resolve_model", "run_batch"]

_TRACEBACK_CHARS = 4000


@dataclass(frozen=True)
class BatchTask:
    """A batch of runs sent to one worker as one task."""

    batch: str
    model: str
    run_ids: tuple[int, ...]
    seeds: tuple[int, ...]
    params: tuple[Mapping[str, Any], ...]
    until: int | None = None
    outcomes: tuple[str, ...] | None = None


@dataclass
class BatchOutput:
    """Results of a batch, in the order of the task's runs."""

    batch: str
    scalars: pa.Table
    series: pa.Table | None
    failures: list[dict[str, Any]]
    run_ids: list[int]
    status: list[str]
    elapsed_s: list[float]
    host: str = ""
    pid: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def compute_s(self) -> float:
        return float(sum(self.elapsed_s))


@functools.lru_cache(maxsize=16)
def resolve_model(ref: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` and return the function."""
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    fn = module
    for part in attr.split("."):
        fn = getattr(fn, part)
    if not callable(fn):
        raise TypeError(f"{ref} is not callable")
    return fn


def _selected(names: Sequence[str], patterns: Sequence[str] | None) -> list[str]:
    if patterns is None:
        return list(names)
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def _has_wildcards(patterns: Sequence[str] | None) -> bool:
    return patterns is not None and any(ch in p for p in patterns for ch in "*?[")


def _split_result(result: Any) -> tuple[Mapping[str, Any], pd.DataFrame | None]:
    if hasattr(result, "scalars"):
        return result.scalars, getattr(result, "series", None)
    if isinstance(result, Mapping):
        return result, None
    raise TypeError(
        f"model returned {type(result).__name__}; expected a RunResult (scalars, series) "
        "or a mapping of outcome name to value"
    )


def _series_arrays(
    series: pd.DataFrame, patterns: Sequence[str] | None
) -> tuple[np.ndarray, list[str], np.ndarray] | None:
    """(years, indicator names, values[year, indicator]) of the selected indicators."""
    if series is None or series.shape[1] == 0:
        return None
    names = [str(c) for c in series.columns]
    if "year" in names:
        years = series["year"].to_numpy()
        keep = [i for i, n in enumerate(names) if n != "year"]
    else:
        years = series.index.to_numpy()
        keep = list(range(len(names)))
    chosen = set(_selected([names[i] for i in keep], patterns))
    # Numbers only (booleans count): a text column cannot join a float table.
    numeric = [pd.api.types.is_numeric_dtype(series.dtypes.iloc[i]) for i in range(len(names))]
    keep = [i for i in keep if names[i] in chosen and numeric[i]]
    if not keep:
        return None
    values = series.iloc[:, keep].to_numpy(dtype=np.float64)
    return np.asarray(years, dtype=np.int64), [names[i] for i in keep], values


def run_batch(task: BatchTask) -> BatchOutput:
    """Run every run of a batch; a failing run is recorded and the others go on."""
    model_fn = resolve_model(task.model)
    patterns = task.outcomes
    model_outcomes = None if _has_wildcards(patterns) else (list(patterns) if patterns else None)

    run_ids: list[int] = []
    status: list[str] = []
    elapsed: list[float] = []
    failures: list[dict[str, Any]] = []
    ok_ids: list[int] = []
    scalar_rows: list[Mapping[str, Any]] = []
    scalar_names: list[str] = []
    series_parts: list[tuple[int, np.ndarray, list[str], np.ndarray]] = []
    series_names: list[str] = []

    for run_id, seed, params in zip(task.run_ids, task.seeds, task.params, strict=True):
        t0 = time.perf_counter()
        try:
            result = model_fn(dict(params), int(seed), until=task.until, outcomes=model_outcomes)
            scalars, series = _split_result(result)
            kept = {k: float(scalars[k]) for k in _selected([str(k) for k in scalars], patterns)}
            arrays = _series_arrays(series, patterns)
        except Exception as exc:  # noqa: BLE001 - every model error is recorded, none stops the sweep
            dt = time.perf_counter() - t0
            run_ids.append(run_id)
            status.append("failed")
            elapsed.append(dt)
            failures.append({
                "run_id": run_id,
                "seed": int(seed),
                "params": json.dumps(dict(params), sort_keys=True, default=str),
                "error_type": type(exc).__name__,
                "message": str(exc)[:1000],
                "traceback": traceback.format_exc()[-_TRACEBACK_CHARS:],
            })
            continue
        dt = time.perf_counter() - t0
        run_ids.append(run_id)
        status.append("ok")
        elapsed.append(dt)
        ok_ids.append(run_id)
        scalar_rows.append(kept)
        scalar_names += [k for k in kept if k not in scalar_names]
        if arrays is not None:
            series_parts.append((run_id, *arrays))
            series_names += [n for n in arrays[1] if n not in series_names]

    columns: dict[str, Any] = {"run_id": pa.array(ok_ids, type=pa.int64())}
    for name in scalar_names:
        columns[name] = pa.array([row.get(name, math.nan) for row in scalar_rows],
                                 type=pa.float64())
    scalars_table = pa.table(columns)

    series_table = None
    if series_parts:
        cols_s: dict[str, Any] = {
            "run_id": pa.array(np.concatenate(
                [np.full(len(years), rid, dtype=np.int64) for rid, years, _, _ in series_parts])),
            "year": pa.array(np.concatenate([years for _, years, _, _ in series_parts])),
        }
        for name in series_names:
            cols_s[name] = pa.array(np.concatenate([
                values[:, names.index(name)] if name in names else np.full(len(years), np.nan)
                for _, years, names, values in series_parts
            ]))
        series_table = pa.table(cols_s)

    return BatchOutput(
        batch=task.batch,
        scalars=scalars_table,
        series=series_table,
        failures=failures,
        run_ids=run_ids,
        status=status,
        elapsed_s=elapsed,
        host=socket.gethostname(),
        pid=os.getpid(),
    )


def noop(_: Any = None) -> int:
    """A task doing nothing, to warm up workers and measure per-task overhead."""
    return os.getpid()
