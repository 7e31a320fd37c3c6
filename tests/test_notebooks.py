"""The notebooks run from top to bottom on a fresh kernel, explain and end with exercises."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    """Every cell executes without error and the tour's outputs are there."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert len(outputs) >= len([c for c in notebook.cells if c.cell_type == "code"]) - 1


STUDENTS_GUIDE = Path(__file__).parents[1] / "docs" / "guide_students.md"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_explains_and_ends_with_exercises(path):
    """Plain-words explanation first, exercises at the end, and a figure somewhere."""
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    assert "## Exercises" in notebook.cells[-1].source
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "plt." in code or "plot" in code


def test_students_guide_lists_every_notebook_in_order():
    guide = STUDENTS_GUIDE.read_text(encoding="utf-8")
    positions = [guide.find(f"`{path.name}`") for path in NOTEBOOKS]
    missing = [p.name for p, i in zip(NOTEBOOKS, positions, strict=True) if i < 0]
    assert not missing, missing
    assert positions == sorted(positions)
