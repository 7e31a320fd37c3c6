"""Twinning report: one self-contained HTML file (figures embedded as base64 PNG), in French
or English.

The page is the Jinja2 template ``templates/report.html.j2`` with autoescaping: every piece
of text that comes from data or users (place names, notes, measure ids, labels) is escaped.
This module builds the template's context, one section at a time; its texts come from
``messages.toml`` (:mod:`territoire_abm.twinning.render`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from territoire_abm import __version__
from territoire_abm.i18n import Translator
from territoire_abm.twinning import figures
from territoire_abm.twinning.book import transferability
from territoire_abm.twinning.comparison import Comparison, ThemeComparison
from territoire_abm.twinning.render import (
    comparison_horizon,
    covariance_text,
    environment,
    horizon_text,
    indicator_label,
    measure_name,
    note_text,
    numbers_in,
    phrase,
    share_or_value,
    theme_title,
    translator,
    verdict_text,
)

SOURCE_KEYS = ("report.source_climate", "report.source_method", "report.source_seed")


def _figure(fig, alt: str) -> dict[str, str] | None:
    """A figure for the template's ``image`` macro (None when there is no figure)."""
    if fig is None:
        return None
    return {"alt": alt, "png": figures.to_png_base64(fig)}


def _table(frame: pd.DataFrame, columns: list[tuple[str, str]], formats: dict | None = None
           ) -> dict[str, list]:
    """Header and cells (text, is-a-number) of a table for the template's ``table`` macro."""
    formats = formats or {}
    rows = []
    for _, r in frame.iterrows():
        rows.append([(formats[col](r[col]), True) if col in formats else (str(r[col]), False)
                     for col, _label in columns])
    return {"head": [label for _, label in columns], "rows": rows}


def _estimated(t: Translator, place) -> Markup:
    if place is None or not place.estimated:
        return Markup("")
    return Markup(" <span class='est'>{}</span>").format(t("common.estimated"))


def _summary(c: Comparison, t: Translator) -> dict[str, Any]:
    """Section 1: who is compared with whom, the finder's verdict, the two places."""
    ranking, row = c.ranking, c.twin_row()
    horizon = comparison_horizon(t, c)
    names = {"twin": c.twin_name, "target": c.target_name,
             "twin_est": _estimated(t, c.twin), "target_est": _estimated(t, c.target)}
    compared = (t.markup("report.compared_for_html", horizon=horizon, **names) if horizon
                else t.markup("report.compared_html", **names))
    twin_rank = None
    if ranking is not None and row is not None:
        good = bool(row["within_threshold"])
        judgement = (t("report.good_twin") if good else
                     t("report.imperfect_twin", threshold=ranking.novelty_threshold))
        twin_rank = {
            "css": "verdict" if good else "verdict no",
            "text": t("report.twin_rank", twin=c.twin_name, rank=int(row["rank"]),
                      n=len(ranking.table), sigma=float(row["sigma"]), judgement=judgement,
                      differs=numbers_in(str(row["differs_most"]), t.lang)),
        }
    verdict = (t("report.ranking_verdict", verdict=verdict_text(t, ranking))
               if ranking is not None else None)
    return {"compared": compared, "twin_rank": twin_rank, "ranking_verdict": verdict,
            "places": _places(c, t)}


def _places(c: Comparison, t: Translator) -> dict[str, list] | None:
    places = []
    for p in (c.target, c.twin):
        if p is None:
            continue
        places.append({
            "place": p.name + (t("common.estimated_suffix") if p.estimated else ""),
            "country": p.country, "population": p.population, "altitude": p.altitude_m,
            "rurality": phrase(t, "rurality", p.rurality) if p.rurality
            else t("common.unknown"),
            "period": p.period or t("common.unknown"),
        })
    if not places:
        return None
    return _table(pd.DataFrame(places), [
        ("place", t("report.col_place")), ("country", t("report.col_country")),
        ("population", t("report.col_population")), ("altitude", t("report.col_altitude")),
        ("rurality", t("report.col_rurality")), ("period", t("report.col_normals")),
    ], {"population": lambda v: t.num(v, ",.0f"), "altitude": lambda v: t.num(v, ",.0f")})


def _climate(c: Comparison, t: Translator) -> dict[str, Any]:
    """Section 2: climographs and the climate table (today, the target's future, the twin)."""
    climograph = None
    if c.target is not None or c.twin is not None:
        climograph = _figure(figures.climograph(c, t=t), t("report.alt_climograph"))
    table = None
    if not c.climate.empty:
        climate = c.climate.reset_index().rename(columns={"index": "quantity"})
        climate["quantity"] = [phrase(t, "quantity", q) for q in climate["quantity"]]
        horizon = comparison_horizon(t, c)
        table = _table(climate, [
            ("quantity", t("report.col_quantity")),
            ("target_now", t("report.col_now", place=c.target_name)),
            ("target_future", t("report.col_future", place=c.target_name, horizon=horizon)),
            ("twin", t("report.col_now", place=c.twin_name)),
            ("twin_minus_future", t("report.col_twin_minus_future")),
        ], {k: lambda v: t.num(v, ",.1f")
            for k in ("target_now", "target_future", "twin", "twin_minus_future")})
    return {"climograph": climograph, "climate": table}


