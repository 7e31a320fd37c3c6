"""State as data: save at 2030, restore, continue — equal to an uninterrupted run, byte for
byte (territory/state.py covers every random stream and every piece of state)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from territoire_abm.config.validate import model_config
from territoire_abm.territory import state
from territoire_abm.territory.model import STREAMS, TerritoryModel

SMALL = {"households": 150, "farms": 4, "industry_firms": 2, "service_firms": 8}
CONFIGS = {
    "default-mix": {},
    "exchange-public-sentiment": {"policy": {
        "coordination": {"reciprocity": 0.2, "exchange": 0.6, "authority": 0.2},
        "council": {"archetype": "public_sentiment"}, "budget_per_inhabitant_eur": 300.0}},
}


def _model(overrides: dict, until: int) -> TerritoryModel:
    return TerritoryModel(model_config({"territory": SMALL, "seed": 4, "until": until,
                                        **overrides}))


def _parquet(model: TerritoryModel) -> bytes:
    buffer = io.BytesIO()
    model.indicators().to_parquet(buffer)
    return buffer.getvalue()


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    if hasattr(a, "__dataclass_fields__"):
        return _same(vars(a), vars(b))
    return a == b


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_save_restore_continue_equals_an_uninterrupted_run(name, tmp_path):
    overrides = CONFIGS[name]
    straight = _model(overrides, 2040).simulate_until()
    first = _model(overrides, 2040).simulate_until(2030)
    path = state.save(first, tmp_path / "2030.pkl")
    del first
    resumed = state.load(path).simulate_until()
    assert _parquet(resumed) == _parquet(straight)
    assert _same(resumed.get_state(), straight.get_state())


def test_the_saved_state_holds_every_random_stream():
    model = _model({}, 2026).simulate_until()
    saved = model.get_state()
    assert set(saved["streams"]) == set(STREAMS)
    fresh = _model({}, 2026)
    fresh.set_state(saved)
    for name in STREAMS:
        assert (fresh.streams[name].random(3) == model.streams[name].random(3)).all()
