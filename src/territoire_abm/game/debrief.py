"""The debrief pack: a self-contained HTML report, a PDF, and the data behind them.

Written to ``<session folder>/debrief/``: ``debrief.html`` (figures embedded; every text a
player or the facilitator typed is escaped by Jinja2's autoescape), ``debrief.pdf``
(matplotlib), ``decisions.json`` (the RecordedController log), ``indicators.csv`` (every
indicator, every played year), ``replay.csv`` (every replayed future); with a twin commune,
also ``twin_decisions.json`` (the twin council's log) and ``twin_indicators.csv``, and a
section on the twin (its trajectories, its council's decisions, its robustness). Each indicator
with a published figure for French communes is held against it, with the futures' mean and
10–90 % range (:mod:`territoire_abm.game.published`). Structured like the
debriefs of LittoSIM and En-ROADS workshops: what happened, who decided what, each role's
strategy, and — which none of them does — whether the strategy was robust or lucky.

The pack is written in the session's language (``Settings.lang``: ``fr``, the default, or
``en``): every text from ``game/messages.toml`` (:mod:`territoire_abm.game.texts`), measure
names from the catalogue's ``name_fr``, French numbers with a decimal comma. The round
summaries and the facilitator's levers are written again from what they recorded, in that
language; what people typed (names, notes, messages, titles) is shown as typed.
"""

from __future__ import annotations

import base64
import io
import json
import math
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from territoire_abm.config.params import SCENARIOS  # noqa: E402
from territoire_abm.game.levers import lever_text  # noqa: E402
from territoire_abm.game.published import comparison  # noqa: E402
from territoire_abm.game.replay import (  # noqa: E402
    LOWER_IS_BETTER,
    alone_tables,
    replay_futures,
    robustness,
)
from territoire_abm.game.roles import HEADLINE, TWIN_ROLE, headline, measure_labels  # noqa: E402
from territoire_abm.game.rounds import events, explanations  # noqa: E402
from territoire_abm.game.texts import fmt as _fmt  # noqa: E402
from territoire_abm.game.texts import percent0, translator  # noqa: E402
from territoire_abm.i18n import Translator  # noqa: E402
from territoire_abm.territory import levers as engine_levers  # noqa: E402
from territoire_abm.territory.model import measures_for_group  # noqa: E402

THEME_GROUPS = {"heat": "heat", "social": "heat", "water": "water", "drought": "water",
                "extreme_events": "water", "energy": "energy"}


