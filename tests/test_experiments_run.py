"""Running experiments: executors agree, failures are recorded, resume is safe."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from territoire_abm.errors import UserError
from territoire_abm.experiments.cli import analyse_main, run_main
from territoire_abm.experiments.runner import choose_batch_size, run_experiment
from territoire_abm.experiments.spec import spec_from_config
from territoire_abm.experiments.store import ResultStore

MODELS = "territoire_abm.experiments.testing_models"


def trajectory_spec(**extra):
    cfg = {
        "name": "traj",
        "model": f"{MODELS}:trajectory",
        "master_seed": 7,
        "until": 2035,
        "uncertainties": {"x1": {"low": 0, "high": 1}, "x2": {"low": 0, "high": 2},
                          "scenario": {"categories": ["ssp126", "ssp245", "ssp585"]}},
        "constants": {"noise": 0.1},
        "design": {"method": "lhs", "n": 12},
        "replications": 2,
    }
    cfg.update(extra)
    return spec_from_config(cfg)


def digests(root: Path) -> dict[str, str]:
    """Hashes of every result file except the timing table."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "results").rglob("*.parquet"))
        if p.parent.name != "runs"
    }


def test_serial_and_processes_write_identical_files(tmp_path):
    """Same master seed and batch size → byte-identical Parquet files."""
    spec = trajectory_spec()
    a = run_experiment(spec, tmp_path / "serial", executor="serial", batch_size=5,
                       progress=False)
    b = run_experiment(spec, tmp_path / "procs", executor="processes", workers=2, batch_size=5,
                       progress=False)
    assert a.n_ok == b.n_ok == 24 and a.n_failed == 0
    da, db = digests(tmp_path / "serial"), digests(tmp_path / "procs")
    assert len(da) == 2  # scalars + series, each compacted to one file when complete
    assert da == db
    series = a.series()
    assert list(series.columns) == ["run_id", "year", "pressure", "inert"]
    assert len(series) == 24 * 16
    scal = a.scalars()
    assert {"run_id", "sample_id", "policy", "replication", "seed", "x1", "x2", "scenario",
            "pressure_end", "pressure_mean"} <= set(scal.columns)
    assert scal["run_id"].tolist() == list(range(24))


def test_seeds_are_stored_and_reproduce_a_run(tmp_path):
    """The stored seed and parameters re-create a run outside the sweep."""
    from territoire_abm.experiments.testing_models import trajectory

    res = run_experiment(trajectory_spec(), tmp_path / "o", workers=1, progress=False)
    row = res.scalars().iloc[5]
    again = trajectory({"x1": row["x1"], "x2": row["x2"], "noise": 0.1}, int(row["seed"]),
                       until=2035)
    assert again.scalars["pressure_end"] == row["pressure_end"]
    manifest = res.manifest()
    assert manifest["master_seed"] == 7
    assert manifest["versions"]["numpy"] == np.__version__
    assert manifest["totals"]["ok"] == 24
    assert manifest["attempts"][0]["executor"]["kind"] == "serial"


def test_failing_runs_are_recorded_and_others_continue(tmp_path):
    """Runs raising an error land in the failures table with their parameters and seed."""
    spec = spec_from_config({
        "name": "flaky", "model": f"{MODELS}:flaky", "master_seed": 3,
        "uncertainties": {"x": {"low": 0, "high": 1}},
        "design": {"method": "lhs", "n": 40},
    })
    res = run_experiment(spec, tmp_path / "o", executor="processes", workers=2, batch_size=4,
                         progress=False)
    design = ResultStore(tmp_path / "o").read_design()
    bad = set(design.loc[design["x"] > 0.8, "run_id"])
    assert 0 < len(bad) < 40
    fails = res.failures()
    assert set(fails["run_id"]) == bad
    assert (fails["error_type"] == "ValueError").all()
    first = fails.iloc[0]
    assert json.loads(first["params"])["x"] > 0.8
    assert first["seed"] == design.loc[first["run_id"], "seed"]
    assert "out of the model's domain" in first["traceback"]
    assert set(res.scalars()["run_id"]) == set(range(40)) - bad
    assert res.n_failed == len(bad) and res.n_ok == 40 - len(bad)
    manifest = res.manifest()
    assert manifest["failures_total"] == len(bad)
    assert {f["run_id"] for f in manifest["failures"]} == bad


def test_existing_results_need_resume_and_same_config(tmp_path):
    """A second run into the same folder must say resume=true; a changed config is refused."""
    spec = trajectory_spec()
    run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    with pytest.raises(UserError, match="resume=true"):
        run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    again = run_experiment(spec, tmp_path / "o", workers=1, progress=False, resume=True)
    assert again.n_resumed == 24 and again.status == "complete"
    changed = trajectory_spec(design={"method": "lhs", "n": 13})
    with pytest.raises(UserError, match="config changed"):
        run_experiment(changed, tmp_path / "o", workers=1, progress=False, resume=True)


