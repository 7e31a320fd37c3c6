"""The twinning deliverables in French and English (lang=fr|en), escaped by Jinja2."""

from __future__ import annotations

import html
import io
import json
import pickle
import re
import string
from importlib import resources

import pytest
from test_twinning import make_place, synthetic_results

from territoire_abm.climate.normals import place_normals
from territoire_abm.i18n import NARROW_NBSP, load_catalogue
from territoire_abm.measures.catalogue import load_catalogue as load_measures
from territoire_abm.twinning import cli
from territoire_abm.twinning.book import book_html, book_markdown, transferability, write_book
from territoire_abm.twinning.comparison import compare_territories
from territoire_abm.twinning.poster import poster_figure
from territoire_abm.twinning.ranking import find_twins
from territoire_abm.twinning.render import translator
from territoire_abm.twinning.report import report_html

#: Phrases of each language that must not appear in the other one's deliverables.
ENGLISH = ("Summary", "How the twin was found", "Measures worth transferring", "is compared with",
           "Ranking verdict", "beyond the good-twin threshold", "imperfect twin", "ranks #",
           "Best-practice book", "adopted by", "relevance", "feasibility", "already in",
           "Drip irrigation", "days ≥ 35 °C", "unmet water demand", "Urban strategies",
           "What the simulation compares", "Temperature", "mean over the run", " now")
FRENCH = ("Synthèse", "Comment le jumeau a été trouvé", "Mesures à transférer", "est comparé à",
          "Verdict du classement", "au-delà du seuil de bon jumeau", "jumeau imparfait",
          "est classé", "Cahier des bonnes pratiques", "adoptée par", "pertinence",
          "faisabilité", "déjà à", "Irrigation au goutte-à-goutte", "jours ≥ 35 °C",
          "demande en eau non satisfaite", "Ce que compare la simulation",
          "Température", "moyenne sur la simulation", "aujourd'hui")
ONE_SIDED = {"report.theme_html"}
DRIP_FR = load_measures()["drip_irrigation"].name_fr


@pytest.fixture(scope="module")
def comparison():
    """Carbonne and Fuente Obejuna at 2050: beyond the good-twin threshold (rank > 1)."""
    target, twin = place_normals("Carbonne"), place_normals("Fuente Obejuna")
    t = synthetic_results(3, 0.3, {"drip_irrigation": 0.2, "rainwater_tank": 0.1})
    w = synthetic_results(25, 0.5, {"drip_irrigation": 0.8, "rainwater_tank": 0.5}, seed=2)
    return compare_territories(t, w, target, twin, ranking=find_twins(target, horizon=2050))


def visible(page: str) -> str:
    """What a reader of an HTML page sees: no style, no image data, no tags."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def poster_text(fig) -> str:
    """Every text of the poster (free texts, titles, axis labels, legends) on one line."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return re.sub(r"[ \n]+", " ", " ".join(texts))  # wrapped lines joined again


def assert_language(text: str, lang: str, present: tuple[str, ...]) -> None:
    own, other = (FRENCH, ENGLISH) if lang == "fr" else (ENGLISH, FRENCH)
    for phrase in present:
        assert phrase in text, f"{lang}: {phrase!r} missing"
    leftovers = [p for p in other if p in text]
    assert not leftovers, f"{lang} deliverable holds the other language's {leftovers}"
    assert any(p in text for p in own)


def test_every_message_has_both_languages_with_the_same_fields():
    """A message missing in one language, or whose placeholders differ, fails here."""
    messages = load_catalogue("territoire_abm.twinning", "messages.toml")
    assert len(messages) > 100
    for key, texts in messages.items():
        fields = {lang: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
                  for lang, text in texts.items()}
        if key in ONE_SIDED:  # English shows the French title too
            assert set(fields["fr"]) < set(fields["en"]), key
        else:
            assert fields["fr"] == fields["en"], key


def test_french_numbers_have_a_decimal_comma_and_narrow_spaces():
    fr, en = translator("fr"), translator("en")
    assert fr.num(1234567.891, ",.2f") == f"1{NARROW_NBSP}234{NARROW_NBSP}567,89"
    assert en.num(1234567.891, ",.2f") == "1,234,567.89"
    assert fr.percent(0.125) == f"12,5{NARROW_NBSP}%" and en.percent(0.125) == "12.5 %"
    assert fr("book.sigma", sigma=2.034) == "Dissimilarité climatique : sigma 2,03."
    assert fr.num(float("nan")) == "n.d." and en.num(float("nan")) == "n/a"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_speaks_one_language(comparison, lang):
    page = report_html(comparison, lang=lang)
    assert f"<html lang='{lang}'>" in page
    text = visible(page)
    sigma = f"{comparison.twin_sigma():.2f}"
    if lang == "fr":
        assert_language(text, "fr", (DRIP_FR, "au-delà du seuil de bon jumeau (2) : un jumeau "
                                     "imparfait", f"sigma de {sigma.replace('.', ',')}",
                                     "Stratégies urbaines face à la chaleur"))
        assert f"5{NARROW_NBSP}737" in text  # Carbonne's population
    else:
        assert_language(text, "en", ("Drip irrigation", "beyond the good-twin threshold (2): "
                                     "an imperfect twin", f"sigma {sigma}",
                                     "Urban strategies against heat"))
        assert "5,737" in text


