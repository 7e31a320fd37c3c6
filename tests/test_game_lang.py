"""The debrief pack in the session's language (French by default, or English)."""

from __future__ import annotations

import re

import pytest

from territoire_abm.errors import UserError
from territoire_abm.game.debrief import (
    PDF_COLUMNS,
    cover_lines,
    cover_pages,
    profiles,
    round_summaries,
    timeline,
    trajectories_figure,
    write_pack,
)
from territoire_abm.game.levers import lever_text
from territoire_abm.game.replay import alone_tables
from territoire_abm.game.session import Session
from territoire_abm.game.settings import Settings
from territoire_abm.game.texts import translator
from territoire_abm.i18n import load_catalogue

MESSAGES = load_catalogue("territoire_abm.game", "messages.toml")
HEADINGS = [key for key in MESSAGES if key.startswith(("html.h", "html.th_", "published.h",
                                                        "published.th_"))]


def _play(root, lang: str | None) -> Session:
    form = {"rounds": 2, "years_per_round": 3, "households": 150, "title": "Atelier d'été"}
    if lang:
        form["lang"] = lang
    session = Session.create(form, root)
    council = session.join("council", "Anne")
    farmers = session.join("farmers", "Bob")
    energy = session.join("energy_community", "Chloé")
    f = session.facilitator_token
    session.submit(energy, {"mode": "lp"})
    session.submit(council, {"adopt": ["cool_rooms"], "note": "pour les aînés"})
    session.submit(farmers, {"propose": ["treated_wastewater_reuse"], "contribute": 0.7})
    session.use_lever(f, "event", event="heat_wave")
    session.use_lever(f, "open_fund", amount_eur=20000)
    session.advance(f)
    session.use_lever(f, "subsidy_rate", rate=0.5)
    session.use_lever(f, "transfer", source="council", target="farmers", amount_eur=1500)
    session.submit(council, {"adopt": ["heat_wave_plan"]})
    session.advance(f)
    return session


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    """A two-round session created without a language: French, the default."""
    return _play(tmp_path_factory.mktemp("fr"), None)


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return _play(tmp_path_factory.mktemp("en"), "en")


def test_language_setting_defaults_to_french_and_refuses_others():
    assert Settings().lang == "fr" and Settings.from_form({}).lang == "fr"
    assert Settings.from_json(Settings.from_form({"lang": "en"}).to_json()).lang == "en"
    with pytest.raises(UserError) as error:
        Settings.from_form({"lang": "de"})
    assert str(error.value) == "lang: got 'de'; allowed: fr, en"


def test_french_pack_speaks_french(french, tmp_path):
    folder = write_pack(french, futures=2, scenarios=("tracc",), workers=1,
                        folder=tmp_path / "pack", baseline=False)
    html = (folder / "debrief.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    for phrase in ("Débriefing de l'atelier", "1. Trajectoires", "Robuste ou chanceux",
                   "Face aux chiffres publiés", "Salles rafraîchies",  # cool_rooms' name_fr
                   "canicule provoqué", "fonds commun ouvert avec 20\u202f000 EUR",
                   "taux de subvention fixé à 50\u202f%", "Conseil municipal (Anne)",
                   "centré sur : chaleur", "contribution 70\u202f%",
                   "pilotage optimisé (programmation linéaire)",
                   "Mode de pilotage : optimisé (programmation linéaire)",
                   "territoire Carbonne"):  # the commune's name, not its config id
        assert phrase in html, phrase
    # the robustness table names its outcomes in French, never by their indicator ids
    robust = html.split("Robuste ou chanceux")[1]
    assert '<td class="text">Confiance dans le conseil (0–1)</td>' in robust
    assert '<td class="text">trust_mean</td>' not in robust
    english_headings = [MESSAGES[k]["en"] for k in HEADINGS
                        if MESSAGES[k]["en"] != MESSAGES[k]["fr"]
                        and f">{MESSAGES[k]['en']}<" in html]
    assert not english_headings
    for english_text in ("heat-wave days", "Municipal council", "wait and see",
                         "played by the model", "Workshop debrief", "No extreme event"):
        assert english_text not in html, english_text
    body = html.split("<details>")[0] + html.split("</details>")[1]
    cells = re.findall(r"<td>(-?\d[\d\u202f]*[.,]\d+)</td>", body)
    assert cells and all("," in c and "." not in c for c in cells)  # decimal commas


