"""Engines as frozen option objects; names as aliases; costs estimated before the work."""

import dataclasses
import signal
import warnings

import numpy as np
import pytest

from qbcircuit import (
    BatteryModel,
    BatteryParams,
    CostWarning,
    Dynamics,
    Exact,
    ParameterError,
    QbcircuitWarning,
    Trotter,
    simulate,
    simulate_many,
)
from qbcircuit.cli import build_parser, main
from qbcircuit.engines import METHODS, option_fields, resolve

TIMES = np.linspace(0.0, 2.0, 21)


@pytest.mark.dynamics
def test_names_are_aliases_of_the_classes():
    assert resolve("exact") == Exact()
    assert resolve("dynamics", {"atol": 1e-10}) == Dynamics(atol=1e-10)
    assert resolve("trotter", {"dt": 0.05, "order": 1}) == Trotter(dt=0.05, order=1)
    engine = Dynamics(rtol=1e-9)
    assert resolve(engine) is engine
    assert {cls().name for cls in (Exact, Dynamics, Trotter)} == set(METHODS)


@pytest.mark.dynamics
def test_engines_are_frozen_and_validate_their_options():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Dynamics().atol = 1.0
    for make, message in [(lambda: Dynamics(atol=0.0), r"atol must be >= 1e-15"),
                          (lambda: Dynamics(atol=1e-300), r"atol must be >= 1e-15"),
                          (lambda: Dynamics(rtol=0.5), r"rtol must be <= 0.01"),
                          (lambda: Dynamics(ode_method="Euler"), "ode_method must be one of"),
                          (lambda: Trotter(dt=-1.0), "dt must be a finite number > 0"),
                          (lambda: Trotter(order=3), "order must be 1"),
                          (lambda: resolve("exact", {"dt": 0.1}),
                           r"method 'exact' takes no option 'dt' \(its options: none\)"),
                          (lambda: resolve(Exact(), {"atol": 1e-9}), "beside an engine object")]:
        with pytest.raises(ParameterError, match=message):
            make()


@pytest.mark.dynamics
def test_an_engine_object_and_its_name_give_the_same_trajectory():
    params = BatteryParams(alpha=0.8, zeta=0.5, gamma=0.1)
    by_object = simulate(params, TIMES, method=Dynamics(rtol=1e-9))
    by_name = simulate(params, TIMES, method="dynamics", rtol=1e-9)
    assert np.array_equal(by_object.energy, by_name.energy)
    assert by_object.method == "dynamics" and by_object.options["rtol"] == 1e-9
    many = simulate_many([params], TIMES, method=Dynamics(rtol=1e-9))
    assert np.array_equal(many[0].energy, by_name.energy)


def test_cli_engine_flags_are_the_engines_fields():
    fields = option_fields()
    assert set(fields) == {f.name for cls in (Exact, Dynamics, Trotter)
                           for f in dataclasses.fields(cls)}
    for command in ("simulate", "figures", "reproduce", "sweep"):
        sub = build_parser()._subparsers._group_actions[0].choices[command]
        flags = {a.dest for a in sub._actions}
        assert set(fields) <= flags, command


# -- costs estimated before the work (every number here is an estimate's order of magnitude)

@pytest.mark.dynamics
def test_a_run_that_cannot_fit_in_memory_is_refused_before_the_work():
    params = BatteryParams(alpha=0.0, fock=512, kappa=0.1)  # 2048-dimensional code space
    # qiskit-dynamics' Solver keeps every density matrix (501 of 64 MiB); the default open path
    # keeps one chunk (about 1.4 GiB at this size, the largest truncation allowed)
    with pytest.raises(ParameterError, match=r"needs about [\d.]+ GiB .* are available: use fewer"):
        simulate(params, np.linspace(0, 1, 501), method="dynamics", array_library="scipy_sparse")
    assert Dynamics().cost(BatteryModel(params), np.linspace(0, 1, 501)).bytes < 2 * 2**30


@pytest.mark.parametrize(("kwargs", "method", "options"), [
    (dict(g=1e8), "dynamics", {}),
    (dict(gamma=1e6, zeta=0.5), "dynamics", {}),
    (dict(alpha=1.0), "trotter", {"dt": 1e-9}),
])
def test_hopeless_runs_are_refused_with_the_estimate(kwargs, method, options):
    with pytest.raises(ParameterError, match=r"needs about .* \(about .*(days|hours)\)"):
        simulate(BatteryParams(**kwargs), np.linspace(0, 10, 11), method=method, **options)


