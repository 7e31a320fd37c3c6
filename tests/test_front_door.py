"""The front door as a new user meets it: each hostile input of issue #14, verbatim, answered
with one line ``error: …`` and exit code 2 before any work (or the documented behaviour)."""

from __future__ import annotations

import contextlib
import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from territoire_abm.cli import SUBCOMMANDS, main
from territoire_abm.cli_options import Option, OptionTable, check_output_dir, parse_bool
from territoire_abm.errors import UserError

SMALL = ["territory.households=60", "territory.farms=1", "territory.industry_firms=1",
         "territory.service_firms=2", "until=2026"]
MODELS = "territoire_abm.experiments.testing_models"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def one_line(err: str, start: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {start}"), err
    return lines[0]


# --------------------------------------------------------------------------- model runs
HOSTILE_RUNS = [
    (["scenario="], "scenario", "allowed: ssp126, ssp245, ssp370, ssp585, tracc"),
    (["foo=1"], "foo", "allowed: territory, scenario"),
    (["territory.houshold=10"], "territory.houshold", "did you mean territory.households?"),
    (["seed=-3"], "seed", "allowed range >= 0"),
    (["quiet=maybe"], "quiet", "allowed: true, false"),
    (["--cfg", "hydra"], "--cfg", "allowed: job"),
    (["output_dir=/proc/x"], "output_dir", "cannot write there"),
]


@pytest.mark.parametrize(("argv", "field", "expected"), HOSTILE_RUNS,
                         ids=[" ".join(case[0]) for case in HOSTILE_RUNS])
def test_hostile_run_input_is_one_line(argv, field, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run([*SMALL, *argv])
    assert code == 2
    line = one_line(err, field)
    assert expected in line
    assert not line.endswith("-"), "no stray unit mark"
    assert out == ""
    assert list(tmp_path.iterdir()) == [], "nothing written for a refused run"


def test_existing_output_dir_is_kept_unless_overwrite(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, err = run([*SMALL, f"output_dir={out}", "quiet=true"])
    assert code == 2
    assert "overwrite=true" in one_line(err, "output_dir")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    code, _, _ = run([*SMALL, f"output_dir={out}", "quiet=true", "overwrite=true"])
    assert code == 0 and (out / "indicators.parquet").is_file()


def test_quiet_yes_is_a_boolean_and_prints_no_summary(tmp_path):
    code, out, _ = run([*SMALL, f"output_dir={tmp_path / 'q'}", "quiet=yes"])
    assert code == 0
    assert out == ""
    assert (tmp_path / "q" / "run.json").is_file()


def test_until_past_2100_warns_that_warming_is_held(tmp_path):
    code, _, err = run([*SMALL[:-1], "until=2150", "--cfg", "job"])
    assert code == 0
    assert "warning" not in err  # --cfg job runs nothing
    code, _, err = run(["territory.households=20", "territory.farms=1",
                        "territory.industry_firms=1", "territory.service_firms=1",
                        "start=2099", "until=2101", f"output_dir={tmp_path / 'w'}",
                        "quiet=true"])
    assert code == 0, err
    assert "warming is held at its 2100 value (4.00 °C)" in err


def test_cfg_job_prints_the_composed_config_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["--cfg", "job", "seed=7", "scenario=ssp585"])
    assert code == 0
    config = yaml.safe_load(out)
    assert config["seed"] == 7 and config["scenario"]["name"] == "ssp585"
    assert list(tmp_path.iterdir()) == []


def test_multirun_writes_one_combined_table_that_analyse_reads(tmp_path):
    out = tmp_path / "multi"
    code, text, _ = run(["-m", *SMALL, "seed=0,1", "scenario=tracc,ssp585",
                         f"output_dir={out}"])
    assert code == 0, text
    combined = pd.read_parquet(out / "indicators.parquet")
    assert len(combined) == 4 * 2  # 4 jobs × 2 years
    assert {"job", "seed", "scenario", "year", "warming_c"} <= set(combined.columns)
    assert set(combined["scenario"]) == {"tracc", "ssp585"}
    single = pd.read_parquet(out / "3" / "indicators.parquet")
    rows = combined[combined["run_id"] == 3].set_index("year")
    pd.testing.assert_series_equal(rows["warming_c"], single["warming_c"])
    assert str(combined["council_archetype"].dtype) == "category"
    runs = yaml.safe_load((out / "multirun.yaml").read_text())
    assert len(runs["jobs"]) == 4
    code, printed, err = run(["analyse", str(out), "method=trajectories",
                              "indicator=warming_c", "by=scenario"])
    assert code == 0, err
    assert (out / "analysis" / "trajectories_warming_c_by_scenario.csv").is_file()


def test_subcommands_are_one_table():
    assert {"twin", "analyse", "experiment"} <= set(SUBCOMMANDS)
    for target in SUBCOMMANDS.values():
        module, _, function = target.partition(":")
        assert module and function


# --------------------------------------------------------------------------- twinning
def test_twin_find_refuses_a_past_horizon(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["twin", "find", "commune=Carbonne", "horizon=1990"])
    assert code == 2
    assert "allowed range [2025, 2100]" in one_line(err, "horizon")
    assert list(tmp_path.iterdir()) == []


def test_twin_unknown_key_suggests_the_close_one():
    code, _, err = run(["twin", "find", "comune=Carbonne"])
    assert code == 2
    assert "did you mean commune?" in one_line(err, "argument")


def test_twin_report_unwritable_out_fails_before_the_simulation():
    started = time.perf_counter()
    code, out, err = run(["twin", "report", "target=Carbonne", "twin=Fuente", "Obejuna",
                          "out=/proc/x"])
    assert code == 2
    assert "cannot write there" in one_line(err, "out")
    assert time.perf_counter() - started < 10
    assert "simulating" not in out


def test_twin_find_help_lists_its_options():
    code, out, _ = run(["twin", "find", "--help"])
    assert code == 0 and "horizon=<int>" in out


# --------------------------------------------------------------------------- experiments
def test_experiment_yaml_syntax_error_is_one_line_with_file_and_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("name: bad\ndesign:\n  method: lhs\n  n: [1, 2\nuntil: 2030\n")
    code, _, err = run([f"experiment={config}"])
    assert code == 2
    assert f"{config}:5:" in one_line(err, "experiment")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "model": f"{MODELS}:linear", "master_seed": 2,
        "uncertainties": {k: {"low": 0, "high": 1} for k in "abcd"},
        "design": {"method": "morris", "n": 4}}))
    out = tmp_path / "out"
    started = time.perf_counter()
    code, _, err = run([f"experiment={config}", f"out={out}", "progress=false",
                        f"scheduler=tcp://127.0.0.1:{_free_port()}", "scheduler_timeout=1"])
    assert code == 2
    assert "cannot connect" in err.strip().splitlines()[-1]
    assert time.perf_counter() - started < 20
    assert not (out / "design.parquet").exists()


