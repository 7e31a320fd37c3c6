"""The model-alone futures computed in the background while a workshop runs."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pandas as pd
import pytest

from territoire_abm.game import baseline, replay
from territoire_abm.game.debrief import write_pack
from territoire_abm.game.store import Registry

SCENARIOS = ("tracc", "ssp585")
FUTURES = 12  # two batches per scenario (ten seeds, then two)


def wait(baselines, seconds: float = 300) -> None:
    assert baselines.wait(seconds) and not baselines.failed, baselines.failed


def wanted_keys(baselines, session) -> set[str]:
    return {baseline.key(t) for t in baselines.wanted[session.code][1]}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    """A two-round session of the web app's registry, its baseline running from creation;
    a lever used in round 2 changes what the baseline depends on."""
    baselines = baseline.Baselines(futures=FUTURES, scenarios=SCENARIOS)
    registry = Registry(tmp_path_factory.mktemp("sessions"), baselines=baselines)
    session = registry.create({"rounds": 2, "years_per_round": 3, "households": 150})
    assert baselines.thread is not None
    first = wanted_keys(baselines, session)
    council = session.join("council", "Ann")
    f = session.facilitator_token
    session.submit(council, {"adopt": ["cool_rooms"]})
    session.use_lever(f, "event", event="heat_wave")  # not replayed: same key
    assert wanted_keys(baselines, session) == first
    session.advance(f)
    session.use_lever(f, "subsidy_rate", rate=0.6)  # replayed: new keys
    second = wanted_keys(baselines, session)
    assert len(second) == 4 and not second & first
    session.submit(council, {"adopt": ["heat_wave_plan"]})
    session.advance(f)
    wait(baselines)
    assert session.finished and baselines.thread is None  # the worker is gone when idle
    return registry, session


def test_debrief_with_the_baseline_equals_the_full_replay(workshop, tmp_path, monkeypatch):
    _, session = workshop
    folder = baseline.folder_of(session)
    assert baseline.status(session, FUTURES, SCENARIOS) == (4, 4)
    assert sorted(p.stem for p in folder.glob("*.json")) == sorted(
        baselines_keys(session))  # the first job's files (old key) are gone
    variants = []
    original = replay.run_task
    monkeypatch.setattr(replay, "run_task",
                        lambda task: variants.append(task.variants) or original(task))
    cached = write_pack(session, futures=FUTURES, scenarios=SCENARIOS, workers=1,
                        folder=tmp_path / "cached")
    assert set(variants) == {("played",)}  # the alone half came from the baseline
    variants.clear()
    full = write_pack(session, futures=FUTURES, scenarios=SCENARIOS, workers=1,
                      folder=tmp_path / "full", baseline=False)
    assert set(variants) == {("played", "alone")}
    assert (cached / "replay.csv").read_bytes() == (full / "replay.csv").read_bytes()
    table = pd.read_csv(full / "replay.csv")
    assert len(table) == 2 * FUTURES * len(SCENARIOS)
    pd.testing.assert_frame_equal(replay.robustness(table),
                                  replay.robustness(pd.read_csv(cached / "replay.csv")),
                                  check_exact=True)


def baselines_keys(session) -> list[str]:
    return [baseline.key(t) for t in baseline.design(session, FUTURES, SCENARIOS)]


def test_a_restarted_server_reuses_the_baseline_and_runs_only_what_is_missing(workshop,
                                                                             tmp_path):
    registry, session = workshop
    folder = baseline.folder_of(session)
    files = sorted(folder.glob("*.json"))
    files[0].unlink()
    kept = {p: p.stat().st_mtime_ns for p in files[1:]}
    restarted = Registry(registry.root, baselines=baseline.Baselines(FUTURES, SCENARIOS))
    reopened = restarted.get(session.code)
    wait(restarted.baselines)
    assert files[0].is_file()
    assert {p: p.stat().st_mtime_ns for p in files[1:]} == kept
    again = baseline.Baselines(FUTURES, SCENARIOS)
    again.ensure(reopened)
    started = time.monotonic()
    wait(again)
    assert time.monotonic() - started < 5  # nothing to run: no worker started
    write_pack(reopened, futures=1, scenarios=("tracc",), workers=1)
    done = baseline.Baselines(FUTURES, SCENARIOS)
    done.ensure(reopened)  # its debrief is written: nothing wanted
    assert reopened.code not in done.wanted and done.thread is None


def test_one_worker_serves_every_session_the_last_changed_first(tmp_path):
    baselines = baseline.Baselines(futures=2, scenarios=("tracc",))
    registry = Registry(tmp_path, baselines=baselines)
    sessions = [registry.create({"rounds": 1, "years_per_round": 2, "households": 60})
                for _ in range(3)]
    assert list(baselines.wanted) == [s.code for s in sessions]
    sessions[0].join("council", "Ann")  # a change: served first from now on
    assert list(baselines.wanted)[-1] == sessions[0].code
    wait(baselines)
    assert all(baseline.status(s, 2, ("tracc",)) == (1, 1) for s in sessions)
    baselines.stop(sessions[1])
    assert sessions[1].code not in baselines.wanted


def test_half_written_corrupt_or_foreign_caches_are_never_read(workshop, tmp_path):
    _, session = workshop
    task = replay.tasks(session, 2, ("tracc",))[0].alone()
    rows = replay.run_task(task)
    assert baseline.read(tmp_path, task) is None
    target = baseline.write(tmp_path, task, rows)
    assert baseline.read(tmp_path, task) == rows
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    target.write_text(target.read_text()[: len(target.read_text()) // 2])  # cut short
    assert baseline.read(tmp_path, task) is None
    data = {"key": baseline.key(task), "rows": rows[:1]}
    target.write_text(json.dumps(data))  # a batch missing a future
    assert baseline.read(tmp_path, task) is None
    target.write_text(json.dumps({"key": "0" * 64, "rows": rows}))
    assert baseline.read(tmp_path, task) is None
    other = replay.ReplayTask(**{**task.__dict__, "seed": task.seed + 1})
    baseline.write(tmp_path, task, rows)
    assert baseline.key(other) != baseline.key(task) and baseline.read(tmp_path, other) is None
    todo, cached = baseline.split([replay.tasks(session, 2, ("tracc",))[0]], tmp_path)
    assert [t.variants for t in todo] == [("played",)] and cached == rows


def test_the_key_holds_what_the_alone_runs_depend_on_and_nothing_else(workshop):
    _, session = workshop
    task = replay.tasks(session, 10, ("tracc",))[0]
    assert baseline.key(task) == baseline.key(task.alone())  # the players' logs play no part
    for change in ({"seed": 1}, {"until": task.until - 1}, {"scenario": "ssp245"},
                   {"weather_seeds": (1, 2)}, {"levers": ()},
                   {"params": {**task.params, "territory.households": 151}},
                   {"twin_params": {"x": 1}}):
        assert baseline.key(replay.ReplayTask(**{**task.__dict__, **change})) != \
            baseline.key(task), change


def test_the_worker_lowers_its_priority_once_before_importing_the_engine():
    code = ("import os, sys; from territoire_abm.game.baseline import lower_priority; "
            "print('territoire_abm.territory.model' in sys.modules); "
            "lower_priority(); lower_priority(); print(os.nice(0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", str(baseline.NICENESS)]