def fmt(value: Any, lang: str = "en") -> str:
    """A number to three significant digits, or a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _fmt(value, lang)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _themes() -> dict[str, str]:
    return {m.id: THEME_GROUPS.get(m.theme, "other")
            for g in ("council", "community") for m in measures_for_group(g)}


# --------------------------------------------------------------------------- figures
def trajectories_figure(played: pd.DataFrame, alone: pd.DataFrame, session,
                        lang: str = "en") -> Figure:
    """Each headline indicator year by year, played against the model alone."""
    t = translator(lang)
    figure = Figure(figsize=(11, 6.5), layout="constrained")
    axes = figure.subplots(2, 4).ravel()
    step = session.settings.years_per_round
    for ax, (name, label) in zip(axes, headline(lang).items(), strict=True):
        for number in range(0, session.round, 2):
            first = session.settings.start + number * step
            ax.axvspan(first - 0.5, first + step - 0.5, color="#f0f0f0", zorder=0)
        if name in played:
            ax.plot(played.index, played[name], "-o", ms=3, label=t("figure.played"))
            ax.plot(alone.index, alone[name], "--", color="grey", label=t("figure.alone"))
        ax.set_title(label, fontsize=9)
        ax.tick_params(labelsize=7)
        _localise_ticks(ax, lang)
    axes[0].legend(fontsize=7)
    return figure


def _localise_ticks(ax: Any, lang: str) -> None:
    """French y-axis numbers with a decimal comma (matplotlib's own ticks otherwise)."""
    if lang == "fr":
        from territoire_abm.outputs import french_ticks

        ax.yaxis.set_major_formatter(french_ticks())


def timeline_figure(session, lang: str = "en") -> Figure:
    """Every decision and lever on a time line, one row per role."""
    t = translator(lang)
    rows = [*session.settings.roles, "facilitator"]
    figure = Figure(figsize=(11, 0.5 + 0.5 * len(rows)), layout="constrained")
    ax = figure.subplots()
    for record in session.decisions:
        chosen = sum(len(v) for v in record["decision"].values() if isinstance(v, list))
        ax.scatter(record["year"], rows.index(record["role"]), s=40 + 30 * chosen,
                   color="#3182bd", alpha=0.8)
        ax.annotate(str(chosen), (record["year"], rows.index(record["role"])), fontsize=7,
                    ha="center", va="center", color="white")
    for entry in session.lever_log:
        ax.scatter(entry["year"], len(rows) - 1, marker="D", color="#e6550d")
        ax.annotate(entry["lever"], (entry["year"], len(rows) - 1), fontsize=7,
                    xytext=(4, 6), textcoords="offset points", rotation=20)
    ax.set_yticks(range(len(rows)), [t(f"role.{r}") if t.has(f"role.{r}")
                                     else t("common.facilitator") for r in rows], fontsize=8)
    ax.set_xlim(session.settings.start - 1, session.settings.until + 1)
    ax.set_xlabel(t("figure.timeline_x"))
    return figure


def profiles_figure(profiles: list[dict[str, Any]], lang: str = "en") -> Figure:
    """Each role's strategy profile: the share of its choices by theme."""
    t = translator(lang)
    figure = Figure(figsize=(11, 3.2), layout="constrained")
    ax = figure.subplots()
    themes = ("heat", "water", "energy")
    width = 0.8 / len(themes)
    for i, theme in enumerate(themes):
        ax.bar([j + i * width for j in range(len(profiles))],
               [p["themes"].get(theme, 0) for p in profiles], width,
               label=t(f"theme.{theme}"))
    ax.set_xticks([j + width for j in range(len(profiles))],
                  [p["label"] for p in profiles], fontsize=8)
    ax.set_ylabel(t("figure.measures_chosen"))
    ax.legend(fontsize=8)
    return figure


def robustness_figure(table: pd.DataFrame, lang: str = "en") -> Figure:
    """Played against alone over the weather futures, per scenario (mean and 10–90 %)."""
    t, labels = translator(lang), headline(lang)
    outcomes = [o for o in ("heat_stress_per_inhabitant", "unmet_water_share_agriculture",
                            "emissions_t_per_inhabitant", "self_sufficiency_rate")
                if o in table]
    figure = Figure(figsize=(11, 6), layout="constrained")
    axes = figure.subplots(2, 2).ravel()
    scenarios = sorted(table.scenario.unique())
    for ax, outcome in zip(axes, outcomes, strict=False):
        data, positions = [], []
        for i, scenario in enumerate(scenarios):
            part = table[table.scenario == scenario]
            data += [part[part.variant == "played"][outcome],
                     part[part.variant == "alone"][outcome]]
            positions += [3 * i, 3 * i + 1]
        boxes = ax.boxplot(data, positions=positions, widths=0.8, patch_artist=True,
                           showfliers=False)
        for k, patch in enumerate(boxes["boxes"]):
            patch.set_facecolor("#3182bd" if k % 2 == 0 else "#d9d9d9")
        ax.set_xticks([3 * i + 0.5 for i in range(len(scenarios))], scenarios, fontsize=8)
        ax.set_title(t("figure.robustness_title", label=labels[outcome]), fontsize=9)
        _localise_ticks(ax, lang)
    return figure


# --------------------------------------------------------------------------- content
def profiles(session, lang: str = "en") -> list[dict[str, Any]]:
    """Each role's strategy: measures by theme, money, contributions, a one-word profile."""
    t = translator(lang)
    themes, labels = _themes(), measure_labels(lang)
    holders = session.holders()
    out = []
    for role in session.settings.roles:
        records = [r for r in session.decisions if r["role"] == role]
        chosen = [m for r in records for key in ("adopt", "invest", "propose", "recommend")
                  for m in r["decision"].get(key, []) or []]
        by_theme = Counter(themes.get(m, "other") for m in chosen)
        spent = sum(r["cost_eur"] for r in records)
        if role not in holders:
            profile = t("profile.model")
        elif not chosen and spent == 0:
            profile = t("profile.wait")
        else:
            top, count = by_theme.most_common(1)[0]
            profile = t("profile.focused", theme=t(f"theme.{top}")) \
                if count >= 0.6 * sum(by_theme.values()) else t("profile.balanced")
        shares = [r["decision"].get("contribute") for r in records
                  if r["decision"].get("contribute") is not None]
        modes = sorted({r["decision"].get("mode") for r in records if r["decision"].get("mode")})
        out.append({"role": role, "label": t(f"role.{role}"),
                    "player": holders.get(role, t("common.model")),
                    "profile": profile, "themes": dict(by_theme), "spent_eur": spent,
                    "fund_eur": sum(r["fund_eur"] for r in records),
                    "rounds_decided": len(records),
                    "measures": ", ".join(labels.get(m, m) for m in dict.fromkeys(chosen)),
                    "contribute": ", ".join(percent0(s, lang) for s in shares),
                    "mode": ", ".join(t(f"dispatch_mode.{m}") for m in modes)})
    return out


def timeline(session, lang: str = "en") -> list[dict[str, Any]]:
    """Every decision and lever in order, as plain lines for the report."""
    t = translator(lang)
    labels = measure_labels(lang)
    entries = []
    for record in session.decisions:
        parts = [t("decision.list", verb=_key(t, key),
                   measures=", ".join(labels.get(m, m) for m in value))
                 for key, value in record["decision"].items() if isinstance(value, list) and value]
        if record["decision"].get("contribute") is not None:
            parts.append(t("decision.contribute",
                           share=percent0(record["decision"]["contribute"], lang)))
        if record["decision"].get("mode"):
            parts.append(t("decision.mode",
                           mode=t(f"dispatch_mode.{record['decision']['mode']}")))
        if record["fund_eur"]:
            parts.append(t("decision.fund", eur=record["fund_eur"]))
        entries.append({"round": record["round"], "year": record["year"], "time": record["time"],
                        "who": f"{t('role.' + record['role'])} ({record['player']})",
                        "what": "; ".join(parts) or t("decision.nothing"),
                        "note": record["note"]})
    for entry in session.lever_log:
        what = lever_text(entry["lever"], entry["said"], lang) if "said" in entry \
            else entry["text"]
        entries.append({"round": entry["round"], "year": entry["year"], "time": entry["time"],
                        "who": t("common.facilitator"), "what": what, "note": ""})
    return sorted(entries, key=lambda e: (e["round"], e["time"]))


def _key(t: Translator, key: str) -> str:
    """A decision key (adopt, propose, …) as the timeline writes it."""
    return t(f"decision.{key}") if t.has(f"decision.{key}") else key


def round_summaries(session, lang: str = "en") -> list[dict[str, Any]]:
    """The round summaries written again in ``lang`` from what they recorded: events from
    the played indicators and the facilitator's forcing, the headline labels, the
    explanations from the submitted decisions (as :func:`rounds.play` wrote them)."""
    played = session.indicators()
    twin_played = session.twin_indicators()
    labels = headline(lang)
    out = []
    for summary in session.summaries:
        first, last = summary["years"]
        years = [y for y in range(first, last + 1) if y in played.index]
        forced = {y: engine_levers.forcing(session.model, y) for y in years}
        decided = {role: {"decision": d} for role, d in summary.get("decisions", {}).items()}
        home = {role: rec for role, rec in decided.items() if role != TWIN_ROLE}
        written = {**summary, "events": events(played.loc[years], forced, lang),
                   "effects": _relabel(summary["effects"], labels),
                   "why": explanations(home, summary["effects"], lang)}
        if summary.get("twin") and twin_played is not None:
            twin = summary["twin"]
            held = {role: rec for role, rec in decided.items() if role == TWIN_ROLE}
            written["twin"] = {**twin, "events": events(twin_played.loc[years], {}, lang),
                               "effects": _relabel(twin["effects"], labels),
                               "why": explanations(held, twin["effects"], lang)}
        out.append(written)
    return out


def _relabel(effects: dict[str, dict[str, Any]], labels: dict[str, str]
             ) -> dict[str, dict[str, Any]]:
    return {name: {**e, "label": labels.get(name, e["label"])} for name, e in effects.items()}


def verdict(session, table: pd.DataFrame, played: pd.DataFrame,
            lang: str = "en") -> list[str]:
    """Where the session's actual result falls among the futures of its own scenario."""
    t, labels = translator(lang), headline(lang)
    lines = []
    own = table[(table.scenario == session.settings.scenario) & (table.variant == "played")]
    for name in ("heat_stress_per_inhabitant", "unmet_water_share_agriculture",
                 "emissions_t_per_inhabitant"):
        if name not in played or own.empty:
            continue
        actual = float(played[name].mean())
        values = own[name]
        if name in LOWER_IS_BETTER:
            better = float((values > actual).mean())  # futures where it went worse
        else:
            better = float((values < actual).mean())
        judgement = t("verdict.lucky" if better >= 0.8 else
                      "verdict.unlucky" if better <= 0.2 else "verdict.typical")
        lines.append(t("verdict.line", label=labels[name], actual=fmt(actual, lang),
                       share=percent0(better, lang), n=str(len(values)),
                       scenario=session.settings.scenario, judgement=judgement))
    return lines


def every_indicator(played: pd.DataFrame, lang: str = "en") -> dict[str, Any]:
    """The table of every numeric indicator by year (formatted)."""
    numeric = played.select_dtypes("number")
    return {"columns": [int(y) for y in numeric.index],
            "rows": [(name, [fmt(float(v), lang) for v in numeric[name]]) for name in numeric]}


def twin_outcomes(table: pd.DataFrame) -> pd.DataFrame:
    """The replay table with the twin's outcomes under the headline names (for
    :func:`robustness`)."""
    twin = {f"twin_{name}": name for name in HEADLINE if f"twin_{name}" in table}
    return table[["scenario", "weather_seed", "variant", *twin]].rename(columns=twin)


# --------------------------------------------------------------------------- writing
def write_pack(session, futures: int = 100, scenarios=SCENARIOS,
               workers: int | None = None, folder: str | Path | None = None,
               baseline: bool = True, lang: str | None = None) -> Path:
    """Write the debrief pack of a session (after at least one round) in ``lang`` (by
    default the session's language); returns its folder.

    With ``baseline``, the model-alone futures computed while the workshop ran (the
    session's ``baseline/`` folder, :mod:`territoire_abm.game.baseline`) are read rather
    than run again; those missing are run and kept there."""
    from territoire_abm.errors import UserError
    from territoire_abm.game.baseline import folder_of

    if session.round == 0:
        raise UserError("debrief", "no round played", "play at least one round first")
    folder = Path(folder or session.directory / "debrief")
    folder.mkdir(parents=True, exist_ok=True)
    played = session.indicators()
    alone, twin_alone = alone_tables(session)
    started = time.perf_counter()
    table = replay_futures(session, futures=futures, scenarios=scenarios, workers=workers,
                           cache=folder_of(session) if baseline else None)
    replay_seconds = time.perf_counter() - started
    lang = lang or session.settings.lang
    t = translator(lang)
    robust = robustness(table)
    role_profiles = profiles(session, lang)
    figures = {"trajectories": trajectories_figure(played, alone, session, lang),
               "timeline": timeline_figure(session, lang),
               "profiles": profiles_figure(role_profiles, lang),
               "robustness": robustness_figure(table, lang)}
    twin_played = session.twin_indicators()
    twin_robust = None
    if twin_played is not None:
        figures["twin_trajectories"] = trajectories_figure(twin_played, twin_alone, session,
                                                           lang)
        twin_robust = robustness(twin_outcomes(table)).to_dict("records")
    published = comparison(played, table, session.settings.scenario, lang)
    context = {
        "lang": lang, "t": t.markup, "num": t.num, "percent": t.percent,
        "published": published, "published_flagged": sum(p["outside"] for p in published),
        "title": session.settings.title or t("pdf.session_title", code=session.code),
        "code": session.code,
        "territory": session.model.name, "scenario": session.settings.scenario,
        "rounds_played": session.round, "rounds": session.settings.rounds,
        "years_per_round": session.settings.years_per_round,
        "first_year": int(played.index[0]), "last_year": int(played.index[-1]),
        "written": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "profiles": role_profiles, "timeline": timeline(session, lang),
        "messages": session.messages, "summaries": round_summaries(session, lang),
        "every_indicator": every_indicator(played, lang),
        "figures": {name: _png(fig) for name, fig in figures.items()},
        "futures": futures, "scenarios": list(scenarios), "runs": len(table),
        "replay_seconds": replay_seconds, "robustness": robust.to_dict("records"),
        "outcome_labels": headline(lang),
        "verdict": verdict(session, table, played, lang),
        "fmt": lambda value: fmt(value, lang),
        "twin": session.settings.twin, "twin_robustness": twin_robust,
        "twin_played_by": _twin_played_by(role_profiles, t),
    }
    environment = Environment(loader=PackageLoader("territoire_abm.game", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    html = environment.get_template("debrief.html.j2").render(**context)
    (folder / "debrief.html").write_text(html, encoding="utf-8")
    _write_pdf(folder / "debrief.pdf", context, figures, t)
    (folder / "decisions.json").write_text(json.dumps(
        {str(y): roles for y, roles in sorted(session.log.items())}, indent=1), encoding="utf-8")
    played.to_csv(folder / "indicators.csv")
    if twin_played is not None:
        (folder / "twin_decisions.json").write_text(json.dumps(
            {str(y): roles for y, roles in sorted(session.twin_log.items())}, indent=1),
            encoding="utf-8")
        twin_played.to_csv(folder / "twin_indicators.csv")
    table.to_csv(folder / "replay.csv", index=False)
    return folder


def _twin_played_by(role_profiles: list[dict[str, Any]], t: Translator) -> str:
    """Who played the twin commune's council, in words."""
    for profile in role_profiles:
        if profile["role"] == TWIN_ROLE and profile["player"] != t("common.model"):
            return t.markup("html.twin_played_by", player=profile["player"])
    return t("html.twin_played_by_model")


def _write_pdf(path: Path, context: dict[str, Any], figures: dict[str, Figure],
               t: Translator | None = None) -> None:
    """The same story on paper: the text pages, then the figures."""
    with PdfPages(path) as pdf:
        for page in cover_pages(cover_lines(context, t or translator("en"))):
            cover = Figure(figsize=(8.27, 11.69))
            for row, line in enumerate(page):
                cover.text(0.05, 0.96 - 0.018 * row, line, fontsize=8, family="monospace",
                           parse_math=False)
            pdf.savefig(cover)
        for figure in figures.values():
            pdf.savefig(figure)


#: An A4 text page in 8-point monospace: characters per line, lines per page.
PDF_COLUMNS, PDF_ROWS = 110, 52


def cover_pages(lines: list[str]) -> list[list[str]]:
    """``lines`` wrapped at :data:`PDF_COLUMNS` (continuation lines indented: nothing is cut
    off) and cut into pages of :data:`PDF_ROWS` lines."""
    import textwrap

    wrapped = [part for line in lines
               for part in (textwrap.wrap(line, PDF_COLUMNS, subsequent_indent="    ",
                                          break_on_hyphens=False) or [""])]
    return [wrapped[first:first + PDF_ROWS] for first in range(0, len(wrapped), PDF_ROWS)]


def cover_lines(context: dict[str, Any], t: Translator) -> list[str]:
    """The PDF's text page, line by line."""
    lines = [t("pdf.title", title=context["title"]),
             t("pdf.session", code=context["code"], territory=context["territory"],
               scenario=context["scenario"]),
             t("pdf.rounds", rounds=str(context["rounds_played"]),
               first=str(context["first_year"]), last=str(context["last_year"])), ""]
    lines += [t("pdf.profile", label=p["label"], player=p["player"], profile=p["profile"])
              for p in context["profiles"]]
    lines += ["", t("pdf.robust")] + context["verdict"]
    lines += ["", t("pdf.published")]
    lines += [f"{p['label']} {p['years']}: {p['session']}; {p['replay']} ({p['spread']}); "
              f"{p['published']} {p['source']}{t('pdf.outside') if p['outside'] else ''}"
              for p in context["published"]]
    lines += ["", t("pdf.timeline")] + [
        t("pdf.timeline_line", round=str(e["round"]), year=str(e["year"]), who=e["who"],
          what=e["what"]) for e in context["timeline"]]
    return lines
