"""Checking a player's decision before it touches anything.

A form gives lists of measure ids, a contribution share, a dispatch mode, money for the common
fund and a short note. Everything is checked against the role's options and wallet; the first
problem raises a :class:`~territoire_abm.errors.UserError` whose one line the page shows.
The engine part of an accepted decision is a plain dict of the engine's decision keys
(``governance/controllers.py``), so it can go straight into a :class:`RecordedController` log.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from territoire_abm.errors import UserError
from territoire_abm.game.roles import ENGINE_ROLE, FIELDS, STANDING, options
from territoire_abm.game.settings import MAX_NOTE_CHARS, check_money, check_text, short
from territoire_abm.game.texts import said

GAME_KEYS = ("fund_eur", "note")
SPENDING_KEYS = {"council": "adopt", "twin_council": "adopt", "energy_community": "invest"}
MAX_MEASURES = 20


@dataclass(frozen=True)
class Checked:
    """An accepted decision: the engine's part, its cost and the game's extras."""

    engine: dict[str, Any]
    cost_eur: float
    fund_eur: float
    note: str


def _measure_list(role: str, key: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or len(value) > MAX_MEASURES:
        raise UserError(f"{role}.{key}", short(value), said("refused.measure_list", n=MAX_MEASURES))
    chosen = []
    for measure in value:
        if not isinstance(measure, str) or measure not in allowed:
            raise UserError(f"{role}.{key}", short(measure),
                            said("refused.allowed_measures",
                                 measures=", ".join(allowed)))
        if measure not in chosen:
            chosen.append(measure)
    return chosen


def _share(role: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise UserError(f"{role}.contribute", short(value), said("refused.share"))
    return float(value)


def check(role: str, form: Mapping[str, Any], costs_eur: Mapping[str, float],
          available_eur: float, wallet_eur: float, fund_open: bool,
          held: Collection[str] = ()) -> Checked:
    """Validate ``form`` for ``role``; ``available_eur`` is what the role may spend on
    measures (its wallet, plus the common fund when open), ``wallet_eur`` its own money;
    ``held``, the measures working or being built (not adopted or invested in again)."""
    if not isinstance(form, Mapping):
        raise UserError("decision", short(form), said("refused.form"))
    fields = FIELDS[role]
    for key in form:
        if key not in fields and key not in GAME_KEYS:
            raise UserError(f"{role}.{short(key)}", short(form[key]),
                            said("refused.fields",
                                 fields=", ".join(fields + GAME_KEYS)))
    allowed = options(role)
    engine: dict[str, Any] = {}
    for key in fields:
        if key in allowed:
            engine[key] = _measure_list(role, key, form.get(key), allowed[key])
    for key in ("adopt", "invest"):
        again = [m for m in engine.get(key, []) if m in held]
        if again:
            raise UserError(f"{role}.{key}", ", ".join(again), said("refused.again"))
    if "contribute" in fields:
        engine["contribute"] = _share(role, form.get("contribute"))
    if "mode" in fields:
        mode = form.get("mode") or None
        if mode not in (None, "rule", "lp"):
            raise UserError(f"{role}.mode", short(mode), said("refused.mode"))
        engine["mode"] = mode
    if ENGINE_ROLE[role] == "council" and set(engine["adopt"]) & set(engine["drop"]):
        raise UserError(f"{role}.drop", ", ".join(sorted(set(engine["adopt"])
                                                         & set(engine["drop"]))),
                        said("refused.adopt_drop"))
    note = check_text(f"{role}.note", form.get("note"), MAX_NOTE_CHARS)
    fund = check_money(f"{role}.fund_eur", form.get("fund_eur") or 0.0)
    if fund > 0 and not fund_open:
        raise UserError(f"{role}.fund_eur", fund, said("refused.fund_closed"))
    spending = SPENDING_KEYS.get(role)
    cost = sum(costs_eur[m] for m in engine.get(spending, [])) if spending else 0.0
    if fund > wallet_eur:
        raise UserError(f"{role}.fund_eur", round(fund), said("refused.fund_max", eur=wallet_eur))
    if cost > available_eur + 1e-6:
        raise UserError(f"{role}.{spending}", f"{cost:,.0f} EUR",
                        said("refused.over_budget", eur=available_eur))
    return Checked(engine=engine, cost_eur=float(cost), fund_eur=fund, note=note)


def standing(decision: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a decision that carries over to the later years of its round."""
    return {key: decision[key] for key in STANDING if key in decision}
