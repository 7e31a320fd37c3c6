"""A workshop session: players holding roles, rounds of simulated years, facilitator levers.

The session talks to the engine only through its seams: decisions go in through a
:class:`RecordedController` over the session's decision log (so the log *is* the replay),
levers through :mod:`territoire_abm.territory.levers`, state through ``get_state`` /
``from_state``, results through ``model.indicators()``. Roles nobody holds are played by the
model's own behavioural controller.

With a twin commune (``settings.twin``), a second territory runs beside the home one in a
:class:`~territoire_abm.territory.region.Region` (:mod:`territoire_abm.game.twins`), with its
own decision log and controller: the ``twin_council`` role decides for the twin's council
only, every home role for the home territory only. Facilitator levers act on the home
territory.

Every change (a player joining, a decision, a lever, a round) is saved at once
(:mod:`territoire_abm.game.store`): a closed browser or a restarted server loses nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from territoire_abm.errors import UserError
from territoire_abm.game import decisions as decision_rules
from territoire_abm.game import rounds
from territoire_abm.game.roles import ENGINE_ROLE, ROLES, TWIN_ROLE
from territoire_abm.game.settings import MAX_NAME_CHARS, Settings, check_text, short
from territoire_abm.game.texts import said, translator
from territoire_abm.governance.controllers import RecordedController
from territoire_abm.run import build_config
from territoire_abm.territory import levers as engine_levers
from territoire_abm.territory.model import TerritoryModel

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room
CODE_LENGTH = 6


def new_code() -> str:
    """A random session code of six characters easy to read aloud."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def valid_code(code: Any) -> bool:
    """True for a well-formed session code (checked before any lookup or path)."""
    return (isinstance(code, str) and len(code) == CODE_LENGTH
            and all(c in CODE_ALPHABET for c in code))


class SessionController(RecordedController):
    """Replays the session's live decision log; roles not in it are behavioural."""

    def __init__(self, log: dict[int, dict[str, dict]]) -> None:
        super().__init__({})
        self.log = log  # shared with the session: decisions added later are seen