def test_analyse_help_prints_help():
    code, out, err = run(["analyse", "--help"])
    assert code == 0 and err == ""
    assert "method=" in out and "outcome=" in out


def test_analyse_unknown_option_suggests_the_close_one(tmp_path):
    code, _, err = run(["analyse", str(tmp_path), "method=sobol", "outcom=y"])
    assert code == 2
    assert "did you mean outcome?" in one_line(err, "argument")


def test_help_as_a_subprocess_has_no_traceback():
    done = subprocess.run([sys.executable, "-m", "territoire_abm.cli", "analyse", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- the option table
def test_option_table_types_and_limits():
    table = OptionTable([Option("n", "int", low=1), Option("flag", "bool"),
                         Option("name", "str")], join_words=True)
    assert table.parse(["n=3", "flag=YES", "name=Fuente", "Obejuna"]) == {
        "n": 3, "flag": True, "name": "Fuente Obejuna"}
    for bad in (["n=0"], ["n=x"], ["flag=maybe"], ["nme=a"], ["n=1", "n=2"]):
        with pytest.raises(UserError):
            table.parse(bad)
    assert parse_bool("quiet", "off") is False


def test_check_output_dir_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b"
    assert check_output_dir(target, "out", overwrite=False) == target
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="a folder, not a file"):
        check_output_dir(tmp_path / "file", "out", overwrite=True)
    assert Path(tmp_path / "file").read_text() == "x"


# --------------------------------------------------------------------------- deliverables' texts
def test_compare_summary_never_calls_equal_looking_values_better():
    from territoire_abm.twinning.comparison import _summaries

    table = pd.DataFrame([
        {"label": "unmet water", "unit": "share", "twin_mean": 0.0004, "target_mean": 0.0003,
         "better": "target"},
        {"label": "households with air conditioning", "unit": "share", "twin_mean": 0.4,
         "target_mean": 0.1, "better": "not judged"},
        {"label": "heat days", "unit": "d", "twin_mean": 30.0, "target_mean": 10.0,
         "better": "target"},
    ])
    lines = _summaries(table, "Carbonne", "Fuente Obejuna")
    assert lines[0].endswith("(about equal)") and "0.0 % vs" not in lines[0]
    assert "better" not in lines[1]
    assert lines[2].endswith("(better: Carbonne)")


def test_air_conditioning_is_not_judged_better_or_worse():
    from territoire_abm.twinning import comparison

    cooling = [i for theme in comparison.THEMES for i in theme.indicators
               if i.column == "cooling_share"]
    assert cooling and all(i.better == "none" for i in cooling)


# --------------------------------------------------------------------------- walk of 2026-12-02
@pytest.mark.parametrize(("argv", "field", "expected"), [
    (["seds=3"], "seds", "did you mean seeds?"),
    (["outptu_dir=x"], "outptu_dir", "did you mean output_dir?"),
    (["lnag=fr"], "lnag", "lang"),
    (["foo=1"], "foo", "output_dir, overwrite, quiet, seeds, lang"),
])
def test_unknown_key_lists_the_run_options_too(argv, field, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run([*SMALL, *argv])
    assert code == 2
    assert expected in one_line(err, field)


def test_empty_output_dir_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run([*SMALL, "output_dir="])
    assert code == 2
    assert "a folder" in one_line(err, "output_dir")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["check", "--help"], ["calibrate", "--help"],
                                  ["game", "--help"], ["game", "debrief", "--help"],
                                  ["game", "replay", "-h"], ["explore", "--help"]])
