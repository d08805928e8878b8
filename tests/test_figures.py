import numpy as np
import pytest

from qbcircuit import ParameterError
from qbcircuit.figures import compute_suite, paper_figures, save_figures, save_suite_csv


@pytest.fixture(scope="module")
def suite():
    return compute_suite(points=21, parametric_points=11, method="exact")


def test_suite_has_the_sixteen_paper_trajectories(suite):
    assert len(suite.entries) == len(suite.main) == len(suite.parametric) == 16
    assert {e.params.zeta for e in suite.entries} == {0.0, 1.0}
    assert suite.main[0].times[-1] == 10.0 and suite.parametric[0].times[-1] == 1.3
    open_ = [e for e in suite.entries if not e.params.is_closed]
    assert [(e.params.kappa, e.params.gamma) for e in open_] == [(0.6, 0.4)] * 2


def test_every_panel_plots_the_right_curves(suite):
    figs = paper_figures(suite)
    assert sorted(figs) == ["fig2", "fig3", "fig4", "fig5", "fig6"]
    for fig in figs.values():
        axes = fig.get_axes()
        assert len(axes) == 4
        for ax in axes:
            curves = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("-", "--")]
            assert len(curves) == 4  # two parameter values x zeta in {0, 1}
    # Panel (a) of Figure 2, first curve: alpha = 0.5, zeta = 0, energy against lambda*t.
    line = figs["fig2"].get_axes()[0].get_lines()[0]
    assert np.array_equal(line.get_ydata(), suite.main[0].energy)
    # Figure 6 (d): x is concurrence, y fluctuation, over the parametric window.
    line = figs["fig6"].get_axes()[3].get_lines()[0]
    tr = suite.parametric[12]
    assert np.array_equal(line.get_xdata(), tr.concurrence)
    assert np.array_equal(line.get_ydata(), tr.fluctuation)


def test_figures_and_csv_are_written(suite, tmp_path):
    paths = save_figures(paper_figures(suite), tmp_path)
    assert [p.name for p in paths] == [f"fig{i}.png" for i in range(2, 7)]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    csvs = save_suite_csv(suite, tmp_path)
    assert len(csvs) == 32 and csvs[0].read_text().startswith("t,energy")
    assert not list(tmp_path.glob(".*"))  # no temporary files left
    with pytest.raises(ParameterError, match="does not exist"):
        save_figures(paper_figures(suite), tmp_path / "missing")
