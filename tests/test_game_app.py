"""The workshop pages' choices and log, without a browser: names, never ids."""

from __future__ import annotations

import re

from territoire_abm.game.app import DISPATCH_MODES, account_choices, log_lines, measure_choices
from territoire_abm.game.roles import measure_labels
from territoire_abm.game.session import Session


def _session(tmp_path, lang: str = "en") -> Session:
    return Session.create({"rounds": 2, "years_per_round": 1, "households": 100,
                           "roles": ["council", "farmers", "energy_community"], "lang": lang},
                          tmp_path)


def test_money_moves_between_named_accounts_from_the_first_choices(tmp_path):
    session = _session(tmp_path)
    accounts = account_choices(session)
    assert set(accounts.values()) == {*session.wallets, "fund", "outside"}
    assert "Municipal council" in accounts and "Common fund" in accounts
    assert not any("_" in name for name in accounts)  # names, not account ids
    source, target = list(accounts)[:2]  # the console's default From and To
    session.use_lever(session.facilitator_token, "transfer", source=accounts[source],
                      target=accounts[target], amount_eur=1000)
    assert session.lever_log[-1]["lever"] == "transfer"


def test_cost_lever_and_dispatch_modes_show_names():
    measures = measure_choices()
    assert set(measures.values()) == set(measure_labels())
    assert measures["Cool rooms for vulnerable people"] == "cool_rooms"
    assert list(measures) == sorted(measures)
    assert set(DISPATCH_MODES.values()) == {"", "rule", "lp"}
    assert not any(name in ("rule", "lp") for name in DISPATCH_MODES)


def test_console_log_is_in_words(tmp_path):
    session = _session(tmp_path)
    council = session.join("council", "Ana <script>")
    energy = session.join("energy_community", "Chloé")
    session.submit(council, {"adopt": ["cool_rooms"], "note": "pour les aînés"})
    session.submit(energy, {"mode": "lp"})
    session.use_lever(session.facilitator_token, "event", event="heat_wave")
    session.use_lever(session.facilitator_token, "measure_cost", measure="cool_rooms",
                      factor=1.25)
    lines = log_lines(session)
    assert len(lines) == 4
    assert lines[2] == "Round 1 (2025) · Facilitator: heat wave forced in 2025 (10 days)"
    assert lines[0] == ("Round 1 (2025) · Municipal council (Ana <script>): adopt: Cool rooms "
                        "for vulnerable people — “pour les aînés”")
    assert "dispatch optimised (linear programme)" in lines[1]
    assert lines[3].endswith("cost of “Cool rooms for vulnerable people” × 1.25")
    assert not any("cool_rooms" in line or "{" in line for line in lines)


def test_game_and_explore_print_their_usage(capsys):
    from territoire_abm.cli import main

    for args in (["game", "--help"], ["game", "-h"], ["game", "replay", "code=X", "--help"],
                 ["game", "debrief", "--help"], ["explore", "--help"]):
        assert main(args) == 0, args
        out = capsys.readouterr().out
        assert "territoire-abm game replay code=<session code>" in out and "host=0.0.0.0" in out
    assert main(["game", "bogus"]) == 2
    assert capsys.readouterr().err.startswith("error: argument: got 'bogus'")


