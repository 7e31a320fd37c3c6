"""Controllers: where each deciding role gets its yearly choices.

Every role (council, residents, farmers, businesses, energy community) asks a controller for
its decision each year. By default the controller is the behavioural model of that role's
agents (:class:`BehaviouralController`); in the game it is what the players submitted; in a
replay it is a recorded decision log (:class:`RecordedController`). The model needs no special
mode for either (DESIGN.md, seam 1).

A decision is a plain dict (JSON-friendly) so it can be logged, saved, sent from a web form
and replayed:

- ``council``: ``{"adopt": [measure ids], "drop": [measure ids]}``, plus ``"plan": [entries]``
  when an adaptive plan's trigger fired (:mod:`territoire_abm.governance.plans`)
- ``residents`` / ``farmers`` / ``businesses``: ``{"propose": [measure ids],
  "contribute": share in [0, 1] or null for the behavioural default}``
- ``energy_community``: ``{"invest": [measure ids], "mode": "rule" | "lp" | null,
  "recommend": [council measure ids]}``
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from territoire_abm.errors import UserError

ROLES = ("residents", "farmers", "businesses", "energy_community", "council")
Decision = dict[str, Any]


@dataclass(frozen=True)
class Situation:
    """What a role sees when it decides."""

    year: int
    role: str
    options: tuple[str, ...]  # measure ids open to the role
    proposals: Mapping[str, float] = field(default_factory=dict)  # id -> support in [0, 1]
    budget_eur: float = 0.0
    indicators: Mapping[str, float] = field(default_factory=dict)  # last year's indicators


class Controller(Protocol):
    """Anything that can answer a role's yearly decision.

    ``commune`` is the narrow state the roles may read (:class:`territoire_abm.types.Commune`).
    """

    def decide(self, situation: Situation, commune: Any) -> Decision: ...


class BehaviouralController:
    """The default: each role's behavioural rules (see :mod:`territoire_abm.governance.rules`)."""

    def __init__(self, rules: Mapping[str, Callable[[Situation, Any], Decision]] | None = None):
        from territoire_abm.governance import rules as default_rules

        self.rules = dict(rules or default_rules.RULES)

    def decide(self, situation: Situation, commune: Any) -> Decision:
        return self.rules[situation.role](situation, commune)


class RecordedController:
    """Replays a decision log ``{year: {role: decision}}``; falls back when a year is missing."""

    def __init__(self, log: Mapping[int, Mapping[str, Decision]],
                 fallback: Controller | None = None) -> None:
        self.log = {int(year): dict(roles) for year, roles in log.items()}
        self.fallback = fallback or BehaviouralController()

    def decide(self, situation: Situation, commune: Any) -> Decision:
        decision = self.log.get(situation.year, {}).get(situation.role)
        if decision is None:
            return self.fallback.decide(situation, commune)
        return check_decision(situation, decision)


class QueueController:
    """Takes decisions pushed from outside (a game form) for the coming year, else falls back."""

    def __init__(self, fallback: Controller | None = None) -> None:
        self.pending: dict[str, Decision] = {}
        self.fallback = fallback or BehaviouralController()

    def submit(self, role: str, decision: Decision) -> None:
        if role not in ROLES:
            raise UserError("role", role, f"allowed: {', '.join(ROLES)}")
        self.pending[role] = dict(decision)

    def decide(self, situation: Situation, commune: Any) -> Decision:
        decision = self.pending.pop(situation.role, None)
        if decision is None:
            return self.fallback.decide(situation, commune)
        return check_decision(situation, decision)


def check_decision(situation: Situation, decision: Mapping[str, Any]) -> Decision:
    """Validate a decision coming from outside the model (game form, log file)."""
    allowed_keys = {"adopt", "drop", "propose", "contribute", "invest", "mode", "recommend",
                    "plan"}
    for key, value in decision.items():
        if key not in allowed_keys:
            raise UserError(f"decision.{situation.role}.{key}", value,
                            f"allowed keys: {', '.join(sorted(allowed_keys))}")
    for key in ("adopt", "propose", "invest"):
        for measure in decision.get(key, []) or []:
            if measure not in situation.options:
                raise UserError(f"decision.{situation.role}.{key}", measure,
                                f"allowed measures: {', '.join(situation.options)}")
    share = decision.get("contribute")
    if share is not None and not (isinstance(share, (int, float)) and 0.0 <= share <= 1.0):
        raise UserError(f"decision.{situation.role}.contribute", share, "a share in [0, 1]")
    mode = decision.get("mode")
    if mode not in (None, "rule", "lp"):
        raise UserError(f"decision.{situation.role}.mode", mode, "allowed: rule, lp")
    if "plan" in decision:  # the council's adaptive-plan actions (governance/plans.py)
        from territoire_abm.governance.plans import check_entries

        decision = {**decision, "plan": check_entries(decision["plan"],
                                                      f"decision.{situation.role}.plan")}
    return dict(decision)
