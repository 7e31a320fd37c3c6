"""The grounding table, ``territoire-abm check`` and the generated docs/validation.md."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territoire_abm.cli import main
from territoire_abm.run import simulate
from territoire_abm.validation import report
from territoire_abm.validation.check import compare, format_table
from territoire_abm.validation.grounding import load_grounding, model_value, read_table
from territoire_abm.validation.status import parameter_status, unconfirmed_parameters

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["territory.households=80", "territory.farms=2", "territory.industry_firms=1",
         "territory.service_firms=3"]


def test_every_row_has_a_source_a_reference_and_an_ordered_range():
    rows = load_grounding()
    assert len(rows) >= 15
    for row in rows:
        assert row.source.strip() and row.reference.strip() and row.note.strip(), row.indicator
        bounds = [v for v in (row.low, row.central, row.high) if math.isfinite(v)]
        assert bounds == sorted(bounds) and len(bounds) >= 2, row.indicator
    assert len({row.indicator for row in rows}) == len(rows)


def test_unknown_model_indicator_kind_is_refused(tmp_path):
    table = read_table()
    table.loc[0, "model_indicator"] = "median:energy_poverty_share"
    path = tmp_path / "g.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValueError, match="unknown model_indicator kind"):
        load_grounding(path)


@pytest.fixture(scope="module")
def small_run():
    params = dict(arg.split("=") for arg in SMALL)
    return simulate({k: int(v) for k, v in params.items()}, 0, until=2027,
                    outcomes=("population",)).series


def test_every_modelled_row_reads_a_recorded_indicator(small_run):
    for row in load_grounding():
        for column in row.columns:
            assert column in small_run.columns, f"{row.indicator}: no indicator {column}"


def _row(kind: str, expression: str, years: str = "2025-2028", low=0.0, central=1.0, high=2.0):
    table = read_table().iloc[:1].copy()
    table.loc[:, ["model_indicator", "model_years", "low", "central", "high"]] = [
        expression, years, str(low), str(central), str(high)]
    return table


def _load(tmp_path, table):
    path = tmp_path / "g.csv"
    table.to_csv(path, index=False)
    return load_grounding(path)[0]


@pytest.fixture
def series():
    return pd.DataFrame({
        "year": [2025, 2026, 2027, 2028],
        "a": [1.0, 2.0, 3.0, 4.0],
        "b": [2.0, 2.0, 2.0, 2.0],
        "vote": [np.nan, 0.6, np.nan, 0.4],
    }).set_index("year", drop=False)


@pytest.mark.parametrize("expression, expected", [
    ("a", 2.5), ("slope:a", 1.0), ("ratio:a/b", 1.25), ("reelection:vote", 0.5)])
def test_model_value_kinds_have_known_answers(tmp_path, series, expression, expected):
    row = _load(tmp_path, _row("", expression))
    assert model_value(row, series) == pytest.approx(expected)


def test_a_run_that_misses_the_years_gives_no_value(tmp_path, series):
    row = _load(tmp_path, _row("", "a", years="2025-2030"))
    assert math.isnan(model_value(row, series))


def test_compare_flags_values_outside_the_range_and_gives_the_ratio(tmp_path, series):
    low = _load(tmp_path, _row("", "a", low=3.5, central=4.0, high=5.0))
    ok = _load(tmp_path, _row("", "a", low=2.0, central=2.5, high=3.0))
    high = _load(tmp_path, _row("", "a", low=0.5, central=1.0, high=2.0))
    runs = {0: series, 1: series.assign(a=series["a"] + 1.0)}
    result = compare([low, ok, high], runs)
    assert result["status"].tolist() == ["low", "ok", "high"]
    assert result["model_mean"].iloc[0] == pytest.approx(3.0)
    assert result["model_sd"].iloc[0] == pytest.approx(np.std([2.5, 3.5], ddof=1))
    assert result["ratio"].iloc[1] == pytest.approx(3.0 / 2.5)
    assert "2 of 3 modelled figures outside" in format_table(result)


def test_check_command_prints_and_writes_every_row(tmp_path, capsys):
    path = tmp_path / "out" / "check.csv"
    code = main(["check", "seeds=1", "until=2029", "workers=1", f"csv={path}", *SMALL])
    assert code == 0
    result = pd.read_csv(path)
    assert result["indicator"].tolist() == [row.indicator for row in load_grounding()]
    printed = capsys.readouterr().out
    assert "energy_poverty_share" in printed and "outside their published range" in printed


@pytest.mark.parametrize("args, field", [
    (["check", "seeds=0"], "seeds"), (["check", "seeds"], "argument"),
    (["check", "territory.households=-1"], "territory.households")])
def test_check_command_rejects_bad_input_in_one_line(capsys, args, field):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {field}")


def test_check_and_calibrate_share_their_option_handling(capsys):
    """One splitter serves both commands: options stay text, model overrides are read as
    YAML over the command's base, and a bare word is refused with the command's example."""
    from territoire_abm.validation.cli import split_args

    options, model = split_args(["seeds=3", "territory.households=80", "a.b=true", "c=x"],
                                ("seeds",), example="seeds=5", overrides={"d": 1, "c": 2})
    assert options == {"seeds": "3"}
    assert model == {"d": 1, "c": "x", "territory.households": 80, "a.b": True}
    assert main(["calibrate", "samples"]) == 2
    assert main(["check", "=4"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: argument: got 'samples'; expected key=value, e.g. samples=40 out=calib",
                   "error: argument: got '=4'; expected key=value, e.g. seeds=5 csv=check.csv"]


def test_validation_page_matches_the_last_check():
    """docs/validation.md is generated from docs/validation.csv (report.py)."""
    result = pd.read_csv(ROOT / "docs" / "validation.csv")
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert page == report.render(page, result), (
        "docs/validation.md is stale: run `python -m territoire_abm.validation.report`")
    assert result["indicator"].tolist() == [row.indicator for row in load_grounding()]


def test_every_unconfirmed_default_has_a_status_on_the_validation_page():
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    paths = [row["path"] for row in unconfirmed_parameters()]
    assert paths and len(parameter_status()) == len(paths)
    for path in paths:
        assert f"`{path}`" in page


def test_published_rows_leave_storylines_out_and_write_shares_as_percent():
    from territoire_abm.validation.grounding import load_grounding, published_rows

    rows = published_rows("energy_poverty_share")
    assert [r.indicator for r in rows] == ["energy_poverty_share"]
    assert rows[0].range_text("{:.1%}") == "10.0–14.0% (2022)"
    assert rows[0].range_text() == "0.1–0.14 (2022)"
    storyline = [r for r in load_grounding() if r.run]
    assert storyline and all(r not in published_rows(r.model_indicator) for r in storyline)
    assert rows[0].overlaps(2021, 2030) and not rows[0].overlaps(2041, 2050)
