"""The workshop web app (Solara), on top of the session layer.

Three pages, chosen by the address:

- ``/`` — players join with the session code, their name and a free role;
- ``/?key=<facilitator key>`` — the facilitator creates a session (the key is printed by
  ``territoire-abm game``);
- ``/?t=<token>`` — a player's own page, or the facilitator's console of one session. The token
  is in the address, so closing the browser and reopening the link resumes the same seat.

The pages are written in the session's language (``Settings.lang``: French by default, or
English), from the catalogue game/messages.toml; the join and creation pages, before a session
is chosen, have a fr/en toggle. User text (names, notes, messages, titles) is only ever shown
through ``solara.Text`` (a text node, never HTML). Every action goes through
:class:`~territoire_abm.game.session.Session`, whose one-line errors are shown in the page (in
the session's language: :func:`error_line`).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import solara

from territoire_abm.config.params import SCENARIOS
from territoire_abm.errors import UserError
from territoire_abm.game import twins
from territoire_abm.game.levers import LEVERS, lever_text
from territoire_abm.game.published import dashboard_text
from territoire_abm.game.roles import (
    BUDGETS_EUR,
    FIELDS,
    GAME_ROLES,
    ROLES,
    TWIN_ROLE,
    measure_labels,
    options,
)
from territoire_abm.game.roles import view as role_view
from territoire_abm.game.settings import LANGUAGES, Settings
from territoire_abm.game.store import Registry
from territoire_abm.game.texts import translator
from territoire_abm.i18n import Message, localise_number
from territoire_abm.territory import levers as engine_levers

ROOT_ENV, KEY_ENV = "TERRITOIRE_ABM_GAME_DIR", "TERRITOIRE_ABM_GAME_KEY"
POLL_SECONDS = 1.0
_registry: Registry | None = None
_registry_lock = threading.Lock()


def registry() -> Registry:
    """The server's sessions (folder from ``$TERRITOIRE_ABM_GAME_DIR``)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            from territoire_abm.game.baseline import Baselines

            _registry = Registry(os.environ.get(ROOT_ENV, "game_sessions"),
                                 baselines=Baselines())
        return _registry


def facilitator_key() -> str:
    """The facilitator's key for this server (from the environment set by ``game``)."""
    return os.environ.get(KEY_ENV, "")


def lang_of(session) -> str:
    """The language of a session's pages (its settings' ``lang``)."""
    return session.settings.lang


def _fmt_eur(amount: float, lang: str = "en") -> str:
    return _grouped(amount, lang) + " EUR"


def _grouped(value: float, lang: str) -> str:
    """A whole number with its thousands apart (en: a space; fr: a narrow no-break space)."""
    text = f"{value:,.0f}"
    return localise_number(text, lang) if lang != "en" else text.replace(",", " ")


def _fmt_value(value: float, lang: str = "en") -> str:
    return _grouped(value, lang) if abs(value) >= 1000 \
        else localise_number(f"{value:.3g}", lang)


def role_label(session, role: str) -> str:
    """A role's name in the session's language, with the twin commune's name for the twin
    council."""
    label = translator(lang_of(session))(f"role.{role}")
    if role == TWIN_ROLE:
        return f"{label} ({session.settings.twin})"
    return label


def account_choices(session) -> dict[str, str]:
    """The accounts money can move between, by name (as the console's lists show them) ->
    account id: the roles in play, the common fund and "outside" (a grant, a fine)."""
    t = translator(lang_of(session))
    names = {role_label(session, role): role for role in session.wallets}
    return {**names, t("app.common_fund"): "fund", t("app.outside"): "outside"}


def measure_choices(lang: str = "en") -> dict[str, str]:
    """The collective measures by name in ``lang`` (sorted) -> measure id, for the cost
    lever."""
    return dict(sorted((label, measure) for measure, label in measure_labels(lang).items()))


def dispatch_modes(lang: str = "en") -> dict[str, str]:
    """The energy community's dispatch modes by name in ``lang`` -> the decision's value."""
    t = translator(lang)
    return {t("app.dispatch_model"): "", t("dispatch_mode.rule"): "rule",
            t("dispatch_mode.lp"): "lp"}


#: The energy community's dispatch modes by (English) name -> the decision's value.
DISPATCH_MODES = dispatch_modes()