def _method(c: Comparison, t: Translator) -> dict[str, Any] | None:
    """Section 3: how the twin was found (None without a ranking)."""
    ranking = c.ranking
    if ranking is None:
        return None
    text = t.markup(
        "report.method_html",
        horizon=horizon_text(t, ranking.horizon_label, ranking.projection),
        variables=ranking.variables, metric=ranking.metric,
        covariance=covariance_text(t, ranking.covariance_source),
        threshold=ranking.novelty_threshold, weight=ranking.physical_weight)
    charts = [
        _figure(figures.ranking_chart(ranking, highlight=c.twin_name, t=t),
                t("report.alt_ranking")),
        _figure(figures.analogue_map(ranking, highlight=c.twin_name, t=t), t("report.alt_map")),
    ]
    top = ranking.table.head(ranking.top).copy()
    top["name"] = [n + t("common.estimated_suffix") if e else n
                   for n, e in zip(top["name"], top["estimated"], strict=True)]
    top["differs_most"] = [numbers_in(str(d), t.lang) for d in top["differs_most"]]
    table = _table(top, [
        ("rank", "#"), ("name", t("report.col_candidate")), ("country", t("report.col_country")),
        ("sigma", t("report.col_sigma")), ("physical_distance", t("report.col_physical")),
        ("differs_most", t("report.col_differs")),
    ], {"sigma": lambda v: t.num(v, ",.2f"), "physical_distance": lambda v: t.num(v, ",.2f")})
    return {"text": text, "figures": [f for f in charts if f], "top": table}


def _theme(c: Comparison, t: Translator, number: int, tc: ThemeComparison) -> dict[str, Any]:
    """One theme of section 4: its indicators, their yearly series, its measures."""
    theme = tc.theme
    entry: dict[str, Any] = {
        "heading": t.markup("report.theme_html", number=number, title=theme.title,
                            title_fr=theme.title_fr),
        "indicators": None, "series": None, "missing": None, "measures": None,
    }
    if not tc.indicators.empty:
        table = tc.indicators.copy()
        for col in ("target_mean", "twin_mean", "twin_minus_target"):
            table[col] = [share_or_value(t, u, v)
                          for u, v in zip(table["unit"], table[col], strict=True)]
        table["label"] = [indicator_label(t, i, label)
                          for i, label in zip(table["indicator"], table["label"], strict=True)]
        table["unit"] = [phrase(t, "unit", u) for u in table["unit"]]
        table["better"] = [phrase(t, "better", b) for b in table["better"]]
        entry["indicators"] = _table(table, [
            ("label", t("report.col_indicator")), ("unit", t("report.col_unit")),
            ("target_mean", t("report.col_mean", place=c.target_name)),
            ("twin_mean", t("report.col_mean", place=c.twin_name)),
            ("twin_minus_target", t("report.col_twin_minus_target")),
            ("better", t("report.col_better")),
        ])
        entry["series"] = _figure(figures.theme_series(c, theme.key, t=t),
                                  theme_title(t, theme.key))
    if tc.missing and c.has_results:
        entry["missing"] = t("report.not_in_results", columns=", ".join(tc.missing))
    if not tc.measures.empty:
        measures = tc.measures.assign(label=[
            measure_name(t, mid, label)
            for mid, label in zip(tc.measures["measure_id"], tc.measures["label"], strict=True)])
        entry["measures"] = _table(measures, [
            ("label", t("report.col_measure")), ("twin_share", f"{c.twin_name}"),
            ("target_share", f"{c.target_name}"),
        ], {"twin_share": lambda v: share_or_value(t, "share", v),
            "target_share": lambda v: share_or_value(t, "share", v)})
    return entry


def _measures(c: Comparison, t: Translator, catalogue: pd.DataFrame | None
              ) -> dict[str, Any] | None:
    """Section 5: the ten measures most worth transferring (None without measures)."""
    book = transferability(c, catalogue, t=t)
    if book.empty:
        return None
    top = book.head(10).assign(theme=lambda d: [theme_title(t, x) for x in d["theme"]])
    table = _table(top, [
        ("rank", "#"), ("label", t("report.col_measure")), ("theme", t("report.col_theme")),
        ("transferability", t("report.col_transferability")), ("why", t("report.col_why")),
    ], {"transferability": lambda v: t.num(v, ",.3f")})
    return {"chart": _figure(figures.measures_chart(c, t=t), t("report.alt_measures")),
            "table": table}


def _notes(c: Comparison, t: Translator) -> list[str]:
    """The comparison's and the ranking's notes, each once, in ``t``'s language."""
    notes = list(c.notes) + (list(c.ranking.notes) if c.ranking is not None else [])
    return [note_text(t, n) for n in dict.fromkeys(notes)]


def report_html(comparison: Comparison, catalogue: pd.DataFrame | None = None,
                lang: str = "en") -> str:
    """The report page as a string, in ``lang`` (fr or en)."""
    c = comparison
    t = translator(lang)
    context = {
        "lang": lang, "t": t,
        "title": t("report.title", target=c.target_name, twin=c.twin_name),
        "generated": t("report.generated",
                       horizon=comparison_horizon(t, c) or t("common.present_climate"),
                       when=f"{datetime.now():%Y-%m-%d %H:%M}", version=__version__),
        "has_results": c.has_results,
        **_summary(c, t), **_climate(c, t),
        "method": _method(c, t),
        "themes": [_theme(c, t, i, tc) for i, tc in enumerate(c.themes, start=1)],
        "measures": _measures(c, t, catalogue),
        "notes": _notes(c, t),
        "sources": [t(key) for key in SOURCE_KEYS],
    }
    return environment().get_template("report.html.j2").render(**context)


def write_report(comparison: Comparison, out_dir: str | Path,
                 catalogue: pd.DataFrame | None = None, lang: str = "en") -> Path:
    """Write ``twin_report.html`` (in ``lang``) to ``out_dir`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "twin_report.html"
    path.write_text(report_html(comparison, catalogue, lang), encoding="utf-8")
    return path
