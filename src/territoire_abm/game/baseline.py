"""The model-alone half of the debrief replay, computed while the workshop runs.

The debrief replays the played decisions under many weather futures *beside the model's own
agents playing alone under the same futures* (:mod:`territoire_abm.game.replay`). The alone
runs do not depend on what the players decide — only on the session's territory and
households, seed, first and last year, twin commune, the scenario and weather seeds of the
batch, and the policy levers the replay re-applies (subsidy rate, measure costs, price
shocks). So a :class:`Baselines` manager, held by the web app's session registry, runs them
in the background from the moment a session is created (or reopened after a restart), in one
worker process of the experiment executors lowered to ``nice`` 10 (one for every session of
the server, the session changed last first), while the rounds are played: the debrief then
runs only the played half.

Each batch (one scenario, ten weather seeds) is one file ``<session>/baseline/<key>.json``
whose name is the SHA-256 of exactly the inputs above (:func:`key`; the package version and
this module's :data:`FORMAT` too). Files are written atomically (a temporary file renamed),
so a half-written batch is never read; a file whose key, seeds or content do not match is
ignored and the batch run again. The debrief reads what is there and computes the rest
(:func:`split`); a restarted server finds the finished batches and runs only the others. A
lever used during the game changes the key of every batch: the baseline starts again (the
files of the old key are removed).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoire_abm import __version__
from territoire_abm.config.params import SCENARIOS

if TYPE_CHECKING:  # the engine is imported by the worker once it runs at low priority
    from territoire_abm.game import replay

FORMAT = 1
FOLDER = "baseline"
NICENESS = 10  # below the interactive rounds: the server process keeps its priority
FUTURES_ENV = "TERRITOIRE_ABM_GAME_FUTURES"


def futures_setting() -> int:
    """The number of weather futures of the debrief (``$TERRITOIRE_ABM_GAME_FUTURES``, 100)."""
    return int(os.environ.get(FUTURES_ENV, "100"))


def key(task: replay.ReplayTask) -> str:
    """The SHA-256 of exactly what a batch's model-alone runs depend on (and of the
    columns their rows hold)."""
    from territoire_abm.game.published import outcomes

    start = int(task.params.get("start", 0))
    inputs = {"format": FORMAT, "version": __version__, "params": task.params,
              "outcomes": outcomes(start, task.until),
              "twin_params": task.twin_params, "seed": task.seed, "until": task.until,
              "scenario": task.scenario, "weather_seeds": list(task.weather_seeds),
              "levers": list(task.levers)}
    text = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def path(folder: str | Path, task: replay.ReplayTask) -> Path:
    """The cache file of ``task``'s model-alone batch in ``folder``."""
    return Path(folder) / f"{key(task)}.json"


def read(folder: str | Path, task: replay.ReplayTask) -> list[dict[str, Any]] | None:
    """The cached model-alone rows of ``task``, or None when missing or not matching."""
    try:
        data = json.loads(path(folder, task).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key(task):
        return None
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return None
    if [(r.get("scenario"), r.get("weather_seed"), r.get("variant")) for r in rows] != \
            [(task.scenario, seed, "alone") for seed in task.weather_seeds]:
        return None
    return rows


def write(folder: str | Path, task: replay.ReplayTask, rows: list[dict[str, Any]]) -> Path:
    """Cache ``task``'s model-alone rows atomically (a temporary file renamed)."""
    target = path(folder, task)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"key": key(task), "rows": rows}), encoding="utf-8")
    tmp.replace(target)
    return target


def split(design: Sequence[replay.ReplayTask], folder: str | Path
          ) -> tuple[list[replay.ReplayTask], list[dict[str, Any]]]:
    """The tasks still to run (every played half; the alone halves not cached) and the
    cached alone rows."""
    todo: list[replay.ReplayTask] = []
    rows: list[dict[str, Any]] = []
    for task in design:
        todo.append(task.played())
        cached = read(folder, task.alone())
        if cached is None:
            todo.append(task.alone())
        else:
            rows.extend(cached)
    return todo, rows


def folder_of(session) -> Path:
    """A session's baseline folder."""
    return Path(session.directory) / FOLDER


def design(session, futures: int, scenarios: Sequence[str] = SCENARIOS
           ) -> list[replay.ReplayTask]:
    """The model-alone batches of a session played to its last round, with the levers used
    so far."""
    from territoire_abm.game import replay

    return [task.alone() for task in replay.tasks(session, futures, scenarios,
                                                  rounds=session.settings.rounds)]


def lower_priority(niceness: int = NICENESS) -> None:
    """Lower this process to ``niceness`` (once: ``os.nice`` adds up)."""
    current = os.nice(0)
    if current < niceness:
        os.nice(niceness - current)


def key_of_fields(fields_: dict[str, Any]) -> str:
    """:func:`key` of a task given as its :func:`plain` fields."""
    from types import SimpleNamespace

    return key(SimpleNamespace(**fields_))  # type: ignore[arg-type]


