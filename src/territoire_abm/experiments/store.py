"""On-disk results of an experiment: a partitioned Parquet dataset plus a manifest.

Layout of an output folder::

    manifest.json                 config, fingerprint, master seed, versions, timings, failures
    design.parquet                every planned run: ids, seed, parameters, unit-space factors
    results/scalars/part-*.parquet  one row per successful run: design columns + outcomes
    results/series/part-*.parquet   one row per (run, year): yearly indicators
    results/failures/part-*.parquet one row per failed run: seed, parameters, error, traceback
    results/runs/part-*.parquet     one row per finished run: status, elapsed seconds, host, pid

Each batch is written as one file per table, each file atomically (temporary name, then
rename); the ``runs`` file is written last and is the batch's commit record. On resume,
files of a batch whose ``runs`` file is missing are deleted and its runs are made again.

When an experiment completes, :meth:`ResultStore.compact` rewrites each table as one file
(``part-compacted.parquet``, row groups of about 64k rows, sorted by run and year), so the
study is a few files — one per table — instead of one per batch and table; a 5,632-run study
then reads in a fraction of a second (``benchmarks/bench_store.py``). A resumed experiment
adds batch files beside it and is compacted again when it completes.
Every table can be read with ``pyarrow.dataset`` or ``pandas.read_parquet`` on its folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["TABLES", "ResultStore"]

TABLES = ("scalars", "series", "failures", "runs")
_COMPRESSION = "zstd"
COMPACTED = "compacted"
_ROW_GROUP = 65_536


class ResultStore:
    """Reads and writes one experiment's output folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def design_path(self) -> Path:
        return self.root / "design.parquet"

    def table_dir(self, kind: str) -> Path:
        if kind not in TABLES:
            raise ValueError(f"unknown table {kind!r}; expected one of {TABLES}")
        return self.root / "results" / kind

    def parts(self, kind: str) -> list[Path]:
        d = self.table_dir(kind)
        return sorted(d.glob("part-*.parquet")) if d.is_dir() else []

    def has_results(self) -> bool:
        return self.manifest_path.exists() or any(self.parts(k) for k in TABLES)

    # -- writing -----------------------------------------------------------------------

    @staticmethod
    def _write_atomic(table: pa.Table, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(table, tmp, compression=_COMPRESSION)
        os.replace(tmp, path)

    def write_design(self, design: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(design, preserve_index=False)
        self._write_atomic(table, self.design_path)

    def write_batch(self, stem: str, tables: Mapping[str, pa.Table | None]) -> None:
        """Write one batch; ``tables["runs"]`` is required and written last (the commit)."""
        for kind in ("scalars", "series", "failures"):
            table = tables.get(kind)
            if table is not None and table.num_rows:
                self._write_atomic(table, self.table_dir(kind) / f"part-{stem}.parquet")
        self._write_atomic(tables["runs"], self.table_dir("runs") / f"part-{stem}.parquet")

    def compact(self) -> dict[str, int]:
        """Rewrite every table as one sorted file; return the number of files removed.

        The compacted data and runs files are written first (the runs file last, as the
        commit record), then the batch files they replace are deleted.
        """
        removed: dict[str, int] = {}
        old = {kind: [p for p in self.parts(kind) if p.stem != f"part-{COMPACTED}"]
               for kind in TABLES}
        if not any(old.values()):
            return dict.fromkeys(TABLES, 0)
        for kind in ("scalars", "series", "failures", "runs"):
            table = self.read_arrow(kind)
            if table is None or not table.num_rows:
                continue
            keys = [(k, "ascending") for k in ("run_id", "year") if k in table.column_names]
            table = table.sort_by(keys) if keys else table
            path = self.table_dir(kind) / f"part-{COMPACTED}.parquet"
            tmp = path.with_name(path.name + ".tmp")
            pq.write_table(table, tmp, compression=_COMPRESSION, row_group_size=_ROW_GROUP)
            os.replace(tmp, path)
        for kind in TABLES:
            for path in old[kind]:
                path.unlink()
            removed[kind] = len(old[kind])
        return removed

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_name("manifest.json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    # -- resuming ----------------------------------------------------------------------

    def cleanup_uncommitted(self) -> list[Path]:
        """Delete temporary files and files of batches that have no commit record."""
        removed: list[Path] = []
        committed = {p.name for p in self.parts("runs")}
        for kind in TABLES:
            d = self.table_dir(kind)
            if not d.is_dir():
                continue
            for p in d.glob("*.tmp"):
                p.unlink()
                removed.append(p)
            if kind == "runs":
                continue
            for p in d.glob("part-*.parquet"):
                if p.name not in committed:
                    p.unlink()
                    removed.append(p)
        return removed

    def completed_runs(self, *, include_failed: bool = True) -> np.ndarray:
        """Run ids already finished (successfully, and failed ones unless excluded)."""
        runs = self.read("runs", columns=["run_id", "status"])
        if runs.empty:
            return np.array([], dtype=np.int64)
        if not include_failed:
            runs = runs[runs["status"] == "ok"]
        return runs["run_id"].to_numpy(dtype=np.int64)

    def forget_runs(self, run_ids: Iterable[int]) -> int:
        """Remove runs (e.g. failed ones to retry) from the runs and failures tables."""
        ids = pa.array(sorted({int(i) for i in run_ids}), type=pa.int64())
        if len(ids) == 0:
            return 0
        import pyarrow.compute as pc

        removed = 0
        for kind in ("failures", "scalars", "series", "runs"):
            for path in self.parts(kind):
                table = pq.read_table(path)
                keep = pc.invert(pc.is_in(table["run_id"], value_set=ids))
                n_keep = pc.sum(keep).as_py() or 0
                if n_keep == table.num_rows:
                    continue
                if kind == "runs":
                    removed += table.num_rows - n_keep
                if n_keep == 0 and kind != "runs":
                    path.unlink()
                else:
                    self._write_atomic(table.filter(keep), path)
        return removed

    # -- reading -----------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {}
        return json.loads(self.manifest_path.read_text())

    def read_design(self) -> pd.DataFrame:
        return pq.read_table(self.design_path).to_pandas()

    def read_arrow(self, kind: str, columns: Sequence[str] | None = None) -> pa.Table | None:
        """One table from all its files (schemas unified: a column missing from a batch
        file reads as null); only ``columns`` that exist are read."""
        import pyarrow.dataset as ds

        parts = self.parts(kind)
        if not parts:
            return None
        schemas = [pq.read_schema(path) for path in parts] if len(parts) > 1 else None
        schema = (pa.unify_schemas(schemas, promote_options="permissive") if schemas
                  else pq.read_schema(parts[0]))
        schema = schema.remove_metadata()
        names = None if columns is None else [c for c in columns if c in schema.names]
        dataset = ds.dataset([str(p) for p in parts], schema=schema, format="parquet")
        return dataset.to_table(columns=names)

    def read(self, kind: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One table as a DataFrame sorted by run (and year), or an empty frame."""
        table = self.read_arrow(kind, columns)
        if table is None:
            return pd.DataFrame(columns=list(columns) if columns else ["run_id"])
        df = table.to_pandas()
        keys = [k for k in ("run_id", "year") if k in df.columns]
        if keys:
            df = df.sort_values(keys, kind="stable").reset_index(drop=True)
        return df