def test_every_command_prints_its_options_with_help(argv):
    code, out, err = run(argv)
    assert (code, err) == (0, "")
    assert argv[0] in out and "=" in out


def test_check_unwritable_csv_fails_before_any_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    code, out, err = run(["check", "seeds=1", "until=2100", "csv=/proc/x/check.csv"])
    assert code == 2
    assert "cannot write there" in one_line(err, "csv")
    assert time.perf_counter() - started < 10 and out == ""


def test_calibrate_out_is_checked_before_any_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["calibrate", "samples=2", "seeds=1", "until=2029", "out=/proc/x"])
    assert code == 2
    assert "cannot write there" in one_line(err, "out")
    kept = tmp_path / "calib"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    code, out, err = run(["calibrate", "samples=2", "seeds=1", "until=2029", f"out={kept}"])
    assert code == 2
    assert "overwrite=true" in one_line(err, "out")
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]


def test_trajectory_figure_has_whole_years_on_a_short_run():
    from territoire_abm.outputs import fan_chart_figure

    years = range(2025, 2041)
    table = pd.DataFrame({column: [float(i) for i, _ in enumerate(years)]
                          for column in ("warming_c", "trust_mean")}, index=list(years))
    figure = fan_chart_figure({0: table, 1: table + 0.1})
    figure.canvas.draw()
    ticks = figure.axes[-1].get_xticks()
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks


def _tiny_experiment(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "model": f"{MODELS}:trajectory", "master_seed": 2, "until": 2025,
        "uncertainties": {k: {"low": 0, "high": 1} for k in ("x1", "x2")},
        "design": {"method": "mc", "n": 4}}))
    return config


def test_experiment_out_unwritable_or_holding_other_files_is_refused(tmp_path):
    config = _tiny_experiment(tmp_path)
    code, _, err = run([f"experiment={config}", "out=/proc/x", "progress=false", "workers=1"])
    assert code == 2
    assert "cannot write there" in err.strip().splitlines()[-1]
    assert "Traceback" not in err
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    code, _, err = run([f"experiment={config}", f"out={kept}", "progress=false", "workers=1"])
    assert code == 2
    assert "already holds files" in err.strip().splitlines()[-1]
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]


def test_analyse_unwritable_out_is_one_line(tmp_path):
    config = _tiny_experiment(tmp_path)
    results = tmp_path / "results"
    assert run([f"experiment={config}", f"out={results}", "progress=false", "workers=1"])[0] == 0
    code, _, err = run(["analyse", str(results), "method=trajectories",
                        "indicator=pressure", "out=/proc/x"])
    assert code == 2
    assert "cannot write there" in one_line(err, "out")


@pytest.mark.parametrize("command", ["debrief", "replay"])
def test_game_sessions_folder_missing_is_one_line_and_creates_nothing(command, tmp_path,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder in ("/proc/x", "nowhere"):
        code, _, err = run(["game", command, "code=ABCDEF", f"dir={folder}"])
        assert code == 2
        assert "no sessions folder there" in one_line(err, "dir")
    code, _, err = run(["game", command, "code=ABCDEF"])
    assert code == 2 and "game_sessions" in one_line(err, "dir")
    assert list(tmp_path.iterdir()) == []


def test_compare_summary_prints_a_0_1_scale_without_its_range_as_a_unit():
    from territoire_abm.twinning.comparison import _summaries

    table = pd.DataFrame([{"label": "mean trust", "unit": "0–1", "twin_mean": 0.65,
                           "target_mean": 0.8, "better": "target"}])
    assert _summaries(table, "Carbonne", "Fuente Obejuna") == [
        "mean trust: Fuente Obejuna 0.65, Carbonne 0.8 (better: Carbonne)"]


def test_twin_without_monthly_normals_says_it_cannot_be_simulated(tmp_path):
    started = time.perf_counter()
    code, _, err = run(["twin", "compare", "target=Carbonne", "twin=Bologna", "until=2026",
                        f"out={tmp_path / 'c'}"])
    assert code == 2
    line = one_line(err, "twin")
    assert "Bologna" in line and "monthly" in line and "simulate=false" in line
    assert "nan" not in line and time.perf_counter() - started < 20


@pytest.mark.parametrize(("lang", "expected"), [("en", "of 1 weather seed;"),
                                                ("fr", "sur 1 graine météo ;")])
def test_summary_of_one_seed_says_one_seed(lang, expected, tmp_path):
    code, out, err = run([*SMALL, "seeds=1", f"lang={lang}", f"output_dir={tmp_path / 'o'}"])
    assert code == 0, err
    assert expected in out and "1 weather seeds" not in out and "1 graines" not in out
