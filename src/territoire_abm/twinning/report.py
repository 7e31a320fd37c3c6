"""Twinning report: one self-contained HTML file (figures embedded as base64 PNG).

Every piece of text that comes from data or users (place names, notes, measure ids,
labels) goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from datetime import datetime
from pathlib import Path

import pandas as pd

from territoire_abm import __version__
from territoire_abm.twinning import figures
from territoire_abm.twinning.book import THEME_TITLES, transferability
from territoire_abm.twinning.comparison import Comparison

REPORT_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:64rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{color:#b2182b;margin-bottom:.2rem}h2{border-bottom:2px solid #eee;padding-bottom:.2rem;
margin-top:2rem}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left}
td.num{text-align:right}th{background:#f6f6f6}img{max-width:100%}
.verdict{font-size:1.1rem;padding:.6rem 1rem;border-left:5px solid #4d9221;background:#f3f9ee}
.verdict.no{border-color:#b2182b;background:#fbeeee}.muted{color:#666;font-size:.85rem}
.est{background:#fff3cd;border-radius:3px;padding:0 .3rem;font-size:.8rem}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem 1rem}
"""
SOURCES = (
    "Climate normals: AEMET monthly station series 1981–2010 (Fuente: AEMET); CHELSA v2.1 "
    "1981–2010 via GeoRank.place (CC-BY-4.0); Météo-France (Montauban climate sheet). "
    "See the package's data/README.md.",
    "Method: delta method with the engine's scenarios (TRACC 2026, IPCC AR6); ministry's "
    "four analogue variables (Météo-France data); Mahony et al. 2017 (sigma dissimilarity); "
    "Fitzpatrick & Dunn 2019; Bastin et al. 2019; Grenier et al. 2013.",
    "Seed: Cerema Occitanie, « Jumelage climatique » (Carbonne ↔ Fuente Obejuna).",
)


def _e(value: object) -> str:
    return html.escape(str(value))


def _img(fig, alt: str) -> str:
    if fig is None:
        return ""
    return (f"<img alt='{_e(alt)}' src='data:image/png;base64,"
            f"{figures.to_png_base64(fig)}'>")


def _num(value: float, digits: int = 1) -> str:
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    return f"{float(value):,.{digits}f}"


def _est(place) -> str:
    return " <span class='est'>estimated</span>" if place is not None and place.estimated else ""


