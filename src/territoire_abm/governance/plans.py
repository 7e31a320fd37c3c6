"""Adaptive plans: actions switched on inside one run when a signpost crosses a trigger.

Dynamic adaptive policy pathways (Haasnoot et al. 2013) and their computational form
(Kwakkel, Haasnoot & Walker 2015) monitor *signposts* and take the next action of a plan
when a signpost crosses its *trigger*, early enough for the action's *lead time*. Here a plan
is plain data (YAML or a dict) — an ordered list of actions, each with

- ``kind``: ``measure`` (a council measure of the catalogue), ``community`` (an
  energy-community investment), ``subsidy`` (sets ``policy.subsidy_rate``), ``water_rule``
  (a water-allocation rule: irrigation quota, restriction compliance, withdrawal cap) or
  ``budget`` (``policy.budget_per_inhabitant_eur``);
- ``measure`` (for measures) or ``parameter`` and ``value`` (for the others);
- ``signpost``: any yearly indicator, ``mean_years`` (a moving mean over that many years,
  1 = the year's value), ``direction`` (``above``/``below``) and ``threshold``;
- ``lead_time_years``: years from the trigger to the action taking effect (a parameter
  change is in force from year trigger + max(1, lead); a measure comes online after the
  catalogue's lead time, which is the default);
- ``after``: actions that must have been taken first (the order of a pathway);
- ``role``: who carries it out (``council``; ``energy_community`` for community kinds).

The council's behavioural rule asks :func:`council_plan` first each year: actions whose
trigger fires (and whose predecessors were taken) are applied if the budget allows, else
deferred and retried the next year. Each firing is a line of the council's decision
(``decision["plan"]``: action, status, signpost value, threshold, year in force, why), so
the decision log says when and why, and a replay through a recorded log repeats it exactly:
what the engine applies is read from the decision, never from the plan: community
investments (:func:`merge_community`, in the negotiation) and parameter changes
(:func:`apply_parameter_changes`, at the end of the year's decisions, which also records the
plan indicators ``plan_actions_taken``, ``plan_actions_mask`` and ``plan_actions_armed``).

This module is plain data and pure functions over the indicator history (which actions were
taken or are armed is read from the plan indicators of earlier records); the model calls it
from three one-line hooks (the council rule, the negotiation, the year's decisions).

References
----------
1. Haasnoot, M., Kwakkel, J. H., Walker, W. E., ter Maat, J. (2013). Dynamic adaptive
   policy pathways. Global Environmental Change 23(2), 485–498.
   https://doi.org/10.1016/j.gloenvcha.2012.12.006
2. Kwakkel, J. H., Haasnoot, M., Walker, W. E. (2015). Developing dynamic adaptive policy
   pathways: a computer-assisted approach for developing adaptive strategies for a deeply
   uncertain world. Climatic Change 132, 373–386. https://doi.org/10.1007/s10584-014-1210-4
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from territoire_abm.errors import UserError
from territoire_abm.governance.finance import annuity_factor

NO_PLAN = "none"
KINDS = ("measure", "community", "subsidy", "water_rule", "budget")
PLAN_ROLES = ("council", "energy_community")
KIND_ROLES = {"measure": ("council",), "community": ("energy_community", "council"),
              "subsidy": ("council",), "water_rule": ("council",), "budget": ("council",)}
# Parameters a plan may change during a run, by kind (read by the engine every year).
PARAMETERS = {
    "subsidy": ("policy.subsidy_rate",),
    "water_rule": ("territory.irrigation_quota_m3_per_ha", "behaviour.restriction_compliance",
                   "territory.river_withdrawal_cap_share"),
    "budget": ("policy.budget_per_inhabitant_eur",),
}
DIRECTIONS = ("above", "below")
ACTION_KEYS = {"id", "kind", "role", "measure", "parameter", "value", "signpost", "mean_years",
               "direction", "threshold", "lead_time_years", "after", "label"}
PLAN_KEYS = {"name", "description", "objective", "actions"}
MAX_MEAN_YEARS = 30
MAX_LEAD_YEARS = 30


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Signpost:
    """An indicator watched each year, as its value or a moving mean over ``mean_years``."""

    indicator: str
    mean_years: int = 1

    def value(self, history: Sequence[Mapping[str, float]],
              current: Mapping[str, float]) -> float | None:
        """Moving mean over the last ``mean_years`` known values; ``None`` until there are as
        many. ``history`` holds past years' records, ``current`` this year's values known at
        decision time (indicators produced by the decisions are known from next year)."""
        k, name = self.mean_years, self.indicator
        values = [r[name] for r in history[-k:] if name in r]
        if name in current:
            values = values[1:] if len(values) == k else values
            values.append(current[name])
        if len(values) < k:
            return None
        return float(sum(values) / k)

    def describe(self) -> str:
        return self.indicator if self.mean_years == 1 else \
            f"{self.indicator} ({self.mean_years}-yr mean)"


@dataclass(frozen=True)
class Trigger:
    """Fires when the signpost is beyond ``threshold`` in ``direction``."""

    threshold: float
    direction: str = "above"

    def fires(self, value: float | None) -> bool:
        if value is None or math.isnan(value):
            return False
        return value > self.threshold if self.direction == "above" else value < self.threshold

    @property
    def symbol(self) -> str:
        return ">" if self.direction == "above" else "<"


@dataclass(frozen=True)
class Action:
    """One step of a plan."""

    id: str
    kind: str
    target: str  # measure id, or the dotted parameter a change sets
    signpost: Signpost
    trigger: Trigger
    lead_time_years: int = 0
    value: float | None = None  # the new parameter value (parameter kinds)
    role: str = "council"
    after: tuple[str, ...] = ()
    label: str = ""

    @property
    def is_measure(self) -> bool:
        return self.kind in ("measure", "community")


@dataclass(frozen=True)
class Plan:
    """An ordered list of actions, each switched on by its own trigger."""

    name: str
    actions: tuple[Action, ...]
    description: str = ""

    def action(self, action_id: str) -> Action:
        return next(a for a in self.actions if a.id == action_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actions)

    def with_thresholds(self, thresholds: Mapping[str, float], field_name: str) -> Plan:
        """The same plan with some triggers' thresholds replaced (thresholds as levers)."""
        for key in thresholds:
            if key not in self.ids:
                raise UserError(f"{field_name}.{key}", thresholds[key],
                                f"unknown action of plan {self.name!r}; actions: "
                                f"{', '.join(self.ids)}")
        actions = []
        for a in self.actions:
            if a.id in thresholds:
                t = _number(thresholds[a.id], f"{field_name}.{a.id}")
                _check_threshold(a.signpost.indicator, t, f"{field_name}.{a.id}")
                a = dataclasses.replace(a, trigger=Trigger(t, a.trigger.direction))
            actions.append(a)
        return dataclasses.replace(self, actions=tuple(actions))


