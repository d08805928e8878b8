"""Execute the notebooks in place, so that they are committed with their outputs.

    python tools/execute_notebooks.py                 # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/encodings.ipynb
    python tools/execute_notebooks.py --fast          # reduced resolution (as the tests run)

A reader on GitHub or on the documentation site then sees every figure. The run is made
reproducible and small: one kernel per notebook from a clean state, cells in order, no timing
metadata, progress bars off (``TQDM_DISABLE``, and the widget of a bar a cell asks for is
dropped: no widget state in the file), figures as PNG at
``--dpi`` (default 80) reduced to a 256-colour palette (a third of the bytes; line plots look
the same). Re-run it after changing a notebook or what it shows (the tests execute
the notebooks too, at reduced resolution, but do not write them back). Needs the ``notebooks``
or ``test`` extra (nbclient, nbformat, ipykernel).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_WIDGET = "application/vnd.jupyter.widget-view+json"


def small_png(data: str) -> str:
    """A base64 PNG re-encoded with a 256-colour palette (on white), base64 again."""
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    out = io.BytesIO()
    flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                  dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    smaller = base64.b64encode(out.getvalue()).decode()
    return smaller if len(smaller) < len(data) else data


def execute(path: Path, *, fast: bool, dpi: int) -> int:
    """Execute ``path`` in place; return its size in bytes."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    os.environ["QBCIRCUIT_FAST"] = "1" if fast else "0"
    os.environ["TQDM_DISABLE"] = "1"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)  # this checkout's qbcircuit
    rc = f"--InlineBackend.rc={{'figure.dpi': {dpi}}}"
    client = nbclient.NotebookClient(
        nb, timeout=3600, kernel_name="python3", record_timing=False,
        extra_arguments=[rc, "--InlineBackend.figure_formats={'png'}"],
        resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # a progress bar a cell asks for explicitly is a widget: useless once the run is over
        cell.outputs = [o for o in cell.outputs if _WIDGET not in o.get("data", {})]
        for output in cell.outputs:
            if "image/png" in output.get("data", {}):
                output["data"]["image/png"] = small_png(output["data"]["image/png"])
    nbformat.validate(nb)
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)  # atomically: an interrupted run leaves the notebook as it was
    return path.stat().st_size


def main(argv=None) -> int:
    """Execute the notebooks given (default: all) in place."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "notebooks").glob("*.ipynb")))
    parser.add_argument("--fast", action="store_true",
                        help="reduced resolution (QBCIRCUIT_FAST=1, as the tests run)")
    parser.add_argument("--dpi", type=int, default=80, help="figure resolution (default 80)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        t0 = time.perf_counter()
        size = execute(path, fast=args.fast, dpi=args.dpi)
        print(f"{path}: {size / 1024:.0f} KiB in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
