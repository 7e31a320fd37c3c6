"""The game's session layer, without a browser: roles, tokens, decisions, levers, autosave."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.errors import UserError
from territoire_abm.game import store
from territoire_abm.game.session import Session
from territoire_abm.governance.controllers import RecordedController
from territoire_abm.run import simulate

SMALL = {"rounds": 3, "years_per_round": 2, "households": 200, "seed": 4}


@pytest.fixture
def session(tmp_path):
    return Session.create(SMALL, tmp_path)


def _snapshot(session):
    return (json.dumps(session.wallets), json.dumps(session.fund), sorted(session.submissions),
            len(session.decisions), session.version,
            (session.directory / "session.json").read_text())


def test_round_plays_decisions_and_model_plays_free_roles(session):
    council = session.join("council", "Ana")
    session.submit(council, {"adopt": ["cool_rooms"], "note": "for the elderly"})
    summary = session.advance(session.facilitator_token)
    assert summary["years"] == [2025, 2026]
    log = session.engine_log()
    assert log[2025]["council"] == {"adopt": ["cool_rooms"], "drop": []}
    assert log[2026]["council"] == {}  # standing part of a council decision: nothing new
    assert log[2025]["residents"]["propose"] is not None  # played by the model
    assert session.wallets["council"] == pytest.approx(2 * 1_100_000 - 60_000)
    assert summary["why"][0].startswith("Municipal council chose Cool rooms")
    assert set(summary["effects"]["heat_stress_per_inhabitant"]) == {"label", "played", "alone"}


def test_session_resumes_exactly_after_restart(tmp_path):
    """A session saved mid-game and reloaded plays on exactly like one never interrupted."""
    a = Session.create(SMALL, tmp_path / "a", code="AAAAAA")
    b = Session.create(SMALL, tmp_path / "b", code="BBBBBB")
    for s in (a, b):
        token = s.join("energy_community", "Chloé")
        s.submit(token, {"invest": ["community_battery"], "mode": "rule"})
        s.advance(s.facilitator_token)
        s.use_lever(s.facilitator_token, "event", event="drought", intensity=0.8)
    b = store.load(b.directory)  # "server restart"
    for s in (a, b):
        token = next(iter(s.players))
        s.submit(token, {"invest": [], "mode": "lp"})
        s.advance(s.facilitator_token)
    assert a.indicators().equals(b.indicators())
    assert b.round == 2 and b.lever_log[0]["lever"] == "event"


def test_decision_log_replays_with_recorded_controller(session):
    """The session's decision log, replayed by RecordedController, gives the same years."""
    tokens = {role: session.join(role, role) for role in ("council", "farmers")}
    session.submit(tokens["council"], {"adopt": ["heat_wave_plan", "cool_rooms"]})
    session.submit(tokens["farmers"], {"propose": ["treated_wastewater_reuse"],
                                       "contribute": 0.8})
    session.advance(session.facilitator_token)
    session.advance(session.facilitator_token)
    replay = simulate(session.settings.engine_params(), seed=SMALL["seed"], until=2028,
                      controller=RecordedController(session.log))
    np.testing.assert_allclose(replay.series.to_numpy(float), session.indicators()
                               .to_numpy(float), rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("form, field", [
    ({"adopt": ["public_building_retrofit", "municipal_greening_cool_islands"]}, "council.adopt"),
    ({"adopt": ["nuclear_plant"]}, "council.adopt"),
    ({"adopt": "cool_rooms"}, "council.adopt"),
    ({"invest": ["community_battery"]}, "council.invest"),  # another role's field
    ({"note": "x" * 10_000}, "council.note"),
    ({"adopt": ["cool_rooms"], "drop": ["cool_rooms"]}, "council.drop"),
    ({"fund_eur": 10}, "council.fund_eur"),  # fund not open
    ({"__class__": "os.system"}, "council.__class__"),
])
def test_invalid_decisions_change_nothing(session, form, field):
    token = session.join("council", "Ana")
    session.advance(session.facilitator_token)  # wallets: two rounds of money
    before = _snapshot(session)
    with pytest.raises(UserError) as error:
        session.submit(token, form)
    assert error.value.field == field
    assert len(str(error.value)) < 400  # one readable line, never the 10,000 characters
    assert _snapshot(session) == before


def test_player_acts_only_for_their_role(session):
    farmer = session.join("farmers", "Bob")
    with pytest.raises(UserError, match="council|adopt"):
        session.submit(farmer, {"adopt": ["cool_rooms"]})
    with pytest.raises(UserError, match="token"):
        session.submit("forged-token-123", {"adopt": ["cool_rooms"]})
    with pytest.raises(UserError, match="facilitator"):
        session.advance(farmer)
    with pytest.raises(UserError, match="facilitator"):
        session.use_lever(farmer, "transfer", source="council", target="farmers",
                          amount_eur=1e6)
    with pytest.raises(UserError, match="already held"):
        session.join("farmers", "Eve")
    with pytest.raises(UserError, match="roles in play"):
        session.join("mayor", "Eve")
    assert session.submissions == {}


def test_two_submissions_at_once_accept_exactly_one(session):
    token = session.join("council", "Ana")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def submit(measure):
        barrier.wait()
        try:
            session.submit(token, {"adopt": [measure]})
            results.append("ok")
        except UserError as error:
            results.append(str(error))

    threads = [threading.Thread(target=submit, args=(m,)) for m in ("cool_rooms",
                                                                     "heat_wave_plan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert any("already submitted" in r for r in results)
    assert len(session.decisions) == 1


def test_levers_change_world_and_wallets(session):
    f = session.facilitator_token
    session.use_lever(f, "event", event="heat_wave", intensity=12)
    session.use_lever(f, "measure_cost", measure="cool_rooms", factor=2.0)
    session.use_lever(f, "subsidy_rate", rate=0.6)
    session.use_lever(f, "price_shock", factor=1.5)
    session.use_lever(f, "open_fund", amount_eur=50_000)
    session.use_lever(f, "transfer", source="council", target="farmers", amount_eur=100_000)
    council = session.join("council", "Ana")
    record = session.submit(council, {"adopt": ["cool_rooms"]})
    assert record["cost_eur"] == pytest.approx(120_000)  # cost doubled by the lever
    assert session.wallets["farmers"] == pytest.approx(200_000)
    session.advance(f)
    table = session.indicators()
    assert table.loc[2025, "heat_wave_days"] >= 12
    assert session.model.config.policy.subsidy_rate == 0.6
    assert [e["lever"] for e in session.lever_log] == ["event", "measure_cost", "subsidy_rate",
                                                      "price_shock", "open_fund", "transfer"]
    with pytest.raises(UserError, match="amount_eur"):
        session.use_lever(f, "transfer", source="farmers", target="council", amount_eur=1e8)
    with pytest.raises(UserError, match="lever"):
        session.use_lever(f, "import", module="os")
    with pytest.raises(UserError, match="lever.parameter"):
        from territoire_abm.territory import levers

        levers.set_parameter(session.model, "territory.households", 5)


def test_common_fund_pays_what_the_wallet_cannot(session):
    f = session.facilitator_token
    session.use_lever(f, "open_fund", amount_eur=0)
    residents = session.join("residents", "Dan")
    council = session.join("council", "Ana")
    session.submit(residents, {"propose": ["cool_rooms"], "fund_eur": 100_000})
    session.use_lever(f, "transfer", source="council", target="outside", amount_eur=1_050_000)
    session.submit(council, {"adopt": ["cool_rooms"]})  # 60 k: 50 k wallet + 10 k fund
    assert session.wallets["council"] == pytest.approx(0)
    assert session.fund["eur"] == pytest.approx(90_000)


def test_broadcast_and_bad_codes(session, tmp_path):
    session.broadcast(session.facilitator_token, "<script>alert(1)</script> Pause café")
    assert session.messages[0]["text"].startswith("<script>")  # stored raw, escaped on output
    with pytest.raises(UserError, match="message"):
        session.broadcast(session.facilitator_token, "y" * 10_000)
    registry = store.Registry(tmp_path)
    for code in ("../../etc", "AAAAAA/../", "", None, "abc"):
        with pytest.raises(UserError, match="session code"):
            registry.get(code)


def test_settings_refuse_config_targets_and_paths(tmp_path):
    for form in ({"_target_": "os.system"}, {"territory": "../../etc/passwd"},
                 {"scenario": "ssp999"}, {"rounds": 0}, {"rounds": 30},
                 {"households": "many"}, {"roles": ["mayor"]}, {"title": "t" * 10_000}):
        with pytest.raises(UserError):
            Session.create(form, tmp_path)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["council", "farmers", "fund", "outside"]),
                          st.sampled_from(["council", "farmers", "fund", "outside"]),
                          st.floats(0, 3e6)), max_size=12))
