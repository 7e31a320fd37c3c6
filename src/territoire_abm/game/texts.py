"""The game's texts in French and English: the catalogue ``game/messages.toml``.

The debrief pack and the live pages (game/app.py) are written in the session's language
(``Settings.lang``, French by default: the facilitators are French communes and their
partners). What the session records (round summaries, the lever log) is kept in English and
written again in the session's language when shown. Why a form was refused is raised as a
:class:`~territoire_abm.i18n.Message` (:func:`said`), so the page can show it in French.
"""

from __future__ import annotations

from functools import cache

from territoire_abm.i18n import (
    LANGUAGES,
    Message,
    Translator,
    localise_figures,
    localise_number,
)

__all__ = ["LANGUAGES", "english", "fmt", "percent0", "said", "translator"]


@cache
def translator(lang: str = "en") -> Translator:
    """The game's texts in ``lang`` (``fr`` or ``en``)."""
    return Translator(lang, "territoire_abm.game", "messages.toml")


def english() -> Translator:
    """The English texts (labels of the live pages, the round summaries)."""
    return translator("en")


def said(key: str, **params: object) -> Message:
    """The English text of ``key`` that remembers its key and fields (to be written again in
    another language), e.g. what a refused form allowed."""
    return Message(english()(key, **params), key, params)


def fmt(value: object, lang: str = "en") -> str:
    """A number to three significant digits (French: decimal comma), or a dash when
    missing."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return localise_number(f"{value:.3g}", lang)


def percent0(share: float, lang: str = "en") -> str:
    """A share as a whole percentage the way Python writes it (``70%``; French ``70 %``)."""
    return localise_figures(f"{share:.0%}", lang)
