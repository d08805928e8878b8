"""The paper wing's CLI command ``qbcircuit figures`` (``reproduce`` is in test_reproduce.py)."""

import pytest

from qbcircuit.cli import main
from qbcircuit.paper.figures import FIGURES


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_figures_command_writes_every_figure(capsys, tmp_path):
    status, out, err = run(capsys, "figures", "--out", str(tmp_path / "figs"), "--points", "11",
                           "--parametric-points", "6", "--method", "exact", "--no-progress",
                           "--csv", "--format", "png")
    assert status == 0, err
    written = out.split()
    assert [p.rsplit("/", 1)[1] for p in written[:5]] == [f"{n}.png" for n in FIGURES]
    assert len(written) == 5 + 1 and written[-1].endswith("/curves.csv")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--points", "1"], "points must be an integer in [2, 1000000]"),
        (["--parametric-points", "0"], "parametric-points must be an integer in [2, "),
        (["--out", "/proc/forbidden"], "cannot create output folder '/proc/forbidden'"),
        (["--method", "exact", "--dt", "0.1", "--out", "never-created"],
         "method 'exact' takes no option 'dt'"),
    ],
)
def test_figures_command_bad_input(capsys, argv, message):
    # the method named, so that no default-method note (Qiskit 2, no dynamics) adds a line
    status, out, err = run(capsys, "figures", "--no-progress", "--method", "exact", *argv)
    assert status == 2 and err.count("\n") == 1 and message in err


def test_bad_figures_options_create_nothing(capsys, tmp_path):
    target = tmp_path / "never-created"
    status, _, _ = run(capsys, "figures", "--method", "exact", "--dt", "0.1", "--out", str(target))
    assert status == 2 and not target.exists()


def test_figures_take_variant_and_omega_q(capsys, tmp_path, monkeypatch):
    import qbcircuit.paper.figures as figures

    seen = {}
    real = figures.compute_suite

    def spy(*args, **kwargs):
        seen.update(kwargs)
        suite = real(*args, **kwargs)
        seen["suite"] = suite
        return suite

    monkeypatch.setattr(figures, "compute_suite", spy)
    status, out, err = run(capsys, "figures", "--out", str(tmp_path / "f"), "--points", "6",
                           "--parametric-points", "4", "--variant", "tavis-cummings",
                           "--omega-q", "1.5", "--format", "svg,png")
    assert status == 0, err
    assert seen["variant"] == "tavis-cummings" and seen["omega_q"] == 1.5
    suite = seen["suite"]
    assert suite.variant == "tavis-cummings" and suite.omega_q == 1.5
    names = sorted(p.rsplit("/", 1)[1] for p in out.split())
    assert names == sorted(f"{n}.{fmt}" for n in FIGURES for fmt in ("svg", "png"))
    status, _, err = run(capsys, "figures", "--variant", "nonsense", "--out", "never")
    assert status == 2 and err.count("\n") == 1 and "nonsense" in err