@dataclass
class PlanDecision:
    """What the plan adds to the council's decision this year."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    adopt: list[str] = field(default_factory=list)  # council measures
    invest: list[str] = field(default_factory=list)  # community measures
    spent_eur: float = 0.0  # yearly cost committed: annuities and running costs
    borrowed_eur: float = 0.0  # loans taken (under the debt ceiling)


# --------------------------------------------------------------------------- parsing
def parse_plan(data: Mapping[str, Any], *, where: str = "policy.plan",
               indicators: Iterable[str] | None = None) -> Plan:
    """Check a plan given as plain data and return it; one :class:`UserError` per mistake.

    ``indicators``: the names a signpost may use (default: every indicator of a run).
    """
    if not isinstance(data, Mapping):
        raise UserError(where, data, "expected a mapping with name and actions")
    for key in data:
        if key not in PLAN_KEYS:
            raise UserError(f"{where}.{key}", data[key],
                            f"unknown key; allowed keys: {', '.join(sorted(PLAN_KEYS))}")
    raw = data.get("actions")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise UserError(f"{where}.actions", raw, "expected a non-empty list of actions")
    known = frozenset(indicators) if indicators is not None else known_indicators()
    actions: list[Action] = []
    for number, item in enumerate(raw):
        actions.append(_parse_action(item, f"{where}.actions.{number}", known))
    ids = [a.id for a in actions]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise UserError(f"{where}.actions", duplicated[0], "action ids must be distinct")
    for a in actions:
        for before in a.after:
            if before not in ids:
                raise UserError(f"{where}.actions.{a.id}.after", before,
                                f"unknown action; actions: {', '.join(ids)}")
    _check_cycles(actions, where)
    return Plan(str(data.get("name") or "inline"), tuple(actions),
                str(data.get("description") or ""))


def _parse_action(item: Any, where: str, known: frozenset[str]) -> Action:
    if not isinstance(item, Mapping):
        raise UserError(where, item, "expected a mapping (id, kind, signpost, threshold, ...)")
    action_id = item.get("id")
    if not isinstance(action_id, str) or not action_id.strip():
        raise UserError(f"{where}.id", action_id, "expected a name for the action")
    where = f"{where.rpartition('.')[0]}.{action_id}"
    for key in item:
        if key not in ACTION_KEYS:
            raise UserError(f"{where}.{key}", item[key],
                            f"unknown key; allowed keys: {', '.join(sorted(ACTION_KEYS))}")
    kind = item.get("kind", "measure")
    if kind not in KINDS:
        raise UserError(f"{where}.kind", kind, f"allowed: {', '.join(KINDS)}")
    role = item.get("role", KIND_ROLES[kind][0])
    if role not in PLAN_ROLES:
        raise UserError(f"{where}.role", role, f"unknown role; allowed: {', '.join(PLAN_ROLES)}")
    if role not in KIND_ROLES[kind]:
        raise UserError(f"{where}.role", role,
                        f"a {kind} action is taken by: {', '.join(KIND_ROLES[kind])}")
    target, value, default_lead = _target(item, kind, where)
    signpost = _signpost(item, where, known)
    direction = item.get("direction", "above")
    if direction not in DIRECTIONS:
        raise UserError(f"{where}.direction", direction, "allowed: above, below")
    threshold = _number(item.get("threshold"), f"{where}.threshold")
    _check_threshold(signpost.indicator, threshold, f"{where}.threshold")
    lead = item.get("lead_time_years", default_lead)
    if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= MAX_LEAD_YEARS:
        raise UserError(f"{where}.lead_time_years", lead,
                        f"allowed range [0, {MAX_LEAD_YEARS}] years (an integer)")
    after = item.get("after") or ()
    after = (after,) if isinstance(after, str) else tuple(after)
    if action_id in after:
        raise UserError(f"{where}.after", action_id, "an action cannot follow itself (cycle)")
    return Action(action_id, kind, target, signpost, Trigger(threshold, direction), lead, value,
                  role, after, str(item.get("label") or ""))


def _target(item: Mapping[str, Any], kind: str, where: str) -> tuple[str, float | None, int]:
    """The measure or parameter an action sets, its new value and the default lead time."""
    if kind in ("measure", "community"):
        from territoire_abm.measures.catalogue import load_catalogue

        group = "council" if kind == "measure" else "community"
        options = {m.id: m for m in load_catalogue().values() if group in m.adopters}
        measure = item.get("measure")
        if measure not in options:
            close = difflib.get_close_matches(str(measure), list(options), n=3)
            raise UserError(f"{where}.measure", measure, f"unknown action: not a {group} "
                            f"measure of the catalogue; close: {', '.join(close) or 'none'}")
        return str(measure), None, int(options[measure].lead_time_yr)
    parameter = item.get("parameter", PARAMETERS[kind][0])
    if parameter not in PARAMETERS[kind]:
        raise UserError(f"{where}.parameter", parameter,
                        f"a {kind} action sets one of: {', '.join(PARAMETERS[kind])}")
    value = _number(item.get("value"), f"{where}.value")
    _check_parameter_value(parameter, value, f"{where}.value")
    return parameter, value, 1


def _signpost(item: Mapping[str, Any], where: str, known: frozenset[str]) -> Signpost:
    name = item.get("signpost")
    if name not in known:
        close = difflib.get_close_matches(str(name), sorted(known), n=3)
        raise UserError(f"{where}.signpost", name,
                        f"unknown indicator; close names: {', '.join(close) or 'none'}")
    mean_years = item.get("mean_years", 1)
    if isinstance(mean_years, bool) or not isinstance(mean_years, int) or \
            not 1 <= mean_years <= MAX_MEAN_YEARS:
        raise UserError(f"{where}.mean_years", mean_years,
                        f"allowed range [1, {MAX_MEAN_YEARS}] years (an integer)")
    return Signpost(str(name), mean_years)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UserError(where, value, "expected a finite number")
    return float(value)


def indicator_range(name: str) -> tuple[float, float]:
    """Range a trigger threshold on an indicator may take (shares in [0, 1], day counts in
    [0, 366], warming in [-5, 15] °C, other indicators any finite number)."""
    if name.endswith(("_share", "_rate")) or "_share_" in name or name.startswith("sdg"):
        return 0.0, 1.0
    if name.endswith("_days") or "_days_" in name:
        return 0.0, 366.0
    if name == "warming_c":
        return -5.0, 15.0
    return -math.inf, math.inf


def _check_threshold(indicator: str, threshold: float, where: str) -> None:
    low, high = indicator_range(indicator)
    if not low <= threshold <= high:
        raise UserError(where, threshold,
                        f"trigger out of range: {indicator} lies in [{low:g}, {high:g}]")


def _check_parameter_value(path: str, value: float, where: str) -> None:
    from territoire_abm.config.params import ModelConfig
    from territoire_abm.config.validate import with_overrides

    try:
        with_overrides(ModelConfig(), {path: value})
    except UserError as error:
        raise UserError(where, value, f"{path}: {error.allowed}") from None


def _check_cycles(actions: Sequence[Action], where: str) -> None:
    """Refuse ``after`` chains that loop (a → b → a): such actions could never be taken."""
    graph = {a.id: a.after for a in actions}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                loop = [*stack[stack.index(nxt):], node, nxt]
                raise UserError(f"{where}.actions.{node}.after", nxt,
                                f"cycle: {' → '.join(loop)}")
            if state.get(nxt) is None:
                visit(nxt, [*stack, node])
        state[node] = 2

    for a in actions:
        if state.get(a.id) is None:
            visit(a.id, [])


INDICATOR_NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "indicator_names.txt"


@cache
def known_indicators() -> frozenset[str]:
    """Every yearly indicator of a run: the names a signpost may watch.

    Read from ``data/indicator_names.txt`` (a run's record keys, written by
    the territory package's ``indicator_names`` module; a test checks the file is current),
    so the plan layer needs no model.
    """
    lines = INDICATOR_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


# --------------------------------------------------------------------------- loading
def plan_dir() -> Path:
    """``configs/plan/``: the named plans."""
    from territoire_abm.config.compose import config_dir

    return config_dir() / "plan"


def plan_names() -> list[str]:
    """Names of the plans shipped in ``configs/plan/``."""
    return sorted(p.stem for p in plan_dir().glob("*.yaml"))


def load_plan_data(name: str, where: str = "policy.plan.name") -> dict[str, Any]:
    """The plain data of a named plan (``configs/plan/<name>.yaml``) or of a YAML file."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else plan_dir() / f"{name}.yaml"
    if not path.is_file():
        raise UserError(where, name, f"allowed: {', '.join([NO_PLAN, *plan_names()])} "
                        "or a path to a plan YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise UserError(where, name, f"not readable YAML: {str(error).splitlines()[0]}") from None
    if isinstance(data, Mapping):
        data = {**data, "name": data.get("name") or path.stem}
    return data


def resolve_plan(settings: Any) -> Plan | None:
    """The plan a run follows from its ``policy.plan`` settings (``None``: no plan).

    ``settings`` has ``name`` (a named plan, a YAML path or ``none``), ``actions`` (an inline
    plan, used when not empty) and ``thresholds`` (action id → trigger threshold).
    """
    if settings is None:
        return None
    key = json.dumps({"name": settings.name, "actions": settings.actions,
                      "thresholds": settings.thresholds}, sort_keys=True, default=str)
    return _resolve_cached(key)


@cache
def _resolve_cached(key: str) -> Plan | None:
    settings = json.loads(key)
    if settings["actions"]:
        plan = parse_plan({"name": settings["name"] if settings["name"] != NO_PLAN else "inline",
                           "actions": settings["actions"]})
    elif settings["name"] == NO_PLAN:
        if settings["thresholds"]:
            raise UserError("policy.plan.thresholds", settings["thresholds"],
                            "thresholds need a plan (policy.plan.name)")
        return None
    else:
        plan = parse_plan(load_plan_data(settings["name"]),
                          where=f"plan/{settings['name']}")
    return plan.with_thresholds(settings["thresholds"], "policy.plan.thresholds")


# --------------------------------------------------------------------------- deciding
def taken_actions(history: Sequence[Mapping[str, float]]) -> tuple[set[int], dict[int, int]]:
    """Indices of plan actions taken before this year, and of those armed but deferred
    (index -> year first armed), read from the plan indicators of past records."""
    if not history:
        return set(), {}
    last = history[-1]
    applied = _bits(last.get("plan_actions_mask", 0.0))
    armed = _bits(last.get("plan_actions_armed", 0.0)) - applied
    first: dict[int, int] = {}
    for record in history:
        for i in _bits(record.get("plan_actions_armed", 0.0)) & armed:
            first.setdefault(i, int(record.get("year", 0)))
    return applied, first


def _bits(mask: float) -> set[int]:
    value = int(mask)
    return {i for i in range(value.bit_length()) if value >> i & 1}


def council_plan(plan: Plan | None, year: int, history: Sequence[Mapping[str, float]],
                 current: Mapping[str, float], held: Iterable[str],
                 yearly_eur: Mapping[str, float], budget_eur: float, *,
                 loan_eur: Mapping[str, float] | None = None,
                 room_eur: float = math.inf) -> PlanDecision:
    """This year's plan actions: triggers that fire, within budget.

    ``history``: past yearly records; ``current``: this year's indicators known at decision
    time (past records also say which actions were taken or deferred); ``held``:
    measures already adopted (council and community); ``yearly_eur``: what each measure costs
    the budget a year (annuity of its loan plus running cost, :func:`measure_finance`);
    ``budget_eur``: what the plan may commit this year; ``loan_eur`` and ``room_eur``: what
    each measure borrows and the borrowing room under the debt ceiling. An action over budget
    is logged once as deferred, stays armed and is taken in the first year the budget allows.
    """
    out = PlanDecision()
    if plan is None:
        return out
    applied_idx, deferred = taken_actions(history)
    applied = {plan.actions[i].id for i in applied_idx if i < len(plan.actions)}
    held = set(held)
    for index, action in enumerate(plan.actions):
        if action.id in applied or not all(b in applied for b in action.after):
            continue
        value = action.signpost.value(history, current)
        armed = deferred.get(index)
        if armed is None and not action.trigger.fires(value):
            continue
        entry = _entry(action, year, value, armed)
        entry["index"] = index
        buys = action.is_measure and action.target not in held
        cost = float(yearly_eur.get(action.target, 0.0)) if buys else 0.0
        loan = float((loan_eur or {}).get(action.target, 0.0)) if buys else 0.0
        if out.spent_eur + cost > budget_eur or out.borrowed_eur + loan > room_eur:
            if armed is None:  # logged once; retried silently while over budget
                why = (f"; over budget ({cost:,.0f} EUR/yr > "
                       f"{max(0.0, budget_eur - out.spent_eur):,.0f} EUR left)"
                       if out.spent_eur + cost > budget_eur else
                       f"; over the debt ceiling ({loan:,.0f} EUR loan > "
                       f"{max(0.0, room_eur - out.borrowed_eur):,.0f} EUR of room)")
                entry.update(status="deferred", why=entry["why"] + why)
                out.entries.append(entry)
            continue
        out.spent_eur += cost
        out.borrowed_eur += loan
        applied.add(action.id)
        if action.is_measure and action.target not in held:
            (out.adopt if action.kind == "measure" else out.invest).append(action.target)
            held.add(action.target)
        out.entries.append(entry)
    return out


def _entry(action: Action, year: int, value: float | None, armed: int | None) -> dict[str, Any]:
    sign = action.trigger.symbol
    if armed is not None:
        why = f"armed in {armed} ({action.signpost.describe()} crossed " \
              f"{action.trigger.threshold:g}), deferred until the budget allowed"
    else:
        why = f"{action.signpost.describe()} = {value:.4g} {sign} {action.trigger.threshold:g}"
    entry: dict[str, Any] = {
        "action": action.id, "kind": action.kind, "target": action.target,
        "status": "applied", "signpost": action.signpost.indicator,
        "signpost_value": None if value is None else round(float(value), 6),
        "threshold": action.trigger.threshold, "direction": action.trigger.direction,
        "effective": year + max(1, action.lead_time_years), "why": why,
    }
    if action.value is not None:
        entry["value"] = action.value
    return entry


def check_entries(entries: Any, where: str) -> list[dict[str, Any]]:
    """Validate the ``plan`` part of a decision coming from outside (a replayed log)."""
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        raise UserError(where, entries, "expected a list of plan entries")
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("action"), str) or \
                entry.get("status") not in ("applied", "deferred") or \
                entry.get("kind") not in KINDS or not isinstance(entry.get("effective"), int):
            raise UserError(where, entry, "expected {action, kind, target, status: applied|"
                            "deferred, effective: year, ...}")
        if entry["kind"] in PARAMETERS and entry.get("target") not in PARAMETERS[entry["kind"]]:
            raise UserError(f"{where}.target", entry.get("target"),
                            f"allowed: {', '.join(PARAMETERS[entry['kind']])}")
    return [dict(e) for e in entries]


# --------------------------------------------------------------------------- applying
def parameter_changes(log: Mapping[int, Mapping[str, Any]], year: int) -> dict[str, float]:
    """Parameter changes of applied plan actions that come into force in ``year``."""
    changes: dict[str, float] = {}
    for decided in sorted(int(y) for y in log):
        for entry in (log[decided].get("council") or {}).get("plan") or ():
            if entry.get("status") == "applied" and entry.get("kind") in PARAMETERS \
                    and int(entry["effective"]) == year:
                changes[str(entry["target"])] = float(entry["value"])
    return changes


def record_fields(log: Mapping[int, Mapping[str, Any]], year: int) -> dict[str, float]:
    """Yearly indicators of a plan, read from the decision log up to ``year``: actions taken
    so far, which (bit *i* of ``plan_actions_mask`` for the plan's *i*-th action) and which
    are armed but deferred for want of money (``plan_actions_armed``)."""
    taken, mask, armed = 0, 0, 0
    for decided, roles in log.items():
        if int(decided) > year:
            continue
        for entry in (roles.get("council") or {}).get("plan") or ():
            bit = 1 << int(entry.get("index", 0))
            if entry.get("status") == "applied":
                taken += 1
                mask |= bit
            else:
                armed |= bit
    return {"plan_actions_taken": float(taken), "plan_actions_mask": float(mask),
            "plan_actions_armed": float(armed & ~mask)}


def community_investments(council: Mapping[str, Any]) -> list[str]:
    """Community measures the council's plan invests in this year."""
    return [e["target"] for e in council.get("plan") or ()
            if e.get("status") == "applied" and e.get("kind") == "community"]


def merge_community(community: Mapping[str, Any], council: Mapping[str, Any]) -> dict[str, Any]:
    """The community's decision with the plan's investments added (a new dict: the logged
    decisions are left as they were)."""
    extra = [m for m in community_investments(council) if m not in (community.get("invest") or [])]
    if not extra:
        return dict(community)
    return {**community, "invest": [*(community.get("invest") or []), *extra]}


def plan_summary(plan: Plan) -> list[dict[str, Any]]:
    """One row per action (for tables and the documentation)."""
    return [{"action": a.id, "kind": a.kind, "target": a.target, "value": a.value,
             "signpost": a.signpost.describe(), "trigger": f"{a.trigger.symbol} "
             f"{a.trigger.threshold:g}", "lead_time_years": a.lead_time_years,
             "after": ", ".join(a.after)} for a in plan.actions]


# --------------------------------------------------------------------------- model seams
def measure_finance(effects: Any, policy: Any, *, council: bool) -> tuple[Any, Any]:
    """What each measure of ``effects`` borrows and costs the budget a year (EUR): the loan is
    the commune's share of the capital (after ``policy.cofunding_share`` of State and Region
    grants for council measures; energy-community investments get none), repaid as a
    constant annuity over ``policy.loan_years``; the yearly cost adds the council's running
    cost. The same financing as the council's own measures (governance/rules.py)."""
    loan = effects.capex_eur * ((1.0 - policy.cofunding_share) if council else 1.0)
    yearly = loan * annuity_factor(policy.debt_interest_rate, policy.loan_years)
    return loan, yearly + effects.opex_eur_yr if council else yearly


def plan_for_council(commune: Any, situation: Any) -> PlanDecision:
    """The council's plan actions this year, read from what the council sees (the commune's
    config, earlier records, portfolios and measure costs).

    A plan's investments are financed as the council's other measures: the commune borrows its
    share of the capital and repays it as an annuity over ``policy.loan_years``
    (:func:`measure_finance`); an action is taken when its yearly cost fits in the year's free
    budget and its loan in the borrowing room under ``policy.max_debt_per_inhabitant_eur``
    (DGCL: communes finance investment by borrowing and grants).
    """
    settings = commune.config.policy.plan
    if settings.name == NO_PLAN and not settings.actions:
        return PlanDecision()
    plan = resolve_plan(settings)
    year, policy = situation.year, commune.config.policy
    held: list[str] = []
    yearly: dict[str, float] = {}
    loans: dict[str, float] = {}
    for portfolio, effects, council in ((commune.council_portfolio, commune.council_effects, True),
                                        (commune.community_portfolio, commune.community_effects,
                                         False)):
        has = portfolio.holds(year)[0]
        held += [m for m, h in zip(effects.ids, has, strict=True) if h]
        loan, cost = measure_finance(effects, policy, council=council)
        loans.update(zip(effects.ids, map(float, loan), strict=True))
        yearly.update(zip(effects.ids, map(float, cost), strict=True))
    room = policy.max_debt_per_inhabitant_eur * commune.population - commune.council.debt_eur
    return council_plan(plan, year, list(commune.records), situation.indicators, held, yearly,
                        situation.budget_eur, loan_eur=loans, room_eur=max(0.0, room))


def apply_parameter_changes(model: Any, year: int) -> dict[str, float]:
    """Parameter changes of the plan decided so far that come into force next year are set in
    the model's config (validated); returns them with the plan's yearly indicators."""
    changes = parameter_changes(model.decision_log, year + 1)
    if changes:
        from territoire_abm.config.validate import with_overrides

        model.config = with_overrides(model.config, changes)
    return record_fields(model.decision_log, year)