def error_line(error: UserError, lang: str = "en") -> str:
    """The page's line for a refused action, in ``lang``: what was allowed is written again
    from its catalogue key when it has one (the field and the value stay as they are)."""
    t = translator(lang)
    if lang == "en":
        return t("app.error", error=str(error))
    allowed = error.allowed
    if isinstance(allowed, Message) and allowed.key:
        allowed = t(allowed.key, **allowed.params)
    return t("app.error", error=t("refused.line", field=error.field, value=repr(error.value),
                                  allowed=allowed))


def _attempt(action: Callable[[], Any], set_error: Callable[[str], None],
             set_done: Callable[[str], None] | None = None, done: str = "",
             lang: str = "en") -> Any:
    """Run a session action; a user's mistake becomes the page's error line (in ``lang``)."""
    try:
        result = action()
    except UserError as error:
        set_error(error_line(error, lang))
        return None
    set_error("")
    if set_done is not None:
        set_done(done)
    return result


def use_session_version(session) -> int:
    """Re-render when the session changes (another player, the facilitator): polls."""
    version, set_version = solara.use_state(session.version)

    def poll():
        stop = threading.Event()

        def run():
            while not stop.wait(POLL_SECONDS):
                set_version(session.version)

        threading.Thread(target=run, daemon=True).start()
        return stop.set

    solara.use_effect(poll, [session.code])
    return version


@solara.component
def Messages(error: str, done: str = ""):
    """An error line, or else a success line, under a form."""
    if error:
        solara.Error(error)
    elif done:
        solara.Success(done)


# --------------------------------------------------------------------------- join (players)
def LanguageToggle(lang: str, set_lang: Callable[[str], None]) -> None:
    """The fr/en toggle of the pages shown before a session is chosen."""
    solara.ToggleButtonsSingle(value=lang, values=list(LANGUAGES), on_value=set_lang)


@solara.component
def JoinPage():
    """The landing page: a session code, a name and a free role to join as (in the
    session's language once the code names one; before, as the fr/en toggle says)."""
    router = solara.use_router()
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")
    chosen_lang, set_lang = solara.use_state(Settings.lang)
    session = None
    if code.strip():
        session = _attempt(lambda: registry().get(code), lambda e: None)
    lang = lang_of(session) if session is not None else chosen_lang
    t = translator(lang)
    solara.Title(t("app.workshop"))
    if session is None:
        LanguageToggle(lang, set_lang)
    with solara.Card(t("app.join_title")):
        solara.InputText(t("app.session_code"), value=code, on_value=set_code,
                         continuous_update=True)
        solara.InputText(t("app.your_name"), value=name, on_value=set_name,
                         continuous_update=True)
        if session is not None:
            status = session.public_status()
            solara.Text(t("app.join_status", code=session.code, round=str(status["round"] + 1),
                          rounds=str(status["rounds"])))
            with solara.Row():
                for role in status["free_roles"]:
                    def join(role=role):
                        token = _attempt(lambda: session.join(role, name), set_error,
                                         lang=lang)
                        if token:
                            router.push(f"?t={token}")

                    solara.Button(t("app.join_as", role=role_label(session, role)),
                                  on_click=join)
        Messages(error)


