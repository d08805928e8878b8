import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from qbcircuit import ParameterError
from qbcircuit.observables import concurrence
from qbcircuit.paper.figures import (
    BOUND_GID,
    BOUND_STYLE,
    CONCURRENCE_FLOOR,
    CSV_COLUMNS,
    FIGURES,
    MARKER_GID,
    coinciding_curves,
    compute_suite,
    concurrence_bound_margin,
    curves_csv_text,
    paper_figures,
    save_figures,
    save_suite_csv,
    variant_overrides,
)

#: what each panel's title must name (its fixed parameters), docs/conventions.md
PANEL_TITLES = [
    r"(a) $\Delta$ = 0, $g$ = 1, $\kappa$ = $\gamma$ = 0",
    r"(b) $\alpha$ = 2, $g$ = 1, $\kappa$ = $\gamma$ = 0",
    r"(c) $\Delta$ = 0, $\alpha$ = 2, $\kappa$ = $\gamma$ = 0",
    r"(d) $\Delta$ = 0, $\alpha$ = 1, $g$ = 1",
]


@pytest.fixture(scope="module")
def suite():
    return compute_suite(points=21, parametric_points=11, method="exact")


@pytest.fixture(scope="module")
def figs(suite):
    return paper_figures(suite)


def test_figures_are_not_registered_with_pyplot(figs):
    # a notebook shows a Figure where it is displayed, and pyplot does not show it again
    assert all(isinstance(f, Figure) for f in figs.values())
    assert plt.get_fignums() == []


def test_suite_has_the_sixteen_paper_trajectories(suite):
    assert len(suite.entries) == len(suite.main) == len(suite.parametric) == 16
    assert {e.params.zeta for e in suite.entries} == {0.0, 1.0}
    assert suite.main[0].times[-1] == 10.0 and suite.parametric[0].times[-1] == 1.3
    open_ = [e for e in suite.entries if not e.params.is_closed]
    assert [(e.params.kappa, e.params.gamma) for e in open_] == [(0.6, 0.4)] * 2
    assert suite.omega_q == 1.0 and suite.variant is None and suite.method == "exact"


def _curves(ax):
    return [ln for ln in ax.get_lines() if ln.get_linestyle() in ("-", "--")]


def test_every_panel_plots_the_right_curves(suite, figs):
    assert list(figs) == list(FIGURES)
    for fig in figs.values():
        axes = fig.get_axes()
        assert len(axes) == 4
        for ax in axes:
            curves = _curves(ax)
            assert len(curves) == 4  # two parameter values x zeta in {0, 1}
            assert {ln.get_linestyle() for ln in curves} == {"-", "--"}
            assert len({ln.get_color() for ln in curves}) == 2
    # Panel (a) of Figure 2, first curve: alpha = 0.5, zeta = 0, energy against lambda*t.
    line = figs["fig2_energy"].get_axes()[0].get_lines()[0]
    assert np.array_equal(line.get_ydata(), suite.main[0].energy)
    # Figure 6 (d): x is the fluctuation, y the concurrence, over the parametric window
    # ("the concurrence rises with ..."); Figure 5: x is the energy
    line = figs["fig6_concurrence_vs_fluctuation"].get_axes()[3].get_lines()[0]
    tr = suite.parametric[12]
    assert np.array_equal(line.get_xdata(), tr.fluctuation)
    assert np.array_equal(line.get_ydata(), tr.concurrence)
    line = figs["fig5_concurrence_vs_energy"].get_axes()[0].get_lines()[0]
    assert np.array_equal(line.get_xdata(), suite.parametric[0].energy)


def test_legends_sit_beside_the_panels_off_the_curves(figs):
    for fig in figs.values():
        fig.canvas.draw()
        for ax in fig.get_axes():
            box = ax.get_legend().get_window_extent()
            assert box.x0 >= ax.get_window_extent().x1  # right of the axes: no curve there


def test_panels_name_their_fixed_parameters_and_the_figure_omega_q_and_truncation(suite, figs):
    for fig in figs.values():
        assert [ax.get_title(loc="left") for ax in fig.get_axes()] == PANEL_TITLES
        title = fig._suptitle.get_text()
        assert r"$\omega_q$ = 1" in title and "Fock levels" in title
        assert "Eq. (1)" in title and "variant" not in title.lower()
    # each colour names the truncation of its zeta = 0 and zeta = 1 curves
    legend = [t.get_text() for t in figs["fig2_energy"].get_axes()[0].get_legend().get_texts()]
    levels = [tr.levels for e, tr in zip(suite.entries, suite.main, strict=True) if e.panel == "a"]
    assert legend[:2] == [rf"$\alpha$ = 0.5 (d = {levels[0]} | {levels[1]})",
                          rf"$\alpha$ = 3 (d = {levels[2]} | {levels[3]})"]