def test_creation_form_sets_each_role_s_money(tmp_path, monkeypatch):
    """The facilitator's form (rendered without a browser) has a money field per role in
    play; what is typed there is each role's budget; a bad amount is one line in the page."""
    import ipyvuetify as v
    import solara

    from territoire_abm.game import app

    monkeypatch.setenv(app.ROOT_ENV, str(tmp_path))
    monkeypatch.setattr(app, "_registry", None)
    pushed = []

    @solara.component
    def Routed():  # the page under a router that records where it sends the facilitator
        solara.routing.router_context.provide(solara.routing.Router("/", [], pushed.append))
        app.CreatePage()

    _, rc = solara.render(Routed(), handle_error=False)
    rc.find(v.BtnToggle).widget.v_model = 1  # the form in English (fr, en: French by default)

    def field(label):
        return rc.find(v.TextField, label=label).widget

    field("Households").v_model = "100"
    field("Farmers: money per round (EUR)").v_model = "abc"
    rc.find(v.Btn, children=["Create session"]).widget.click()
    rc.find(v.Alert).assert_single()
    assert "budgets_eur.farmers: got 'abc'" in str(rc.find(v.Alert).widget.children)
    assert app.registry().codes() == []
    field("Farmers: money per round (EUR)").v_model = "250 000"
    field("Municipal council: money per round (EUR)").v_model = "2000000"
    rc.find(v.Btn, children=["Create session"]).widget.click()
    (code,) = app.registry().codes()
    session = app.registry().get(code)
    assert session.wallets["farmers"] == 250_000 and session.wallets["council"] == 2_000_000
    assert session.wallets["residents"] == 100_000  # the default, left as it was
    assert pushed == [f"?t={session.facilitator_token}"]  # on to the console
    monkeypatch.setattr(app, "_registry", None)


def test_game_on_the_local_network_prints_the_players_address(tmp_path, monkeypatch, capsys):
    from territoire_abm.game import cli

    served = []
    monkeypatch.setattr(cli, "serve", lambda *args: served.append(args))
    monkeypatch.setattr(cli, "lan_addresses", lambda: ["192.168.1.20"])
    assert cli.game_main(["host=0.0.0.0", "port=8800", f"dir={tmp_path}"]) == 0
    out = capsys.readouterr().out
    assert "players on the local network open http://192.168.1.20:8800/" in out
    assert served[0][1:3] == ("0.0.0.0", 8800)
    monkeypatch.setattr(cli, "lan_addresses", lambda: [])
    assert cli.game_main(["host=0.0.0.0", f"dir={tmp_path}"]) == 0
    assert "this machine's address (ip addr, or ipconfig on Windows) with :8765/" in \
        capsys.readouterr().out
    assert cli.game_main([f"dir={tmp_path}"]) == 0
    assert served[-1][1] == "127.0.0.1" and "local network" not in capsys.readouterr().out
    assert all(not a.startswith("127.") for a in cli.lan_addresses())


def test_a_measure_in_place_is_offered_to_drop_not_to_buy_again(tmp_path):
    """Adopting (or investing in) a measure working or being built again would pay for it
    twice and restart its lead time: the form offers it only to drop, and a decision
    buying it again is refused with one line, changing nothing."""
    import pytest

    from territoire_abm.errors import UserError
    from territoire_abm.game.app import form_options

    session = _session(tmp_path)
    council = session.join("council", "Ana")
    energy = session.join("energy_community", "Chloé")
    assert form_options(session, "council")["drop"] == ()
    session.submit(council, {"adopt": ["cool_rooms"]})
    session.submit(energy, {"invest": ["community_battery"]})
    session.advance(session.facilitator_token)
    offered = form_options(session, "council")
    assert offered["drop"] == ("cool_rooms",) and "cool_rooms" not in offered["adopt"]
    assert "community_battery" not in form_options(session, "energy_community")["invest"]
    wallet, decisions = session.wallets["council"], len(session.decisions)
    with pytest.raises(UserError) as error:
        session.submit(council, {"adopt": ["cool_rooms", "heat_wave_plan"]})
    assert str(error.value) == ("council.adopt: got 'cool_rooms'; already working or being "
                                "built: it would be paid for again; pick another measure")
    with pytest.raises(UserError):
        session.submit(energy, {"invest": ["community_battery"]})
    assert session.wallets["council"] == wallet and len(session.decisions) == decisions
    session.submit(council, {"adopt": ["heat_wave_plan"], "drop": ["cool_rooms"]})