# --------------------------------------------------------------------------- create (facilitator)
@solara.component
def CreatePage():
    """The facilitator's form creating a session (territory, rounds, roles, budgets)."""
    router = solara.use_router()
    title, set_title = solara.use_state("")
    scenario, set_scenario = solara.use_state("tracc")
    rounds, set_rounds = solara.use_state("5")
    years, set_years = solara.use_state("5")
    households, set_households = solara.use_state("2483")
    timer, set_timer = solara.use_state("0")
    roles, set_roles = solara.use_state(list(ROLES))
    ui_lang, set_ui_lang = solara.use_state(Settings.lang)
    lang, set_lang = solara.use_state(Settings.lang)
    t = translator(ui_lang)
    no_twin = t("app.no_twin")
    twin, set_twin = solara.use_state("")
    budgets, set_budgets = solara.use_state({role: f"{amount:.0f}"
                                             for role, amount in BUDGETS_EUR.items()})
    error, set_error = solara.use_state("")
    offered = solara.use_memo(lambda: twins.choices("carbonne", scenario), [scenario])
    def switch(new: str) -> None:  # the form's language is the new session's too
        set_ui_lang(new)
        set_lang(new)

    solara.Title(t("app.new_title"))
    LanguageToggle(ui_lang, switch)
    with solara.Card(t("app.new_card")):
        solara.InputText(t("app.title"), value=title, on_value=set_title,
                         continuous_update=True)
        solara.Select(t("app.scenario"), values=list(SCENARIOS), value=scenario,
                      on_value=set_scenario)
        solara.InputText(t("app.rounds"), value=rounds, on_value=set_rounds,
                         continuous_update=True)
        solara.InputText(t("app.years_per_round"), value=years, on_value=set_years,
                         continuous_update=True)
        solara.InputText(t("app.households"), value=households, on_value=set_households,
                         continuous_update=True)
        solara.InputText(t("app.timer"), value=timer, on_value=set_timer,
                         continuous_update=True)
        solara.Select(t("app.twin"), values=[no_twin, *offered],
                      value=twin if twin in offered else no_twin, on_value=set_twin)
        chosen_twin = twin if twin in offered else ""
        solara.Select(t("app.lang"), values=list(LANGUAGES), value=lang, on_value=set_lang)
        solara.Text(t("app.roles_in_play"))
        for role in GAME_ROLES if chosen_twin else ROLES:
            label = t(f"role.{role}")
            with solara.Row():
                solara.Checkbox(label=label, value=role in roles,
                                on_value=lambda on, role=role: set_roles(
                                    [r for r in GAME_ROLES if (r in roles and r != role)
                                     or (r == role and on)]))
                if role in roles:
                    solara.InputText(t("app.money_per_round", role=label),
                                     value=budgets[role], continuous_update=True,
                                     on_value=lambda text, role=role: set_budgets(
                                         {**budgets, role: text}))

        def create():
            in_play = [r for r in roles if r != TWIN_ROLE or chosen_twin]
            form = {"title": title, "scenario": scenario, "rounds": rounds,
                    "years_per_round": years, "households": households,
                    "timer_minutes": timer, "twin": chosen_twin, "lang": lang,
                    "roles": in_play,
                    "budgets_eur": {r: budgets[r].replace(" ", "") for r in in_play}}
            session = _attempt(lambda: registry().create(form), set_error, lang=ui_lang)
            if session is not None:
                router.push(f"?t={session.facilitator_token}")

        solara.Button(t("app.create"), on_click=create, color="primary")
        Messages(error)
    with solara.Card(t("app.existing")):
        for code in registry().codes()[:20]:
            session = registry().get(code)
            solara.Button(t("app.open", code=code, round=str(session.round),
                            rounds=str(session.settings.rounds)),
                          text=True, on_click=lambda s=session: router.push(
                              f"?t={s.facilitator_token}"))


# --------------------------------------------------------------------------- shared views
# a plain function, not a component: re-drawn with its page on every change
def Dashboard(session, role: str):
    """The indicators ``role`` may see for the last simulated year; with a twin commune, the
    twin's beside the home territory's (the twin council's own territory first)."""
    lang = lang_of(session)
    t = translator(lang)
    table = session.indicators()
    if table.empty:
        solara.Text(t("app.no_year"))
        return
    columns = [(session.model.name, table.iloc[-1])]
    twin = session.twin_indicators()
    if twin is not None:
        columns.append((t("app.twin_column", name=session.twin_model.name), twin.iloc[-1]))
        if role == TWIN_ROLE:
            columns.reverse()
    year = int(table.index[-1])
    rows = [f"| {label} | " + " | ".join(_fmt_value(last[name], lang) for _, last in columns)
            + f" | {dashboard_text(name, float(table.iloc[-1][name]), year, lang)} |"
            for name, label in role_view(role, lang).items() if name in table]
    solara.Markdown(f"**{t('app.dashboard', year=str(year))}**\n\n| {t('app.th_indicator')} | "
                    + " | ".join(name for name, _ in columns)
                    + f" | {t('app.th_published')} |\n|---|"
                    + "---|" * (len(columns) + 1) + "\n" + "\n".join(rows))


