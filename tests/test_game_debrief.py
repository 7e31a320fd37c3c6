"""The debrief pack and the replay of a session's decisions under other climate futures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from territoire_abm.cli import main
from territoire_abm.game import replay
from territoire_abm.game.debrief import write_pack
from territoire_abm.game.session import Session
from territoire_abm.governance.controllers import RecordedController
from territoire_abm.run import simulate

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A two-round session with hostile text everywhere a human can type."""
    session = Session.create({"rounds": 2, "years_per_round": 3, "households": 150,
                              "title": HOSTILE + " $x$", "lang": "en"},
                             tmp_path_factory.mktemp("g"))
    council = session.join("council", "<img src=x onerror=alert(1)>")
    farmers = session.join("farmers", "Bob")
    f = session.facilitator_token
    session.submit(council, {"adopt": ["cool_rooms"], "note": HOSTILE})
    session.submit(farmers, {"propose": ["treated_wastewater_reuse"], "contribute": 0.7})
    session.use_lever(f, "event", event="heat_wave")
    session.broadcast(f, HOSTILE)
    session.advance(f)
    session.use_lever(f, "measure_cost", measure="heat_wave_plan", factor=2.0)
    session.submit(council, {"adopt": ["heat_wave_plan"]})
    session.advance(f)
    return session