def test_console_offers_the_pack_s_html_and_pdf(tmp_path):
    from territoire_abm.game.app import pack_downloads

    (tmp_path / "debrief.html").write_text("<html></html>", encoding="utf-8")
    assert [p.name for p, _ in pack_downloads(tmp_path)] == ["debrief.html"]
    (tmp_path / "debrief.pdf").write_bytes(b"%PDF-1.4")
    assert pack_downloads(tmp_path) == [
        (tmp_path / "debrief.html", "Download the debrief (HTML)"),
        (tmp_path / "debrief.pdf", "Download the debrief (PDF)")]


def _page_text(component) -> tuple[str, object]:
    """Every text of a page rendered without a browser (labels, buttons, table cells), and
    its render context."""
    import ipywidgets
    import solara

    box, rc = solara.render(component, handle_error=False)

    def walk(widget) -> list[str]:
        found = []
        template = getattr(widget, "template", None)
        if isinstance(template, str) and "solara-markdown" in template:  # a Markdown's HTML
            found.append(re.sub(r"<[^>]+>", " ", template.split("<script>")[0]))
        for name in ("children", "label", "value", "v_model", "description", "title"):
            value = getattr(widget, name, None)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, str):
                    found.append(item)
                elif isinstance(item, ipywidgets.Widget):
                    found.extend(walk(item))
        return found

    return "\n".join(walk(box)), rc


def test_a_french_session_s_pages_are_in_french_and_an_english_one_s_unchanged(tmp_path):
    """The player page and the console follow the session's language: French labels,
    measure names (the catalogue's name_fr), numbers the French way; a refused decision's
    line in French; the same pages of an English session keep their English texts."""
    import ipyvuetify as v

    from territoire_abm.game import app

    pages = {}
    for lang in ("fr", "en"):
        session = _session(tmp_path / lang, lang)
        council = session.join("council", "Ana")
        text, rc = _page_text(app.PlayerPage(session, council))
        note = rc.find(v.TextField, label={"fr": "Note au groupe (pourquoi)",
                                           "en": "Note to the group (why)"}[lang]).widget
        note.v_model = "x" * 10_000
        rc.find(v.Btn, children=[{"fr": "Valider la décision",
                                  "en": "Submit decision"}[lang]]).widget.click()
        error = str(rc.find(v.Alert).widget.children)
        console, _ = _page_text(app.FacilitatorPage(session, session.facilitator_token))
        pages[lang] = (text, error, console)
    text, error, console = pages["fr"]
    assert "Votre décision pour 2025" in text and "Conseil municipal" in text
    assert "Votre argent : 1\u202f100\u202f000 EUR" in text
    assert f"{measure_labels('fr')['cool_rooms']} — 60\u202f000 EUR" in text
    assert measure_labels("fr")["cool_rooms"] != measure_labels("en")["cool_rooms"]
    assert "Adopter (mesures du conseil) :" in text and "Submit" not in text
    assert "erreur : council.note : reçu '<10000 characters>' ; au plus" in error
    assert "Console de l'animateur" in console and "Lancer le tour 1" in console
    assert "Provoquer : canicule" in console and "Run round" not in console
    text, error, console = pages["en"]
    assert "Your decision for 2025" in text and "Your money: 1 100 000 EUR" in text
    assert "Adopt (council measures):" in text and "Cool rooms for vulnerable people" in text
    assert "error: council.note: got '<10000 characters>'; at most" in error
    assert "Facilitator console" in console and "Run round 1" in console
    assert "Inject heat wave" in console and "Valider" not in text


def test_a_french_session_s_briefing_dashboard_and_log_are_in_french(tmp_path):
    from territoire_abm.game import app

    session = _session(tmp_path, "fr")
    council = session.join("council", "Ana")
    farmers = session.join("farmers", "")  # a player without a name: the role's, in French
    assert session.players[farmers]["name"] == "Agriculteurs"
    session.submit(council, {"adopt": ["cool_rooms"], "note": "pour les aînés"})
    session.use_lever(session.facilitator_token, "measure_cost", measure="heat_wave_plan",
                      factor=1.25)
    session.advance(session.facilitator_token)
    text, _ = _page_text(app.PlayerPage(session, council))
    assert "Tour 1 (2025–2025) : ce qui s'est passé" in text
    assert "Tableau de bord (2025)" in text and "Jours de canicule" in text
    assert "Heat-wave days" not in text and "What the decisions changed" not in text
    lines = log_lines(session)
    assert lines[0].startswith("Tour 1 (2025) · Conseil municipal (Ana) : ")
    assert lines[0].endswith(" — « pour les aînés »")
    assert "× 1,25" in lines[1]


