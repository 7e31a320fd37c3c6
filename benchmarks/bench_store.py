"""Reading an experiment's results: one file per batch and table vs the compacted store.

A synthetic study the size of issue #14's (5,632 runs in batches of 4: about 4,200 small
Parquet files; 76 years × 12 yearly indicators per run) is written with
:meth:`ResultStore.write_batch`, read (scalars + series, as ``analyse`` does), compacted with
:meth:`ResultStore.compact` and read again. Prints files and median read times.

    python benchmarks/bench_store.py [--runs 5632] [--batch 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from territoire_abm.experiments.store import ResultStore

YEARS = np.arange(2025, 2101)
INDICATORS = [f"indicator_{i}" for i in range(12)]


def write_study(root: Path, runs: int, batch: int) -> ResultStore:
    store = ResultStore(root)
    rng = np.random.default_rng(0)
    for start in range(0, runs, batch):
        ids = np.arange(start, min(runs, start + batch), dtype=np.int64)
        scalars = pa.table({"run_id": ids, "x1": rng.random(len(ids)),
                            "y": rng.random(len(ids))})
        run_col = np.repeat(ids, len(YEARS))
        series = pa.table({"run_id": run_col, "year": np.tile(YEARS, len(ids)),
                           **{n: rng.random(len(run_col)) for n in INDICATORS}})
        status = pa.table({"run_id": ids, "status": ["ok"] * len(ids)})
        store.write_batch(f"{start:09d}-000", {"scalars": scalars, "series": series,
                                               "runs": status})
    return store


def n_files(store: ResultStore) -> int:
    return sum(len(store.parts(kind)) for kind in ("scalars", "series", "failures", "runs"))


def legacy_read(store: ResultStore, kind: str) -> pa.Table:
    """The reader before compaction landed: every file read, then concatenated."""
    import pyarrow.parquet as pq

    tables = [pq.read_table(path) for path in store.parts(kind)]
    return pa.concat_tables(tables, promote_options="permissive")


def read_time(store: ResultStore, repeats: int, legacy: bool = False) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for kind in ("scalars", "series"):
            if legacy:
                legacy_read(store, kind).to_pandas()
            else:
                store.read(kind)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5632)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = write_study(Path(folder), args.runs, args.batch)
        before_files, before = n_files(store), read_time(store, args.repeats)
        legacy = read_time(store, args.repeats, legacy=True)
        started = time.perf_counter()
        store.compact()
        compact_s = time.perf_counter() - started
        after_files, after = n_files(store), read_time(store, args.repeats)
    print(f"{args.runs} runs, batches of {args.batch}")
    print(f"batch files : {before_files:6d} files, read scalars+series {legacy:.2f} s "
          f"(reader before this change), {before:.2f} s (pyarrow.dataset reader)")
    print(f"compacted   : {after_files:6d} files, read scalars+series {after:.3f} s "
          f"(compaction took {compact_s:.1f} s)")


if __name__ == "__main__":
    main()
