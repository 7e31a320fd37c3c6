"""Tests of the ``territoire-abm`` command: one-line errors with exit code 2 (in process and as
a real subprocess), the files of a run, multirun folders and the printed summary."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from territoire_abm.cli import main
from territoire_abm.config.compose import load
from territoire_abm.config.validate import model_config

SMALL = ["territory.households=60", "territory.farms=1", "territory.industry_firms=1",
         "territory.service_firms=2"]
RUN_FILES = ("indicators.parquet", "config.yaml", "run.json", "trajectories.png",
             "decisions.json")
BAD_ARGUMENTS = [
    (["territory.households=-5"], "territory.households", "-5"),
    (["territory.households=abc"], "territory.households", "abc"),
    (["territory.households=2.5"], "territory.households", "2.5"),
    (["scenario=foo"], "scenario", "foo"),
    (["territory.foo=1"], "territory.foo", ""),
    (["optimiser=simplex"], "optimiser", "simplex"),
    (["policy.coordination.reciprocity=0.9"], "policy.coordination", "1.56"),
    (["territory.personae.young_tenant_family.share=0.5"], "territory.personae", "1.3"),
    (["until=2000"], "until", "2000"),
    (["seed"], "argument", "seed"),
    (["-x"], "argument", "-x"),
    (["seed=0,1"], "override", "seed=0,1"),  # a sweep needs -m
    (["territory.households=[1,2"], "override", ""),
]


def _check_one_line_error(err: str, field: str, value: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert lines[0].startswith(f"error: {field}"), err
    assert value in lines[0], err


@pytest.mark.parametrize(("argv", "field", "value"), BAD_ARGUMENTS,
                         ids=[" ".join(case[0]) for case in BAD_ARGUMENTS])
def test_bad_input_in_process(argv, field, value, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main([*argv, f"output_dir={tmp_path / 'out'}", "quiet=true"])
    captured = capsys.readouterr()
    assert code == 2
    _check_one_line_error(captured.err, field, value)
    assert captured.out == ""
    assert not (tmp_path / "out").exists(), "nothing runs on a bad value"
    assert not (tmp_path / "outputs").exists()


SUBPROCESS_CASES = [case for case in BAD_ARGUMENTS if case[0][0] in (
    "territory.households=-5", "territory.households=abc", "scenario=foo", "territory.foo=1",
    "seed", "-x")]


@pytest.mark.parametrize(("argv", "field", "value"), SUBPROCESS_CASES,
                         ids=[" ".join(case[0]) for case in SUBPROCESS_CASES])
def test_bad_input_as_subprocess(argv, field, value, tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "territoire_abm.cli", *argv], cwd=tmp_path,
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2, completed.stderr
    _check_one_line_error(completed.stderr, field, value)
    assert completed.stdout == ""
    assert list(tmp_path.iterdir()) == [], "no output folder for a rejected run"


def test_multirun_checks_every_job_before_running_any(tmp_path, capsys):
    out = tmp_path / "multi"
    code = main(["-m", *SMALL, "until=2026", "territory.households=50,-5",
                 f"output_dir={out}", "quiet=true"])
    captured = capsys.readouterr()
    assert code == 2
    _check_one_line_error(captured.err, "territory.households", "-5")
    assert not out.exists()


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "territoire-abm" in capsys.readouterr().out


# --------------------------------------------------------------------------- successful runs
@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    argv = [*SMALL, "territory.name=Testville", "scenario=ssp245", "seed=5", "until=2028",
            f"output_dir={out}"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out, printed.getvalue(), argv


def test_run_writes_its_files(single_run):
    code, out, _, _ = single_run
    assert code == 0
    for name in RUN_FILES:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, name
    assert (out / "trajectories.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_indicators_cover_every_year(single_run):
    _, out, _, _ = single_run
    table = pd.read_parquet(out / "indicators.parquet")
    assert table.index.tolist() == [2025, 2026, 2027, 2028]
    assert table["energy_balance_residual_kwh"].max() < 1e-6
    assert table["water_balance_residual_m3"].max() < 1e-6


def test_run_config_yaml_is_the_resolved_config(single_run):
    _, out, _, argv = single_run
    written = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    expected = load([a for a in argv if not a.startswith(("output_dir=", "quiet="))])
    assert model_config(written) == expected
    assert written["territory"]["name"] == "Testville"
    assert written["scenario"]["name"] == "ssp245"


def test_run_json_and_decisions(single_run):
    _, out, _, _ = single_run
    provenance = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert provenance["seed"] == 5
    assert provenance["territory"] == "Testville"
    assert provenance["scenario"] == "ssp245"
    assert (provenance["start"], provenance["until"]) == (2025, 2028)
    assert provenance["households"] == 60 and provenance["firms"] == 4
    assert "numpy" in provenance["versions"] and "mesa" in provenance["versions"]
    decisions = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    assert sorted(decisions) == ["2025", "2026", "2027", "2028"]
    assert set(decisions["2025"]) == {"residents", "farmers", "businesses", "energy_community",
                                      "council"}


def test_run_prints_a_summary_naming_the_territory(single_run):
    _, out, text, _ = single_run
    assert "Testville" in text
    assert "ssp245" in text
    assert str(out) in text


def test_same_arguments_give_byte_identical_tables(tmp_path, capsys):
    for name in ("a", "b"):
        assert main([*SMALL, "seed=2", "until=2027", f"output_dir={tmp_path / name}",
                     "quiet=true"]) == 0
    capsys.readouterr()
    assert (tmp_path / "a" / "indicators.parquet").read_bytes() == \
        (tmp_path / "b" / "indicators.parquet").read_bytes()
    assert (tmp_path / "a" / "decisions.json").read_bytes() == \
        (tmp_path / "b" / "decisions.json").read_bytes()


def test_multirun_creates_one_folder_per_job(tmp_path, capsys):
    out = tmp_path / "multi"
    code = main(["-m", "seed=0,1", *SMALL, "until=2026", f"output_dir={out}"])
    text = capsys.readouterr().out
    assert code == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name.isdigit())
    assert folders == ["0", "1"]
    seeds = []
    for folder in folders:
        for name in RUN_FILES:
            assert (out / folder / name).is_file(), (folder, name)
        seeds.append(json.loads((out / folder / "run.json").read_text())["seed"])
    assert seeds == [0, 1]
    first = pd.read_parquet(out / "0" / "indicators.parquet")
    second = pd.read_parquet(out / "1" / "indicators.parquet")
    assert not first.equals(second)
    assert "[1/2]" in text and "[2/2]" in text
    assert text.count("Carbonne") >= 2