def test_pack_is_written_and_escapes_user_text(played, tmp_path):
    folder = write_pack(played, futures=2, scenarios=("tracc", "ssp585"), workers=1,
                        folder=tmp_path / "pack")
    html = (folder / "debrief.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x" in html
    assert 'src="data:image/png;base64,' in html and "http" not in html.split("<body>")[0]
    assert (folder / "debrief.pdf").read_bytes()[:4] == b"%PDF"
    table = (folder / "replay.csv").read_text().splitlines()
    assert len(table) == 1 + 2 * 2 * 2  # futures × scenarios × (played, alone)
    assert "heat-focused" in html and "wait and see" not in html


def test_decisions_json_replays_the_session(played, tmp_path):
    folder = write_pack(played, futures=1, scenarios=("tracc",), workers=1,
                        folder=tmp_path / "pack")
    log = {int(y): roles for y, roles in json.loads(
        (folder / "decisions.json").read_text()).items()}
    # the levers the facilitator used change the world: replay only up to the first one
    result = simulate(played.settings.engine_params(), seed=played.settings.seed, until=2027,
                      controller=RecordedController(log))
    assert log[2025]["council"]["adopt"] == ["cool_rooms"]
    assert result.series.loc[2026:2027, "council_has_cool_rooms"].max() == 1


def test_replay_varies_weather_but_not_population(played):
    design = replay.tasks(played, futures=2, scenarios=("tracc",))
    rows = replay.run_task(design[0])
    played_rows = [r for r in rows if r["variant"] == "played"]
    assert len(rows) == 4 and played_rows[0]["heat_stress_per_inhabitant"] != \
        played_rows[1]["heat_stress_per_inhabitant"]
    assert {e["lever"] for e in design[0].levers} == {"measure_cost"}  # events not replayed


def test_replay_skips_indoor_heat_and_keeps_headline_outcomes_bit_identical(played,
                                                                             monkeypatch):
    """The futures skip the indoor-overheating stage (output only); every headline outcome
    equals, to the bit, a run of the same future with it."""
    from territoire_abm.impacts import heat

    task = replay.tasks(played, futures=1, scenarios=("ssp585",))[0]
    calls = []
    original = heat.overheating_degree_hours
    monkeypatch.setattr(heat, "overheating_degree_hours",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    fast = replay.run_task(task)[0]  # the played variant of future 1
    assert not calls
    start = replay.TerritoryModel(replay.build_config(
        {**task.params, "scenario": "ssp585"}, task.seed, task.until)).get_state()
    full = replay._one(replay._reseeded(start, 1), replay.RecordedController(task.log),
                       task.until, task.levers, indoor_heat=True)
    assert full["overheating_degree_hours"].max() > 0
    for name in replay.HEADLINE:
        assert fast[name] == float(full[name].mean()), name


def test_replay_through_process_executor(played):
    table = replay.replay_futures(played, futures=2, scenarios=("ssp245",), workers=2)
    summary = replay.robustness(table)
    assert set(table.variant) == {"played", "alone"} and len(table) == 4
    assert summary.share_better.between(0, 1).all()
    assert np.isfinite(summary.played_mean).all()


def test_alone_counterfactual_keeps_events(played):
    alone = replay.session_alone(played)
    assert alone.loc[2025, "heat_wave_days"] == played.indicators().loc[2025, "heat_wave_days"]
    assert list(alone.index) == list(played.indicators().index)


@pytest.mark.parametrize("args, field", [
    (["game", "host=8.8.8.8"], "host"),
    (["game", "port=80"], "port"),
    (["game", "replay", "code=../../etc"], "session code"),
    (["game", "debrief", "code=ABCDEF"], "session code"),
    (["game", "colour=blue"], "argument"),
    (["explore", "host=example.org"], "host"),
])
def test_cli_errors_are_one_line(args, field, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "game_sessions").mkdir()  # a missing folder is its own error (test_front_door)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {field}") and "\n" not in err


def test_cli_replay_prints_headline(played, capsys):
    code = main(["game", "replay", f"code={played.code}", f"dir={played.directory.parent}",
                 "seed=7", "scenario=ssp585"])
    out = capsys.readouterr().out
    assert code == 0 and "heat_stress_per_inhabitant" in out and "2030" in out


def test_pack_holds_the_session_against_published_figures(played, tmp_path):
    """Emissions per inhabitant and energy poverty: the session's value over the published
    figure's years, the futures' mean, and the published range and source, in the HTML."""
    from markupsafe import escape

    from territoire_abm.game import published
    from territoire_abm.outputs import SUMMARY_ROWS
    from territoire_abm.validation.grounding import published_rows

    folder = write_pack(played, futures=3, scenarios=("tracc",), workers=1,
                        folder=tmp_path / "pack")
    html = (folder / "debrief.html").read_text(encoding="utf-8")
    table = pd.read_csv(folder / "replay.csv")
    indicators = played.indicators()
    formats = {column: fmt for column, _, fmt in SUMMARY_ROWS}
    for column in ("operational_t_per_inhabitant", "energy_poverty_share"):
        rows = published_rows(column)
        assert rows, column
        for row in rows:
            fmt = formats[column]
            years = published.window(row, 2025, 2030)
            assert years is not None
            value = float(indicators.loc[years[0]:years[1], column].mean())
            futures = table[table.variant == "played"][published.outcome(column, years)]
            assert len(futures) == 3 and futures.notna().all()
            line = (f"<td>{years[0]}–{years[1]}</td><td>{fmt.format(value)}</td>"
                    f"<td>{fmt.format(futures.mean())}</td>")
            assert line in html, (column, line)
            assert f"<td>{row.range_text(fmt)}</td>" in html
            assert str(escape(row.source)) in html
            flagged = "below" if value < row.low else "above" if value > row.high else None
            assert (f"{flagged} the published range" in html) if flagged else "inside" in html


def test_published_comparison_flags_and_leaves_out_years_not_reached():
    from territoire_abm.game import published

    column, _, fmt, rows = next(g for g in published.grounded()
                                if g[0] == "energy_poverty_share")
    row = rows[0]
    years = range(2025, 2031)
    played = pd.DataFrame({column: [row.high * 2] * len(years),
                           "hot_days_35": [1.0] * len(years)}, index=pd.Index(years, name="year"))
    lines = published.comparison(played, None, "tracc")
    poverty = next(p for p in lines if p["column"] == column)
    assert poverty["outside"] and poverty["status"] == "above the published range"
    assert poverty["session"] == fmt.format(row.high * 2) and poverty["replay"] == "–"
    heat = [p for p in lines if p["column"] == "hot_days_35"]
    late = [p for p in heat if p["status"].startswith("not compared")]
    assert late and all(not p["outside"] and p["session"] == "–" for p in late)
    played[column] = row.low
    assert not next(p for p in published.comparison(played, None, "tracc")
                    if p["column"] == column)["outside"]


def test_dashboard_cell_shows_published_range_and_flags_the_years_it_is_read_for():
    from territoire_abm.game import published

    row = published.rows_of("energy_poverty_share")[0]
    fmt = published.formats()["energy_poverty_share"]
    inside = published.dashboard_text("energy_poverty_share", row.central, row.first_year)
    assert inside.startswith(row.range_text(fmt)) and row.source.split(";")[0] in inside
    assert published.dashboard_text("energy_poverty_share", row.high * 2,
                                    row.first_year).startswith("⚠ ")
    assert not published.dashboard_text("energy_poverty_share", row.high * 2,
                                        row.last_year + 30).startswith("⚠")
    assert published.dashboard_text("no_such_indicator", 1.0, 2025) == ""
    french = published.dashboard_text("energy_poverty_share", row.central, row.first_year, "fr")
    assert "." in row.range_text(fmt)  # French: decimal commas, a space before %
    assert french == inside.replace(row.range_text(fmt), row.range_text(fmt).replace(
        ".", ",").replace("%", "\u202f%"))
