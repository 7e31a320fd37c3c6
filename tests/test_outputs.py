"""The one-screen summary (decade means over weather seeds, held against the grounding
table) and the fan charts."""

import string

import numpy as np
import pandas as pd
import pytest

from territoire_abm.cli import main
from territoire_abm.i18n import NARROW_NBSP, load_catalogue
from territoire_abm.outputs import (
    FIGURE_PANELS,
    SUMMARY_ROWS,
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


def _random_runs() -> dict[int, pd.DataFrame]:
    return {seed: pd.DataFrame({column: np.random.default_rng(seed).random(10)
                                for column in FIGURE_PANELS},
                               index=pd.Index(range(2025, 2035), name="year"))
            for seed in range(4)}


def _figure_texts(fig) -> list[str]:
    fig.canvas.draw()  # tick labels exist once drawn
    texts = [fig._suptitle.get_text(), *(t.get_text() for t in fig.legends[0].get_texts())]
    for axis in fig.axes:
        texts += [axis.get_title(), axis.get_xlabel(), axis.get_ylabel()]
    return [text for text in texts if text]


def test_fan_chart_has_bands_legend_and_axis_labels():
    runs = _random_runs()
    fig = fan_chart_figure(runs, "test")
    axes = fig.axes
    assert len(axes) == len(FIGURE_PANELS)
    assert all(a.get_ylabel() for a in axes) and axes[-1].get_xlabel() == "year"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["min–max over seeds", "interquartile", "median of seeds", "5-yr mean"]
    assert "4 weather seeds" in fig._suptitle.get_text()


def test_french_fan_chart_speaks_french_with_decimal_commas():
    fig = fan_chart_figure(_random_runs(), "Carbonne — tracc", lang="fr")
    texts = _figure_texts(fig)
    english = {t["en"] for key, t in MESSAGES.items()
               if key.startswith(("panel.", "figure.")) and t["en"] != t["fr"]}
    assert "Ménages en précarité énergétique" in texts and "année" in texts
    assert "médiane des graines" in texts and "Carbonne — tracc — 4 graines météo" in texts
    assert not english & set(texts), english & set(texts)
    ticks = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert any("," in tick for tick in ticks) and not any("." in tick for tick in ticks)
    english_ticks = [label.get_text() for label in
                     fan_chart_figure(_random_runs(), "x").axes[0].get_yticklabels()]
    assert english_ticks and all("," not in tick for tick in english_ticks)


MESSAGES = load_catalogue("territoire_abm", "outputs_messages.toml")


def test_every_row_and_panel_has_both_languages_with_the_same_fields():
    for column, _, _ in SUMMARY_ROWS:
        assert f"row.{column}" in MESSAGES, column
    for column in FIGURE_PANELS:
        assert {f"panel.{column}.title", f"panel.{column}.unit"} <= set(MESSAGES), column
    for key, texts in MESSAGES.items():
        fields = {lang: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
                  for lang, text in texts.items()}
        assert fields["fr"] == fields["en"], key


@pytest.fixture(scope="module")
def small_run():
    """A small model run to 2032 with two more weather seeds."""
    from territoire_abm.run import build_config

    config = build_config(SMALL, seed=0, until=2032)
    others = SeedRuns(config, 2).start()
    model = TerritoryModel(config)
    model.simulate_until(config.until)
    return model, others.results()


def test_summary_shows_decades_spread_and_published_ratio(small_run):
    """The default run's summary: decade columns, a spread over seeds, the grounding row of
    heat deaths with the model/central ratio."""
    model, runs = small_run
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


def test_french_summary_has_french_labels_and_numbers(small_run):
    """``lang=fr``: French labels, no English label of the key rows, decimal commas and a
    narrow no-break space before % — the same digits as the English summary."""
    model, runs = small_run
    french = summary_text(model, None, 1.0, runs, lang="fr")
    english = summary_text(model, None, 1.0, runs)
    lines = french.splitlines()
    poverty = next(line for line in lines if line.startswith("Ménages en précarité"))
    assert f"10,0–14,0{NARROW_NBSP}% (2022) ×" in poverty
    deaths = next(line for line in lines if line.startswith("Décès dus à la chaleur"))
    assert "1,5–10,3 (2018) ×" in deaths
    for key in ("row.energy_poverty_share", "row.heat_deaths_per_100k", "row.warming_c",
                "row.trust_mean", "row.restriction_days", "row.self_sufficiency_rate",
                "summary.indicator", "summary.published"):
        assert MESSAGES[key]["fr"] in french
        assert MESSAGES[key]["en"] not in french, key
    assert "simulé en 1,0 s" in french and "indicateur" in lines[4]
    assert "households" not in french and "weather seeds" not in french
    assert "." not in "".join(lines[5:len(SUMMARY_ROWS) + 5])  # every decimal a comma
    rows = [column for column, _, _ in SUMMARY_ROWS if column in model.indicators()]
    for column, fr_line, en_line in zip(rows, lines[5:], english.splitlines()[5:],
                                        strict=False):
        fr_cells = fr_line.removeprefix(MESSAGES[f"row.{column}"]["fr"])
        en_cells = en_line.removeprefix(MESSAGES[f"row.{column}"]["en"])
        assert [c for c in fr_cells if c.isdigit()] == [c for c in en_cells if c.isdigit()]


def test_lang_option_writes_a_french_figure_and_refuses_other_languages(tmp_path, capsys):
    argv = [f"{k}={v}" for k, v in SMALL.items()] + ["until=2026", "seeds=1"]
    assert main([*argv, "lang=fr", f"output_dir={tmp_path / 'fr'}"]) == 0
    out = capsys.readouterr().out
    assert "Ménages en précarité énergétique" in out and "fichiers dans" in out
    assert (tmp_path / "fr" / "trajectories.png").stat().st_size > 0
    assert main([*argv, "lang=de", f"output_dir={tmp_path / 'de'}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: lang: got 'de'; allowed: en, fr"
    assert not (tmp_path / "de").exists()
