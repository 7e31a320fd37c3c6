"""Small model functions with known answers, for tests, benchmarks and examples.

They follow the engine's signature ``fn(params, seed, *, until=None, outcomes=None)`` and
live in the package (not in tests/) so that Dask workers and local processes can import
them by name, e.g. ``"territoire_abm.experiments.testing_models:ishigami"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ISHIGAMI_S1",
    "ISHIGAMI_ST",
    "ToyResult",
    "cpu_bound",
    "flaky",
    "ishigami",
    "ishigami_indices",
    "linear",
    "sleepy",
    "trajectory",
    "water_actions",
]


@dataclass
class ToyResult:
    """Same shape as the engine's ``RunResult``."""

    scalars: dict[str, float]
    series: pd.DataFrame = field(default_factory=pd.DataFrame)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[dict[str, float], dict[str, float]]:
    """Analytic first-order and total Sobol indices of the Ishigami function on [-π, π]^3."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * 8 / 225
    v = v1 + v2 + v13
    s1 = {"x1": v1 / v, "x2": v2 / v, "x3": 0.0}
    st = {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v}
    return s1, st


ISHIGAMI_S1, ISHIGAMI_ST = ishigami_indices()


def ishigami(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
             outcomes: Sequence[str] | None = None) -> ToyResult:
    """Ishigami & Homma (1990) test function; inputs ``x1, x2, x3`` in [-π, π]."""
    x1, x2, x3 = (float(params[k]) for k in ("x1", "x2", "x3"))
    a, b = float(params.get("a", 7.0)), float(params.get("b", 0.1))
    y = math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)
    return ToyResult({"y": y})


def linear(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
           outcomes: Sequence[str] | None = None) -> dict[str, float]:
    """``y = 10a + 5b² + c`` (``d`` inert): Morris ranks a > b > c > d. Returns a mapping."""
    a, b, c = (float(params[k]) for k in "abc")
    return {"y": 10 * a + 5 * b**2 + c, "d_echo": float(params.get("d", 0.0))}


def trajectory(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
               outcomes: Sequence[str] | None = None) -> ToyResult:
    """A yearly series whose driver changes over time.

    ``pressure(t) = (1 - w_t) x1 + w_t x2`` with ``w_t`` rising from 0 (start) to 1 (end):
    early years are driven by ``x1``, late years by ``x2``; ``x3`` is inert. A little seeded
    noise (``noise``, default 0) makes replications differ.
    """
    until = until or 2050
    years = np.arange(2020, until + 1)
    w = (years - years[0]) / max(1, years[-1] - years[0])
    x1, x2 = float(params["x1"]), float(params["x2"])
    rng = np.random.default_rng(seed)
    noise = float(params.get("noise", 0.0)) * rng.standard_normal(len(years))
    pressure = (1 - w) * x1 + w * x2 + noise
    frame = pd.DataFrame({"pressure": pressure, "inert": np.full(len(years), float(
        params.get("x3", 0.0)))}, index=pd.Index(years, name="year"))
    return ToyResult({"pressure_end": float(pressure[-1]), "pressure_mean": float(pressure.mean())},
                     frame)


_WARMING_RATE = {"tracc": 3.2 / 80, "ssp245": 1.7 / 80, "ssp585": 3.6 / 80}
_CAPACITY = {"current": 1.2, "saving": 1.3, "reuse": 1.4, "reservoir": 1.5}


def water_actions(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
                  outcomes: Sequence[str] | None = None) -> ToyResult:
    """Toy water balance whose actions fail at known warming levels.

    Warming rises linearly from +1.0 °C in 2020 at a scenario rate; demand is
    ``1 + 0.1·warming``; an action (``policy.action``) provides a capacity (current 1.2,
    saving 1.3, reuse 1.4, reservoir 1.5), so the deficit ``max(0, demand − capacity)``
    becomes positive above +2, +3, +4 and +5 °C respectively. ``noise`` (default 0)
    perturbs capacity with the run's seed.
    """
    until = until or 2100
    years = np.arange(2020, until + 1)
    rate = _WARMING_RATE[str(params.get("scenario", "tracc"))]
    warming = 1.0 + rate * (years - 2020)
    rng = np.random.default_rng(seed)
    capacity = _CAPACITY[str(params.get("policy.action", "current"))]
    capacity *= 1 + float(params.get("noise", 0.0)) * rng.standard_normal()
    deficit = np.maximum(0.0, 1 + 0.1 * warming - capacity)
    frame = pd.DataFrame({"warming_c": warming, "water_deficit": deficit},
                         index=pd.Index(years, name="year"))
    return ToyResult({"water_deficit_end": float(deficit[-1]),
                      "deficit_years": float((deficit > 0).sum())}, frame)


def flaky(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
          outcomes: Sequence[str] | None = None) -> dict[str, float]:
    """Raises ``ValueError`` when ``x > 0.8``; otherwise ``y = 2x``."""
    x = float(params["x"])
    if x > 0.8:
        raise ValueError(f"x={x:.3f} is out of the model's domain")
    return {"y": 2 * x}


def sleepy(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
           outcomes: Sequence[str] | None = None) -> ToyResult:
    """Sleeps ``sleep`` seconds (default 0.02) and returns seeded values and a series."""
    time.sleep(float(params.get("sleep", 0.02)))
    rng = np.random.default_rng(seed)
    x = float(params.get("x", 0.0))
    years = np.arange(2020, (until or 2025) + 1)
    frame = pd.DataFrame({"level": x + rng.standard_normal(len(years))},
                         index=pd.Index(years, name="year"))
    return ToyResult({"y": x + rng.random(), "u": float(rng.random())}, frame)


def cpu_bound(params: Mapping[str, Any], seed: int = 0, *, until: int | None = None,
              outcomes: Sequence[str] | None = None) -> dict[str, float]:
    """Single-threaded numpy work (no BLAS): ``iterations`` passes over ``size`` values.

    Arrays stay small (32 kB by default), like the engine's per-household arrays: with
    temporaries of 80 kB or more the timing would depend on glibc's allocator settings —
    Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536``, which slows such numpy code by
    15–40 % here. About 20 µs per iteration on a 2-vCPU machine; the benchmark calibrates.
    """
    n = int(params.get("iterations", 2000))
    rng = np.random.default_rng(seed)
    v = rng.random(int(params.get("size", 4_000)))
    acc = 0.0
    for _ in range(n):
        v = np.sin(v) * 1.0001 + 0.1
        acc += float(v[::97].sum())
    return {"y": acc + float(params.get("x", 0.0))}
