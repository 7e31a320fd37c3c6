"""The twinning texts in French or English (``messages.toml``) and notes that can be
rewritten in the reader's language.

Kept free of Jinja2 and matplotlib so that the ranking and the projection can make their
notes with :func:`note` without importing the deliverables' machinery.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from territoire_abm.i18n import Message, Translator


@cache
def translator(lang: str = "en") -> Translator:
    """The twinning texts in ``lang`` (fr or en)."""
    return Translator(lang, "territoire_abm.twinning", "messages.toml")


def note(key: str, **params: Any) -> Message:
    """A note in English (as the console, the CSV and the JSON files print it) that a French
    deliverable rewrites from ``key`` and ``params`` (see :func:`note_text`)."""
    return Message(translator("en")(key, **params), key, params)


def note_text(t: Translator, text: object) -> str:
    """A note in ``t``'s language: a :class:`Message` is rewritten (its Message fields too),
    any other text is left as it is (e.g. the sources of the shipped normals)."""
    if isinstance(text, Message) and text.key and t.has(text.key):
        params = {k: note_text(t, v) if isinstance(v, Message) else v
                  for k, v in text.params.items()}
        return t(text.key, **params)
    return str(text)