class Session:
    """One workshop. Create with :meth:`create`, reopen with :func:`store.load`."""

    def __init__(self, code: str, facilitator_token: str, settings: Settings,
                 directory: Path) -> None:
        self.code = code
        self.facilitator_token = facilitator_token
        self.settings = settings
        self.directory = Path(directory)
        self.created = time.time()
        self.players: dict[str, dict[str, Any]] = {}  # token -> {"role", "name", "joined"}
        self.round = 0  # rounds played
        self.wallets = {role: settings.budgets_eur[role] for role in settings.roles}
        self.fund = {"open": False, "eur": 0.0}
        self.submissions: dict[str, dict[str, Any]] = {}  # this round, by role
        self.decisions: list[dict[str, Any]] = []  # every accepted decision
        self.log: dict[int, dict[str, dict]] = {}  # engine decisions of held roles by year
        self.lever_log: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.summaries: list[dict[str, Any]] = []
        self.deadline: float | None = None
        self.version = 0
        self.lock = threading.RLock()
        self.model: TerritoryModel | None = None
        self.twin_log: dict[int, dict[str, dict]] = {}  # the twin's held council, by year
        self.twin_model: TerritoryModel | None = None
        self.on_change: Any = None  # called with the session after each saved change

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(cls, settings: Settings | Mapping[str, Any], root: str | Path,
               code: str | None = None) -> Session:
        """A new session under ``root/<code>/``, saved at once."""
        if not isinstance(settings, Settings):
            settings = Settings.from_form(settings)
        code = code or new_code()
        session = cls(code, secrets.token_urlsafe(18), settings, Path(root) / code)
        config = build_config(settings.engine_params(), settings.seed, settings.until)
        session.model = TerritoryModel(config, controller=SessionController(session.log))
        if settings.twin:
            session.twin_model = TerritoryModel(
                build_config(settings.twin_params(), settings.seed, settings.until),
                controller=SessionController(session.twin_log))
        session._start_timer()
        session.save()
        return session

    # ------------------------------------------------------------------ who is who
    @property
    def finished(self) -> bool:
        return self.round >= self.settings.rounds

    @property
    def year(self) -> int:
        """First year of the coming round."""
        return self.settings.start + self.round * self.settings.years_per_round

    @property
    def round_years(self) -> range:
        return range(self.year, self.year + self.settings.years_per_round)

    def holders(self) -> dict[str, str]:
        """Role -> player name, for roles held by a player."""
        return {p["role"]: p["name"] for p in self.players.values()}

    def role_of(self, token: Any) -> str:
        """The role a player token holds (the only role that token may act for)."""
        player = self.players.get(token) if isinstance(token, str) else None
        if player is None:
            raise UserError("token", "(hidden)", said("refused.not_player"))
        return player["role"]

    def is_facilitator(self, token: Any) -> bool:
        return isinstance(token, str) and secrets.compare_digest(
            token.encode(), self.facilitator_token.encode())

    def _require_facilitator(self, token: Any) -> None:
        if not self.is_facilitator(token):
            raise UserError("facilitator", "(hidden)", said("refused.not_facilitator"))

    def join(self, role: Any, name: Any) -> str:
        """Give ``role`` to a new player; returns the player's secret token."""
        with self.lock:
            if role not in self.settings.roles:
                raise UserError("role", short(role),
                                said("refused.roles_in_play",
                                     roles=", ".join(self.settings.roles)))
            if role in self.holders():
                raise UserError("role", role, said("refused.role_held",
                                                      name=self.holders()[role]))
            name = check_text("name", name, MAX_NAME_CHARS) or translator(self.settings.lang)(
                f"role.{role}")
            token = secrets.token_urlsafe(18)
            self.players[token] = {"role": role, "name": name, "joined": time.time()}
            self._changed()
            return token

    # ------------------------------------------------------------------ decisions
    def available_eur(self, role: str) -> float:
        """What ``role`` may spend on measures now (wallet, plus the fund when open)."""
        extra = self.fund["eur"] if self.fund["open"] and role in ("council",
                                                                   "energy_community") else 0.0
        return self.wallets.get(role, 0.0) + extra

    def submit(self, token: Any, form: Mapping[str, Any]) -> dict[str, Any]:
        """Accept the decision of the token's role for this round, or raise a UserError
        (nothing changes then)."""
        with self.lock:
            role = self.role_of(token)
            if self.finished:
                raise UserError("round", self.round, said("refused.game_over"))
            if role in self.submissions:
                raise UserError(role, "a second decision", said("refused.second"))
            territory = self.territory(role)
            checked = decision_rules.check(
                role, form, engine_levers.measure_costs(territory),
                self.available_eur(role),
                self.wallets.get(role, 0.0), self.fund["open"],
                held=engine_levers.held_measures(territory))
            self._pay(role, checked)
            record = {"round": self.round + 1, "year": self.year, "role": role,
                      "player": self.players[token]["name"], "decision": checked.engine,
                      "cost_eur": checked.cost_eur, "fund_eur": checked.fund_eur,
                      "note": checked.note, "time": time.time()}
            self.submissions[role] = record
            self.decisions.append(record)
            self._changed()
            return record

    def _pay(self, role: str, checked: decision_rules.Checked) -> None:
        self.wallets[role] -= checked.fund_eur
        self.fund["eur"] += checked.fund_eur
        from_wallet = min(self.wallets[role], checked.cost_eur)
        self.wallets[role] -= from_wallet
        self.fund["eur"] -= checked.cost_eur - from_wallet

    def waiting_for(self) -> list[str]:
        """Held roles that have not submitted this round."""
        return [role for role in self.holders() if role not in self.submissions]

    # ------------------------------------------------------------------ levers
    def use_lever(self, token: Any, lever: str, **args: Any) -> dict[str, Any]:
        """Apply a facilitator lever (see :mod:`territoire_abm.game.levers`)."""
        from territoire_abm.game import levers as game_levers

        with self.lock:
            self._require_facilitator(token)
            if self.finished:
                raise UserError("lever", short(lever), said("refused.game_over"))
            entry = game_levers.apply(self, lever, args)
            entry.update({"round": self.round + 1, "year": self.year, "time": time.time()})
            self.lever_log.append(entry)
            self._changed()
            return entry

    # ------------------------------------------------------------------ rounds
    def advance(self, token: Any) -> dict[str, Any]:
        """Simulate the round with the decisions submitted; returns its summary."""
        with self.lock:
            self._require_facilitator(token)
            if self.finished:
                raise UserError("round", self.round, said("refused.game_over"))
            self._log_round()
            summary = rounds.play(self._model, self.round + 1, self.round_years,
                                  self.submissions, self.holders(), twin=self.twin_model)
            self.summaries.append(summary)
            self.round += 1
            self.submissions = {}
            if not self.finished:
                for role in self.wallets:
                    self.wallets[role] += self.settings.budgets_eur[role]
            self._start_timer()
            self._changed()
            return summary

    def _log_round(self) -> None:
        """Held roles' decisions into the controller's log: the submitted decision in the
        round's first year, its standing part later; a held role that did not submit decides
        nothing new (the model does not play a human's role)."""
        for offset, year in enumerate(self.round_years):
            logs = {"home": self.log.setdefault(year, {})}
            if self.twin_model is not None:
                logs["twin"] = self.twin_log.setdefault(year, {})
            for role in self.holders():
                submitted = self.submissions.get(role, {}).get("decision", {})
                entries = logs["twin" if role == TWIN_ROLE else "home"]
                entries[ENGINE_ROLE[role]] = dict(submitted) if offset == 0 else \
                    decision_rules.standing(submitted)

    def _start_timer(self) -> None:
        minutes = self.settings.timer_minutes
        self.deadline = time.time() + 60 * minutes if minutes and not self.finished else None

    # ------------------------------------------------------------------ messages
    def broadcast(self, token: Any, text: Any) -> dict[str, Any]:
        from territoire_abm.game.settings import MAX_MESSAGE_CHARS

        with self.lock:
            self._require_facilitator(token)
            message = {"round": self.round + 1, "text": check_text("message", text,
                                                                   MAX_MESSAGE_CHARS),
                       "time": time.time()}
            if not message["text"]:
                raise UserError("message", "''", said("refused.message", n=MAX_MESSAGE_CHARS))
            self.messages.append(message)
            self._changed()
            return message

    # ------------------------------------------------------------------ results
    @property
    def _model(self) -> TerritoryModel:
        if self.model is None:
            raise RuntimeError("session has no model loaded")
        return self.model

    def territory(self, role: str) -> TerritoryModel:
        """The territory ``role`` decides for: the twin's for the twin council, else home."""
        if role == TWIN_ROLE:
            if self.twin_model is None:
                raise RuntimeError("session has no twin loaded")
            return self.twin_model
        return self._model

    def indicators(self):
        """The played years' indicator table (one row per year)."""
        return self._model.indicators()

    def twin_indicators(self):
        """The twin's played years (one row per year), or None without a twin."""
        return None if self.twin_model is None else self.twin_model.indicators()

    def engine_log(self, territory: str = "home") -> dict[int, dict[str, dict]]:
        """Every role's decision every played year (the model's own roles included), of the
        home territory or of the ``"twin"``."""
        model = self.territory(TWIN_ROLE) if territory == "twin" else self._model
        return {int(y): dict(roles) for y, roles in model.decision_log.items()}

    def _changed(self) -> None:
        self.version += 1
        self.save()
        if self.on_change is not None:
            self.on_change(self)

    def save(self) -> None:
        from territoire_abm.game.store import save

        save(self)

    def public_status(self) -> dict[str, Any]:
        """What everyone may see: round, roles held, who submitted (no tokens)."""
        return {
            "code": self.code, "title": self.settings.title, "round": self.round,
            "rounds": self.settings.rounds, "year": self.year, "finished": self.finished,
            "holders": self.holders(), "submitted": sorted(self.submissions),
            "waiting": self.waiting_for(), "free_roles": [r for r in self.settings.roles
                                                       if r not in self.holders()],
            "fund": dict(self.fund), "deadline": self.deadline, "version": self.version,
            "played_by_model": [r for r in ROLES if r not in self.holders()]
            + ([TWIN_ROLE] if self.settings.twin and TWIN_ROLE not in self.holders() else []),
            "twin": self.settings.twin,
        }