def test_french_figures_and_pdf_cover(french):
    alone, _ = alone_tables(french)
    figure = trajectories_figure(french.indicators(), alone, french, "fr")
    titles = {ax.get_title() for ax in figure.axes}
    assert "Confiance dans le conseil (0–1)" in titles
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["joué", "modèle seul"]
    context = {"title": "x", "code": "C", "territory": "carbonne", "scenario": "tracc",
               "rounds_played": 2, "first_year": 2025, "last_year": 2030,
               "profiles": profiles(french, "fr"), "verdict": [], "published": [],
               "timeline": timeline(french, "fr")}
    lines = cover_lines(context, translator("fr"))
    assert lines[0] == "Débriefing de l'atelier — x" and "Robuste ou chanceux ?" in lines
    assert any(line.startswith("T1 2025 Conseil municipal (Anne) : adopte : ") for line in lines)


def test_english_texts_written_again_equal_what_the_session_recorded(english):
    """The debrief writes the round summaries and levers again from what they recorded: in
    English they are, to the character, what the live pages showed."""
    again = round_summaries(english, "en")
    for recorded, written in zip(english.summaries, again, strict=True):
        assert written["events"] == recorded["events"] and written["events"]
        assert written["why"] == recorded["why"]
        assert {k: e["label"] for k, e in written["effects"].items()} == \
            {k: e["label"] for k, e in recorded["effects"].items()}
    for entry in english.lever_log:
        assert lever_text(entry["lever"], entry["said"], "en") == entry["text"]
    french = round_summaries(english, "fr")
    assert french[0]["events"] != again[0]["events"]
    assert any("jours de canicule" in line for line in french[0]["events"])


def test_every_message_has_both_languages():
    assert len(MESSAGES) > 100
    assert all(set(texts) == {"en", "fr"} and all(texts.values())
               for texts in MESSAGES.values())


def test_cli_writes_a_pack_in_the_other_language_and_refuses_others(french, capsys):
    from territoire_abm.cli import main

    where = [f"code={french.code}", f"dir={french.directory.parent}"]
    assert main(["game", "debrief", *where, "lang=de"]) == 2
    assert capsys.readouterr().err.strip() == "error: lang: got 'de'; allowed: fr, en"
    assert main(["game", "debrief", *where, "futures=1", "workers=1", "lang=en"]) == 0
    html = (french.directory / "debrief" / "debrief.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Robust or lucky?" in html
    assert french.settings.lang == "fr"  # the session keeps its language


def test_replay_without_seed_is_the_session_again(french, capsys):
    """``game replay code=…`` without seed= replays the decision log under the session's own
    weather with its injected events: the played indicators, exactly; seed= is another
    future (as the debrief's are)."""
    import pandas as pd

    from territoire_abm.cli import main
    from territoire_abm.game.replay import replay_once

    played = french.indicators()
    again = replay_once(french)
    pd.testing.assert_frame_equal(again[played.columns], played)
    other = replay_once(french, seed=7)
    assert not other["restriction_days"].equals(played["restriction_days"]) or \
        not other["heat_wave_days"].equals(played["heat_wave_days"])
    assert main(["game", "replay", f"code={french.code}",
                 f"dir={french.directory.parent}"]) == 0
    printed = capsys.readouterr().out
    assert f"{played['trust_mean'].iloc[-1]:.3f}" in printed.splitlines()[-1]


def test_pdf_text_pages_cut_nothing_off():
    """The PDF's text pages wrap long lines (a verdict, a flagged published figure) instead of
    cutting them at the page's edge, and continue on another page when one is full."""
    verdict = ("Émissions (tCO2e/habitant) : la session a obtenu 4,74 ; avec les mêmes "
               "décisions, 100 % des 3 futurs ssp245 ont fait moins bien — chanceux : peu de "
               "futurs ont fait aussi bien.")
    flagged = ("Ménages en précarité énergétique 2025–2029: 7,2 %; 7,3 % (6,8 % – 7,6 %); "
               "10,0–14,0 % (2022) ONPE tableau de bord (TEE_3D indicator) — HORS FOURCHETTE")
    lines = ["titre", verdict, flagged] + [f"T{n} 2025 Animateur : levier" for n in range(80)]
    pages = cover_pages(lines)
    assert len(pages) == 2 and all(len(line) <= PDF_COLUMNS for p in pages for line in p)
    text = " ".join(" ".join(line.split()) for page in pages for line in page)
    assert verdict in text and flagged in text and "T79 2025 Animateur : levier" in text