def plain(task: replay.ReplayTask) -> dict[str, Any]:
    """A task's fields (sent to the worker as plain data: unpickling a ReplayTask would
    import the engine before the worker lowers its priority)."""
    return {f.name: getattr(task, f.name) for f in fields(task)}


def compute(job: tuple[str, dict[str, Any]]) -> int:
    """In a worker: lower its priority, then run one model-alone batch (its
    :func:`plain` fields) and cache it (skipped when already cached); returns the number of
    runs done."""
    lower_priority()
    from territoire_abm.game import replay

    folder, task = job[0], replay.ReplayTask(**job[1])
    if read(folder, task) is not None:
        return 0
    write(folder, task, replay.run_task(task))
    return len(task.weather_seeds)


def status(session, futures: int, scenarios: Sequence[str] = SCENARIOS) -> tuple[int, int]:
    """(batches cached, batches in all) of the session's baseline (cheap: files written
    atomically are whole; :func:`read` checks each one's content when it is used)."""
    batches = design(session, futures, scenarios)
    folder = folder_of(session)
    return sum(path(folder, t).is_file() for t in batches), len(batches)


class Baselines:
    """The background baselines of a server's sessions: one worker process (at ``nice``
    10) for all of them, one batch in flight at a time, the session changed last first.

    :meth:`ensure` (on creation, on reopening, after every change of a session) sets the
    batches a session wants; the worker thread runs while some are missing and ends when
    none are (its process ends with it). A batch whose session no longer wants its key (a
    lever changed the key while it ran) is removed when it lands.
    """

    def __init__(self, futures: int | None = None,
                 scenarios: Sequence[str] = SCENARIOS) -> None:
        self.futures = futures_setting() if futures is None else futures
        self.scenarios = tuple(scenarios)
        self.wanted: dict[str, tuple[Path, list[replay.ReplayTask]]] = {}  # last: newest
        self.current: dict[Path, set[str]] = {}  # a session folder's keys, stopped or not
        self.in_flight: set[tuple[Path, str]] = set()  # (session folder, key)
        self.failed: dict[str, BaseException] = {}  # key -> error (not retried)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ sessions
    def ensure(self, session) -> None:
        """Want the session's baseline (its batches for the levers used so far) first; files
        of a key no longer wanted are removed. Nothing once its debrief pack is written."""
        if (Path(session.directory) / "debrief" / "replay.csv").is_file():
            return
        batches = design(session, self.futures, self.scenarios)
        folder = folder_of(session)
        keys = {key(t) for t in batches}
        with self.lock:
            self.wanted.pop(session.code, None)
            self.wanted[session.code] = (folder, batches)  # last: first served
            if self.current.get(folder) != keys:
                self.current[folder] = keys
                self._remove_stale(folder, keys)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="debrief baselines")
                self.thread.start()

    def stop(self, session) -> None:
        """Want no more of the session's baseline (its debrief computes what is missing);
        the batch in flight is kept."""
        with self.lock:
            self.wanted.pop(session.code, None)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no batch is missing (or ``timeout`` s); True when idle."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self.lock:
                thread = self.thread
            if thread is None:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            thread.join(left)

    def close(self) -> None:
        """Want nothing more and wait for the batch in flight."""
        with self.lock:
            self.wanted.clear()
        self.wait()

    # ------------------------------------------------------------------ the worker
    def _remove_stale(self, folder: Path, keys: set[str]) -> None:
        if folder.is_dir():
            for stale in folder.glob("*.json"):
                if stale.stem not in keys and (folder, stale.stem) not in self.in_flight:
                    stale.unlink(missing_ok=True)

    def _next(self):
        """The next missing batch, of the session changed last (None: nothing missing, and
        the thread is marked gone under the same lock)."""
        with self.lock:
            for folder, batches in reversed(list(self.wanted.values())):
                for task in batches:
                    name = key(task)
                    if (folder, name) not in self.in_flight and name not in self.failed \
                            and not path(folder, task).is_file():
                        self.in_flight.add((folder, name))
                        return str(folder), plain(task)
            self.thread = None
            return None

    def _jobs(self):
        while (job := self._next()) is not None:
            yield job

    def _landed(self, job: tuple[str, dict[str, Any]], error: BaseException | None) -> None:
        folder, fields_ = Path(job[0]), job[1]
        name = key_of_fields(fields_)
        with self.lock:
            self.in_flight.discard((folder, name))
            if error is not None:
                self.failed[name] = error
            if name not in self.current.get(folder, {name}):
                (folder / f"{name}.json").unlink(missing_ok=True)

    def _run(self) -> None:
        from territoire_abm.experiments.executors import ProcessExecutor

        try:
            with ProcessExecutor(workers=1) as executor:
                for job, result in executor.imap_unordered(compute, self._jobs(),
                                                           max_in_flight=1):
                    self._landed(job, result if isinstance(result, BaseException) else None)
        except Exception as error:  # noqa: BLE001 - the debrief computes what is missing
            with self.lock:
                self.failed["executor"] = error
                self.in_flight.clear()
                self.thread = None
