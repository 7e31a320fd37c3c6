"""Several weather seeds for one configuration: what the default run's summary rests on.

One stochastic year is weather noise, not a result (issue 9): the default run simulates the
configured seed in this process (its files are written in full) and ``extra_seeds`` more
seeds in local worker processes, started *before* the main run so they work side by side.
Workers come from a fork server that imported the model once (safe when the parent has
threads), else are spawned. Each worker returns only the yearly indicator table.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from typing import Any

import pandas as pd

#: Seeds of the default run beside the configured one (mean and spread over 4 seeds).
DEFAULT_EXTRA_SEEDS = 3


def seed_series(config_data: dict[str, Any], seed: int) -> pd.DataFrame:
    """Yearly indicators of the configuration ``config_data`` (nested plain data) at ``seed``."""
    from territoire_abm.config.validate import model_config
    from territoire_abm.territory.model import TerritoryModel

    data = dict(config_data)
    data["seed"] = int(seed)
    config = model_config(data)
    model = TerritoryModel(config)
    model.simulate_until(config.until)
    return model.indicators()


def other_seeds(seed: int, count: int) -> list[int]:
    """``count`` seeds after ``seed`` (deterministic, so a rerun shows the same spread)."""
    return [seed + k for k in range(1, count + 1)]


class SeedRuns:
    """Runs of extra seeds in worker processes: :meth:`start`, then :meth:`results`."""

    def __init__(self, config: Any, count: int = DEFAULT_EXTRA_SEEDS,
                 workers: int | None = None) -> None:
        from territoire_abm.config.validate import to_dict

        self.seeds = other_seeds(int(config.seed), max(0, int(count)))
        self.data = to_dict(config)
        self.workers = workers or max(1, min(len(self.seeds), (os.cpu_count() or 2) - 1))
        self.pool: cf.ProcessPoolExecutor | None = None
        self.futures: dict[int, cf.Future] = {}

    def start(self) -> SeedRuns:
        if not self.seeds:
            return self
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods
                                              else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["territoire_abm.territory.model"])
        self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=context)
        self.futures = {seed: self.pool.submit(seed_series, self.data, seed)
                        for seed in self.seeds}
        return self

    def results(self) -> dict[int, pd.DataFrame]:
        """Tables by seed (waits for the workers)."""
        try:
            return {seed: future.result() for seed, future in self.futures.items()}
        finally:
            if self.pool is not None:
                self.pool.shutdown()