def test_report_figures_are_the_same_in_both_languages(comparison):
    """The climate table's numbers: French = English with a comma and narrow spaces."""
    cells = {}
    for lang in ("en", "fr"):
        page = report_html(comparison, lang=lang)
        climate = page.split("<h2>2.")[1].split("<h2>")[0]
        cells[lang] = re.findall(r"<td class='num'>([^<]*)</td>", climate)
    assert len(cells["en"]) == 24
    assert [c.replace(",", NARROW_NBSP).replace(".", ",") for c in cells["en"]] == cells["fr"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_book_speaks_one_language(comparison, lang):
    table = transferability(comparison, t=translator(lang))
    drip = DRIP_FR if lang == "fr" else "Drip irrigation"
    adopted = "adoptée par" if lang == "fr" else "adopted by"
    for text in (book_markdown(comparison, table, lang),
                 visible(book_html(comparison, table, lang))):
        assert_language(text, lang, (drip, adopted))
        assert ("au-delà du seuil de bon jumeau" in text) == (lang == "fr")
    assert ("beyond the good-twin threshold" in book_markdown(comparison, table, lang)) \
        == (lang == "en")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_poster_speaks_one_language(comparison, lang):
    text = poster_text(poster_figure(comparison, lang=lang))
    sigma = f"{comparison.twin_sigma():.2f}"
    if lang == "fr":
        assert_language(text, "fr", (DRIP_FR, "Mesures à transférer",
                                     f"sigma {sigma.replace('.', ',')}, au-delà du seuil"))
    else:
        assert_language(text, "en", ("Drip irrigation", "Measures worth transferring",
                                     f"sigma {sigma}, beyond the good-twin threshold"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_names_and_user_text_are_escaped(lang, tmp_path):
    """A place name or a catalogue text holding <script> comes out escaped (Jinja2 autoescape)."""
    evil = "<script>alert('x')</script>"
    target = make_place(f"Ville {evil}")
    twin = make_place(f"Twin & {evil}", dt=2.0)
    t = synthetic_results(3, 0.3, {"drip_irrigation": 0.2})
    w = synthetic_results(25, 0.5, {"drip_irrigation": 0.8}, seed=2)
    c = compare_territories(t, w, target, twin, ranking=find_twins(
        target, [twin, make_place("Other", dt=4.0)], horizon=2050))
    catalogue = __import__("pandas").DataFrame({
        "measure_id": ["drip_irrigation"], "label": [f"Drip {evil}"],
        "description": [f"<b>bold</b> {evil}"]})
    pages = [report_html(c, catalogue, lang)]
    paths = write_book(c, tmp_path, catalogue, lang)
    pages.append(paths["html"].read_text(encoding="utf-8"))
    for page in pages:
        assert "<script>" not in page and "<b>bold" not in page
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
        assert "Twin &amp; &lt;script&gt;" in page


def test_unknown_language_is_one_line_and_exit_2(tmp_path):
    err = io.StringIO()
    code = cli.main(["report", "target=Carbonne", "twin=Fuente Obejuna", "lang=de",
                     f"out={tmp_path / 'r'}"], stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert code == 2 and len(lines) == 1
    assert "lang" in lines[0] and "de" in lines[0] and "fr" in lines[0] and "en" in lines[0]
    assert not (tmp_path / "r").exists()


def test_templates_and_messages_ship_in_the_package():
    folder = resources.files("territoire_abm.twinning")
    for name in ("templates/report.html.j2", "templates/book.html.j2",
                 "templates/macros.html.j2", "messages.toml"):
        assert folder.joinpath(name).is_file(), name


def test_notes_of_the_calculation_are_translated_but_stay_english_elsewhere(comparison):
    """The ranking's notes are English in its text and JSON; the French report and book
    write them in French (the shipped data's own source texts excepted)."""
    ranking = comparison.ranking
    assert "physical similarity (population, altitude, rurality)" in ranking.to_text()
    assert json.dumps(ranking.metadata()["notes"]).count("projected by the delta method") == 1
    french = visible(report_html(comparison, lang="fr"))
    english = visible(report_html(comparison, lang="en"))
    for en, fr in (("physical similarity (population", "la ressemblance physique (population"),
                   ("projected by the delta method", "projeté par la méthode des deltas"),
                   ("normals periods differ", "périodes des normales différentes")):
        assert en in english and fr not in english
        assert fr in french and en not in french
    book = book_markdown(comparison, transferability(comparison, t=translator("fr")), "fr")
    assert "périodes des normales différentes : Carbonne 1991-2020" in book


def test_a_note_pickles_and_compares_as_its_english_text():
    from territoire_abm.twinning.texts import note, note_text

    made = note("note.physical_ties", weight=0.25)
    again = pickle.loads(pickle.dumps(made))
    assert made == again == "physical similarity (population, altitude, rurality) can only " \
        "swap candidates whose sigma differ by less than 0.25"
    assert note_text(translator("fr"), again).endswith("diffèrent de moins de 0,25")
    assert note_text(translator("fr"), "plain text") == "plain text"
