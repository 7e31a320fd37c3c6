"""The twin commune's council as a team: its own territory, controller, budget and log."""

from __future__ import annotations

import pytest

from territoire_abm.errors import UserError
from territoire_abm.game import store, twins
from territoire_abm.game.session import Session
from territoire_abm.game.settings import Settings

TWIN = "Fuente Obejuna"
SMALL = {"rounds": 3, "years_per_round": 2, "households": 200, "seed": 4, "twin": TWIN,
         "roles": ["council", "farmers", "twin_council"]}


@pytest.fixture
def session(tmp_path):
    return Session.create(SMALL, tmp_path)


def test_twin_council_decides_for_the_twin_only(session):
    """The twin council's decision reaches the twin's council; the home council's the home."""
    twin = session.join("twin_council", "Rocío")
    session.submit(twin, {"adopt": ["heat_wave_plan"]})
    summary = session.advance(session.facilitator_token)
    assert session.twin_log[2025] == {"council": {"adopt": ["heat_wave_plan"], "drop": []}}
    assert session.log[2025] == {}  # nobody holds the home council: the model decides it
    assert session.engine_log("twin")[2025]["council"] == {"adopt": ["heat_wave_plan"],
                                                           "drop": []}
    assert session.engine_log()[2025]["council"] != session.engine_log("twin")[2025]["council"]
    assert session.twin_model.name == TWIN and session.model.name == "Carbonne"
    assert list(session.twin_indicators().index) == [2025, 2026]
    assert summary["twin"]["name"] == TWIN
    assert summary["twin"]["why"][0].startswith("Twin commune's council chose")
    assert summary["why"] == []  # nothing held at home chose a measure


def test_home_and_twin_decisions_go_to_their_own_territory(session):
    council, twin = session.join("council", "Ana"), session.join("twin_council", "Rocío")
    session.submit(council, {"adopt": ["cool_rooms"]})
    session.submit(twin, {"adopt": ["heat_wave_plan"]})
    session.advance(session.facilitator_token)
    assert session.engine_log()[2025]["council"] == {"adopt": ["cool_rooms"], "drop": []}
    assert session.engine_log("twin")[2025]["council"] == {"adopt": ["heat_wave_plan"],
                                                           "drop": []}
    costs = {"cool_rooms": 60_000.0, "heat_wave_plan": 5_000.0}
    assert session.wallets["council"] == pytest.approx(2 * 1_100_000 - costs["cool_rooms"])
    assert session.wallets["twin_council"] == pytest.approx(2 * 1_100_000
                                                            - costs["heat_wave_plan"])


def test_a_token_acts_only_for_its_own_side(tmp_path):
    """A home council token cannot decide for the twin council, nor the twin's for home."""
    session = Session.create({**SMALL, "budgets_eur": {"twin_council": 0}}, tmp_path)
    council, twin = session.join("council", "Ana"), session.join("twin_council", "Rocío")
    assert session.role_of(council) == "council" and session.role_of(twin) == "twin_council"
    session.submit(council, {"adopt": ["cool_rooms"]})
    with pytest.raises(UserError, match="already submitted"):
        session.submit(council, {"adopt": ["heat_wave_plan"]})  # no second seat to act for
    assert session.waiting_for() == ["twin_council"]
    with pytest.raises(UserError, match="twin_council.adopt.*over budget"):
        session.submit(twin, {"adopt": ["cool_rooms"]})  # the twin's own (empty) wallet
    session.submit(twin, {"adopt": []})
    assert [r["role"] for r in session.decisions] == ["council", "twin_council"]
    with pytest.raises(UserError, match="role"):
        session.join("twin_council", "Someone else")
    with pytest.raises(UserError, match="token"):
        session.submit("not-a-token-of-this-session", {"adopt": []})


def test_twin_resumes_exactly_after_restart(tmp_path):
    """Save → restore → continue with a twin gives exactly the uninterrupted session."""
    a = Session.create(SMALL, tmp_path / "a", code="AAAAAA")
    b = Session.create(SMALL, tmp_path / "b", code="BBBBBB")
    for s in (a, b):
        s.join("twin_council", "Rocío")
        s.join("farmers", "Jean")
        tokens = {p["role"]: t for t, p in s.players.items()}
        s.submit(tokens["twin_council"], {"adopt": ["heat_wave_plan", "cool_rooms"]})
        s.submit(tokens["farmers"], {"propose": ["treated_wastewater_reuse"],
                                     "contribute": 0.7})
        s.advance(s.facilitator_token)
        s.submit(tokens["twin_council"], {"adopt": ["awareness_campaign"]})
    b = store.load(b.directory)  # "server restart" with a decision pending
    assert b.twin_model is not None and b.submissions.keys() == {"twin_council"}
    for s in (a, b):
        s.advance(s.facilitator_token)
        s.advance(s.facilitator_token)
    assert a.indicators().equals(b.indicators())
    assert a.twin_indicators().equals(b.twin_indicators())
    assert a.engine_log("twin") == b.engine_log("twin")
    assert len(a.twin_indicators()) == 6


