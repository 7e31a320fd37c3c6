"""Benchmark of the workshop game: a round, the first page render, the debrief replay.

Run: ``python benchmarks/bench_game.py [--futures 100] [--workers 2] [--skip-browser]``.

Figures (default territory, 2,483 households; a 5-round × 5-year session with the council
and the farmers held by players; the machine load is printed with each figure):

- **round**: ``Session.advance`` of a 5-year round (the players' years, the same years with
  the model deciding alone for the "what changed" comparison, and the autosave), median of
  the 5 rounds, and the 5 simulated years alone — target ≤ 1 s;
- **first render**: ``territoire-abm game`` started as a server, then headless Chromium
  (``/usr/bin/chromium``) opens the join page: time from ``goto`` to the page's form shown
  (median of 3 fresh browser contexts; the first includes the app's import) — target ≤ 3 s;
- **round with the baseline running**: the same rounds while the session's model-alone
  futures (the debrief's baseline, :mod:`territoire_abm.game.baseline`) are computed in the
  background from the session's creation, in one worker process at ``nice`` 10, as the web
  app does — target ≤ 1 s;
- **baseline**: the wall time of that background job (futures × 5 runs of 25 years, one
  worker), from the session's creation to its last batch written;
- **debrief replay**: what the facilitator waits for once the baseline is ready — the played
  decisions under ``--futures`` weather seeds × 5 scenarios (futures × 5 runs of 25 years)
  through the process executor with ``--workers``, the model-alone half read from the
  baseline — target ≤ 120 s on 2 cores;
- with ``--full``, also the whole replay without the baseline (played and alone, 2 × futures
  × 5 runs): what the debrief costs when the baseline is missing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS_S = {"round": 1.0, "round with the baseline running": 1.0, "first render": 3.0,
             "debrief replay": 120.0, "full replay (no baseline)": 120.0}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def played_session(root: Path, rounds: int = 5, baselines=None):
    """A full session: council and farmers decide every round, two levers; with
    ``baselines``, created through the web app's registry (the baseline starts at once)."""
    from territoire_abm.game.store import Registry

    session = Registry(root, baselines=baselines).create({"rounds": rounds,
                                                          "years_per_round": 5})
    council, farmers = session.join("council", "A"), session.join("farmers", "B")
    measures = ["cool_rooms", "heat_wave_plan", "stormwater_retention_basin",
                "awareness_campaign", "treated_wastewater_reuse"]
    times, simulate_only = [], []
    for number in range(rounds):
        session.submit(council, {"adopt": [measures[number % len(measures)]]})
        session.submit(farmers, {"propose": ["treated_wastewater_reuse"], "contribute": 0.5})
        if number == 1:
            session.use_lever(session.facilitator_token, "event", event="drought")
            session.use_lever(session.facilitator_token, "subsidy_rate", rate=0.5)
        copy = session.model.from_state(session.model.get_state(),
                                        controller=session.model.controller)
        started = time.perf_counter()
        copy.simulate_until(session.year + 4)
        simulate_only.append(time.perf_counter() - started)
        started = time.perf_counter()
        session.advance(session.facilitator_token)
        times.append(time.perf_counter() - started)
    return session, times, simulate_only


def first_render(repeats: int = 3) -> list[float]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tempfile.mkdtemp()
    server = subprocess.Popen([sys.executable, "-m", "territoire_abm.cli", "game",
                               f"dir={folder}", f"port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            for _ in range(repeats):
                page = browser.new_context().new_page()
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_text("Join a workshop").wait_for(timeout=120_000)
                times.append(time.perf_counter() - started)
                page.context.close()
            browser.close()
        return times
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def with_baseline(root: Path, futures: int, workers: int) -> dict[str, float]:
    """Rounds with the baseline computed in the background, the baseline's wall time, then
    the debrief replay reading it."""
    from territoire_abm.game import baseline
    from territoire_abm.game.replay import replay_futures

    baselines = baseline.Baselines(futures=futures)
    started = time.perf_counter()
    session, rounds, _ = played_session(root, baselines=baselines)
    print(f"round with the baseline running (1 worker, nice {baseline.NICENESS}): "
          f"{', '.join(f'{t:.2f}' for t in rounds)} s; median "
          f"{statistics.median(rounds):.2f} s ({load()})")
    baselines.wait()
    if baselines.failed:
        raise next(iter(baselines.failed.values()))
    ready, total = baseline.status(session, futures)
    took = time.perf_counter() - started
    print(f"baseline: {ready}/{total} batches ({futures} futures × 5 scenarios, model alone) "
          f"ready {took:.1f} s after the session's creation ({load()}; one worker; the "
          f"session's lever in round 2 restarted it)")
    started = time.perf_counter()
    table = replay_futures(session, futures=futures, workers=workers,
                           cache=baseline.folder_of(session))
    elapsed = time.perf_counter() - started
    print(f"debrief replay with the baseline ready: {len(table) // 2} played runs of 25 years "
          f"({futures} futures × 5 scenarios; the {len(table) // 2} alone runs read) in "
          f"{elapsed:.1f} s with {workers} workers ({load()})")
    return {"round with the baseline running": statistics.median(rounds),
            "debrief replay": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--futures", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--full", action="store_true",
                        help="also time the whole replay without the baseline")
    args = parser.parse_args()
    from territoire_abm.game.replay import replay_futures

    results = {}
    with tempfile.TemporaryDirectory() as root:
        session, rounds, simulate_only = played_session(Path(root) / "plain")
        print(f"round (advance, 5 years + model-alone branch + autosave): "
              f"{', '.join(f'{t:.2f}' for t in rounds)} s; median "
              f"{statistics.median(rounds):.2f} s ({load()})")
        print(f"  the 5 simulated years alone: median {statistics.median(simulate_only):.2f} s")
        results["round"] = statistics.median(rounds)
        if not args.skip_browser:
            renders = first_render()
            print(f"first render (goto -> form shown): {', '.join(f'{t:.2f}' for t in renders)}"
                  f" s ({load()})")
            results["first render"] = renders[0]
        results.update(with_baseline(Path(root) / "baseline", args.futures, args.workers))
        if args.full:
            started = time.perf_counter()
            table = replay_futures(session, futures=args.futures, workers=args.workers)
            elapsed = time.perf_counter() - started
            print(f"full replay (no baseline): {len(table)} runs of 25 years ({args.futures} "
                  f"futures × 5 scenarios × played/alone) in {elapsed:.1f} s with "
                  f"{args.workers} workers ({load()})")
            results["full replay (no baseline)"] = elapsed
    print("\nfigure | measured | target | pass")
    for name, value in results.items():
        target = TARGETS_S[name]
        print(f"{name} | {value:.2f} s | <= {target:g} s | "
              f"{'yes' if value <= target else 'NO'}")


if __name__ == "__main__":
    main()
