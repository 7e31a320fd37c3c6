"""The model-alone half of the debrief replay, computed while the workshop runs.

The debrief replays the played decisions under many weather futures *beside the model's own
agents playing alone under the same futures* (:mod:`territoire_abm.game.replay`). The alone
runs do not depend on what the players decide — only on the session's territory and
households, seed, first and last year, twin commune, the scenario and weather seeds of the
batch, and the policy levers the replay re-applies (subsidy rate, measure costs, price
shocks). So a :class:`Baselines` manager, held by the web app's session registry, runs them
in the background from the moment a session is created (or reopened after a restart), in one
worker process of the experiment executors lowered to ``nice`` 10, while the rounds are
played: the debrief then runs only the played half.

Each batch (one scenario, ten weather seeds) is one file ``<session>/baseline/<key>.json``
whose name is the SHA-256 of exactly the inputs above (:func:`key`; the package version and
this module's :data:`FORMAT` too). Files are written atomically (a temporary file renamed),
so a half-written batch is never read; a file whose key, seeds or content do not match is
ignored and the batch run again. The debrief reads what is there and computes the rest
(:func:`split`); a restarted server finds the finished batches and runs only the others. A
lever used during the game changes the key of every batch: the job starts again (the files
of the old key are removed).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
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


class Job:
    """One session's baseline being computed by a thread feeding a one-worker executor."""

    def __init__(self, folder: Path, batches: list[replay.ReplayTask]) -> None:
        self.folder = folder
        self.keys = [key(t) for t in batches]
        self.batches = batches
        self.stopping = threading.Event()
        self.keep: set[str] | None = None  # when retired: the keys still wanted
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"baseline {folder.parent.name}")

    def start(self) -> Job:
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def _run(self) -> None:
        try:
            self._compute()
        finally:
            if self.keep is not None:  # retired: its files of a key no longer wanted go
                for stale in set(self.keys) - self.keep:
                    (self.folder / f"{stale}.json").unlink(missing_ok=True)

    def _compute(self) -> None:
        from territoire_abm.experiments.executors import ProcessExecutor

        todo = [t for t in self.batches if read(self.folder, t) is None]
        if not todo or self.stopping.is_set():
            return
        try:
            with ProcessExecutor(workers=1) as executor:
                for _, result in executor.imap_unordered(
                        compute, ((str(self.folder), plain(t)) for t in todo),
                        max_in_flight=1):
                    if isinstance(result, BaseException):
                        self.error = result
                        return
                    if self.stopping.is_set():
                        return
        except Exception as error:  # noqa: BLE001 - the debrief computes what is missing
            self.error = error

    def stop(self, wait: bool = False) -> None:
        """Stop after the batch in flight (it is kept: it is written whole or not at all)."""
        self.stopping.set()
        if wait:
            self.thread.join()

    def retire(self, keep: list[str]) -> None:
        """Stop, and once stopped remove this job's files but those of ``keep``."""
        self.keep = set(keep)
        self.stop()


class Baselines:
    """The background baselines of a server's sessions (one job per session)."""

    def __init__(self, futures: int | None = None,
                 scenarios: Sequence[str] = SCENARIOS) -> None:
        self.futures = futures_setting() if futures is None else futures
        self.scenarios = tuple(scenarios)
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def ensure(self, session) -> Job | None:
        """Start (or restart, when its key changed) the session's baseline; nothing when it
        is running with the same key. Files of an older key are removed."""
        batches = design(session, self.futures, self.scenarios)
        keys = [key(t) for t in batches]
        with self.lock:
            job = self.jobs.get(session.code)
            if job is not None and job.keys == keys and (job.running or job.error is None):
                return job
            if job is not None:
                job.retire(keys)
            folder = folder_of(session)
            if folder.is_dir():
                for stale in folder.glob("*.json"):
                    if stale.stem not in keys:
                        stale.unlink(missing_ok=True)
            self.jobs[session.code] = job = Job(folder, batches).start()
            return job

    def stop(self, session, wait: bool = False) -> None:
        """Stop the session's baseline (before its debrief computes what is missing)."""
        with self.lock:
            job = self.jobs.get(session.code)
        if job is not None:
            job.stop(wait=wait)

    def close(self) -> None:
        """Stop every job and wait for them."""
        with self.lock:
            jobs = list(self.jobs.values())
        for job in jobs:
            job.stop(wait=True)
