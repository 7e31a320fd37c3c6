"""Run an experiment: design → batches → executor → Parquet store, resumable.

:func:`run_experiment` is the whole pipeline. Results do not depend on the executor: every
run's seed comes from the design (one master SeedSequence), each batch is written in run
order, and parameters reach the model exactly as stored in ``design.parquet``.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import importlib.metadata
import json
import math
import platform
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from territoire_abm.cli_options import check_output_dir
from territoire_abm.errors import UserError
from territoire_abm.experiments.designs import parameter_columns, run_params
from territoire_abm.experiments.executors import Executor, make_executor
from territoire_abm.experiments.spec import ExperimentSpec, load_spec
from territoire_abm.experiments.store import ResultStore
from territoire_abm.experiments.worker import BatchOutput, BatchTask, resolve_model, run_batch

__all__ = ["ExperimentResult", "batch_slices", "choose_batch_size", "run_experiment"]

MANIFEST_VERSION = 1
_PILOT_RUNS = 3
_MANIFEST_FAILURES = 200
_CHECKPOINT_S = 10.0


@dataclass
class ExperimentResult:
    """Outcome of :func:`run_experiment`; tables are read lazily from ``out_dir``."""

    out_dir: Path
    name: str
    status: str
    n_runs: int
    n_ok: int
    n_failed: int
    n_resumed: int
    wall_s: float
    compute_s: float
    batch_size: int
    executor: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> ResultStore:
        return ResultStore(self.out_dir)

    def scalars(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return self.store.read("scalars", columns)

    def series(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return self.store.read("series", columns)

    def failures(self) -> pd.DataFrame:
        return self.store.read("failures")

    def manifest(self) -> dict[str, Any]:
        return self.store.read_manifest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment_versions(model_ref: str | None = None) -> dict[str, Any]:
    """Versions of Python, the platform and the packages that shape results."""
    dists = ["territoire-abm", "numpy", "pandas", "pyarrow", "SALib", "dask", "distributed",
             "mesa", "scipy", "ema-workbench"]
    versions: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    for d in dists:
        versions[d] = _version(d)
    from territoire_abm.outputs import code_provenance

    versions["code"] = code_provenance()
    if model_ref:
        top = model_ref.split(":")[0].split(".")[0]
        versions["model_package"] = {top: _version(top) or _version(top.replace("_", "-"))}
    return versions


def choose_batch_size(
    seconds_per_run: float | None, n_runs: int, n_workers: int, target_seconds: float = 2.0
) -> int:
    """Runs per task: about ``target_seconds`` of work (so a few ms of scheduling cost
    stay far below 1 %), but at least 4 tasks per worker for load balance."""
    if n_runs <= 0:
        return 1
    cap = max(1, math.ceil(n_runs / (4 * max(1, n_workers))))
    if not seconds_per_run or seconds_per_run <= 0:
        return max(1, min(cap, 64))
    return int(min(cap, max(1, round(target_seconds / seconds_per_run))))


def batch_slices(n: int, size: int, n_workers: int, *, guided: bool) -> Iterator[slice]:
    """Consecutive batches of ``n`` runs.

    Fixed ``size``, or *guided* (automatic batching): full-size batches while there is
    plenty left, then smaller ones — ``remaining / (2 × workers)``, at least ``size / 8``
    — so workers finish together instead of one idling through the other's last batch.
    """
    start = 0
    floor = max(1, size // 8)
    while start < n:
        step = size
        if guided:
            step = min(size, max(floor, math.ceil((n - start) / (2 * max(1, n_workers)))))
        yield slice(start, min(n, start + step))
        start += step


def _failed_output(task: BatchTask, exc: BaseException) -> BatchOutput:
    """A whole batch lost (e.g. its worker was killed): every run is recorded as failed."""
    failures = [{
        "run_id": rid,
        "seed": int(seed),
        "params": json.dumps(dict(params), sort_keys=True, default=str),
        "error_type": type(exc).__name__,
        "message": f"batch lost: {exc}"[:1000],
        "traceback": "",
    } for rid, seed, params in zip(task.run_ids, task.seeds, task.params, strict=True)]
    return BatchOutput(
        batch=task.batch,
        scalars=pa.table({"run_id": pa.array([], type=pa.int64())}),
        series=None,
        failures=failures,
        run_ids=list(task.run_ids),
        status=["failed"] * len(task.run_ids),
        elapsed_s=[0.0] * len(task.run_ids),
    )


class _Run:
    """State of one call to :func:`run_experiment`."""

    def __init__(self, spec: ExperimentSpec, store: ResultStore, design: pd.DataFrame,
                 attempt: int) -> None:
        self.spec = spec
        self.store = store
        self.design = design
        self.attempt = attempt
        self.param_cols = parameter_columns(design)
        base = design[[c for c in design.columns if not c.startswith("u:")]]
        self.design_arrow = pa.Table.from_pandas(base, preserve_index=False)
        self.design_arrow = self.design_arrow.replace_schema_metadata(None)
        self.n_ok = 0
        self.n_failed = 0
        self.compute_s = 0.0
        self.failure_summaries: list[dict[str, Any]] = []

    def task(self, idx: np.ndarray) -> BatchTask:
        rows = self.design.iloc[idx]
        records = rows[self.param_cols].to_dict("records")
        return BatchTask(
            batch=f"{int(rows['run_id'].iloc[0]):09d}-{self.attempt:03d}",
            model=self.spec.model,
            run_ids=tuple(int(r) for r in rows["run_id"]),
            seeds=tuple(int(s) for s in rows["seed"]),
            params=tuple(run_params(r, self.param_cols, self.spec.constants) for r in records),
            until=self.spec.until,
            outcomes=self.spec.outcomes,
        )

    def write(self, task: BatchTask, out: BatchOutput | BaseException) -> BatchOutput:
        if isinstance(out, BaseException):
            out = _failed_output(task, out)
        ids = out.scalars.column("run_id").to_numpy()
        scalars = self.design_arrow.take(pa.array(ids, type=pa.int64()))
        for name in out.scalars.column_names[1:]:
            scalars = scalars.append_column(name, out.scalars.column(name))
        failures = None
        if out.failures:
            failures = pa.table({
                "run_id": pa.array([f["run_id"] for f in out.failures], type=pa.int64()),
                "seed": pa.array([f["seed"] for f in out.failures], type=pa.int64()),
                "params": pa.array([f["params"] for f in out.failures], type=pa.string()),
                "error_type": pa.array([f["error_type"] for f in out.failures], type=pa.string()),
                "message": pa.array([f["message"] for f in out.failures], type=pa.string()),
                "traceback": pa.array([f["traceback"] for f in out.failures], type=pa.string()),
            })
        runs = pa.table({
            "run_id": pa.array(out.run_ids, type=pa.int64()),
            "status": pa.array(out.status, type=pa.string()),
            "elapsed_s": pa.array(out.elapsed_s, type=pa.float64()),
            "host": pa.array([out.host] * len(out.run_ids), type=pa.string()),
            "pid": pa.array([out.pid] * len(out.run_ids), type=pa.int64()),
            "batch": pa.array([out.batch] * len(out.run_ids), type=pa.string()),
            "attempt": pa.array([self.attempt] * len(out.run_ids), type=pa.int64()),
        })
        self.store.write_batch(task.batch, {
            "scalars": scalars, "series": out.series, "failures": failures, "runs": runs,
        })
        n_fail = len(out.failures)
        self.n_failed += n_fail
        self.n_ok += len(out.run_ids) - n_fail
        self.compute_s += out.compute_s
        for f in out.failures:
            if len(self.failure_summaries) < _MANIFEST_FAILURES:
                self.failure_summaries.append({
                    "run_id": f["run_id"], "seed": f["seed"], "params": json.loads(f["params"]),
                    "error_type": f["error_type"], "message": f["message"],
                })
        return out


def _merge(a: BatchOutput, b: BatchOutput) -> BatchOutput:
    """Two consecutive single-run outputs as one batch (the pilot)."""
    series = [t for t in (a.series, b.series) if t is not None]
    return BatchOutput(
        batch=a.batch,
        scalars=pa.concat_tables([a.scalars, b.scalars], promote_options="permissive"),
        series=pa.concat_tables(series, promote_options="permissive") if series else None,
        failures=a.failures + b.failures,
        run_ids=a.run_ids + b.run_ids,
        status=a.status + b.status,
        elapsed_s=a.elapsed_s + b.elapsed_s,
        host=a.host,
        pid=a.pid,
    )


def _check_outcomes(spec: ExperimentSpec, out: BatchOutput) -> None:
    """Every requested outcome must be produced: a typo would otherwise give empty columns."""
    if spec.outcomes is None or not out.scalars.num_rows:
        return
    names = list(out.scalars.column_names[1:])
    if out.series is not None:
        names += [c for c in out.series.column_names if c not in ("run_id", "year")]
    for pattern in spec.outcomes:
        if not any(fnmatch.fnmatchcase(n, pattern) for n in names):
            raise UserError("outcomes", pattern,
                            f"not produced by {spec.model}; it gave: {', '.join(names) or 'none'}")


def run_experiment(
    spec: ExperimentSpec | str | Path,
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    executor: str | Executor | None = None,
    resume: bool = False,
    progress: bool = True,
    batch_size: int | None = None,
    retry_failed: bool = False,
    scheduler_timeout: float = 5.0,
    compact: bool = True,
) -> ExperimentResult:
    """Run (or resume) an experiment and stream its results to ``out_dir``.

    Parameters
    ----------
    spec : ExperimentSpec or path/name of an experiment config
    out_dir : folder for ``manifest.json``, ``design.parquet`` and ``results/``
    scheduler : Dask scheduler address (``tcp://host:8786``); runs on that cluster
    workers : number of local workers (processes or Dask LocalCluster workers);
        ``1`` runs serially in this process
    executor : ``"serial"``, ``"processes"``, ``"dask"`` or an :class:`Executor` instance
        (left open for the caller)
    resume : continue the experiment already in ``out_dir``; finished runs are kept
    batch_size : runs per task; default from the config, else chosen from a pilot run to
        make each task about ``execution.target_batch_seconds`` long
    retry_failed : on resume, run again the runs recorded as failed
    scheduler_timeout : seconds to wait for the scheduler before giving up (nothing is
        written when it cannot be reached)
    compact : when complete, rewrite each table as one file (:meth:`ResultStore.compact`)

    The steps: check the model, open or create the design, connect the executor, run the
    pilot (nothing is written before it passes), then stream the batches to the store.
    """
    if not isinstance(spec, ExperimentSpec):
        spec = load_spec(spec)
    store = ResultStore(out_dir)
    t0 = time.perf_counter()
    started = _now()
    _check_model(spec)
    design, manifest, new_experiment = _open_design(spec, store, started, resume=resume,
                                                    retry_failed=retry_failed)
    pending, n_resumed = _pending_runs(store, design)
    state = _Run(spec, store, design, len(manifest.get("attempts", [])))
    own_executor = not isinstance(executor, Executor)
    exe = make_executor(executor, scheduler=scheduler, workers=workers,
                        timeout=scheduler_timeout) if own_executor else executor
    try:
        pilot, pilot_out, pending = _pilot(state, pending, new_experiment)
    except BaseException:
        if own_executor:
            exe.close()
        raise
    if new_experiment:
        store.write_design(design)
    bs = batch_size or spec.batch_size
    guided = bs is None
    if bs is None and pilot_out is not None:
        bs = choose_batch_size(pilot_out.elapsed_s[-1], len(pending), exe.n_workers,
                               spec.target_batch_seconds)
    manifest["status"] = "running"
    manifest.setdefault("attempts", []).append({
        "attempt": state.attempt, "started": started, "executor": exe.describe(),
        "resumed_runs": n_resumed, "status": "running",
    })
    store.write_manifest(manifest)
    status = "aborted"
    try:
        status = _run_batches(state, exe, manifest, pending, pilot, pilot_out, bs or 1,
                              guided=guided, progress=progress, t0=t0, n_resumed=n_resumed)
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if own_executor:
            exe.close()
        _finish_manifest(manifest, state, exe, bs, t0, status, len(design), n_resumed)
        store.write_manifest(manifest)
    if status == "complete" and compact:
        store.compact()  # a few files per study instead of one per batch and table
    return _result(store, spec, manifest, n_resumed, bs, status)


def _check_model(spec: ExperimentSpec) -> None:
    """The model named by the config can be imported."""
    try:
        resolve_model(spec.model)
    except Exception as exc:  # noqa: BLE001 - any import problem is the config's
        raise UserError("model", spec.model, f"cannot import: {exc}") from None


def _open_design(spec: ExperimentSpec, store: ResultStore, started: str, *, resume: bool,
                 retry_failed: bool) -> tuple[pd.DataFrame, dict[str, Any], bool]:
    """A new experiment's design and manifest, or a resumed one's (checked unchanged)."""
    if store.has_results():
        return (*_resumed_design(spec, store, resume=resume, retry_failed=retry_failed), False)
    # A new experiment: a folder that cannot be written, or holds other files, stops here.
    check_output_dir(store.root, "out", overwrite=False)
    d = spec.make_design()
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "name": spec.name,
        "description": spec.description,
        "source": spec.source,
        "fingerprint": spec.fingerprint(),
        "model": spec.model,
        "master_seed": spec.master_seed,
        "seeds": spec.seeds,
        "until": spec.until,
        "outcomes": list(spec.outcomes) if spec.outcomes else None,
        "constants": dict(spec.constants),
        "design": d.describe(),
        "problem": d.problem,
        "config": spec.config,
        "versions": environment_versions(spec.model),
        "created": started,
        "status": "running",
        "attempts": [],
        "failures": [],
    }
    return d.table, manifest, True


def _resumed_design(spec: ExperimentSpec, store: ResultStore, *, resume: bool,
                    retry_failed: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not resume:
        raise UserError("out", str(store.root), "already holds an experiment's results; "
                        "pass resume=true to continue it or choose another out")
    manifest = store.read_manifest()
    if not manifest or not store.design_path.exists():
        raise UserError("resume", str(store.root), "no manifest.json and design.parquet "
                        "there: not an experiment's output folder")
    if manifest.get("fingerprint") != spec.fingerprint():
        raise UserError("resume", str(store.root), "the experiment config changed since "
                        f"these results were made ({manifest.get('fingerprint')} → "
                        f"{spec.fingerprint()}); choose another out")
    design = store.read_design()
    store.cleanup_uncommitted()
    if retry_failed:
        runs = store.read("runs", columns=["run_id", "status"])
        store.forget_runs(runs.loc[runs["status"] == "failed", "run_id"])
        manifest["failures"] = []
    return design, manifest


def _pending_runs(store: ResultStore, design: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Positions of the runs still to make, and how many were made before."""
    if not np.array_equal(design["run_id"].to_numpy(), np.arange(len(design))):
        raise UserError("design", str(store.design_path), "run ids must be 0..n-1 in order")
    done = store.completed_runs()
    if len(np.unique(done)) != len(done):
        raise UserError("out", str(store.root), "some runs are recorded twice; the folder "
                        "was edited by hand or shared by two sweeps")
    return np.flatnonzero(~np.isin(design["run_id"].to_numpy(), done)), len(done)


def _pilot(state: _Run, pending: np.ndarray, new_experiment: bool
           ) -> tuple[BatchTask | None, BatchOutput | None, np.ndarray]:
    """Pilot runs in this process, before anything is written.

    A wrong outcome or parameter name, or a model that cannot run, stops here and leaves no
    folder behind. A pilot run that fails is kept as a recorded failure; only when every
    pilot run fails on a new experiment is the sweep refused.
    """
    if not len(pending):
        return None, None, pending
    pilot_out = None
    k = min(len(pending), _PILOT_RUNS)
    for i in range(k):
        out = run_batch(state.task(pending[i:i + 1]))
        pilot_out = out if pilot_out is None else _merge(pilot_out, out)
        if out.status[0] == "ok":
            break
    pilot = state.task(pending[:len(pilot_out.run_ids)])
    if new_experiment and "ok" not in pilot_out.status:
        f = pilot_out.failures[-1]
        raise UserError("experiment", state.spec.name, f"its first {k} run(s) failed, e.g. "
                        f"run {f['run_id']}: {f['error_type']}: {f['message']}; nothing was "
                        "written")
    _check_outcomes(state.spec, pilot_out)
    return pilot, pilot_out, pending[len(pilot_out.run_ids):]


def _run_batches(state: _Run, exe: Executor, manifest: dict[str, Any], pending: np.ndarray,
                 pilot: BatchTask | None, pilot_out: BatchOutput | None, bs: int, *,
                 guided: bool, progress: bool, t0: float, n_resumed: int) -> str:
    """Write the pilot, then every batch as the executor finishes it; return the status."""
    from tqdm.auto import tqdm

    n_total = len(state.design)
    bar = tqdm(total=n_total, initial=n_resumed, unit="run", desc=state.spec.name,
               disable=not progress, mininterval=0.5, smoothing=0.05)
    try:
        if pilot is not None:
            state.write(pilot, pilot_out)
            bar.update(1)
        tasks = (state.task(pending[idx])
                 for idx in batch_slices(len(pending), bs, exe.n_workers, guided=guided))
        last_checkpoint = time.perf_counter()
        for task, out in exe.imap_unordered(run_batch, tasks, max_in_flight=2 * exe.n_workers):
            state.write(task, out)
            bar.update(len(task.run_ids))
            if state.n_failed:
                bar.set_postfix(failed=state.n_failed, refresh=False)
            if time.perf_counter() - last_checkpoint > _CHECKPOINT_S:
                _finish_manifest(manifest, state, exe, bs, t0, "running", n_total, n_resumed)
                state.store.write_manifest(manifest)
                last_checkpoint = time.perf_counter()
    finally:
        bar.close()
    return "complete"


def _result(store: ResultStore, spec: ExperimentSpec, manifest: dict[str, Any],
            n_resumed: int, bs: int | None, status: str) -> ExperimentResult:
    last = manifest["attempts"][-1]
    return ExperimentResult(
        out_dir=store.root,
        name=spec.name,
        status=status,
        n_runs=manifest["totals"]["runs"],
        n_ok=manifest["totals"]["ok"],
        n_failed=manifest["totals"]["failed"],
        n_resumed=n_resumed,
        wall_s=last["wall_s"],
        compute_s=last["compute_s"],
        batch_size=int(bs or 0),
        executor=last["executor"],
    )


def _finish_manifest(manifest: dict[str, Any], state: _Run, exe: Executor, bs: int | None,
                     t0: float, status: str, n_total: int, n_resumed: int) -> None:
    wall = time.perf_counter() - t0
    attempt = manifest["attempts"][-1]
    attempt.update({
        "finished": _now(),
        "status": status,
        "wall_s": round(wall, 3),
        "runs": state.n_ok + state.n_failed,
        "ok": state.n_ok,
        "failed": state.n_failed,
        "compute_s": round(state.compute_s, 3),
        "batch_size": bs,
        # Share of the workers' time spent inside model runs (pilot included).
        "parallel_efficiency": round(state.compute_s / (wall * exe.n_workers), 4)
        if wall > 0 else None,
    })
    runs = state.store.read("runs", columns=["run_id", "status", "elapsed_s"])
    ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    elapsed = runs["elapsed_s"].to_numpy(dtype=float) if len(runs) else np.array([])
    manifest["totals"] = {
        "runs": n_total,
        "ok": ok,
        "failed": failed,
        "pending": n_total - ok - failed,
        "compute_s": round(float(elapsed.sum()), 3),
        "run_s_mean": round(float(elapsed.mean()), 6) if len(elapsed) else None,
        "run_s_max": round(float(elapsed.max()), 6) if len(elapsed) else None,
        "wall_s": round(sum(a.get("wall_s", 0.0) for a in manifest["attempts"]), 3),
    }
    known = {f["run_id"] for f in manifest.get("failures", [])}
    for f in state.failure_summaries:
        if f["run_id"] not in known and len(manifest["failures"]) < _MANIFEST_FAILURES:
            manifest["failures"].append(f)
            known.add(f["run_id"])
    manifest["failures_total"] = failed
    manifest["status"] = "complete" if status == "complete" and ok + failed == n_total else status
    manifest["updated"] = _now()
