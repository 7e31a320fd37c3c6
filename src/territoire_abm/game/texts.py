"""The game's texts in French and English: the catalogue ``game/messages.toml``.

The debrief pack is written in the session's language (``Settings.lang``, French by default:
the facilitators are French communes and their partners). The live pages stay in English;
their role and indicator labels and the round summaries come from the same catalogue's English
column, so a text is written once.
"""

from __future__ import annotations

from functools import cache

from territoire_abm.i18n import LANGUAGES, Translator, localise_figures, localise_number

__all__ = ["LANGUAGES", "english", "fmt", "percent0", "translator"]


@cache
def translator(lang: str = "en") -> Translator:
    """The game's texts in ``lang`` (``fr`` or ``en``)."""
    return Translator(lang, "territoire_abm.game", "messages.toml")


def english() -> Translator:
    """The English texts (labels of the live pages, the round summaries)."""
    return translator("en")


def fmt(value: object, lang: str = "en") -> str:
    """A number to three significant digits (French: decimal comma), or a dash when
    missing."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return localise_number(f"{value:.3g}", lang)


def percent0(share: float, lang: str = "en") -> str:
    """A share as a whole percentage the way Python writes it (``70%``; French ``70 %``)."""
    return localise_figures(f"{share:.0%}", lang)