def _table(frame: pd.DataFrame, columns: list[tuple[str, str]], formats: dict | None = None
           ) -> str:
    formats = formats or {}
    head = "".join(f"<th>{_e(label)}</th>" for _, label in columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for col, _label in columns:
            value = r[col]
            if col in formats:
                cells.append(f"<td class='num'>{_e(formats[col](value))}</td>")
            else:
                cells.append(f"<td>{_e(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _share_or_value(unit: str):
    def fmt(v):
        if v is None or not math.isfinite(float(v)):
            return "n/a"
        return f"{100 * float(v):.1f} %" if unit == "share" else f"{float(v):,.2f}"
    return fmt


def report_html(comparison: Comparison, catalogue: pd.DataFrame | None = None) -> str:
    """The report page as a string."""
    c = comparison
    title = f"Climate twinning: {c.target_name} ↔ {c.twin_name}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(title)}</title><style>{REPORT_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='muted'>Jumelage climatique · {_e(c.horizon_label or 'present climate')} · "
        f"generated {datetime.now():%Y-%m-%d %H:%M} by territoire_abm {_e(__version__)}</p>",
    ]
    # --- summary
    parts.append("<h2>1. Summary</h2>")
    ranking = c.ranking
    row = c.twin_row()
    twin_line = (
        f"<p><strong>{_e(c.twin_name)}</strong>{_est(c.twin)} is compared with "
        f"<strong>{_e(c.target_name)}</strong>{_est(c.target)}"
    )
    if c.horizon_label:
        twin_line += f" as its climate twin for {_e(c.horizon_label)}"
    parts.append(twin_line + ".</p>")
    if ranking is not None and row is not None:
        good = bool(row["within_threshold"])
        cls = "verdict" if good else "verdict no"
        judgement = (
            "a good twin" if good else
            f"beyond the good-twin threshold ({ranking.novelty_threshold:g}): an imperfect twin"
        )
        parts.append(
            f"<p class='{cls}'>{_e(c.twin_name)} ranks #{int(row['rank'])} of "
            f"{len(ranking.table)} candidates with sigma {float(row['sigma']):.2f}, "
            f"{_e(judgement)}; it differs most in {_e(row['differs_most'])}.</p>"
        )
        parts.append(f"<p class='muted'>Ranking verdict: {_e(ranking.verdict)}</p>")
    elif ranking is not None:
        parts.append(f"<p class='muted'>Ranking verdict: {_e(ranking.verdict)}</p>")
    places = []
    for p in (c.target, c.twin):
        if p is None:
            continue
        places.append({
            "place": p.name + (" (estimated)" if p.estimated else ""),
            "country": p.country, "population": p.population, "altitude": p.altitude_m,
            "rurality": p.rurality or "?", "period": p.period or "?",
        })
    if places:
        parts.append(_table(pd.DataFrame(places), [
            ("place", "place"), ("country", "country"), ("population", "population"),
            ("altitude", "altitude (m)"), ("rurality", "rurality"), ("period", "normals"),
        ], {"population": lambda v: _num(v, 0), "altitude": lambda v: _num(v, 0)}))
    # --- climate
    parts.append("<h2>2. Climate: today, tomorrow, and the twin</h2>")
    if c.target is not None or c.twin is not None:
        parts.append(_img(figures.climograph(c), "monthly climate of the two places"))
    if not c.climate.empty:
        climate = c.climate.reset_index().rename(columns={"index": "quantity"})
        parts.append(_table(climate, [
            ("quantity", "quantity"), ("target_now", f"{c.target_name} now"),
            ("target_future", f"{c.target_name} {c.horizon_label}"),
            ("twin", f"{c.twin_name} now"), ("twin_minus_future", "twin − target future"),
        ], {k: _num for k in ("target_now", "target_future", "twin", "twin_minus_future")}))
    # --- candidates
    if ranking is not None:
        parts.append("<h2>3. How the twin was found</h2>")
        parts.append(
            f"<p>Target's future climate = its normals + the scenario's delta "
            f"({_e(ranking.horizon_label)}). Candidates compared on "
            f"<code>{_e(ranking.variables)}</code> with the <code>{_e(ranking.metric)}</code> "
            f"metric ({_e(ranking.covariance_source)}); a candidate is a good twin when its "
            f"sigma is at most {ranking.novelty_threshold:g}. Physical similarity (population,"
            f" altitude, rurality) only breaks near-ties (weight {ranking.physical_weight:g} "
            f"sigma).</p>"
        )
        parts.append(_img(figures.ranking_chart(ranking, highlight=c.twin_name),
                          "ranking of candidates"))
        parts.append(_img(figures.analogue_map(ranking, highlight=c.twin_name),
                          "map of candidates"))
        top = ranking.table.head(ranking.top).copy()
        top["name"] = [f"{n} (estimated)" if e else n
                       for n, e in zip(top["name"], top["estimated"], strict=True)]
        parts.append(_table(top, [
            ("rank", "#"), ("name", "candidate"), ("country", "country"), ("sigma", "sigma"),
            ("physical_distance", "physical"), ("differs_most", "differs most"),
        ], {"sigma": lambda v: _num(v, 2), "physical_distance": lambda v: _num(v, 2)}))
    # --- themes
    parts.append("<h2>4. The four themes of the comparison</h2>")
    if not c.has_results:
        parts.append("<p class='note'>No simulation results: run "
                     "<code>territoire-abm twin compare</code> to simulate both territories; "
                     "this report shows the climate comparison only.</p>")
    for i, t in enumerate(c.themes, start=1):
        parts.append(f"<h3>4.{i} {_e(t.theme.title)} <span class='muted'>"
                     f"({_e(t.theme.title_fr)})</span></h3>")
        if not t.indicators.empty:
            formats = {}
            table = t.indicators.copy()
            for col in ("target_mean", "twin_mean", "twin_minus_target"):
                table[col] = [
                    _share_or_value(u)(v) for u, v in zip(table["unit"], table[col], strict=True)
                ]
            parts.append(_table(table, [
                ("label", "indicator"), ("unit", "unit"),
                ("target_mean", f"{c.target_name} (mean)"), ("twin_mean", f"{c.twin_name} (mean)"),
                ("twin_minus_target", "twin − target"), ("better", "better"),
            ], formats))
            parts.append(_img(figures.theme_series(c, t.theme.key), t.theme.title))
        elif c.has_results:
            parts.append("<p class='muted'>No indicator of this theme in the results.</p>")
        if t.missing and c.has_results:
            parts.append(f"<p class='muted'>Not in the results: {_e(', '.join(t.missing))}</p>")
        if not t.measures.empty:
            parts.append(_table(t.measures, [
                ("label", "measure"), ("twin_share", f"{c.twin_name}"),
                ("target_share", f"{c.target_name}"),
            ], {"twin_share": _share_or_value("share"),
                "target_share": _share_or_value("share")}))
    # --- measures
    book = transferability(c, catalogue)
    parts.append("<h2>5. Measures worth transferring</h2>")
    if book.empty:
        parts.append("<p class='muted'>No simulated measures.</p>")
    else:
        parts.append(_img(figures.measures_chart(c), "adoption of measures"))
        parts.append(_table(book.head(10).assign(
            theme=lambda d: [THEME_TITLES.get(x, x) for x in d["theme"]]), [
            ("rank", "#"), ("label", "measure"), ("theme", "theme"),
            ("transferability", "transferability"), ("why", "why"),
        ], {"transferability": lambda v: _num(v, 3)}))
        parts.append("<p class='muted'>Full list in the best-practice book.</p>")
    # --- notes & sources
    parts.append("<h2>6. Notes and caveats</h2><ul>")
    notes = list(c.notes) + (list(ranking.notes) if ranking is not None else [])
    seen = set()
    for note in notes:
        if note not in seen:
            seen.add(note)
            parts.append(f"<li>{_e(note)}</li>")
    parts.append("</ul><h2>Sources</h2><ul>")
    parts += [f"<li>{_e(s)}</li>" for s in SOURCES]
    parts.append("</ul></body></html>")
    return "\n".join(p for p in parts if p)


def write_report(comparison: Comparison, out_dir: str | Path,
                 catalogue: pd.DataFrame | None = None) -> Path:
    """Write ``twin_report.html`` to ``out_dir`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "twin_report.html"
    path.write_text(report_html(comparison, catalogue), encoding="utf-8")
    return path