def test_console_says_what_a_lever_did_and_when_the_game_is_over(tmp_path):
    """A lever's success line says what it did in words (not its id); once the last round is
    played, the console and the players' pages say the game is over (not the next years)."""
    import ipyvuetify as v

    from territoire_abm.game import app

    for lang, change, done in (("en", "Change cost", "Lever applied: cost of “"),
                               ("fr", "Changer le coût", "Levier appliqué : coût de « ")):
        session = _session(tmp_path / lang, lang)
        farmers = session.join("farmers", "Bob")
        token = session.facilitator_token
        _, rc = _page_text(app.FacilitatorPage(session, token))
        rc.find(v.Btn, children=[change]).widget.click()
        success = str(rc.find(v.Alert).widget.children)
        assert done in success and "measure_cost" not in success
        assert session.lever_log[-1]["lever"] == "measure_cost"
        for _ in range(session.settings.rounds):
            session.advance(token)
        console, _ = _page_text(app.FacilitatorPage(session, token))
        player, _ = _page_text(app.PlayerPage(session, farmers))
        if lang == "en":
            assert "All 2 rounds played (2025–2026)" in console
            assert "the game is over: write the debrief pack" in console
            assert "all 2 rounds played (2025–2026)" in player
            assert "next years from" not in console and "years from 2027" not in player
        else:
            assert "Les 2 tours sont joués (2025–2026)" in console
            assert "prochaines années" not in console and "à partir de 2027" not in player


def test_refusals_of_the_form_the_levers_and_links_are_written_in_french(tmp_path):
    """Why the creation form, a lever or a link was refused: French in a French page, the
    English line unchanged."""
    import pytest

    from territoire_abm.errors import UserError
    from territoire_abm.game.app import error_line
    from territoire_abm.game.store import Registry

    with pytest.raises(UserError) as error:
        Session.create({"households": "abc", "lang": "fr"}, tmp_path / "x")
    assert str(error.value).endswith("; a whole number in [50, 20000]")
    assert error_line(error.value, "fr").endswith(" ; un nombre entier dans [50, 20000]")
    session = _session(tmp_path, "fr")
    with pytest.raises(UserError) as error:
        session.use_lever(session.facilitator_token, "transfer", source="council",
                          target="council", amount_eur=1)
    assert str(error.value) == ("lever.target: got 'council'; a different account from the "
                                "source")
    assert error_line(error.value, "fr") == ("erreur : lever.target : reçu 'council' ; un "
                                             "compte différent de la source")
    with pytest.raises(UserError) as error:
        Registry(tmp_path / "none").by_token("nope")
    assert error_line(error.value, "en").endswith("; not a valid link; ask the facilitator")
    assert error_line(error.value, "fr").endswith(" ; lien non valide ; demandez à l'animateur")


def test_amounts_typed_with_thousands_spaces_are_read(tmp_path):
    from territoire_abm.game.app import typed_amount

    session = _session(tmp_path, "fr")
    for text, eur in (("100 000", 100_000), ("2\u202f500,5", 2500.5), ("1\u00a0000", 1000)):
        session.use_lever(session.facilitator_token, "transfer", source="outside",
                          target="farmers", amount_eur=typed_amount(text, "fr"))
        assert session.lever_log[-1]["said"]["eur"] == eur
    assert typed_amount("100 000", "en") == "100000" and typed_amount("2.5", "en") == "2.5"