@pytest.mark.dynamics
def test_closed_hopeless_runs_point_to_the_exact_engine():
    with pytest.raises(ParameterError, match="method 'exact' solves a closed system"):
        simulate(BatteryParams(g=1e8), [0.0, 10.0], method="dynamics")
    # and the exact engine does it at once, whatever the time
    tr = simulate(BatteryParams(alpha=1, g=1e8), [0.0, 1e9], method="exact")
    assert np.all(np.isfinite(tr.energy))


@pytest.mark.dynamics
def test_long_runs_warn_with_the_estimate():
    with pytest.warns(CostWarning, match=r"needs about .* ODE steps"):
        engine = Dynamics()
        model = BatteryModel(BatteryParams(alpha=0.5, delta=1e6))
        from qbcircuit.simulate import check_cost

        check_cost(engine, model, np.linspace(0, 1, 11))


@pytest.mark.dynamics
def test_a_loose_tolerance_does_not_grow_the_truncation():
    """Solver error in the top level is not photons pumped out of the truncation."""
    import warnings

    params = BatteryParams(alpha=0.5, zeta=1)  # Fig. 2(a), zeta = 1
    times = np.linspace(0, 10, 201)
    exact = simulate(params, times, method="exact")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no truncation warning from solver noise either
        loose = simulate(params, times, method=Dynamics(rtol=1e-3, atol=1e-5))
    assert loose.levels <= exact.levels  # never grown past what the physics needs
    assert np.max(np.abs(loose.energy - exact.energy)) < 1e-2  # and as good as asked for
    assert Dynamics(atol=1e-5).population_floor == pytest.approx(1e-4)
    assert Exact().population_floor == 0.0


@pytest.mark.aer
def test_a_long_trotter_run_shows_progress_on_a_terminal(monkeypatch):
    """Above PROGRESS_SECONDS the engine asks for a bar (tqdm shows it on a terminal only)."""
    from qbcircuit.engines import trotter

    seen = {}
    real_run = trotter.run

    def spy(*args, **kwargs):
        seen["progress"] = kwargs.get("progress")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(trotter, "run", spy)
    params = BatteryParams(alpha=0.3, fock=2, gamma=0.1)
    simulate(params, [0.0, 0.1], method=Trotter(dt=0.05))
    assert seen["progress"] is False
    monkeypatch.setattr(trotter, "PROGRESS_SECONDS", 0.0)
    tr = simulate(params, [0.0, 0.1], method=Trotter(dt=0.05))
    assert seen["progress"] is True and np.all(np.isfinite(tr.energy))


# -- without the dynamics extra (Qiskit 2): default "exact", "dynamics" refused in one line

@pytest.fixture
def no_dynamics(monkeypatch):
    """As if qiskit-dynamics were not installed (the Qiskit 2 environment)."""
    from qbcircuit import _optional, engines

    missing = (None, "ModuleNotFoundError: No module named 'qiskit_dynamics'")
    monkeypatch.setattr(_optional, "_import_dynamics", lambda: missing)
    monkeypatch.setattr(engines, "_warned", [])


def test_without_the_extra_the_default_is_exact_said_once_and_recorded(no_dynamics):
    from qbcircuit.engines import default_method

    with pytest.warns(QbcircuitWarning, match=r"qbcircuit\[dynamics\].*default method is 'exact'"):
        tr = simulate(BatteryParams(alpha=1), [0.0, 0.5])
    assert tr.method == "exact"
    assert any("qbcircuit[dynamics]" in note for note in tr.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per process
        assert default_method() == "exact"
    assert simulate(BatteryParams(alpha=1), [0.0, 0.5], method="exact").notes == ()


def test_without_the_extra_dynamics_is_one_line_naming_it(no_dynamics, capsys):
    with pytest.raises(ParameterError, match=r"pip install 'qbcircuit\[dynamics\]'"):
        simulate(BatteryParams(alpha=1), [0.0, 0.5], method="dynamics")
    with pytest.raises(ParameterError, match=r"qbcircuit\[dynamics\]"):
        Dynamics()
    status = main(["simulate", "--alpha", "1", "--points", "3", "--t-max", "1",
                   "--method", "dynamics"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "qbcircuit[dynamics]" in err and "Traceback" not in err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_during_a_heavy_import_is_raised_after_it(signum):
    """Ctrl-C inside JAX's import crashed the interpreter at exit: it waits for the import."""
    from qbcircuit import _optional

    class Stopped(BaseException):
        pass

    def stop(*args):
        raise Stopped

    previous = signal.signal(signum, stop)
    try:
        reached = []
        with pytest.raises(Stopped):
            with _optional.stops_deferred():
                signal.raise_signal(signum)  # arrives mid-import
                reached.append("end of the import")
        assert reached == ["end of the import"]
        assert signal.getsignal(signum) is stop
    finally:
        signal.signal(signum, previous)