def test_time_figures_mark_the_first_peak_window(figs):
    for name in ("fig2_energy", "fig3_fluctuation", "fig4_concurrence"):
        for ax in figs[name].get_axes():
            marks = [ln for ln in ax.get_lines() if ln.get_gid() == MARKER_GID]
            assert len(marks) == 1 and list(marks[0].get_xdata()) == [1.3, 1.3]
            assert marks[0].get_linestyle() == ":"
            # the label "1.3" is a tick label below the axis, not text among the curves
            assert [t.get_text() for t in ax.get_xticklabels(minor=True)] == ["1.3"]
            assert not ax.texts


def test_concurrence_axes_start_below_zero(figs):
    for ax in figs["fig4_concurrence"].get_axes():
        assert ax.get_ylim()[0] == CONCURRENCE_FLOOR < 0
    for name in ("fig5_concurrence_vs_energy", "fig6_concurrence_vs_fluctuation"):
        for ax in figs[name].get_axes():
            assert ax.get_ylim()[0] == CONCURRENCE_FLOOR < 0


def test_figure_6_draws_the_bound_and_the_data_respect_it(suite, figs):
    for ax in figs["fig6_concurrence_vs_fluctuation"].get_axes():
        (bound,) = [ln for ln in ax.get_lines() if ln.get_gid() == BOUND_GID]
        assert bound.get_linestyle() == BOUND_STYLE
        sigma, c = bound.get_xdata(), bound.get_ydata()
        assert np.array_equal(c, 2 * sigma)  # C = 2 Sigma/omega_q
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("holds" in s and r"2\Sigma/\omega_q" in s for s in labels)
    assert concurrence_bound_margin(suite) <= 1e-9


def test_the_bound_holds_for_random_two_qubit_states():
    """C <= sqrt(1 - <sz2>^2) = 2 Sigma/omega_q for any state (pure: equality when diagonal)."""
    rng = np.random.default_rng(7)
    for rank in (1, 2, 4):
        for _ in range(200):
            a = rng.normal(size=(4, rank)) + 1j * rng.normal(size=(4, rank))
            rho = a @ a.conj().T
            rho /= np.trace(rho).real
            # qubit 1 of the stack is the secondary cell (little-endian: index bit 1)
            p_excited = (rho[2, 2] + rho[3, 3]).real
            sz = 1 - 2 * p_excited
            assert concurrence(rho[None])[0] <= np.sqrt(1 - sz**2) + 1e-12
    bell = np.zeros((4, 4), complex)
    bell[[1, 1, 2, 2], [1, 2, 1, 2]] = 0.5
    assert np.isclose(concurrence(bell[None])[0], 1.0)  # equality: C = 1, p = 1/2


def test_variant_figures_name_the_variant():
    vs = compute_suite(points=5, parametric_points=3, method="exact", variant="tavis-cummings")
    assert vs.variant == "tavis-cummings"
    assert all(e.params.charger_coupling == "both" for e in vs.entries)
    figs = paper_figures(vs)
    for fig in figs.values():
        assert "variant tavis-cummings" in fig._suptitle.get_text()
    # the variant couples the cells by g zeta: at zeta = 0 the two g curves of (c) coincide,
    # which the report's caption says
    assert coinciding_curves(vs, "energy") == [("c", "g = 0.3, zeta = 0", "g = 2, zeta = 0")]
    with pytest.raises(ParameterError, match="variant must be one of"):
        variant_overrides("nope")


def test_figures_and_csv_are_written(suite, tmp_path):
    paths = save_figures(paper_figures(suite), tmp_path, fmt=("png", "svg"))
    assert [p.name for p in paths[::2]] == [f"{name}.png" for name in FIGURES]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths[::2])
    assert all(p.read_text().lstrip().startswith("<?xml") for p in paths[1::2])
    csvs = save_suite_csv(suite, tmp_path)  # one tidy file, as reproduce writes it
    assert [p.name for p in csvs] == ["curves.csv"]
    assert csvs[0].read_text() == curves_csv_text(suite)
    assert csvs[0].read_text().startswith(",".join(CSV_COLUMNS) + "\n")
    assert not list(tmp_path.glob(".*"))  # no temporary files left
    with pytest.raises(ParameterError, match="does not exist"):
        save_figures(paper_figures(suite), tmp_path / "missing")
