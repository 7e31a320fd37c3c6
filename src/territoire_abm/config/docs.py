"""Write ``docs/parameters.md``: every model parameter, from the dataclass metadata.

The table is generated, never edited by hand: run

    python -m territoire_abm.config.docs docs/parameters.md

after changing a parameter in :mod:`territoire_abm.config.params`; ``tests/test_docs.py``
checks that the shipped file is up to date and that every default whose source says
"estimate (unconfirmed)" is flagged.

Rows come from :func:`territoire_abm.config.fields.describe` (path, default, unit, range or
choices, source, doc). The personae, a dict of :class:`PersonaConfig`, get a table of their
own: one row per persona attribute, one column per persona.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from territoire_abm.config.fields import describe, field_metadata
from territoire_abm.config.params import ModelConfig, PersonaConfig

#: Marker written in the ``flag`` column of a default that still needs a primary source.
UNCONFIRMED_FLAG = "⚠ unconfirmed"
PERSONAE_PATH = "territory.personae"
COMMAND = "python -m territoire_abm.config.docs docs/parameters.md"
GROUP_TITLES = {
    "territory": "Territory (the commune, its population, river and assets)",
    "scenario": "Climate scenario",
    "behaviour": "Behaviour of households and firms",
    "policy": "Municipal policy and coordination",
    "optimiser": "Energy-community optimiser (dispatch)",
    "": "Run",
}


def is_unconfirmed(source: str) -> bool:
    """True when a source says the default still needs a primary source."""
    return "unconfirmed" in str(source).lower()


def format_value(value: Any) -> str:
    """A default as it would be typed in a YAML override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e7:
            return str(int(value))
        return f"{value:g}"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return ", ".join(f"{key} {format_value(item)}" for key, item in value.items())
    if isinstance(value, Sequence):
        return ", ".join(format_value(item) for item in value)
    return str(value)


def format_range(row: Mapping[str, Any]) -> str:
    """Allowed values: ``[low, high]``, a one-sided bound, or the list of choices."""
    if row.get("choices") is not None:
        return "one of: " + ", ".join(format_value(c) for c in row["choices"])
    low, high = row.get("low"), row.get("high")
    if low is not None and high is not None:
        return f"[{format_value(low)}, {format_value(high)}]"
    if low is not None:
        return f"≥ {format_value(low)}"
    if high is not None:
        return f"≤ {format_value(high)}"
    return ""


def _cell(text: Any) -> str:
    """Escape a value for a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def parameter_rows(config_class: type = ModelConfig) -> list[dict[str, Any]]:
    """Rows of :func:`describe`, with the personae summarised (they have their own table)."""
    rows = []
    for row in describe(config_class):
        row = dict(row)
        if row["path"] == PERSONAE_PATH:
            row["default"] = f"{len(row['default'])} personae (table below)"
        row["flag"] = UNCONFIRMED_FLAG if is_unconfirmed(row["source"]) else ""
        rows.append(row)
    return rows


def persona_field_rows(config: ModelConfig | None = None) -> list[dict[str, Any]]:
    """One row per :class:`PersonaConfig` attribute with each default persona's value."""
    personae = (config or ModelConfig()).territory.personae
    rows = []
    for field in dataclasses.fields(PersonaConfig):
        row = {
            "path": f"{PERSONAE_PATH}.<name>.{field.name}",
            "field": field.name,
            **field_metadata(field),
            "values": {name: getattr(p, field.name) for name, p in personae.items()},
        }
        row["flag"] = UNCONFIRMED_FLAG if is_unconfirmed(row["source"]) else ""
        rows.append(row)
    return rows


def _group(path: str) -> str:
    head, dot, _ = path.partition(".")
    return head if dot else ""


def render(config_class: type = ModelConfig) -> str:
    """The whole Markdown page."""
    rows = parameter_rows(config_class)
    personae_rows = persona_field_rows()
    flagged = [r for r in rows if r["flag"]] + [r for r in personae_rows if r["flag"]]
    lines = [
        "# Parameters",
        "",
        f"<!-- Generated by `{COMMAND}` from the dataclass metadata in",
        "     src/territoire_abm/config/params.py. Do not edit by hand. -->",
        "",
        "Every model parameter, generated from its definition in",
        "`src/territoire_abm/config/params.py` (one dataclass field per parameter: default,",
        "unit, allowed range or choices, source). The dotted **path** is the name used in",
        "Hydra overrides (`territoire-abm behaviour.pmt.delay_years=3`), in",
        "`run.simulate({...})`, in experiment designs and by the game's facilitator levers.",
        "Values outside the range are refused before a run starts.",
        "",
        f"**{UNCONFIRMED_FLAG}** marks a default whose source says *estimate (unconfirmed)*:",
        "the number is the authors' estimate and still needs a primary source. These are the",
        "first candidates for sensitivity analysis; the model description lists them as open",
        "calibration questions ([odd_d.md](odd_d.md#open-calibration-questions)), together",
        "with the unconfirmed constants that are not (yet) parameters.",
        "",
        f"{len(rows)} parameters and {len(personae_rows)} persona attributes;"
        f" {len(flagged)} flagged {UNCONFIRMED_FLAG}.",
        "",
    ]
    header = ["path", "default", "unit", "range / choices", "source", "doc", "flag"]
    for group, title in GROUP_TITLES.items():
        group_rows = [r for r in rows if _group(r["path"]) == group]
        if not group_rows:
            continue
        lines += [f"## {title}", ""]
        lines += _table(header, [
            (_code(r["path"]), format_value(r["default"]), r["unit"], format_range(r),
             r["source"], r["doc"], r["flag"])
            for r in group_rows
        ])
        lines.append("")
    others = [r for r in rows if _group(r["path"]) not in GROUP_TITLES]
    if others:
        lines += ["## Other", ""]
        lines += _table(header, [
            (_code(r["path"]), format_value(r["default"]), r["unit"], format_range(r),
             r["source"], r["doc"], r["flag"])
            for r in others
        ])
        lines.append("")
    names = list(ModelConfig().territory.personae)
    lines += [
        "## Personae",
        "",
        f"`{PERSONAE_PATH}` maps a persona name to its attributes (seed 000: households are",
        "represented through personae). Households are drawn from the personae in proportion",
        "to `share` (shares must sum to 1), then each attribute is drawn around the persona's",
        "value (see [odd_d.md](odd_d.md#iiiii-initialisation)). The five default personae are",
        "**illustrative** (" + UNCONFIRMED_FLAG + "): they are set so that the mean household",
        "has about 2.4 persons, like Carbonne (INSEE), but their shares and values are not",
        "calibrated to a survey. The `source` column is the source of each attribute's kind of",
        "value; a persona added in a config starts from the column *new persona*.",
        "",
    ]
    persona_header = ["attribute", "unit", "range / choices", *names, "new persona", "source",
                      "flag"]
    template = PersonaConfig()
    lines += _table(persona_header, [
        (_code(r["path"]), r["unit"], format_range(r),
         *(format_value(r["values"][name]) for name in names),
         format_value(getattr(template, r["field"])), r["source"], r["flag"])
        for r in personae_rows
    ])
    lines.append("")
    return "\n".join(lines)


def write(path: str | Path) -> Path:
    """Write the page to ``path``; return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write docs/parameters.md (or the path given)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(f"usage: {COMMAND}", file=sys.stderr if args and args[0] not in
              ("-h", "--help") else sys.stdout)
        return 0 if args and args[0] in ("-h", "--help") else 2
    target = write(args[0] if args else "docs/parameters.md")
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
