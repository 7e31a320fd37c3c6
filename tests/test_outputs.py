"""The one-screen summary (decade means over weather seeds, held against the grounding
table) and the fan charts."""

import numpy as np
import pandas as pd
import pytest

from territoire_abm.cli import main
from territoire_abm.outputs import (
    FIGURE_PANELS,
    decade_stats,
    fan_chart_figure,
    summary_decades,
    summary_text,
)
from territoire_abm.seed_runs import SeedRuns
from territoire_abm.territory.model import TerritoryModel

SMALL = {"territory.households": 40, "territory.farms": 2, "territory.industry_firms": 1,
         "territory.service_firms": 1}


def _table(offset: float, years=range(2025, 2101)) -> pd.DataFrame:
    index = pd.Index(list(years), name="year")
    return pd.DataFrame({"restriction_days": [offset + (y - 2025) for y in index]}, index=index)


def test_decade_means_and_spread_over_seeds():
    """Mean over seeds of each decade's mean; min and max of the seeds' decade means."""
    runs = {0: _table(0.0), 1: _table(10.0), 2: _table(20.0)}
    decades = summary_decades(runs[0])
    assert decades == ((2025, 2030), (2041, 2050), (2091, 2100))  # clipped to the run
    stats = decade_stats(runs, "restriction_days", decades)
    first = np.mean(range(0, 6))  # 2025–2030 of seed 0
    assert stats[0] == pytest.approx((first + 10.0, first, first + 20.0))
    assert stats[2][0] == pytest.approx(np.mean(range(66, 76)) + 10.0)
    assert summary_decades(_table(0.0, range(2025, 2029))) == ((2025, 2028),)


def test_fan_chart_has_bands_legend_and_axis_labels():
    runs = {seed: pd.DataFrame({column: np.random.default_rng(seed).random(10)
                                for column, _, _ in FIGURE_PANELS},
                               index=pd.Index(range(2025, 2035), name="year"))
            for seed in range(4)}
    fig = fan_chart_figure(runs, "test")
    axes = fig.axes
    assert len(axes) == len(FIGURE_PANELS)
    assert all(a.get_ylabel() for a in axes) and axes[-1].get_xlabel() == "year"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["min–max over seeds", "interquartile", "median of seeds", "5-yr mean"]
    assert "4 weather seeds" in fig._suptitle.get_text()


def test_summary_shows_decades_spread_and_published_ratio():
    """The default run's summary: decade columns, a spread over seeds, the grounding row of
    heat deaths with the model/central ratio."""
    from territoire_abm.run import build_config

    config = build_config(SMALL, seed=0, until=2032)
    others = SeedRuns(config, 2).start()
    model = TerritoryModel(config)
    model.simulate_until(config.until)
    runs = others.results()
    assert sorted(runs) == [1, 2]
    text = summary_text(model, None, 1.0, runs)
    assert "seeds 0, 1, 2" in text and "2025–2030" in text
    deaths = next(line for line in text.splitlines() if line.startswith("Heat deaths"))
    assert "(" in deaths and "–" in deaths  # spread over seeds
    assert "1.5–10.3 (2018) ×" in deaths    # Santé publique France row and ratio
    poverty = next(line for line in text.splitlines() if line.startswith("Households in"))
    assert "10.0–14.0% (2022) ×" in poverty  # a share's range written as the model's figure
    restriction = next(line for line in text.splitlines() if line.startswith("Restriction"))
    assert restriction.split()[3]  # a value for the first decade


def test_seeds_option_and_its_error(tmp_path, capsys):
    argv = [f"{k}={v}" for k, v in SMALL.items()] + ["until=2026", "quiet=true"]
    assert main([*argv, "seeds=2", f"output_dir={tmp_path / 'a'}"]) == 0
    seeds = pd.read_parquet(tmp_path / "a" / "seeds.parquet")
    assert sorted(seeds.index.get_level_values("seed").unique()) == [0, 1]
    assert main([*argv, "seeds=0", f"output_dir={tmp_path / 'b'}"]) == 2
    assert "error: seeds: got 0" in capsys.readouterr().err
