"""docs/tutorial.ipynb runs from top to bottom, headless, with no error (nbclient)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


@pytest.mark.needs_dot
@pytest.mark.notebook
def test_the_tutorial_notebook_runs_without_error() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the dev extra's nbformat is missing")
    nbclient = pytest.importorskip("nbclient", reason="the dev extra's nbclient is missing")
    pytest.importorskip("ipykernel", reason="the dev extra's ipykernel is missing")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, at the first error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "".join(str(o.get("data", {})) + str(o.get("text", "")) for o in outputs)
    assert "image/svg+xml" in shown  # the drawings rendered inline
    assert "iframe" in shown  # the step-through page
    assert "δ_1^(2) = ∂L/∂x_1^(2) · σ'(S_1^(2))" in shown
    saved = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in saved.cells)  # committed without outputs
