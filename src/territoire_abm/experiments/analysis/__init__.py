"""Analyses of experiment results: sensitivity (Sobol, Morris, FAST, PAWN, delta — also
year by year), scenario discovery (PRIM), robustness (regret, satisficing), adaptation
tipping points and pathways maps (also from plans simulated with in-run triggers).

Modules are imported lazily so ``import territoire_abm.experiments.analysis`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from territoire_abm.experiments.analysis.results import Results, load_results

_LAZY = {
    "sobol_indices": "sobol", "sobol_over_time": "sobol", "analyze_sobol": "sobol",
    "morris_indices": "morris", "morris_over_time": "morris", "analyze_morris": "morris",
    "fast_indices": "fast", "fast_over_time": "fast", "analyze_fast": "fast",
    "pawn_indices": "pawn", "pawn_over_time": "pawn", "analyze_pawn": "pawn",
    "delta_indices": "delta", "delta_over_time": "delta", "analyze_delta": "delta",
    "discover": "prim", "discover_scenarios": "prim",
    "regret": "robustness", "regret_summary": "robustness", "satisficing": "robustness",
    "satisficing_radius": "robustness", "robustness_table": "robustness",
    "performance_table": "robustness", "parse_constraint": "robustness",
    "first_tipping_index": "tipping", "tipping_points": "tipping",
    "tipping_summary": "tipping",
    "Action": "pathways", "actions_from_tipping": "pathways",
    "enumerate_pathways": "pathways", "plot_pathways": "pathways",
    "trigger_times": "plan_pathways", "trigger_summary": "plan_pathways",
    "plan_tipping": "plan_pathways", "action_tipping": "plan_pathways",
    "plan_pathways": "plan_pathways", "plot_plan_pathways": "plan_pathways",
}

__all__ = ["Results", "load_results", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