# a plain function, not a component: re-drawn with its page on every change
def Briefing(session):
    """What happened last round (events, what the decisions changed), or how round 1 starts."""
    lang = lang_of(session)
    t = translator(lang)
    if not session.summaries:
        solara.Text(t("app.round1", year=str(session.year),
                      years=str(session.settings.years_per_round)))
        return
    summary = last_summary(session)
    first, last = summary["years"]
    with solara.Card(t("app.happened", round=str(summary["round"]), first=str(first),
                       last=str(last))):
        with solara.Column(gap="2px"):
            for line in summary["events"] or [t("app.quiet")]:
                solara.Text("• " + line)
            solara.Text(t("app.changed"))
        rows = [f"| {e['label']} | {_g3(e['played'], lang)} | {_g3(e['alone'], lang)} |"
                for e in summary["effects"].values()
                if e["played"] is not None and e["alone"] is not None]
        solara.Markdown(f"| {t('app.th_indicator')} | {t('app.th_played')} | "
                        f"{t('app.th_alone')} |\n|---|---|---|\n" + "\n".join(rows))
        with solara.Column(gap="2px"):
            for line in summary["why"]:
                solara.Text("• " + line)
    if "twin" in summary:
        TwinBriefing(summary, lang)


def _g3(value: float, lang: str) -> str:
    return localise_number(f"{value:.3g}", lang)


def last_summary(session) -> dict[str, Any]:
    """The last round's summary in the session's language (recorded in English; a French
    session's is written again from what it recorded, as the debrief does)."""
    if lang_of(session) == "en":
        return session.summaries[-1]
    from territoire_abm.game.debrief import round_summaries

    return round_summaries(session, lang_of(session))[-1]


# a plain function, not a component: re-drawn with its page on every change
def TwinBriefing(summary: dict[str, Any], lang: str = "en"):
    """The twin commune's round beside ours: its events, indicators and its council's
    choices."""
    t = translator(lang)
    twin = summary["twin"]
    with solara.Card(t("app.twin_card", name=twin["name"])):
        with solara.Column(gap="2px"):
            for line in twin["events"] or [t("app.quiet")]:
                solara.Text("• " + line)
        rows = [f"| {e['label']} | {_g3(ours['played'], lang)} | {_g3(e['played'], lang)} | "
                f"{_g3(e['alone'], lang)} |"
                for name, e in twin["effects"].items()
                if (ours := summary["effects"].get(name)) and None not in (
                    ours["played"], e["played"], e["alone"])]
        solara.Markdown(f"| {t('app.th_indicator')} | {t('app.th_ours')} | {t('app.th_twin')} | "
                        f"{t('app.th_twin_alone')} |\n|---|---|---|---|\n" + "\n".join(rows))
        with solara.Column(gap="2px"):
            for line in twin["why"]:
                solara.Text("• " + line)


# a plain function, not a component: re-drawn with its page on every change
def Broadcasts(session):
    """The facilitator's last five messages, newest first (shown as text)."""
    t = translator(lang_of(session))
    for message in session.messages[-5:][::-1]:
        solara.Info(t("app.broadcast", round=str(message["round"]), text=message["text"]))


def Timer(status: dict[str, Any], lang: str = "en") -> None:
    """The round's end time (a clock time: it needs no ticking page)."""
    if status["deadline"]:
        end = datetime.fromtimestamp(status["deadline"]).strftime("%H:%M")
        solara.Warning(translator(lang)("app.timer_due", end=end))


