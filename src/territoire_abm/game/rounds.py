"""Playing one round: simulate the years, tell what happened and what the decisions changed.

"What changed and why" is measured, not guessed: before the round, the state is branched
(``get_state`` / ``from_state``) and the same years are simulated with the model's own agents
deciding for every role. Both branches draw the same weather (each concern has its own random
stream: common random numbers), so the difference between them is what the players'
decisions did, this round, against what the model would have done in their place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from territoire_abm.game import twins
from territoire_abm.game.roles import HEADLINE, TWIN_ROLE, headline, measure_labels
from territoire_abm.game.texts import fmt, translator
from territoire_abm.governance.rules import TARGET_INDICATOR
from territoire_abm.territory import levers
from territoire_abm.territory.model import TerritoryModel

MEASURE_KEYS = ("adopt", "invest", "propose", "recommend", "drop")
UNSERVED_NOTABLE_KWH = 1000.0


def _clean(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else round(number, 6)


def play(model: TerritoryModel, number: int, years: range,
         submissions: Mapping[str, Mapping[str, Any]],
         holders: Mapping[str, str], twin: TerritoryModel | None = None) -> dict[str, Any]:
    """Simulate ``years`` on ``model`` (its controller holds the players' decisions) and
    beside it the model's own agents alone; return the round's summary (JSON-friendly).

    With a ``twin``, both territories are stepped together (:func:`twins.region`), and so are
    their two alone branches; the summary then has a ``"twin"`` part of the same shape."""
    alone = TerritoryModel.from_state(model.get_state())  # behavioural controller
    forced = {year: levers.forcing(model, year) for year in years}
    if twin is None:
        alone.simulate_until(years[-1])
        model.simulate_until(years[-1])
    else:
        alone_twin = TerritoryModel.from_state(twin.get_state())
        twins.region(alone, alone_twin).simulate_until(years[-1])
        twins.region(model, twin).simulate_until(years[-1])
    home = {role: rec for role, rec in submissions.items() if role != TWIN_ROLE}
    played = model.indicators().loc[list(years)]
    effects = _effects(played, alone.indicators().loc[list(years)])
    summary = {
        "round": number,
        "years": [years[0], years[-1]],
        "events": events(played, forced),
        "effects": effects,
        "why": explanations(home, effects),
        "held": dict(holders),
        "decisions": {role: dict(rec["decision"]) for role, rec in submissions.items()},
        "model_decisions": {int(y): model.decision_log.get(y, {}) for y in years},
    }
    if twin is not None:
        twin_played = twin.indicators().loc[list(years)]
        twin_effects = _effects(twin_played, alone_twin.indicators().loc[list(years)])
        held = {role: rec for role, rec in submissions.items() if role == TWIN_ROLE}
        summary["twin"] = {
            "name": twin.name, "events": events(twin_played, {}), "effects": twin_effects,
            "why": explanations(held, twin_effects),
            "model_decisions": {int(y): twin.decision_log.get(y, {}) for y in years}}
    return summary


def _effects(played: pd.DataFrame, baseline: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each headline indicator's round mean, played and alone."""
    return {name: {"label": label, "played": _clean(played[name].mean()),
                   "alone": _clean(baseline[name].mean())}
            for name, label in HEADLINE.items() if name in played}


def events(table: pd.DataFrame, forced: Mapping[int, Mapping[str, float]],
           lang: str = "en") -> list[str]:
    """What happened, year by year, in plain words (in ``lang``)."""
    t = translator(lang)
    lines = []
    for year, row in table.iterrows():
        injected = forced.get(int(year), {})
        tag = t("event.injected")
        year = str(year)
        if row.get("heat_wave_days", 0) > 0:
            lines.append(t("event.heat_wave", year=year, days=row["heat_wave_days"])
                         + (tag if "heat_wave" in injected else ""))
        if row.get("restriction_days_crise", 0) > 0 or "drought" in injected:
            lines.append(t("event.drought", year=year, days=row.get("restriction_days", 0),
                           crisis=row.get("restriction_days_crise", 0))
                         + (tag if "drought" in injected else ""))
        if row.get("unserved_kwh", 0) > UNSERVED_NOTABLE_KWH or "outage" in injected:
            lines.append(t("event.outage", year=year, mwh=row.get("unserved_kwh", 0) / 1000)
                         + (tag if "outage" in injected else ""))
        if row.get("election", 0) > 0:
            lines.append(t("event.election", year=year,
                           share=100 * row.get("incumbent_vote_share", 0)))
    return lines


def explanations(submissions: Mapping[str, Mapping[str, Any]],
                 effects: Mapping[str, Mapping[str, Any]], lang: str = "en") -> list[str]:
    """Which decisions moved which indicators: each measure's target indicator (the one the
    council's trial-and-error rule watches, ``rules.TARGET_INDICATOR``), played vs alone
    (in ``lang``; the effects' labels are the headline's in that language)."""
    from territoire_abm.territory.model import measures_for_group

    t = translator(lang)
    themes = {m.id: m.theme for g in ("council", "community") for m in measures_for_group(g)}
    labels, names = measure_labels(lang), headline(lang)
    lines = []
    for role, record in submissions.items():
        decision = record.get("decision", {})
        for key in ("adopt", "invest"):
            for measure in decision.get(key, []) or []:
                target = TARGET_INDICATOR.get(themes.get(measure, ""))
                effect = effects.get(target or "")
                line = t("event.chose", role=t(f"role.{role}"),
                         measure=labels.get(measure, measure))
                if effect and effect["played"] is not None and effect["alone"] is not None:
                    line += t("event.effect", label=names.get(target, effect["label"]),
                              played=fmt(effect["played"], lang),
                              alone=fmt(effect["alone"], lang))
                lines.append(line)
    return lines
