"""State as data: everything that defines a model at the end of a year, saved and restored
exactly (DESIGN.md seam 2).

A game session autosaves after each decision; a run can be branched ("what if we had voted
otherwise in 2035?"): restore the 2035 state, give another decision, run on.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from territoire_abm.agents.institutions import CommunityState, CouncilState
from territoire_abm.config.validate import model_config, to_dict
from territoire_abm.territory import levers

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

FORMAT_VERSION = 1
SCALARS = ("year", "river_state", "water_stocks", "battery_soc_kwh", "bilan_reference_kwhep",
           "last_water_pumping_kwh", "dispatch_mode",
           "tariff_surcharge_eur")
MAPPINGS = ("hazard_frequency", "events", "last", "decision_log", "external_council_knowledge")
ARRAYS = ("has_cooling", "rooftop_kwp", "external_knowledge", "upstream_withdrawal_m3s",
          "river_withdrawal_m3s")


def get_state(model: TerritoryModel) -> dict[str, Any]:
    """A deep copy of the model's state: plain dicts, lists, numbers and numpy arrays."""
    state: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "config": to_dict(model.config),
        "households": {k: v.copy() for k, v in model.households.as_dict().items()},
        "firms": {k: v.copy() for k, v in model.firms.as_dict().items()},
        "portfolios": [portfolio.state() for portfolio, _ in model.portfolios()],
        "council": dataclasses.asdict(model.council.state),
        "community": dataclasses.asdict(model.community.state),
        "streams": {name: rng.bit_generator.state for name, rng in model.streams.items()},
        "records": copy.deepcopy(model.records),
    }
    state.update({name: copy.deepcopy(getattr(model, name)) for name in SCALARS + MAPPINGS})
    state.update({name: np.array(getattr(model, name), copy=True) for name in ARRAYS})
    state["levers"] = copy.deepcopy(getattr(model, "levers", {}))
    return state


def set_state(model: TerritoryModel, state: dict[str, Any]) -> TerritoryModel:
    """Overwrite ``model`` (built from the same config) with ``state``."""
    for name, values in state["households"].items():
        setattr(model.households, name, values.copy())
    for name, values in state["firms"].items():
        setattr(model.firms, name, values.copy())
    for (portfolio, _), saved in zip(model.portfolios(), state["portfolios"], strict=True):
        portfolio.restore(saved)
    model.council.state = CouncilState(**copy.deepcopy(state["council"]))
    model.community.state = CommunityState(**copy.deepcopy(state["community"]))
    for name, saved in state["streams"].items():
        model.streams[name].bit_generator.state = copy.deepcopy(saved)
    model.records = copy.deepcopy(state["records"])
    for name in SCALARS + MAPPINGS:
        setattr(model, name, copy.deepcopy(state[name]))
    for name in ARRAYS:
        setattr(model, name, np.array(state[name], copy=True))
    model.levers = copy.deepcopy(state.get("levers", {}))  # facilitator levers (levers.py)
    levers.refresh(model)
    return model


def from_state(state: dict[str, Any], controller: Any = None) -> TerritoryModel:
    """A new model holding ``state``."""
    from territoire_abm.territory.model import TerritoryModel

    model = TerritoryModel(model_config(state["config"]), controller=controller)
    return set_state(model, state)


def save(model: TerritoryModel, path: str | Path) -> Path:
    """Write the state to ``path`` (pickle of plain data; only load files you wrote)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(pickle.dumps(get_state(model), protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)  # atomic: an interrupted autosave never leaves half a file
    return path


def load(path: str | Path, controller: Any = None) -> TerritoryModel:
    """A model restored from a file written by :func:`save`."""
    state = pickle.loads(Path(path).read_bytes())
    return from_state(state, controller=controller)