def test_twin_links_the_two_territories(tmp_path):
    """The twin is no decoration: with it, the home territory learns and runs differently."""
    alone = Session.create({**SMALL, "twin": "", "roles": ["council"]}, tmp_path / "a")
    paired = Session.create({**SMALL, "roles": ["council"]}, tmp_path / "b")
    for s in (alone, paired):
        for _ in range(3):
            s.advance(s.facilitator_token)
    assert alone.twin_indicators() is None
    assert not alone.indicators().equals(paired.indicators())


def test_twin_settings_are_checked():
    with pytest.raises(UserError, match="twin"):
        Settings.from_form({"roles": ["twin_council"]})  # no twin chosen
    for bad in ("../../etc/passwd", "Bologna", "Carbonne", 3):
        with pytest.raises(UserError, match="twin"):
            Settings.from_form({"twin": bad})
    offered = twins.choices("carbonne", "tracc")
    assert offered[0] == TWIN and len(offered) == 1 + twins.OFFERED
    for name in offered:
        assert Settings.from_form({"twin": name}).twin == name
    assert Settings.from_form({"twin": TWIN, "households": 200}).twin_params()[
        "territory.households"] <= 200


HOSTILE = "<script>alert('twin')</script>"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """Two rounds with the home council and the twin council held, a lever, hostile notes."""
    session = Session.create({**SMALL, "rounds": 2, "households": 150, "lang": "en"},
                             tmp_path_factory.mktemp("twin"))
    council, twin = session.join("council", "Ana"), session.join("twin_council", HOSTILE)
    f = session.facilitator_token
    session.submit(council, {"adopt": ["cool_rooms"]})
    session.submit(twin, {"adopt": ["heat_wave_plan"], "note": HOSTILE})
    session.advance(f)
    session.use_lever(f, "subsidy_rate", rate=0.6)
    session.submit(twin, {"adopt": ["awareness_campaign"]})
    session.advance(f)
    return session


def test_logs_replay_both_territories_exactly(played):
    """The two decision logs, replayed by RecordedControllers in a region of fresh
    territories (same seeds, the levers in their year), give the session's years exactly."""
    from territoire_abm.game import replay
    from territoire_abm.governance.controllers import RecordedController

    task = replay.tasks(played, futures=1, scenarios=(played.settings.scenario,))[0]
    home = replay._one(replay._start(task.params, task), RecordedController(task.log),
                       task.until, task.levers,
                       twin=(replay._start(task.twin_params, task),
                             RecordedController(task.twin_log)))
    assert task.twin_log[2025] == {"council": {"adopt": ["heat_wave_plan"], "drop": []}}
    assert home[played.indicators().columns].equals(played.indicators())
    twin = home[[f"twin_{c}" for c in played.twin_indicators().columns]]
    assert twin.set_axis(played.twin_indicators().columns, axis=1).equals(
        played.twin_indicators())


def test_debrief_pack_includes_the_twin_team(played, tmp_path):
    import json

    from territoire_abm.game.debrief import write_pack

    folder = write_pack(played, futures=2, scenarios=("tracc",), workers=1, folder=tmp_path)
    html = (folder / "debrief.html").read_text(encoding="utf-8")
    assert f"6. The twin commune: {TWIN}" in html
    assert "Twin commune&#39;s council (&lt;script&gt;" in html and "<script>" not in html
    assert "adopt: Municipal heat-wave plan" in html  # the twin team's decisions, timeline
    assert "adopt: Climate-risk and water-saving awareness campaign" in html
    saved = json.loads((folder / "twin_decisions.json").read_text(encoding="utf-8"))
    assert saved["2025"]["council"]["adopt"] == ["heat_wave_plan"]
    assert (folder / "twin_indicators.csv").read_text().count("\n") == 1 + 4
    replay = (folder / "replay.csv").read_text().splitlines()[0]
    assert "twin_heat_stress_per_inhabitant" in replay


def test_cli_replay_of_a_twin_session(played, capsys):
    """``game replay`` replays both logs (the twin's too) under another seed and scenario."""
    from territoire_abm.cli import main
    from territoire_abm.game.replay import replay_once

    table = replay_once(played, seed=7, scenario="ssp585")
    assert {"heat_stress_per_inhabitant", "twin_heat_stress_per_inhabitant"} <= set(table)
    assert not table["river_flow_mean_m3s"].equals(played.indicators()["river_flow_mean_m3s"])
    code = main(["game", "replay", f"code={played.code}", f"dir={played.directory.parent}",
                 "seed=7", "scenario=ssp585"])
    assert code == 0 and "heat_stress_per_inhabitant" in capsys.readouterr().out