# --------------------------------------------------------------------------- player
@solara.component
def DecisionForm(session, token: str, role: str, version: int):
    """A role's options for this round; submitting checks the decision and shows any error."""
    chosen, set_chosen = solara.use_state({})  # field -> list of measures
    share, set_share = solara.use_state("")
    mode, set_mode = solara.use_state("")
    fund, set_fund = solara.use_state("")
    note, set_note = solara.use_state("")
    error, set_error = solara.use_state("")
    done, set_done = solara.use_state("")
    lang = lang_of(session)
    t = translator(lang)
    modes = dispatch_modes(lang)
    labels = measure_labels(lang)
    costs = engine_levers.measure_costs(session.territory(role))
    for field, allowed in form_options(session, role).items():
        solara.Text(t(f"app.field_{field}"))
        if not allowed:
            solara.Text(t("app.none") if field != "drop" else t("app.none_in_place"))
        for measure in allowed:
            picked = chosen.get(field, [])
            cost = f" — {_fmt_eur(costs[measure], lang)}" if field in ("adopt", "invest") \
                else ""
            solara.Checkbox(label=f"{labels.get(measure, measure)}{cost}",
                            value=measure in picked,
                            on_value=lambda on, f=field, m=measure: set_chosen(
                                {**chosen, f: [x for x in chosen.get(f, []) if x != m]
                                 + ([m] if on else [])}))
    if "contribute" in FIELDS[role]:
        solara.InputText(t("app.contribute"), value=share, on_value=set_share,
                         continuous_update=True)
    if "mode" in FIELDS[role]:
        solara.Select(t("app.dispatch"), values=list(modes), value=mode or next(iter(modes)),
                      on_value=set_mode)
    if session.fund["open"]:
        solara.InputText(t("app.fund_in"), value=fund, on_value=set_fund,
                         continuous_update=True)
    solara.InputText(t("app.note"), value=note, on_value=set_note, continuous_update=True)

    def submit():
        form: dict[str, Any] = {k: v for k, v in chosen.items() if k in FIELDS[role]}
        if "contribute" in FIELDS[role]:
            form["contribute"] = _float_or_text(share, lang)
        if "mode" in FIELDS[role]:
            form["mode"] = modes.get(mode, mode) or None
        if fund.strip():
            form["fund_eur"] = typed_amount(fund, lang)
        form["note"] = note
        _attempt(lambda: session.submit(token, form), set_error, set_done,
                 t("app.submitted_wait"), lang=lang)

    solara.Button(t("app.submit"), on_click=submit, color="primary")
    Messages(error, done)


def form_options(session, role: str) -> dict[str, tuple[str, ...]]:
    """The measures ``role``'s form offers in each list this round: what the role may adopt
    or invest in, less what is already working or being built; only those to drop."""
    held = engine_levers.held_measures(session.territory(role))
    return {field: tuple(m for m in allowed if (m in held) == (field == "drop"))
            if field in ("adopt", "invest", "drop") else allowed
            for field, allowed in options(role).items()}


def typed_amount(text: str, lang: str = "en") -> str:
    """An amount in EUR as typed in the page, for the session's checks: its thousands
    spaces dropped (``100 000``, as the creation form's budgets), French a decimal comma."""
    text = "".join(text.split()).replace("\u202f", "")
    return text.replace(",", ".") if lang == "fr" else text


def _float_or_text(text: str, lang: str = "en") -> Any:
    text = (text or "").strip()
    if not text:
        return None
    if lang == "fr":  # a decimal comma: 0,6
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return text  # refused with a clear line by the session


@solara.component
def PlayerPage(session, token: str):
    """A player's seat: briefing, dashboard, messages and the decision form of their role."""
    version = use_session_version(session)
    role = session.role_of(token)
    status = session.public_status()
    lang = lang_of(session)
    t = translator(lang)
    solara.Title(t("app.player_title", role=role_label(session, role), code=session.code))
    solara.Markdown(f"## {role_label(session, role)}")
    if status["finished"]:
        solara.Text(t("app.player_over_line", name=session.players[token]["name"],
                      code=session.code, rounds=str(status["rounds"]),
                      first=str(session.settings.start), last=str(session.settings.until)))
    else:
        solara.Text(t("app.player_line", name=session.players[token]["name"],
                      code=session.code, round=str(status["round"] + 1),
                      rounds=str(status["rounds"]), year=str(session.year)))
    solara.Text(t("app.money", eur=_fmt_eur(session.wallets.get(role, 0), lang))
                + (t("app.money_fund", eur=_fmt_eur(session.fund["eur"], lang))
                   if session.fund["open"] else ""))
    Timer(status, lang)
    Broadcasts(session)
    Briefing(session)
    Dashboard(session, role)
    if status["finished"]:
        solara.Success(t("app.over"))
    elif role in status["submitted"]:
        solara.Success(t("app.submitted"))
    else:
        with solara.Card(t("app.your_decision", year=str(session.year))):
            DecisionForm(session, token, role, version).key(f"form-{session.round}")


