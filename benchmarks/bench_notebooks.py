"""Execution time of every notebook (issue 10: all together ≤ 10 min on 2 cores).

Usage: ``python benchmarks/bench_notebooks.py`` — prints one line per notebook and the total.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def main() -> None:
    total = 0.0
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            NotebookClient(notebook, timeout=1200, kernel_name="python3",
                           resources={"metadata": {"path": folder}}).execute()
        seconds = time.perf_counter() - start
        total += seconds
        print(f"{path.name:32s} {seconds:7.1f} s")
    print(f"{'total':32s} {total:7.1f} s  (target ≤ 600 s)")


if __name__ == "__main__":
    main()