def test_resume_discards_uncommitted_batches_and_retries_failures(tmp_path):
    """Files of a batch without its commit record are removed and the runs made again."""
    spec = spec_from_config({
        "name": "flaky", "model": f"{MODELS}:flaky", "master_seed": 3,
        "uncertainties": {"x": {"low": 0, "high": 1}}, "design": {"method": "lhs", "n": 20},
    })
    out = tmp_path / "o"
    full = run_experiment(spec, out, workers=1, batch_size=3, progress=False, compact=False)
    store = ResultStore(out)
    reference = full.scalars()
    # Simulate a crash between writing a batch's scalars and its commit record.
    victim = store.parts("runs")[2]
    victim.unlink()
    (store.table_dir("series") / "part-stray.parquet.tmp").parent.mkdir(parents=True,
                                                                          exist_ok=True)
    (store.table_dir("series") / "part-stray.parquet.tmp").write_bytes(b"junk")
    res = run_experiment(spec, out, workers=1, batch_size=3, progress=False, resume=True)
    assert res.n_resumed == 20 - 3
    scal = res.scalars()
    assert scal["run_id"].is_unique
    pd.testing.assert_frame_equal(scal, reference)
    # Failed runs are kept as failed on resume unless asked to retry them.
    n_failed = res.n_failed
    assert n_failed > 0
    again = run_experiment(spec, out, workers=1, progress=False, resume=True, retry_failed=True)
    assert again.n_resumed == 20 - n_failed
    runs = store.read("runs")
    assert runs["run_id"].is_unique and len(runs) == 20
    assert len(store.read("failures")) == n_failed


def test_unknown_outcome_fails_before_writing(tmp_path):
    """A typo in outcomes is reported from the pilot run, and no folder is left behind."""
    spec = trajectory_spec(outcomes=["pressure_end", "presure"])
    with pytest.raises(UserError, match="presure"):
        run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_outcome_patterns_select_columns(tmp_path):
    """Outcomes may be glob patterns; unselected scalars and series are not stored."""
    spec = trajectory_spec(outcomes=["pressure_*", "pressure"])
    res = run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    assert list(res.series().columns) == ["run_id", "year", "pressure"]
    assert {"pressure_end", "pressure_mean"} <= set(res.scalars().columns)


def test_batch_size_rule():
    """Batches aim at ~2 s of work, but leave at least 4 tasks per worker."""
    assert choose_batch_size(0.05, 10_000, 2) == 40
    assert choose_batch_size(0.05, 100, 2) == 13
    assert choose_batch_size(10.0, 100, 2) == 1
    assert choose_batch_size(None, 1000, 2) == 64


def test_cli_run_and_analyse(tmp_path, monkeypatch, capsys):
    """`experiment=<name>` resolves under ./experiments; analyse writes tables and figures."""
    exp = tmp_path / "experiments" / "tiny"
    exp.mkdir(parents=True)
    (exp / "config.yaml").write_text(yaml.safe_dump({
        "model": f"{MODELS}:linear", "master_seed": 2,
        "uncertainties": {k: {"low": 0, "high": 1} for k in "abcd"},
        "design": {"method": "morris", "n": 10},
    }))
    monkeypatch.chdir(tmp_path)
    assert run_main(["experiment=tiny", "workers=1", "progress=false"]) == 0
    out = tmp_path / "outputs" / "tiny"
    assert (out / "manifest.json").exists()
    assert analyse_main([str(out), "method=morris", "outcome=y"]) == 0
    assert (out / "analysis" / "morris_y.png").stat().st_size > 5000
    assert run_main(["experiment=tiny", "workers=1", "progress=false"]) == 2
    assert run_main(["experiment=nope"]) == 2
    assert analyse_main([str(out), "method=sobol", "outcome=y"]) == 2
    err = capsys.readouterr().err
    assert "known experiments: tiny" in err
    assert "design.method in (sobol)" in err


def test_pilot_failure_alone_does_not_stop_the_sweep(tmp_path):
    """The first run fails on its parameters, the next succeeds: the sweep goes on."""
    spec = spec_from_config({
        "name": "flaky", "model": f"{MODELS}:flaky",
        "uncertainties": {"x": {"categories": [0.9, 0.1, 0.2, 0.95, 0.3]}},
        "design": {"method": "grid"},
    })
    res = run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    assert (res.n_ok, res.n_failed) == (3, 2)
    assert sorted(res.failures()["run_id"]) == [0, 3]


def test_every_pilot_run_failing_refuses_the_sweep(tmp_path):
    """A model failing on its first runs (e.g. a misspelt parameter) writes nothing."""
    spec = spec_from_config({
        "name": "flaky", "model": f"{MODELS}:flaky",
        "uncertainties": {"x": {"low": 0.85, "high": 1.0}},
        "design": {"method": "lhs", "n": 10},
    })
    with pytest.raises(UserError, match="first 3 run\\(s\\) failed.*ValueError"):
        run_experiment(spec, tmp_path / "o", workers=1, progress=False)
    assert not (tmp_path / "o").exists()


def test_guided_batches_shrink_towards_the_end():
    """Automatic batching ends with smaller batches; a given size is kept as is."""
    from territoire_abm.experiments.runner import batch_slices

    fixed = [s.stop - s.start for s in batch_slices(100, 30, 2, guided=False)]
    assert fixed == [30, 30, 30, 10]
    guided = [s.stop - s.start for s in batch_slices(1000, 40, 2, guided=True)]
    assert sum(guided) == 1000
    assert guided[0] == 40 and guided[-1] <= 5 and guided == sorted(guided, reverse=True)
