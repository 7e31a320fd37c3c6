"""A scripted workshop in real browsers, and the explorer (Playwright + Debian's Chromium).

The facilitator creates a session, two players join in separate browser contexts, decide for
two rounds, the facilitator uses levers, the server is restarted mid-session, everything
resumes, and the debrief pack is written. The session has a twin commune (its council in play,
played by the model as nobody takes it): its indicators show beside ours. Screenshots are
kept in tests/artifacts/.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import Server, free_port, shot

TIMEOUT_MS = 90_000
VIEWPORT = {"width": 1280, "height": 1800}


@pytest.fixture(scope="module")
def game_server(tmp_path_factory):
    """One game server for the module (started once: start-up is most of a test's time);
    each test creates its own session in it."""
    root = tmp_path_factory.mktemp("game") / "sessions"
    server = Server(["game", f"dir={root}"], free_port(), env={"TERRITOIRE_ABM_GAME_FUTURES": "2"})
    server.root = root
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def explore_server():
    """One explorer server for the module."""
    server = Server(["explore"], free_port())
    yield server.start()
    server.stop()


def _see(page, text: str, timeout: int = TIMEOUT_MS):
    page.get_by_text(text).first.wait_for(timeout=timeout)


def _join(browser, server, code: str, name: str, role_label: str):
    """A player joins an English session (the landing page, in French by default, is switched
    to English first; the session's language then takes over)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(server.url)
    page.get_by_role("button", name="en", exact=True).click()
    page.get_by_label("Session code").fill(code)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name=f"Join as {role_label}").click()
    _see(page, "Your decision for 2025")
    assert "?t=" in page.url  # the seat is in the address: reopening it resumes
    return page


def test_full_workshop_in_the_browser(browser, game_server):
    root = game_server.root
    key = (root / "facilitator.key").read_text().strip()
    facilitator = browser.new_context(viewport=VIEWPORT).new_page()
    facilitator.goto(f"{game_server.url}?key={key}")
    _see(facilitator, "Nouvelle session d'atelier")  # the creation form: French by default
    facilitator.get_by_role("button", name="en", exact=True).click()  # an English session
    facilitator.get_by_label("Title").fill("Atelier <b>Carbonne</b>")
    facilitator.get_by_label("Rounds").fill("2")
    facilitator.get_by_label("Years per round").fill("2")
    facilitator.get_by_label("Households").fill("300")
    facilitator.get_by_label(re.compile("Twin commune")).click(force=True)  # a v-select
    facilitator.get_by_role("option", name="Fuente Obejuna").click()
    facilitator.get_by_text("Twin commune's council", exact=False).first.click()  # appears
    shot(facilitator, "01_create_session")
    facilitator.get_by_role("button", name="Create session").click()
    _see(facilitator, "Facilitator console")
    code = re.search(r"session code ([A-Z2-9]{6})", facilitator.inner_text("body")).group(1)
    facilitator_url = facilitator.url

    council = _join(browser, game_server, code, "Ana", "Municipal council")
    farmers = _join(browser, game_server, code, "Bob", "Farmers")
    shot(council, "02_council_decision_form")

    # A 10,000-character note is refused with a clear line, and nothing is submitted.
    farmers.get_by_label("Note to the group (why)").fill("x" * 10_000)
    farmers.get_by_role("button", name="Submit decision").click()
    _see(farmers, "error: farmers.note")
    shot(farmers, "03_invalid_decision")
    farmers.get_by_label("Note to the group (why)").fill("Water first")
    farmers.get_by_text("Treated wastewater reuse", exact=False).first.click()
    farmers.get_by_label(re.compile("Share of your group contributing")).fill("0.6")
    farmers.get_by_role("button", name="Submit decision").click()
    _see(farmers, "Decision submitted")

    council.get_by_text("Cool rooms for vulnerable people", exact=False).first.click()
    council.get_by_role("button", name="Submit decision").click()
    _see(council, "Decision submitted")

    facilitator.get_by_role("button", name="Inject heat wave").click()
    _see(facilitator, "Lever applied: heat wave forced in 2025")
    _see(facilitator, "submitted")
    shot(facilitator, "04_facilitator_console")
    facilitator.get_by_role("button", name="Run round 1").click()
    _see(facilitator, "Round simulated.")
    _see(council, "Round 1 (2025–2026): what happened")
    _see(council, "(injected by the facilitator)")
    _see(council, "Fuente Obejuna (twin)")  # the twin's dashboard column beside ours
    _see(council, "published, French communes")  # published ranges beside the dashboard
    _see(council, "The twin commune, Fuente Obejuna, in the same years")
    shot(council, "05_council_briefing")

    # Server restart mid-session: every seat resumes from the saved session.
    game_server.restart()
    for page in (council, farmers):
        page.reload()
        _see(page, "Your decision for 2027")
    facilitator.goto(facilitator_url)
    _see(facilitator, "Round 2 of 2")
    _see(facilitator, "Debrief baseline (the model alone under 2 weather futures")  # resumed

    council.get_by_text("Municipal heat-wave plan", exact=False).first.click()
    council.get_by_role("button", name="Submit decision").click()
    _see(council, "Decision submitted")
    farmers.get_by_role("button", name="Submit decision").click()
    _see(farmers, "Decision submitted")
    facilitator.get_by_label("Message to all players").fill("<i>Pause café</i> à 15h")
    facilitator.get_by_role("button", name="Broadcast").click()
    _see(council, "<i>Pause café</i> à 15h")  # shown as text, not as HTML
    facilitator.get_by_role("button", name="Run round 2").click()
    _see(facilitator, "Write the debrief pack")
    facilitator.get_by_role("button", name="Write the debrief pack").click()
    _see(facilitator, "Debrief pack written to", timeout=300_000)
    shot(facilitator, "06_debrief_written")
    _see(council, "The game is over")

    folder = root / code / "debrief"
    html = (folder / "debrief.html").read_text(encoding="utf-8")
    assert "Atelier &lt;b&gt;Carbonne&lt;/b&gt;" in html and "<b>Carbonne" not in html
    assert (folder / "debrief.pdf").stat().st_size > 10_000
    assert '<html lang="en">' in html  # the session's language, chosen on the form
    assert "6. The twin commune: Fuente Obejuna" in html
    saved = json.loads((root / code / "session.json").read_text(encoding="utf-8"))
    assert [d["role"] for d in saved["decisions"]] == ["farmers", "council", "council",
                                                       "farmers"]
    assert saved["lever_log"][0]["lever"] == "event" and saved["round"] == 2
    # the model-alone futures: one batch of 2 seeds per scenario, kept in the session folder
    assert len(list((root / code / "baseline").glob("*.json"))) == 5
    assert saved["settings"]["twin"] == "Fuente Obejuna"
    assert "twin_council" in saved["settings"]["roles"] and len(saved["twin_log"]) == 4
    report = browser.new_page(viewport=VIEWPORT)
    report.goto(f"file://{folder / 'debrief.html'}")
    _see(report, "Robust or lucky?")
    _see(report, "Held against published figures")
    shot(report, "07_debrief_report")

    # A session left in French (the form's default): the player's page is in French.
    facilitator.goto(f"{game_server.url}?key={key}")
    facilitator.get_by_label("Ménages").fill("300")
    facilitator.get_by_label("Tours", exact=True).fill("1")
    facilitator.get_by_role("button", name="Créer la session").click()
    _see(facilitator, "Console de l'animateur")
    code = re.search(r"code de la session ([A-Z2-9]{6})",
                     facilitator.inner_text("body")).group(1)
    player = browser.new_context(viewport=VIEWPORT).new_page()
    player.goto(game_server.url)
    player.get_by_label("Code de la session").fill(code)
    player.get_by_role("button", name="Rejoindre : Agriculteurs").click()
    _see(player, "Votre décision pour 2025")
    _see(player, "Valider la décision")
    shot(player, "08_french_player_page")


def test_explorer_renders_and_steps(browser, explore_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(explore_server.url)
    _see(page, "Simulated years: 0")
    page.get_by_role("button", name="Step").click()
    _see(page, "Simulated years: 1")
    page.get_by_role("button", name="Step").click()
    _see(page, "Simulated years: 2")
    shot(page, "08_explorer")