# --------------------------------------------------------------------------- facilitator
@solara.component
def LeverPanel(session, token: str, version: int):
    """The facilitator's levers: events, money transfers, subsidy rate, costs, common fund."""
    lang = lang_of(session)
    t = translator(lang)
    error, set_error = solara.use_state("")
    done, set_done = solara.use_state("")
    factor, set_factor = solara.use_state("1.5")
    rate, set_rate = solara.use_state("0.5")
    measures = measure_choices(lang)
    measure, set_measure = solara.use_state(next(iter(measures)))
    cost_factor, set_cost_factor = solara.use_state("1.25")
    accounts = account_choices(session)
    source, set_source = solara.use_state(list(accounts)[0])
    target, set_target = solara.use_state(list(accounts)[1])
    amount, set_amount = solara.use_state("100000")
    message, set_message = solara.use_state("")

    def lever(name: str, **args: Any) -> Callable[[], None]:
        return lambda: _apply_lever(session, token, name, args, set_error, set_done, lang)

    def number(text: str) -> str:  # a French decimal comma: 1,5
        return text.replace(",", ".") if lang == "fr" else text

    with solara.Card(t("app.levers")):
        with solara.Row():
            for event in engine_levers.EVENTS:
                solara.Button(t("app.inject", event=t(f"lever.event_name.{event}")),
                              on_click=lever("event", event=event))
        with solara.Row():
            solara.InputText(t("app.price_factor"), value=factor, on_value=set_factor,
                             continuous_update=True)
            solara.Button(t("app.price_shock"), on_click=lever("price_shock",
                                                               factor=number(factor)))
        with solara.Row():
            solara.InputText(t("app.subsidy"), value=rate, on_value=set_rate,
                             continuous_update=True)
            solara.Button(t("app.set_subsidy"), on_click=lever("subsidy_rate",
                                                               rate=number(rate)))
        with solara.Row():
            solara.Select(t("app.measure"), values=list(measures), value=measure,
                          on_value=set_measure)
            solara.InputText(t("app.cost_factor"), value=cost_factor,
                             on_value=set_cost_factor, continuous_update=True)
            solara.Button(t("app.change_cost"), on_click=lever(
                "measure_cost", measure=measures[measure], factor=number(cost_factor)))
        with solara.Row():
            solara.Select(t("app.from"), values=list(accounts), value=source,
                          on_value=set_source)
            solara.Select(t("app.to"), values=list(accounts), value=target,
                          on_value=set_target)
            solara.InputText(t("app.amount"), value=amount, on_value=set_amount,
                             continuous_update=True)
            solara.Button(t("app.move"), on_click=lever(
                "transfer", source=accounts.get(source, source),
                target=accounts.get(target, target), amount_eur=typed_amount(amount, lang)))
        solara.Button(t("app.open_fund"), on_click=lever("open_fund", amount_eur=0))
        with solara.Row():
            solara.InputText(t("app.message"), value=message, on_value=set_message,
                             continuous_update=True)
            solara.Button(t("app.send"), on_click=lambda: _attempt(
                lambda: session.broadcast(token, message), set_error, set_done,
                t("app.sent"), lang=lang))
        with solara.Details(t("app.what_levers")):
            for name in LEVERS:
                solara.Text(f"{name}: {t(f'lever.description.{name}')}")
        Messages(error, done)


def _apply_lever(session, token: str, name: str, args: dict[str, Any],
                 set_error: Callable[[str], None], set_done: Callable[[str], None],
                 lang: str) -> None:
    """Apply a lever from the console; its line says what it did, or why it was refused."""
    entry = _attempt(lambda: session.use_lever(token, name, **args), set_error, lang=lang)
    if entry is not None:
        set_done(lever_done(entry, lang))


def lever_done(entry: dict[str, Any], lang: str = "en") -> str:
    """The console's line once a lever is applied: what it did, in words (as the log)."""
    return translator(lang)("app.lever_done",
                            lever=lever_text(entry["lever"], entry["said"], lang))


# a plain function, not a component: re-drawn with its page on every change
def BaselineStatus(session):
    """How far the debrief's model-alone futures, computed in the background, have got."""
    from territoire_abm.game.baseline import status

    baselines = registry().baselines
    if baselines is None:
        return
    ready, total = status(session, baselines.futures, baselines.scenarios)
    solara.Text(translator(lang_of(session))(
        "app.baseline", futures=baselines.futures, scenarios=len(baselines.scenarios),
        ready=ready, total=total))


