"""End to end on a real Dask cluster: a `dask scheduler` and two `dask worker` processes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from territoire_abm.experiments.runner import run_experiment
from territoire_abm.experiments.spec import spec_from_config

MODELS = "territoire_abm.experiments.testing_models"


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process group we started (scheduler, or a worker with its nanny)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    """Scheduler on 127.0.0.1 (free port chosen by the OS) plus two single-thread workers."""
    d = tmp_path_factory.mktemp("dask")
    sched_file = d / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = []
    log = open(d / "cluster.log", "w")  # noqa: SIM115 - closed in teardown
    try:
        procs.append(subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(sched_file)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 60
        while not sched_file.exists() or not sched_file.read_text().strip():
            if time.monotonic() > deadline or procs[0].poll() is not None:
                pytest.fail(f"dask scheduler did not start: {(d / 'cluster.log').read_text()}")
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for i in range(2):
            procs.append(subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}",
                 "--local-directory", str(d / f"w{i}")],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        from distributed import Client

        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)
        log.close()


def _spec():
    return spec_from_config({
        "name": "sleepy", "model": f"{MODELS}:sleepy", "master_seed": 99, "until": 2030,
        "uncertainties": {"x": {"low": -1, "high": 1},
                          "scenario": {"categories": ["ssp245", "ssp585"]}},
        "constants": {"sleep": 0.02},
        "design": {"method": "lhs", "n": 15}, "replications": 2,
    })


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "results").rglob("*.parquet")) if p.parent.name != "runs"}


def test_dask_scheduler_results_equal_local_run(tmp_path, scheduler_address):
    """Runs sent to an external scheduler give byte-identical files to a serial run."""
    spec = _spec()
    local = run_experiment(spec, tmp_path / "serial", executor="serial", batch_size=3,
                           progress=False)
    remote = run_experiment(spec, tmp_path / "dask", scheduler=scheduler_address, batch_size=3,
                            progress=False)
    assert remote.n_ok == local.n_ok == 30
    assert remote.executor["kind"] == "dask"
    assert remote.executor["scheduler"] == scheduler_address
    assert remote.executor["workers"] == 2
    assert _digests(tmp_path / "dask") == _digests(tmp_path / "serial")
    pids = set(remote.store.read("runs")["pid"]) - {os.getpid()}
    assert len(pids) == 2, "both workers should have run batches"


def test_dask_local_cluster_equals_processes(tmp_path):
    """No address: a Dask LocalCluster, still identical to local processes."""
    spec = _spec()
    a = run_experiment(spec, tmp_path / "procs", executor="processes", workers=2, batch_size=4,
                       progress=False)
    b = run_experiment(spec, tmp_path / "lc", executor="dask", workers=2, batch_size=4,
                       progress=False)
    assert b.executor["local_cluster"] is True
    assert a.n_ok == b.n_ok == 30
    assert _digests(tmp_path / "procs") == _digests(tmp_path / "lc")
