"""What the twinning deliverables share: their texts in French or English, the Jinja2
templates (autoescaped), and the translated names of themes, indicators, units and measures.

The texts are in ``messages.toml`` (see :mod:`territoire_abm.i18n`); the templates in
``twinning/templates``. Data files (CSV, JSON) keep their English column values whatever
the language: only what a reader sees is translated.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from territoire_abm.i18n import LANGUAGES, Translator, localise_number
from territoire_abm.twinning.comparison import THEMES, Comparison
from territoire_abm.twinning.texts import note_text, translator

__all__ = ["LANGUAGES", "environment", "note_text", "translator"]

_INDICATORS = {i.column: i for theme in THEMES for i in theme.indicators}
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


@cache
def environment() -> Environment:
    """Jinja2 environment of the twinning templates; every value is HTML-escaped."""
    return Environment(loader=PackageLoader("territoire_abm.twinning", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def numbers_in(text: str, lang: str) -> str:
    """Every number inside ``text`` (``tmax_jul +4.0 °C``) written the ``lang`` way."""
    if lang == "en":
        return text
    return _NUMBER.sub(lambda m: localise_number(m.group(0), lang), text)


def horizon_text(t: Translator, label: str, projection: Any = None) -> str:
    """The horizon label ("2050 (tracc)", "+4.0 °C (tracc)", "present") in ``t``'s language."""
    if projection is not None and label == projection.horizon_label:
        if projection.year is not None:
            return t("common.horizon_year", year=projection.year, scenario=projection.scenario)
        return t("common.horizon_level", level=projection.warming_level_c,
                 scenario=projection.scenario)
    if label == "present":
        return t("common.present")
    return numbers_in(label, t.lang)


def comparison_horizon(t: Translator, comparison: Comparison) -> str:
    """The comparison's horizon in ``t``'s language ("" when none)."""
    ranking = comparison.ranking
    projection = ranking.projection if ranking is not None else None
    return horizon_text(t, comparison.horizon_label, projection) \
        if comparison.horizon_label else ""


def theme_title(t: Translator, key: str) -> str:
    """The title of a theme key (heat, extremes, water, social, other)."""
    for theme in THEMES:
        if theme.key == key:
            return theme.title_fr if t.lang == "fr" else theme.title
    return t("book.other_theme") if key == "other" else str(key)


def indicator_label(t: Translator, column: str, label: str) -> str:
    """An indicator's label in ``t``'s language (``label`` is the English one)."""
    if t.lang == "en":
        return label
    per_1000 = column.endswith("_per_1000")
    indicator = _INDICATORS.get(column.removesuffix("_per_1000") if per_1000 else column)
    if indicator is None:
        return label
    return t("indicator.per_1000", label=indicator.label_fr) if per_1000 \
        else indicator.label_fr


def phrase(t: Translator, section: str, text: object) -> str:
    """``text`` from a fixed vocabulary (units, "better" values, quantities, …) in ``t``'s
    language; unknown texts are left as they are."""
    key = f"{section}.{text}"
    return t(key) if t.has(key) else str(text)


def covariance_text(t: Translator, source: str) -> str:
    """The ranking's ``covariance_source`` (a base and an optional suffix) translated."""
    for base in ("spread across candidates", "target's interannual standard deviations",
                 "default interannual scales"):
        if source.startswith(base):
            return t(f"covariance.{base}") + phrase(t, "covariance", source[len(base):])
    return source


def verdict_text(t: Translator, ranking: Any) -> str:
    """The finder's verdict (:func:`territoire_abm.twinning.ranking._verdict`) in ``t``'s
    language, from the ranking's table."""
    table = ranking.table
    if table.empty:
        return str(ranking.verdict)
    best = table.iloc[0]
    params = {"name": best["name"], "sigma": float(best["sigma"]),
              "threshold": ranking.novelty_threshold}
    if bool(best["within_threshold"]):
        n_good = int(table["within_threshold"].sum())
        return t("verdict.good_many" if n_good > 1 else "verdict.good", n_good=n_good, **params)
    key = "verdict.none_projected" if ranking.projection is not None else "verdict.none_present"
    return t(key, **params)


@cache
def _catalogue_names_fr() -> dict[str, str]:
    try:
        from territoire_abm.measures.catalogue import load_catalogue

        return {mid: m.name_fr for mid, m in load_catalogue().items() if m.name_fr}
    except (ImportError, OSError, ValueError, KeyError):
        return {}


def measure_name(t: Translator, measure_id: str, label: str,
                 catalogue: pd.DataFrame | None = None) -> str:
    """A measure's name: ``label`` in English; in French the ``name_fr`` of the user's
    catalogue, else of the engine's (data/measures.csv), else ``label``."""
    if t.lang != "fr":
        return label
    if catalogue is not None and "name_fr" in catalogue.columns:
        id_column = "measure_id" if "measure_id" in catalogue.columns else "id"
        if id_column in catalogue.columns:
            rows = catalogue[catalogue[id_column] == measure_id]
            if len(rows):
                value = rows.iloc[0]["name_fr"]
                if isinstance(value, str) and value.strip():
                    return value.strip()
    return _catalogue_names_fr().get(measure_id, label)


def share_or_value(t: Translator, unit: str, value: Any) -> str:
    """A table cell: a share as "12.5 %", any other value with two decimals."""
    if value is None or not math.isfinite(float(value)):
        return t("common.na")
    return t.percent(value, ".1f") if unit == "share" else t.num(value, ",.2f")