@solara.component
def FacilitatorPage(session, token: str):
    """The facilitator's console: who submitted, levers, messages, next round, debrief."""
    version = use_session_version(session)
    error, set_error = solara.use_state("")
    done, set_done = solara.use_state("")
    pack, set_pack = solara.use_state("")
    status = session.public_status()
    lang = lang_of(session)
    t = translator(lang)
    solara.Title(t("app.console_title", code=session.code))
    solara.Markdown(f"## {t('app.console_h', code=session.code)}")
    solara.Text(session.settings.title)
    solara.Text(console_line(session, status))
    rows = []
    for role in session.settings.roles:
        holder = status["holders"].get(role)
        state = t("app.state_submitted" if role in status["submitted"] else
                  "app.state_waiting") if holder else t("app.state_model")
        if status["finished"]:
            state = t("app.state_over")
        rows.append(f"| {role_label(session, role)} | {_fmt_eur(session.wallets[role], lang)} | "
                    f"{state} |")
    solara.Markdown(f"| {t('app.th_role')} | {t('app.th_money')} | {t('app.th_round')} |"
                    "\n|---|---|---|\n" + "\n".join(rows))
    for role, name in status["holders"].items():
        solara.Text(f"{t(f'role.{role}')}{t('common.label_sep')}{name}")
    Timer(status, lang)
    BaselineStatus(session)
    Messages(error, done)
    if not status["finished"]:
        solara.Button(t("app.run", round=str(status["round"] + 1)), color="primary",
                      on_click=lambda: _attempt(lambda: session.advance(token), set_error,
                                                set_done, t("app.simulated"), lang=lang))
        LeverPanel(session, token, version)
    else:
        def write_pack():
            from territoire_abm.game.baseline import futures_setting
            from territoire_abm.game.debrief import write_pack as write

            registry().baselines.stop(session)  # the debrief computes what is still missing
            folder = _attempt(lambda: write(session, futures=futures_setting()), set_error,
                              lang=lang)
            if folder is not None:
                set_pack(str(folder))

        solara.Button(t("app.write_pack"), color="primary", on_click=write_pack)
        if pack:
            solara.Success(t("app.pack_written", folder=pack))
            with solara.Row():
                for path, label in pack_downloads(Path(pack), lang):
                    solara.FileDownload(path.read_bytes(), filename=path.name, label=label)
    Briefing(session)
    Dashboard(session, "facilitator")
    with solara.Details(t("app.log")), solara.Column(gap="2px"):
        for line in log_lines(session):
            solara.Text(line)


def console_line(session, status: dict[str, Any]) -> str:
    """The console's line under its title: the round to play and the years it simulates, or,
    once the last round is played, that the game is over."""
    t = translator(lang_of(session))
    settings = session.settings
    if status["finished"]:
        line = t("app.console_over", rounds=str(status["rounds"]), first=str(settings.start),
                 last=str(settings.until), scenario=settings.scenario)
    else:
        line = t("app.console_line", round=str(status["round"] + 1),
                 rounds=str(status["rounds"]), year=str(session.year),
                 scenario=settings.scenario)
    return line + (t("app.console_twin", twin=settings.twin) if settings.twin else "")


def pack_downloads(folder: Path, lang: str = "en") -> list[tuple[Path, str]]:
    """The debrief pack's files the console offers to download, with their buttons' labels
    (in ``lang``)."""
    t = translator(lang)
    offered = [("debrief.html", t("app.download_html")),
               ("debrief.pdf", t("app.download_pdf"))]
    return [(folder / name, label) for name, label in offered if (folder / name).is_file()]


def log_lines(session) -> list[str]:
    """The console's log: every decision and lever in order, in words (the debrief's
    timeline, in the session's language)."""
    from territoire_abm.game.debrief import timeline

    lang = lang_of(session)
    t = translator(lang)
    return [t("app.log_line", round=str(e["round"]), year=str(e["year"]), who=e["who"],
              what=e["what"]) + (t("app.log_note", note=e["note"]) if e["note"] else "")
            for e in timeline(session, lang)]


# --------------------------------------------------------------------------- routing
@solara.component
def Page():
    """Route by the address: a player token, the facilitator key, or the join page."""
    router = solara.use_router()
    query = parse_qs(router.search or "")
    token = (query.get("t") or [""])[0]
    key = (query.get("key") or [""])[0]
    if token:
        try:
            session, role = registry().by_token(token)
        except UserError as error:
            solara.Error(error_line(error, Settings.lang))
            JoinPage()
            return
        if role == "facilitator":
            FacilitatorPage(session, token)
        else:
            PlayerPage(session, token)
    elif key and facilitator_key() and secrets.compare_digest(key, facilitator_key()):
        CreatePage()
    else:
        JoinPage()
