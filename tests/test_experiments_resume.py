"""A sweep killed mid-way (SIGKILL) resumes without losing or repeating runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import yaml

from territoire_abm.experiments.runner import run_experiment
from territoire_abm.experiments.spec import load_spec
from territoire_abm.experiments.store import ResultStore

CONFIG = {
    "name": "killme",
    "model": "territoire_abm.experiments.testing_models:sleepy",
    "master_seed": 2026,
    "until": 2030,
    "uncertainties": {"x": {"low": 0, "high": 10}},
    "constants": {"sleep": 0.05},
    "design": {"method": "lhs", "n": 40},
    "replications": 2,
}


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    out = tmp_path / "killed"
    store = ResultStore(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "territoire_abm.experiments", f"experiment={cfg}", f"out={out}",
         "executor=processes", "workers=2", "batch_size=2", "progress=false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(store.parts("runs")) < 6:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "sweep made no progress"
            time.sleep(0.02)
    finally:
        # The whole process group: the runner, its fork server and its worker processes.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stderr.close()

    n_before = len(store.read("runs"))
    assert 0 < n_before < 80, "the sweep should have been killed mid-way"
    assert store.read_manifest()["status"] == "running"

    spec = load_spec(cfg)
    resumed = run_experiment(spec, out, resume=True, executor="processes", workers=2,
                             progress=False)
    assert resumed.status == "complete"
    assert resumed.n_resumed >= n_before - 2  # a batch caught mid-write is discarded
    runs = store.read("runs")
    assert sorted(runs["run_id"]) == list(range(80)), "every run present exactly once"
    assert set(runs["attempt"]) == {0, 1}

    reference = run_experiment(spec, tmp_path / "whole", executor="processes", workers=2,
                               progress=False)
    pd.testing.assert_frame_equal(resumed.scalars(), reference.scalars())
    pd.testing.assert_frame_equal(resumed.series(), reference.series())
    manifest = store.read_manifest()
    assert manifest["status"] == "complete"
    assert [a["status"] for a in manifest["attempts"]] == ["running", "complete"]
