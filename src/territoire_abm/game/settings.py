"""A session's settings, checked once from a facilitator's form.

Nothing in a form becomes an import path, a config target or a file path: the territory and
scenario are picked from fixed lists, numbers are range-checked, text is length-checked and
escaped wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from territoire_abm.config.params import SCENARIOS
from territoire_abm.errors import UserError
from territoire_abm.game import twins
from territoire_abm.game.roles import BUDGETS_EUR, GAME_ROLES, ROLES, TWIN_ROLE
from territoire_abm.game.texts import said

TERRITORIES = ("carbonne",)  # the shipped territory configs (configs/territory/)
#: Languages of the debrief pack; French first, the default (workshops are run by French
#: communes and their partners).
LANGUAGES = ("fr", "en")
MAX_TITLE_CHARS = 80
MAX_NAME_CHARS = 40
MAX_NOTE_CHARS = 500
MAX_MESSAGE_CHARS = 500


def short(value: Any, limit: int = 40) -> str:
    """A value for an error line, never longer than ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else f"<{len(text)} characters>"


def check_text(field_name: str, value: Any, limit: int) -> str:
    """A stripped text of at most ``limit`` characters (raises a UserError otherwise)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserError(field_name, short(value), said("refused.text"))
    text = value.strip()
    if len(text) > limit:
        raise UserError(field_name, f"<{len(text)} characters>", said("refused.too_long", n=limit))
    return text


def allowed(values) -> str:
    """What a refused choice allowed: ``allowed: a, b`` (a catalogue message)."""
    return said("refused.allowed", values=", ".join(values))


def _whole(low: int, high: int) -> str:
    return said("refused.whole", low=low, high=high)


def check_int(field_name: str, value: Any, low: int, high: int) -> int:
    """``value`` as a whole number in [low, high], or a UserError naming the field."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UserError(field_name, short(value), _whole(low, high)) from None
    if number != value and not (isinstance(value, str) and value.strip() == str(number)):
        raise UserError(field_name, short(value), _whole(low, high))
    if not low <= number <= high:
        raise UserError(field_name, number, said("refused.range", low=low, high=high))
    return number


def check_money(field_name: str, value: Any, high: float = 1e9) -> float:
    """``value`` as an amount in EUR in [0, high], or a UserError naming the field."""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise UserError(field_name, short(value), said("refused.money")) from None
    if not 0.0 <= amount <= high:  # also rejects NaN
        raise UserError(field_name, amount, said("refused.money_range", high=high))
    return amount


@dataclass(frozen=True)
class Settings:
    """What the facilitator chooses when creating a session."""

    territory: str = "carbonne"
    scenario: str = "tracc"
    rounds: int = 5
    years_per_round: int = 5
    roles: tuple[str, ...] = ROLES
    budgets_eur: dict[str, float] = field(default_factory=lambda: dict(BUDGETS_EUR))
    timer_minutes: int = 0
    seed: int = 0
    households: int = 2483
    start: int = 2025
    title: str = ""
    twin: str = ""  # a climate twin commune (game/twins.py), "" for none
    lang: str = "fr"  # language of the debrief pack (LANGUAGES)

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Settings:
        """Checked settings from a form (unknown fields refused)."""
        known = {f for f in cls.__dataclass_fields__}
        for key in form:
            if key not in known:
                raise UserError("settings", short(key),
                                f"allowed fields: {', '.join(sorted(known))}")
        base = cls()
        territory = form.get("territory", base.territory)
        if territory not in TERRITORIES:
            raise UserError("territory", short(territory), allowed(TERRITORIES))
        scenario = form.get("scenario", base.scenario)
        if scenario not in SCENARIOS:
            raise UserError("scenario", short(scenario), allowed(SCENARIOS))
        twin = twins.check_twin(form.get("twin", base.twin), territory)
        lang = form.get("lang", base.lang)
        if lang not in LANGUAGES:
            raise UserError("lang", short(lang), allowed(LANGUAGES))
        roles = tuple(form.get("roles", base.roles))
        for role in roles:
            if role not in GAME_ROLES:
                raise UserError("roles", short(role), allowed(GAME_ROLES))
        if TWIN_ROLE in roles and not twin:
            raise UserError("roles", TWIN_ROLE, said("refused.twin_role"))
        if not roles:
            raise UserError("roles", "none", said("refused.no_role"))
        budgets = dict(BUDGETS_EUR)
        for role, amount in dict(form.get("budgets_eur", {})).items():
            if role not in GAME_ROLES:
                raise UserError("budgets_eur", short(role),
                                allowed(GAME_ROLES))
            budgets[role] = check_money(f"budgets_eur.{role}", amount)
        rounds = check_int("rounds", form.get("rounds", base.rounds), 1, 20)
        years = check_int("years_per_round", form.get("years_per_round", base.years_per_round),
                          1, 10)
        start = check_int("start", form.get("start", base.start), 2020, 2060)
        if start + rounds * years - 1 > 2100:
            raise UserError("rounds", rounds, said("refused.by_2100"))
        return cls(
            territory=territory,
            scenario=scenario,
            rounds=rounds,
            years_per_round=years,
            roles=tuple(r for r in GAME_ROLES if r in roles),
            budgets_eur=budgets,
            timer_minutes=check_int("timer_minutes", form.get("timer_minutes", 0), 0, 120),
            seed=check_int("seed", form.get("seed", base.seed), 0, 2**31 - 1),
            households=check_int("households", form.get("households", base.households),
                                 50, 20000),
            start=start,
            title=check_text("title", form.get("title", ""), MAX_TITLE_CHARS),
            twin=twin,
            lang=lang,
        )

    @property
    def until(self) -> int:
        return self.start + self.rounds * self.years_per_round - 1

    def engine_params(self) -> dict[str, Any]:
        """Dotted overrides for :func:`territoire_abm.run.build_config` (fixed keys only)."""
        return {"scenario": self.scenario, "territory.households": self.households,
                "start": self.start}

    def twin_params(self) -> dict[str, Any]:
        """Dotted overrides of the twin territory ({} without a twin): the engine's own
        parameters, then the twin place's (climate, size, river; capped at the home's
        households)."""
        if not self.twin:
            return {}
        return {**self.engine_params(), **twins.overrides(self.twin, self.households)}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["roles"] = list(self.roles)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Settings:
        return cls.from_form(data)
