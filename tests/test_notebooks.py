"""Notebooks are documentation that runs: each is executed here at reduced resolution."""

import json
import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def execute(path: Path, fast: bool):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("QBCIRCUIT_FAST")
    os.environ["QBCIRCUIT_FAST"] = "1" if fast else "0"
    try:
        nbclient.NotebookClient(nb, timeout=1800, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("QBCIRCUIT_FAST")
        else:
            os.environ["QBCIRCUIT_FAST"] = env_before
    return nb


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"paper_figures.ipynb", "many_cells.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_reduced_resolution(path):
    # nbclient raises CellExecutionError on the first failing cell; the notebook must also have
    # run every code cell (a notebook that stops early would not)
    nb = execute(path, fast=True)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    # a cell that ends with a figure shows it exactly once (paper_figures returns Figure
    # objects made without pyplot, so the inline backend does not show them a second time)
    for cell in code:
        if cell.source.strip().startswith("figures["):
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert len(images) == 1, cell.source


#: Largest committed notebook (outputs included): figures at tools/execute_notebooks.py's dpi.
MAX_NOTEBOOK_BYTES = 1_500_000
#: Notebooks that draw no figure (their outputs are tables and text).
WITHOUT_FIGURES = {"paper_claims.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_with_its_figures(path):
    """A reader on GitHub sees the outputs: run top to bottom in one kernel, no errors."""
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, "execute at a lower --dpi"
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.read(path, as_version=4))
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), \
        "run tools/execute_notebooks.py (cells in order, from a fresh kernel)"
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not any("Traceback" in "".join(o.get("text", "")) for o in outputs)
    # no progress-bar widgets or their state (tools/execute_notebooks.py turns tqdm off)
    assert "widgets" not in nb["metadata"]
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for o in outputs)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert bool(images) == (path.name not in WITHOUT_FIGURES)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_full_size(path):
    execute(path, fast=False)
