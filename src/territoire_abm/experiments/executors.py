"""Where batches run: in-process, in local processes, or on a Dask cluster.

All executors share one interface, :meth:`Executor.imap_unordered`, which keeps at most
``max_in_flight`` batches submitted (so memory stays flat however many runs there are) and
yields ``(task, result_or_exception)`` pairs as batches finish.

* :class:`SerialExecutor` — in this process; for debugging and tiny studies.
* :class:`ProcessExecutor` — local processes via :class:`concurrent.futures.ProcessPoolExecutor`
  (``forkserver`` start method: safe when the parent has threads, e.g. a progress bar).
  Needs nothing beyond the package.
* :class:`DaskExecutor` — a Dask ``distributed`` scheduler given by address
  (``tcp://host:8786``; SLURM/PBS through dask-jobqueue, Kubernetes operators), or a
  :class:`distributed.LocalCluster` when no address is given.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from territoire_abm.errors import UserError

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorBroken",
    "ProcessExecutor",
    "SerialExecutor",
    "make_executor",
]

T = TypeVar("T")
R = TypeVar("R")

EXECUTORS = ("serial", "processes", "dask")


class ExecutorBroken(RuntimeError):
    """The executor can run nothing more (e.g. a local worker process died)."""


class Executor:
    """Runs a function over tasks, yielding results as they finish."""

    kind = "abstract"
    n_workers = 1

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], *, max_in_flight: int | None = None
    ) -> Iterator[tuple[T, R | BaseException]]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.n_workers}

    def close(self) -> None:
        """Release workers and connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _window(self, max_in_flight: int | None) -> int:
        return max(1, max_in_flight or 2 * self.n_workers)


class SerialExecutor(Executor):
    """Runs every task in the calling process, in order."""

    kind = "serial"

    def imap_unordered(self, fn, tasks, *, max_in_flight=None):
        for task in tasks:
            try:
                result = fn(task)
            except Exception as exc:  # noqa: BLE001 - reported to the caller per task
                result = exc
            yield task, result


class ProcessExecutor(Executor):
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``)."""

    kind = "processes"

    def __init__(self, workers: int | None = None, *, start_method: str = "forkserver") -> None:
        self.n_workers = workers or os.cpu_count() or 1
        ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # The fork server imports these once; each worker is forked from it.
            ctx.set_forkserver_preload(["territoire_abm.experiments.worker"])
        self.start_method = start_method
        self._pool = cf.ProcessPoolExecutor(max_workers=self.n_workers, mp_context=ctx)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "start_method": self.start_method}

    def imap_unordered(self, fn, tasks, *, max_in_flight=None):
        window = self._window(max_in_flight)
        it = iter(tasks)
        pending: dict[cf.Future, Any] = {}

        def submit_next() -> bool:
            task = next(it, None)
            if task is None:
                return False
            pending[self._pool.submit(fn, task)] = task
            return True

        try:
            while len(pending) < window and submit_next():
                pass
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    task = pending.pop(fut)
                    try:
                        result = fut.result()
                    except cf.process.BrokenProcessPool as exc:
                        raise ExecutorBroken(f"a worker process died: {exc}") from exc
                    except Exception as exc:  # noqa: BLE001 - reported per task
                        result = exc
                    submit_next()
                    yield task, result
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A Dask distributed cluster: an existing scheduler, or a local cluster."""

    kind = "dask"

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        *,
        timeout: float = 30.0,
    ) -> None:
        from distributed import Client, LocalCluster

        self.address = address
        self._cluster = None
        if address:
            try:
                self._client = Client(address, timeout=f"{timeout}s", set_as_default=False)
            except OSError as exc:
                raise UserError("scheduler", address, f"cannot connect: {exc}") from None
            if workers:
                try:
                    self._client.wait_for_workers(workers, timeout=max(timeout, 30.0))
                except TimeoutError:
                    self._client.close()
                    raise UserError("workers", workers, f"the scheduler at {address} has "
                                    "fewer workers after 30 s") from None
        else:
            import dask

            # Sweep workers need no statistical profiler: it wakes every 10 ms and takes
            # the GIL from the model (set the same for your own cluster, see docs).
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
            self._client = Client(self._cluster, set_as_default=False)
        nthreads = self._client.nthreads()
        if not nthreads:
            self._client.wait_for_workers(1, timeout=max(timeout, 30.0))
            nthreads = self._client.nthreads()
        self.n_workers = int(sum(nthreads.values()))

    @property
    def client(self):
        return self._client

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "scheduler": self.address or self._client.scheduler.address,
            "local_cluster": self._cluster is not None,
        }

    def imap_unordered(self, fn, tasks, *, max_in_flight=None):
        from distributed import as_completed

        window = self._window(max_in_flight)
        token = uuid.uuid4().hex[:8]
        counter = itertools.count()
        it = iter(tasks)
        pending: dict[str, Any] = {}
        futures: dict[str, Any] = {}
        ac = as_completed(loop=self._client.loop)

        def submit_next() -> bool:
            task = next(it, None)
            if task is None:
                return False
            key = f"batch-{getattr(task, 'batch', '')}-{token}-{next(counter)}"
            fut = self._client.submit(fn, task, key=key, pure=False, retries=0)
            pending[key] = task
            futures[key] = fut
            ac.add(fut)
            return True

        try:
            while len(pending) < window and submit_next():
                pass
            for fut in ac:
                task = pending.pop(fut.key)
                futures.pop(fut.key)
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker; reported per task
                    result = exc
                fut.release()
                submit_next()
                yield task, result
        finally:
            if futures:
                self._client.cancel(list(futures.values()))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    executor: str | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout: float = 5.0,
) -> Executor:
    """Choose an executor: Dask when a scheduler address is given, else local processes
    (serial when ``workers == 1``)."""
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise UserError("workers", workers, "expected an integer >= 1")
    if executor is None:
        if scheduler:
            executor = "dask"
        elif workers == 1:
            executor = "serial"
        else:
            executor = "processes"
    if executor not in EXECUTORS:
        raise UserError("executor", executor, f"allowed: {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise UserError("executor", executor, "a scheduler address needs executor=dask")
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(scheduler, workers, timeout=timeout)
