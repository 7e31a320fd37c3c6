"""The generated parameter table is up to date and flags every unconfirmed default."""

from __future__ import annotations

from pathlib import Path

from territoire_abm.config import docs
from territoire_abm.config.fields import describe
from territoire_abm.config.params import ModelConfig

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS_MD = ROOT / "docs" / "parameters.md"


def _table_lines(text: str) -> dict[str, str]:
    """Table rows of the page keyed by the dotted path in their first cell."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            path = line.split("`")[1]
            rows[path] = line
    return rows


def test_parameters_md_is_up_to_date():
    """docs/parameters.md equals the generator's output."""
    expected = docs.render()
    actual = PARAMETERS_MD.read_text(encoding="utf-8") if PARAMETERS_MD.exists() else ""
    assert actual == expected, f"docs/parameters.md is stale: run `{docs.COMMAND}`"


def test_every_parameter_has_a_row():
    """Every dotted path of ModelConfig appears once in the table."""
    rows = _table_lines(docs.render())
    for row in describe(ModelConfig):
        assert row["path"] in rows, row["path"]


def test_every_unconfirmed_default_is_flagged():
    """A default whose source says 'unconfirmed' carries the flag; no other row does."""
    rows = _table_lines(docs.render())
    described = describe(ModelConfig)
    flagged = 0
    for row in described:
        line = rows[row["path"]]
        if "unconfirmed" in row["source"].lower():
            assert line.rstrip().endswith(f"| {docs.UNCONFIRMED_FLAG} |"), line
            flagged += 1
        else:
            assert not line.rstrip().endswith(f"| {docs.UNCONFIRMED_FLAG} |"), line
    assert flagged > 0


def test_unconfirmed_persona_attributes_are_flagged():
    """Persona attributes with an unconfirmed source are flagged in the personae table."""
    rows = _table_lines(docs.render())
    for row in docs.persona_field_rows():
        line = rows[row["path"]]
        flagged = line.rstrip().endswith(f"| {docs.UNCONFIRMED_FLAG} |")
        assert flagged == ("unconfirmed" in row["source"].lower()), line


def test_flag_matches_the_source_constant():
    """The params module's UNCONFIRMED marker is what the flag detects."""
    from territoire_abm.config.params import UNCONFIRMED

    assert docs.is_unconfirmed(UNCONFIRMED)
    assert docs.is_unconfirmed("Garonne at Portet, " + UNCONFIRMED)
    assert not docs.is_unconfirmed("Haer et al. 2017")


def test_cells_are_escaped():
    """A pipe inside a value cannot break the table."""
    assert docs._cell("a | b") == "a \\| b"
    assert docs.format_value({"gas": 0.4, "oil": 0.6}) == "gas 0.4, oil 0.6"
    assert docs.format_range({"low": 0, "high": 1, "choices": None}) == "[0, 1]"
    assert docs.format_range({"low": None, "high": None, "choices": ("a", "b")}) == "one of: a, b"


def test_main_writes_the_page(tmp_path, capsys):
    """The command writes the page where it is told."""
    target = tmp_path / "sub" / "parameters.md"
    assert docs.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == docs.render()
    assert str(target) in capsys.readouterr().out


def test_odd_d_lists_every_unconfirmed_parameter():
    """The model description's open calibration questions name every flagged parameter."""
    text = (ROOT / "docs" / "odd_d.md").read_text(encoding="utf-8")
    section = text.split("## Open calibration questions")[1].split("\n## ")[0]
    missing = [row["path"] for row in docs.parameter_rows()
               if row["flag"] and f"`{row['path']}`" not in section]
    assert not missing, f"add to docs/odd_d.md, Open calibration questions: {missing}"
