"""Experiments at scale: sweeps, global sensitivity analysis, scenario discovery,
robustness and adaptation pathways.

Describe an experiment in ``experiments/<name>/config.yaml``, run it with
:func:`run_experiment` (or ``territoire-abm experiment=<name>``) on the laptop or a Dask
cluster, then analyse it with :mod:`territoire_abm.experiments.analysis` (or
``territoire-abm analyse <results_dir> method=...``). See ``docs/experiments.md``.

Names are imported lazily: worker processes import :mod:`.worker` only.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "RealParameter": "parameters",
    "IntegerParameter": "parameters",
    "CategoricalParameter": "parameters",
    "Parameter": "parameters",
    "Design": "designs",
    "Policy": "designs",
    "make_design": "designs",
    "run_seed": "designs",
    "ExperimentSpec": "spec",
    "load_spec": "spec",
    "spec_from_config": "spec",
    "Executor": "executors",
    "SerialExecutor": "executors",
    "ProcessExecutor": "executors",
    "DaskExecutor": "executors",
    "make_executor": "executors",
    "ResultStore": "store",
    "ExperimentResult": "runner",
    "run_experiment": "runner",
    "load_results": "analysis",
    "Results": "analysis",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
