"""Sessions on disk, and the registry a server keeps of them.

Each session lives in ``<root>/<code>/``: ``session.json`` (settings, players, wallets,
decisions, levers, messages, round summaries; human-readable) and ``engine.pkl`` (the model's
state through ``territory.state.save``: written atomically, loaded only from files this
program wrote); with a twin commune, ``twin_engine.pkl`` too (the twin territory's state; the
twinning links carry nothing between years that the two states do not hold). All are
rewritten after every change, so a server restart resumes every session exactly where it was.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from territoire_abm.errors import UserError
from territoire_abm.game.session import Session, SessionController, valid_code
from territoire_abm.game.settings import Settings
from territoire_abm.game.texts import said
from territoire_abm.territory import state as engine_state

FORMAT = 1
FIELDS = ("created", "players", "round", "wallets", "fund", "submissions", "decisions",
          "lever_log", "messages", "summaries", "deadline", "version")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def save(session: Session) -> None:
    """Write the session (JSON) and its engine state (pickle), each atomically."""
    session.directory.mkdir(parents=True, exist_ok=True)
    if session.model is not None:
        engine_state.save(session.model, session.directory / "engine.pkl")
    if session.twin_model is not None:
        engine_state.save(session.twin_model, session.directory / "twin_engine.pkl")
    data: dict[str, Any] = {"format": FORMAT, "code": session.code,
                            "facilitator_token": session.facilitator_token,
                            "settings": session.settings.to_json(),
                            "log": {str(y): roles for y, roles in session.log.items()},
                            "twin_log": {str(y): r for y, r in session.twin_log.items()}}
    data.update({name: getattr(session, name) for name in FIELDS})
    _write_atomic(session.directory / "session.json",
                  json.dumps(data, indent=1, ensure_ascii=False, default=str))


def load(directory: str | Path) -> Session:
    """Reopen a saved session with its model."""
    directory = Path(directory)
    data = json.loads((directory / "session.json").read_text(encoding="utf-8"))
    session = Session(data["code"], data["facilitator_token"],
                      Settings.from_json(data["settings"]), directory)
    for name in FIELDS:
        setattr(session, name, data[name])
    session.log.update({int(y): roles for y, roles in data["log"].items()})
    session.twin_log.update({int(y): roles for y, roles in data.get("twin_log", {}).items()})
    session.model = engine_state.load(directory / "engine.pkl",
                                      controller=SessionController(session.log))
    if session.settings.twin:
        session.twin_model = engine_state.load(directory / "twin_engine.pkl",
                                               controller=SessionController(session.twin_log))
    return session


class Registry:
    """The sessions a server holds: in memory, loaded from ``root`` on first use."""

    def __init__(self, root: str | Path, baselines: Any = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.baselines = baselines  # a game.baseline.Baselines (the web app's), or None

    def _hold(self, session: Session) -> Session:
        """Keep ``session``; with baselines, start its model-alone futures in the
        background and follow its changes (a lever changes what they depend on)."""
        self.sessions[session.code] = session
        if self.baselines is not None:
            session.on_change = self.baselines.ensure
            self.baselines.ensure(session)
        return session

    def create(self, settings: Any) -> Session:
        with self.lock:
            session = Session.create(settings, self.root)
            while session.code in self.sessions:  # astronomically rare
                session = Session.create(settings, self.root)
            return self._hold(session)

    def get(self, code: Any) -> Session:
        """The session with ``code`` (upper-cased); a bad code never reaches the disk."""
        code = code.strip().upper() if isinstance(code, str) else code
        if not valid_code(code):
            raise UserError("session code", "(not a code)" if not isinstance(code, str)
                            else code[:12], said("refused.code"))
        with self.lock:
            if code not in self.sessions:
                if not (self.root / code / "session.json").is_file():
                    raise UserError("session code", code, said("refused.no_session"))
                self._hold(load(self.root / code))
            return self.sessions[code]

    def codes(self) -> list[str]:
        """Codes of every session on disk, newest first."""
        found = [p.parent.name for p in self.root.glob("*/session.json")
                 if valid_code(p.parent.name)]
        return sorted(found, key=lambda c: (self.root / c / "session.json").stat().st_mtime,
                      reverse=True)

    def by_token(self, token: Any) -> tuple[Session, str]:
        """The session and role (``"facilitator"`` or a role) a secret token opens."""
        if not isinstance(token, str) or not 10 <= len(token) <= 64:
            raise UserError("token", "(hidden)", said("refused.bad_link"))
        for code in self.codes():
            session = self.get(code)
            if session.is_facilitator(token):
                return session, "facilitator"
            if token in session.players:
                return session, session.players[token]["role"]
        raise UserError("token", "(hidden)", said("refused.bad_link"))
