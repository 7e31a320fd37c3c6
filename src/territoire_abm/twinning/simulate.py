"""Run a target commune and its climate twin side by side (a region of two, twinning link)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from territoire_abm.config.params import ModelConfig
from territoire_abm.config.validate import with_overrides
from territoire_abm.territory.model import TerritoryModel
from territoire_abm.territory.places import config_for_place
from territoire_abm.territory.region import Link, Region

DEFAULT_EXCHANGE = 0.5  # cooperation lever: share of the twin's practice that is learned


def run_pair(target: Any, twin: Any, *, scenario: str = "tracc", seed: int = 1,
             until: int = 2100, exchange: float = DEFAULT_EXCHANGE,
             overrides: dict[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate both places under ``scenario``; return their yearly indicator tables.

    Both territories learn from each other with intensity ``exchange`` (twinning links both
    ways); ``overrides`` (dotted paths) apply to both.
    """
    base = with_overrides(ModelConfig(), {"scenario": scenario, "seed": seed, "until": until,
                                          **(overrides or {})})
    target_model = TerritoryModel(config_for_place(target, base))
    twin_model = TerritoryModel(config_for_place(twin, base))
    links = [Link("twinning", twin_model.name, target_model.name, exchange),
             Link("twinning", target_model.name, twin_model.name, exchange)]
    region = Region([target_model, twin_model], links).simulate_until(until)
    del region
    return target_model.indicators(), twin_model.indicators()
