"""One parser for the ``key=value`` options of the subcommands (``twin``, ``experiment``,
``analyse``), and the checks every command makes before any work.

The model run itself is parsed by Hydra (config groups, dotted overrides, ``-m`` sweeps); see
:mod:`territoire_abm.config.compose`. The subcommands' options are not config overrides and
cannot go through Hydra's override grammar: it rejects every non-ASCII letter and the
apostrophe (``commune=Orléans``, ``commune=L'Isle-Jourdain``) and reads a comma as a sweep
(``x_range=1.5,3``). Each subcommand declares its options once in a table of :class:`Option`;
this module turns tokens into typed values, answers an unknown key with the allowed keys and a
"did you mean", and prints the table as ``--help``.
"""

from __future__ import annotations

import difflib
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from territoire_abm.errors import UserError

__all__ = ["Option", "OptionTable", "check_output_dir", "check_output_file", "did_you_mean",
           "parse_bool"]

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
HELP_FLAGS = frozenset({"-h", "--help", "help"})


def parse_bool(field: str, value: Any) -> bool:
    """``true/yes/on/1`` or ``false/no/off/0`` (any case); anything else is refused."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise UserError(field, value, "allowed: true, false (or yes, no, on, off, 1, 0)")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``" (did you mean X?)"`` for the closest known word (difflib), else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


@dataclass(frozen=True)
class Option:
    """One ``key=value`` option: its type (str, int, float, bool, list), default, limits."""

    name: str
    kind: str = "str"
    default: Any = None
    help: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def convert(self, raw: str) -> Any:
        """The typed value of ``raw``, or a one-line :class:`UserError`."""
        text = raw.strip()
        if self.kind == "bool":
            return parse_bool(self.name, text)
        if self.kind in ("int", "float"):
            return self._number(text)
        if self.kind == "list":
            return [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]
        if self.choices and text not in self.choices:
            raise UserError(self.name, text, f"allowed: {', '.join(self.choices)}")
        return text

    def _number(self, text: str) -> float | int:
        try:
            value = int(text) if self.kind == "int" else float(text.replace(",", "."))
        except ValueError:
            noun = "a whole number" if self.kind == "int" else "a number"
            raise UserError(self.name, text, f"{noun}{self._range_text(' in ')}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise UserError(self.name, text, "a finite number")
        if (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            raise UserError(self.name, value, f"allowed range{self._range_text(' ')}")
        return value

    def _range_text(self, lead: str) -> str:
        if self.low is None and self.high is None:
            return ""
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{lead}[{low}, {high}]"

    def usage(self) -> str:
        """One help line: ``name=<kind>  help (default: x)``."""
        kind = "|".join(self.choices) if self.choices else self.kind
        default = "" if self.default is None else f" (default: {self.default})"
        return f"  {self.name}=<{kind}>".ljust(30) + f" {self.help}{default}".rstrip()


class OptionTable:
    """The options a command accepts, parsed from ``key=value`` tokens."""

    def __init__(self, options: Sequence[Option], *, join_words: bool = False) -> None:
        self.options = {option.name: option for option in options}
        self.join_words = join_words

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.options)

    def split(self, tokens: Sequence[str]) -> dict[str, str]:
        """Raw strings by key; with ``join_words`` a bare word continues the last value
        (``twin=Fuente Obejuna`` given unquoted)."""
        raw: dict[str, str] = {}
        last: str | None = None
        for token in tokens:
            key, sep, value = token.partition("=")
            if not sep:
                if last is None or not self.join_words:
                    raise UserError("argument", token, "expected key=value, e.g. "
                                    f"{self.names[0]}=…; see --help")
                raw[last] = f"{raw[last]} {token}".strip()
                continue
            key = key.strip().lower().replace("-", "_")
            self.check_key(key)
            if key in raw:
                raise UserError(key, value, "given once")
            raw[key] = value.strip().strip("'\"")
            last = key
        return raw

    def check_key(self, key: str) -> None:
        """Refuse an unknown key with the allowed list and the closest name."""
        if key not in self.options:
            raise UserError("argument", key, f"unknown key{did_you_mean(key, self.names)}; "
                            f"allowed: {', '.join(self.names)}")

    def parse(self, tokens: Sequence[str]) -> dict[str, Any]:
        """Typed values of the given keys (defaults are not filled in)."""
        return {key: self.options[key].convert(value) for key, value in
                self.split(tokens).items()}

    def help(self, title: str) -> str:
        """``title`` followed by one line per option."""
        return "\n".join([title, "", "options:", *(o.usage() for o in self.options.values())])


def check_output_dir(path: str | os.PathLike[str], field: str, *, overwrite: bool) -> Path:
    """Refuse an output folder that cannot be written, or that holds files (unless
    ``overwrite``), before any work starts. Nothing is created here."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UserError(field, str(folder), "a folder, not a file")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise UserError(field, str(folder), "already holds files; choose another folder or "
                        "pass overwrite=true to replace them")
    ancestor = folder.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UserError(field, str(folder), f"{ancestor} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".write-test-", dir=ancestor))
    except OSError as exc:
        raise UserError(field, str(folder), f"cannot write there ({exc.strerror})") from None
    return folder


def check_output_file(path: str | os.PathLike[str], field: str) -> Path:
    """Refuse a file path whose folder cannot be written (or that names a folder) before any
    work starts; an existing file is replaced, as a single named file is asked for."""
    target = Path(path)
    if target.is_dir():
        raise UserError(field, str(target), "a file name, not a folder")
    try:
        check_output_dir(target.parent, field, overwrite=True)
    except UserError as error:
        raise UserError(field, str(target), error.allowed) from None
    return target
