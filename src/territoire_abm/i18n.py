"""French and English texts of the deliverables: a message catalogue and number formatting.

A catalogue is a TOML file shipped in the package; every message is a table with one entry
per language (``title = { en = "Climate twinning: {target}", fr = "Jumelage climatique :
{target}" }``) so a translator sees both side by side and a message missing in one language
is an error at load time, not an English leftover in a French report. Placeholders are
:meth:`str.format` fields; the numbers put into them are written the language's way
(French: ``1 234,5`` with a narrow no-break space between thousands, a decimal comma, and a
narrow no-break space before ``%``).

Numbers keep Python's own rounding (:func:`format`) in both languages: only the separators
change, so a French and an English deliverable show the same digits.
"""

from __future__ import annotations

import math
import numbers
import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

LANGUAGES = ("fr", "en")
#: French thousands separator and the space before "%" (narrow no-break space, U+202F).
NARROW_NBSP = "\u202f"


def localise_number(text: str, lang: str) -> str:
    """A number formatted by Python (``1,234.5``) written the ``lang`` way (fr: ``1 234,5``)."""
    if lang != "fr":
        return text
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def localise_figures(text: str, lang: str) -> str:
    """A text made only of numbers Python formatted (``2.1% (0.0–4.3%)``, ``×0.87``) written
    the ``lang`` way; French also puts a narrow no-break space before ``%``."""
    if lang != "fr":
        return text
    return localise_number(text, lang).replace("%", NARROW_NBSP + "%")


def is_number(value: Any) -> bool:
    """True for ints and floats (numpy's too), never for booleans."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Message(str):
    """A text (in English) that remembers the catalogue key and fields it was made from, so
    that a deliverable in another language can write it again; everywhere else it is the
    plain string."""

    def __new__(cls, text: str, key: str = "", params: dict[str, Any] | None = None
                ) -> Message:
        obj = super().__new__(cls, text)
        obj.key = key
        obj.params = dict(params or {})
        return obj


class _LocaleFormatter(string.Formatter):
    """:meth:`str.format` whose numbers are written the language's way."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text = format(value, format_spec)
        return localise_number(text, self.lang) if is_number(value) else text


@cache
def load_catalogue(package: str, name: str) -> dict[str, dict[str, str]]:
    """Messages of ``package``'s TOML file ``name``, flattened (``report.title``)."""
    with resources.files(package).joinpath(name).open("rb") as handle:
        data = tomllib.load(handle)
    messages: dict[str, dict[str, str]] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            full = f"{prefix}{key}"
            if not isinstance(value, dict):
                raise ValueError(f"{name}: {full} is not a message table {{en=…, fr=…}}")
            if set(value) == set(LANGUAGES):
                messages[full] = value
            elif set(value) & set(LANGUAGES):
                missing = sorted(set(LANGUAGES) - set(value))
                raise ValueError(f"{name}: {full} has no {', '.join(missing)} text")
            else:
                walk(value, full + ".")

    walk(data, "")
    return messages


class Translator:
    """Texts of one language: ``t("report.title", target=…)``, numbers with ``t.num``.

    Parameters
    ----------
    lang : str
        ``"fr"`` or ``"en"``.
    package, name : str
        Where the TOML catalogue is (see :func:`load_catalogue`).
    """

    def __init__(self, lang: str, package: str, name: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang {lang!r}: allowed {', '.join(LANGUAGES)}")
        self.lang = lang
        self.messages = load_catalogue(package, name)
        self._formatter = _LocaleFormatter(lang)

    def __call__(self, key: str, **params: Any) -> str:
        """The message ``key`` in this language, its fields filled in."""
        return self._formatter.format(self.messages[key][self.lang], **params)

    def has(self, key: str) -> bool:
        """True when the catalogue has ``key``."""
        return key in self.messages

    def markup(self, key: str, **params: Any) -> Markup:
        """A message holding HTML (a ``*_html`` key): its text fields are escaped."""
        safe = {k: v if is_number(v) else escape(v) for k, v in params.items()}
        return Markup(self._formatter.format(self.messages[key][self.lang], **safe))

    def num(self, value: Any, spec: str = ",.1f", missing: str | None = None) -> str:
        """``value`` formatted with ``spec``; the catalogue's ``common.na`` when not finite."""
        if value is None or not math.isfinite(float(value)):
            return missing if missing is not None else self("common.na")
        return localise_number(format(float(value), spec), self.lang)

    def percent(self, share: Any, spec: str = ".1f", sep: str = " ") -> str:
        """A share (0–1) as a percentage: ``12.5 %`` / ``12,5 %`` (narrow no-break space)."""
        if share is None or not math.isfinite(float(share)):
            return self("common.na")
        return self.num(100 * float(share), spec) + (NARROW_NBSP if self.lang == "fr" else sep) \
            + "%"
