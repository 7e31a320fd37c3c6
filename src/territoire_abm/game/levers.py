"""The facilitator's levers (LittoSIM's Leader console, Becu et al. 2017; En-ROADS facilitation).

World levers go through the engine's lever entry point (:mod:`territoire_abm.territory.levers`):
inject an event into the coming round's first year, a price shock, a subsidy rate, a measure's
cost. Game levers change the session: move money between roles, open the common fund.
(Broadcasting a message is :meth:`Session.broadcast`.) Arguments come from a form: each lever
names the arguments it takes, and every value is checked before anything changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from territoire_abm.errors import UserError
from territoire_abm.game.roles import LABELS
from territoire_abm.game.settings import check_money, short
from territoire_abm.game.texts import english, percent0, translator
from territoire_abm.game.texts import said as refusal
from territoire_abm.territory import levers as engine

if TYPE_CHECKING:
    from territoire_abm.game.session import Session

LEVERS = {
    "event": ("event", "intensity"),
    "price_shock": ("factor",),
    "subsidy_rate": ("rate",),
    "measure_cost": ("measure", "factor"),
    "transfer": ("source", "target", "amount_eur"),
    "open_fund": ("amount_eur",),
}
#: What each lever does (English; ``lever.description.<lever>`` of the catalogue, French there).
DESCRIPTIONS = {name: english()(f"lever.description.{name}") for name in LEVERS}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise UserError(name, value, refusal("refused.number"))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UserError(name, short(value), refusal("refused.number")) from None


def apply(session: Session, lever: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Apply ``lever`` with ``args``; returns the log entry: what was done, in words
    (``text``, English) and as the catalogue's fields (``said``, for :func:`lever_text`)."""
    if lever not in LEVERS:
        raise UserError("lever", short(lever), f"allowed: {', '.join(LEVERS)}")
    for key in args:
        if key not in LEVERS[lever]:
            raise UserError(f"lever.{lever}", short(key),
                            f"arguments: {', '.join(LEVERS[lever])}")
    model = session.model
    if lever == "event":
        intensity = args.get("intensity")
        intensity = None if intensity in (None, "") else _number("lever.intensity", intensity)
        forced = engine.inject_event(model, args.get("event"), intensity=intensity)
        said = {"event": args.get("event"), "year": model.year,
                "value": forced[args.get("event")]}
    elif lever == "price_shock":
        factor = _number("lever.factor", args.get("factor"))
        engine.price_shock(model, factor)
        said = {"factor": factor}
    elif lever == "subsidy_rate":
        rate = _number("lever.rate", args.get("rate"))
        engine.set_parameter(model, "policy.subsidy_rate", rate)
        said = {"rate": rate}
    elif lever == "measure_cost":
        factor = _number("lever.factor", args.get("factor"))
        engine.set_measure_cost(model, args.get("measure"), factor)
        said = {"measure": args.get("measure"), "factor": factor}
    elif lever == "transfer":
        said = _transfer(session, args)
    else:
        amount = check_money("lever.amount_eur", args.get("amount_eur") or 0.0)
        session.fund["open"] = True
        session.fund["eur"] += amount
        said = {"eur": amount}
    return {"lever": lever, "args": {k: args[k] for k in LEVERS[lever] if k in args},
            "text": lever_text(lever, said), "said": said}


def lever_text(lever: str, said: dict[str, Any], lang: str = "en") -> str:
    """What a lever did, in words, in ``lang`` (``said``: the fields :func:`apply` logged)."""
    from territoire_abm.game.roles import measure_labels

    t = translator(lang)
    fields = dict(said)
    if lever == "event":
        event = said["event"]
        fields.update(event=t(f"lever.event_name.{event}"), value=t.num(said["value"], "g"),
                      unit=t(f"lever.event_unit.{event}"), year=str(said["year"]))
    elif lever in ("price_shock", "measure_cost"):
        fields["factor"] = t.num(said["factor"], "g")
        if lever == "measure_cost":
            fields["measure_name"] = measure_labels(lang).get(said["measure"], said["measure"])
    elif lever == "subsidy_rate":
        fields["rate"] = percent0(said["rate"], lang)
    elif lever == "transfer":
        fields.update(source=_account(said["source"], lang),
                      target=_account(said["target"], lang))
    return t(f"lever.{lever}", **fields)


def _account(account: str, lang: str) -> str:
    t = translator(lang)
    if account in LABELS:
        return t(f"role.{account}")
    return t("lever.fund" if account == "fund" else "lever.outside")


def _transfer(session: Session, args: dict[str, Any]) -> dict[str, Any]:
    source, target = args.get("source"), args.get("target")
    accounts = [*session.wallets, "fund", "outside"]
    for name, value in (("source", source), ("target", target)):
        if value not in accounts:
            raise UserError(f"lever.{name}", short(value), refusal("refused.allowed",
                                                                 values=", ".join(accounts)))
    if source == target:
        raise UserError("lever.target", target, refusal("refused.same_account"))
    amount = check_money("lever.amount_eur", args.get("amount_eur"))
    balance = (session.fund["eur"] if source == "fund" else float("inf")
               if source == "outside" else session.wallets[source])
    if amount > balance + 1e-6:
        raise UserError("lever.amount_eur", round(amount),
                        refusal("refused.balance", eur=balance, source=source))
    if source == "fund":
        session.fund["eur"] -= amount
    elif source != "outside":
        session.wallets[source] -= amount
    if target == "fund":
        session.fund["eur"] += amount
    elif target != "outside":
        session.wallets[target] += amount
    return {"eur": amount, "source": source, "target": target}