def test_transfers_conserve_money_and_nothing_goes_negative(tmp_path_factory, transfers):
    session = Session.create({**SMALL, "roles": ["council", "farmers"]},
                             tmp_path_factory.mktemp("s"))
    session.use_lever(session.facilitator_token, "open_fund", amount_eur=0)
    outside = 0.0
    total = sum(session.wallets.values())
    for source, target, amount in transfers:
        try:
            session.use_lever(session.facilitator_token, "transfer", source=source,
                              target=target, amount_eur=amount)
        except UserError:
            continue
        outside += (amount if target == "outside" else 0) - (amount if source == "outside"
                                                             else 0)
    held = sum(session.wallets.values()) + session.fund["eur"]
    assert held + outside == pytest.approx(total, rel=1e-9, abs=1e-3)
    assert min(session.wallets.values()) >= -1e-6 and session.fund["eur"] >= -1e-6


def test_round_timer_restarts_each_round_and_stops_at_the_end(tmp_path):
    session = Session.create({**SMALL, "rounds": 2, "timer_minutes": 10}, tmp_path)
    first = session.deadline
    assert first is not None and 590 <= first - session.created <= 610
    session.advance(session.facilitator_token)
    assert session.deadline >= first
    session.advance(session.facilitator_token)
    assert session.deadline is None and session.finished
    with pytest.raises(UserError, match="game is over"):
        session.advance(session.facilitator_token)
