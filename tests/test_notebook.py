"""The notebook tour (notebooks/tour.ipynb) runs top to bottom in a real Jupyter
kernel (nbclient + ipykernel), and is kept in git without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "notebooks" / "tour.ipynb"
CELL_TIMEOUT_S = 300  # a stuck cell fails; the tour's time is measured, not asserted


def test_the_tour_is_kept_without_outputs():
    notebook = nbformat.read(TOUR, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_the_tour_runs_top_to_bottom_in_a_jupyter_kernel():
    notebook = nbformat.read(TOUR, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},  # the repository's code
    )
    client.execute()  # raises CellExecutionError, with the cell, on any error
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    shown = [page for page in html if 'class="triptych-page"' in page]
    assert shown and "data:image/png;base64," in shown[0]  # show("relu"), pictures
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1  # the plot
    assert any("ci_high" in page and "verdict" in page for page in html)  # bench
    text = "".join(o.get("text", "") for o in outputs)
    assert ", 0 failed" in text  # check on one spec: everything agrees
