"""The workshop web app (Solara), on top of the session layer.

Three pages, chosen by the address:

- ``/`` — players join with the session code, their name and a free role;
- ``/?key=<facilitator key>`` — the facilitator creates a session (the key is printed by
  ``territoire-abm game``);
- ``/?t=<token>`` — a player's own page, or the facilitator's console of one session. The token
  is in the address, so closing the browser and reopening the link resumes the same seat.

User text (names, notes, messages, titles) is only ever shown through ``solara.Text`` (a text
node, never HTML). Every action goes through :class:`~territoire_abm.game.session.Session`,
whose one-line errors are shown in the page.
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
from territoire_abm.game.levers import DESCRIPTIONS
from territoire_abm.game.published import dashboard_text
from territoire_abm.game.roles import (
    BUDGETS_EUR,
    FIELDS,
    GAME_ROLES,
    LABELS,
    ROLES,
    TWIN_ROLE,
    measure_labels,
    options,
)
from territoire_abm.game.roles import view as role_view
from territoire_abm.game.settings import LANGUAGES, Settings
from territoire_abm.game.store import Registry
from territoire_abm.territory import levers as engine_levers

NO_TWIN = "(no twin)"
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


def _fmt_eur(amount: float) -> str:
    return f"{amount:,.0f} EUR".replace(",", " ")


def _fmt_value(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if abs(value) >= 1000 else f"{value:.3g}"


def role_label(session, role: str) -> str:
    """A role's name, with the twin commune's name for the twin council."""
    if role == TWIN_ROLE:
        return f"{LABELS[role]} ({session.settings.twin})"
    return LABELS[role]


def account_choices(session) -> dict[str, str]:
    """The accounts money can move between, by name (as the console's lists show them) ->
    account id: the roles in play, the common fund and "outside" (a grant, a fine)."""
    names = {role_label(session, role): role for role in session.wallets}
    return {**names, "Common fund": "fund", "Outside (a grant, a fine)": "outside"}


def measure_choices() -> dict[str, str]:
    """The collective measures by name (sorted) -> measure id, for the cost lever."""
    return dict(sorted((label, measure) for measure, label in measure_labels().items()))


#: The energy community's dispatch modes by name -> the decision's value.
DISPATCH_MODES = {"as the model would (no change)": "", "rule-based": "rule",
                  "optimised (linear programme)": "lp"}


def _attempt(action: Callable[[], Any], set_error: Callable[[str], None],
             set_done: Callable[[str], None] | None = None, done: str = "") -> Any:
    """Run a session action; a user's mistake becomes the page's error line."""
    try:
        result = action()
    except UserError as error:
        set_error(f"error: {error}")
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
@solara.component
def JoinPage():
    """The landing page: a session code, a name and a free role to join as."""
    router = solara.use_router()
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")
    solara.Title("Territoire workshop")
    with solara.Card("Join a workshop"):
        solara.InputText("Session code", value=code, on_value=set_code, continuous_update=True)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        session = None
        if code.strip():
            session = _attempt(lambda: registry().get(code), lambda e: None)
        if session is not None:
            status = session.public_status()
            solara.Text(f"Session {session.code}: round {status['round'] + 1} of "
                        f"{status['rounds']}. Pick a free role:")
            with solara.Row():
                for role in status["free_roles"]:
                    def join(role=role):
                        token = _attempt(lambda: session.join(role, name), set_error)
                        if token:
                            router.push(f"?t={token}")

                    solara.Button(f"Join as {role_label(session, role)}", on_click=join)
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
    twin, set_twin = solara.use_state(NO_TWIN)
    lang, set_lang = solara.use_state(Settings.lang)
    budgets, set_budgets = solara.use_state({role: f"{amount:.0f}"
                                             for role, amount in BUDGETS_EUR.items()})
    error, set_error = solara.use_state("")
    offered = solara.use_memo(lambda: twins.choices("carbonne", scenario), [scenario])
    solara.Title("Territoire workshop — new session")
    with solara.Card("New workshop session"):
        solara.InputText("Title", value=title, on_value=set_title, continuous_update=True)
        solara.Select("Climate scenario", values=list(SCENARIOS), value=scenario,
                      on_value=set_scenario)
        solara.InputText("Rounds", value=rounds, on_value=set_rounds, continuous_update=True)
        solara.InputText("Years per round", value=years, on_value=set_years,
                         continuous_update=True)
        solara.InputText("Households", value=households, on_value=set_households,
                         continuous_update=True)
        solara.InputText("Round timer (minutes, 0 = none)", value=timer, on_value=set_timer,
                         continuous_update=True)
        solara.Select("Twin commune (optional: a place whose climate today is ours in 2050; "
                      "it runs beside ours and learns from it)",
                      values=[NO_TWIN, *offered], value=twin if twin in offered else NO_TWIN,
                      on_value=set_twin)
        chosen_twin = twin if twin in offered else ""
        solara.Select("Language of the debrief pack (fr: français, en: English)",
                      values=list(LANGUAGES), value=lang, on_value=set_lang)
        solara.Text("Roles in play (the model plays the others) and the money each receives "
                    "at the start of every round:")
        for role in GAME_ROLES if chosen_twin else ROLES:
            with solara.Row():
                solara.Checkbox(label=LABELS[role], value=role in roles,
                                on_value=lambda on, role=role: set_roles(
                                    [r for r in GAME_ROLES if (r in roles and r != role)
                                     or (r == role and on)]))
                if role in roles:
                    solara.InputText(f"{LABELS[role]}: money per round (EUR)",
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
            session = _attempt(lambda: registry().create(form), set_error)
            if session is not None:
                router.push(f"?t={session.facilitator_token}")

        solara.Button("Create session", on_click=create, color="primary")
        Messages(error)
    with solara.Card("Existing sessions"):
        for code in registry().codes()[:20]:
            session = registry().get(code)
            solara.Button(f"Open {code} — round {session.round}/{session.settings.rounds}",
                          text=True, on_click=lambda s=session: router.push(
                              f"?t={s.facilitator_token}"))


# --------------------------------------------------------------------------- shared views
# a plain function, not a component: re-drawn with its page on every change
def Dashboard(session, role: str):
    """The indicators ``role`` may see for the last simulated year; with a twin commune, the
    twin's beside the home territory's (the twin council's own territory first)."""
    table = session.indicators()
    if table.empty:
        solara.Text("No year simulated yet: the dashboard fills after the first round.")
        return
    columns = [(session.model.name, table.iloc[-1])]
    twin = session.twin_indicators()
    if twin is not None:
        columns.append((f"{session.twin_model.name} (twin)", twin.iloc[-1]))
        if role == TWIN_ROLE:
            columns.reverse()
    year = int(table.index[-1])
    rows = [f"| {label} | " + " | ".join(_fmt_value(last[name]) for _, last in columns)
            + f" | {dashboard_text(name, float(table.iloc[-1][name]), year)} |"
            for name, label in role_view(role).items() if name in table]
    solara.Markdown(f"**Dashboard ({year})**\n\n| indicator | "
                    + " | ".join(name for name, _ in columns)
                    + " | published, French communes (⚠ outside) |\n|---|"
                    + "---|" * (len(columns) + 1) + "\n" + "\n".join(rows))


# a plain function, not a component: re-drawn with its page on every change
def Briefing(session):
    """What happened last round (events, what the decisions changed), or how round 1 starts."""
    if not session.summaries:
        solara.Text(f"Round 1 starts in {session.year}. Decide, then the facilitator runs "
                    f"{session.settings.years_per_round} years.")
        return
    summary = session.summaries[-1]
    with solara.Card(f"Round {summary['round']} ({summary['years'][0]}–{summary['years'][1]}):"
                     " what happened"):
        with solara.Column(gap="2px"):
            for line in summary["events"] or ["A quiet period: no extreme event."]:
                solara.Text("• " + line)
            solara.Text("What the decisions changed (round means, played vs the model's own "
                        "choices, same weather):")
        rows = [f"| {e['label']} | {e['played']:.3g} | {e['alone']:.3g} |"
                for e in summary["effects"].values()
                if e["played"] is not None and e["alone"] is not None]
        solara.Markdown("| indicator | played | model alone |\n|---|---|---|\n" + "\n".join(rows))
        with solara.Column(gap="2px"):
            for line in summary["why"]:
                solara.Text("• " + line)
    if "twin" in summary:
        TwinBriefing(summary)


# a plain function, not a component: re-drawn with its page on every change
def TwinBriefing(summary: dict[str, Any]):
    """The twin commune's round beside ours: its events, indicators and its council's
    choices."""
    twin = summary["twin"]
    with solara.Card(f"The twin commune, {twin['name']}, in the same years"):
        with solara.Column(gap="2px"):
            for line in twin["events"] or ["A quiet period: no extreme event."]:
                solara.Text("• " + line)
        rows = [f"| {e['label']} | {ours['played']:.3g} | {e['played']:.3g} | "
                f"{e['alone']:.3g} |"
                for name, e in twin["effects"].items()
                if (ours := summary["effects"].get(name)) and None not in (
                    ours["played"], e["played"], e["alone"])]
        solara.Markdown("| indicator | ours | twin | twin, model alone |\n|---|---|---|---|\n"
                        + "\n".join(rows))
        with solara.Column(gap="2px"):
            for line in twin["why"]:
                solara.Text("• " + line)


# a plain function, not a component: re-drawn with its page on every change
def Broadcasts(session):
    """The facilitator's last five messages, newest first (shown as text)."""
    for message in session.messages[-5:][::-1]:
        solara.Info(f"Facilitator (round {message['round']}): {message['text']}")


def Timer(status: dict[str, Any]) -> None:
    """The round's end time (a clock time: it needs no ticking page)."""
    if status["deadline"]:
        end = datetime.fromtimestamp(status["deadline"]).strftime("%H:%M")
        solara.Warning(f"Round timer: decisions due at {end}")


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
    labels = measure_labels()
    costs = engine_levers.measure_costs(session.territory(role))
    for field, allowed in form_options(session, role).items():
        solara.Text({"adopt": "Adopt (council measures):", "drop": "Drop (measures in place):",
                     "invest": "Invest (community projects):",
                     "recommend": "Recommend to the council:",
                     "propose": "Propose to the council:"}[field])
        if not allowed:
            solara.Text("(none)" if field != "drop" else "(none in place yet)")
        for measure in allowed:
            picked = chosen.get(field, [])
            cost = f" — {_fmt_eur(costs[measure])}" if field in ("adopt", "invest") else ""
            solara.Checkbox(label=f"{labels.get(measure, measure)}{cost}",
                            value=measure in picked,
                            on_value=lambda on, f=field, m=measure: set_chosen(
                                {**chosen, f: [x for x in chosen.get(f, []) if x != m]
                                 + ([m] if on else [])}))
    if "contribute" in FIELDS[role]:
        solara.InputText("Share of your group contributing to collective projects (0–1, "
                         "empty = as they would)", value=share, on_value=set_share,
                         continuous_update=True)
    if "mode" in FIELDS[role]:
        solara.Select("Dispatch mode", values=list(DISPATCH_MODES), value=mode or
                      next(iter(DISPATCH_MODES)), on_value=set_mode)
    if session.fund["open"]:
        solara.InputText("Put into the common fund (EUR)", value=fund, on_value=set_fund,
                         continuous_update=True)
    solara.InputText("Note to the group (why)", value=note, on_value=set_note,
                     continuous_update=True)

    def submit():
        form: dict[str, Any] = {k: v for k, v in chosen.items() if k in FIELDS[role]}
        if "contribute" in FIELDS[role]:
            form["contribute"] = _float_or_text(share)
        if "mode" in FIELDS[role]:
            form["mode"] = DISPATCH_MODES.get(mode, mode) or None
        if fund.strip():
            form["fund_eur"] = fund
        form["note"] = note
        _attempt(lambda: session.submit(token, form), set_error, set_done,
                 "Decision submitted. Waiting for the facilitator to run the round.")

    solara.Button("Submit decision", on_click=submit, color="primary")
    Messages(error, done)


def form_options(session, role: str) -> dict[str, tuple[str, ...]]:
    """The measures ``role``'s form offers in each list this round: what the role may adopt
    or invest in, less what is already working or being built; only those to drop."""
    held = engine_levers.held_measures(session.territory(role))
    return {field: tuple(m for m in allowed if (m in held) == (field == "drop"))
            if field in ("adopt", "invest", "drop") else allowed
            for field, allowed in options(role).items()}


def _float_or_text(text: str) -> Any:
    text = (text or "").strip()
    if not text:
        return None
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
    solara.Title(f"{role_label(session, role)} — workshop {session.code}")
    solara.Markdown(f"## {role_label(session, role)}")
    solara.Text(f"Player: {session.players[token]['name']} · session {session.code} · "
                f"round {min(status['round'] + 1, status['rounds'])} of {status['rounds']} · "
                f"years from {session.year}")
    solara.Text(f"Your money: {_fmt_eur(session.wallets.get(role, 0))}"
                + (f" · common fund: {_fmt_eur(session.fund['eur'])}"
                   if session.fund["open"] else ""))
    Timer(status)
    Broadcasts(session)
    Briefing(session)
    Dashboard(session, role)
    if status["finished"]:
        solara.Success("The game is over: see the debrief with your facilitator.")
    elif role in status["submitted"]:
        solara.Success("Decision submitted for this round. Waiting for the facilitator.")
    else:
        with solara.Card(f"Your decision for {session.year}"):
            DecisionForm(session, token, role, version).key(f"form-{session.round}")


# --------------------------------------------------------------------------- facilitator
@solara.component
def LeverPanel(session, token: str, version: int):
    """The facilitator's levers: events, money transfers, subsidy rate, costs, common fund."""
    error, set_error = solara.use_state("")
    done, set_done = solara.use_state("")
    factor, set_factor = solara.use_state("1.5")
    rate, set_rate = solara.use_state("0.5")
    measures = measure_choices()
    measure, set_measure = solara.use_state(next(iter(measures)))
    cost_factor, set_cost_factor = solara.use_state("1.25")
    accounts = account_choices(session)
    source, set_source = solara.use_state(list(accounts)[0])
    target, set_target = solara.use_state(list(accounts)[1])
    amount, set_amount = solara.use_state("100000")
    message, set_message = solara.use_state("")

    def lever(name: str, **args: Any) -> Callable[[], None]:
        return lambda: _attempt(lambda: session.use_lever(token, name, **args), set_error,
                                set_done, f"Lever applied: {name}")

    with solara.Card("Levers"):
        with solara.Row():
            for event in engine_levers.EVENTS:
                solara.Button(f"Inject {event.replace('_', ' ')}", on_click=lever(
                    "event", event=event))
        with solara.Row():
            solara.InputText("Price factor", value=factor, on_value=set_factor,
                             continuous_update=True)
            solara.Button("Price shock", on_click=lever("price_shock", factor=factor))
        with solara.Row():
            solara.InputText("Subsidy rate (0–1)", value=rate, on_value=set_rate,
                             continuous_update=True)
            solara.Button("Set subsidy rate", on_click=lever("subsidy_rate", rate=rate))
        with solara.Row():
            solara.Select("Measure", values=list(measures), value=measure,
                          on_value=set_measure)
            solara.InputText("Cost factor", value=cost_factor, on_value=set_cost_factor,
                             continuous_update=True)
            solara.Button("Change cost", on_click=lever("measure_cost",
                                                        measure=measures[measure],
                                                        factor=cost_factor))
        with solara.Row():
            solara.Select("From", values=list(accounts), value=source, on_value=set_source)
            solara.Select("To", values=list(accounts), value=target, on_value=set_target)
            solara.InputText("Amount (EUR)", value=amount, on_value=set_amount,
                             continuous_update=True)
            solara.Button("Move money", on_click=lever(
                "transfer", source=accounts.get(source, source),
                target=accounts.get(target, target), amount_eur=amount))
        solara.Button("Open common fund", on_click=lever("open_fund", amount_eur=0))
        with solara.Row():
            solara.InputText("Message to all players", value=message, on_value=set_message,
                             continuous_update=True)
            solara.Button("Broadcast", on_click=lambda: _attempt(
                lambda: session.broadcast(token, message), set_error, set_done,
                "Message sent."))
        with solara.Details("What the levers do"):
            for name, text in DESCRIPTIONS.items():
                solara.Text(f"{name}: {text}")
        Messages(error, done)


# a plain function, not a component: re-drawn with its page on every change
def BaselineStatus(session):
    """How far the debrief's model-alone futures, computed in the background, have got."""
    from territoire_abm.game.baseline import status

    baselines = registry().baselines
    if baselines is None:
        return
    ready, total = status(session, baselines.futures, baselines.scenarios)
    solara.Text(f"Debrief baseline (the model alone under {baselines.futures} weather futures "
                f"× {len(baselines.scenarios)} scenarios, computed in the background): "
                f"{ready} of {total} batches ready")


@solara.component
def FacilitatorPage(session, token: str):
    """The facilitator's console: who submitted, levers, messages, next round, debrief."""
    version = use_session_version(session)
    error, set_error = solara.use_state("")
    done, set_done = solara.use_state("")
    pack, set_pack = solara.use_state("")
    status = session.public_status()
    solara.Title(f"Facilitator — workshop {session.code}")
    solara.Markdown(f"## Facilitator console · session code **{session.code}**")
    solara.Text(session.settings.title)
    solara.Text(f"Round {min(status['round'] + 1, status['rounds'])} of {status['rounds']} · "
                f"next years from {session.year} · {session.settings.scenario}"
                + (f" · twin commune: {session.settings.twin} (levers act on our territory)"
                   if session.settings.twin else ""))
    rows = []
    for role in session.settings.roles:
        holder = status["holders"].get(role)
        state = ("submitted" if role in status["submitted"] else "waiting") if holder else \
            "played by the model"
        if status["finished"]:
            state = "game over"
        rows.append(f"| {role_label(session, role)} | {_fmt_eur(session.wallets[role])} | "
                    f"{state} |")
    solara.Markdown("| role | money | this round |\n|---|---|---|\n" + "\n".join(rows))
    for role, name in status["holders"].items():
        solara.Text(f"{LABELS[role]}: {name}")
    Timer(status)
    BaselineStatus(session)
    Messages(error, done)
    if not status["finished"]:
        solara.Button(f"Run round {status['round'] + 1}", color="primary", on_click=lambda:
                      _attempt(lambda: session.advance(token), set_error, set_done,
                               "Round simulated."))
        LeverPanel(session, token, version)
    else:
        def write_pack():
            from territoire_abm.game.baseline import futures_setting
            from territoire_abm.game.debrief import write_pack as write

            registry().baselines.stop(session)  # the debrief computes what is still missing
            folder = _attempt(lambda: write(session, futures=futures_setting()), set_error)
            if folder is not None:
                set_pack(str(folder))

        solara.Button("Write the debrief pack", color="primary", on_click=write_pack)
        if pack:
            solara.Success(f"Debrief pack written to {pack}")
            with solara.Row():
                for path, label in pack_downloads(Path(pack)):
                    solara.FileDownload(path.read_bytes(), filename=path.name, label=label)
    Briefing(session)
    Dashboard(session, "facilitator")
    with solara.Details("Lever and decision log"), solara.Column(gap="2px"):
        for line in log_lines(session):
            solara.Text(line)


def pack_downloads(folder: Path) -> list[tuple[Path, str]]:
    """The debrief pack's files the console offers to download, with their buttons' labels."""
    offered = [("debrief.html", "Download the debrief (HTML)"),
               ("debrief.pdf", "Download the debrief (PDF)")]
    return [(folder / name, label) for name, label in offered if (folder / name).is_file()]


def log_lines(session) -> list[str]:
    """The console's log: every decision and lever in order, in words (the debrief's
    timeline, in English)."""
    from territoire_abm.game.debrief import timeline

    return [f"Round {e['round']} ({e['year']}) · {e['who']}: {e['what']}"
            + (f" — “{e['note']}”" if e["note"] else "") for e in timeline(session, "en")]


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
            solara.Error(f"error: {error}")
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
