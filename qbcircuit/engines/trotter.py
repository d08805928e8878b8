r"""The trotter engine: Trotterized circuits on qiskit-aer's density-matrix simulator.

The circuit (:func:`qbcircuit.circuits.trotter_circuit`) prepares Eq. (3), then repeats per
step h: a product formula for :math:`e^{-iHh}` (order 1 Lie-Trotter, order 2 Suzuki-Trotter),
then the dissipation of Eq. (2) over h as exact channels carried by an Aer ``NoiseModel``
(cells: amplitude damping :math:`p = 1 - e^{-\gamma h}`; cavity: bosonic loss of
transmissivity :math:`e^{-\kappa h}`). The density matrix is saved at every requested time;
the circuit runs once on ``AerSimulator(method="density_matrix")``.

Error: O(dt) for order 1, O(dt^2) for order 2 on a closed system, O(dt) with dissipation (the
unitary/dissipative split is first order). The default ``dt = DEFAULT_DT = 0.03`` gives errors
in energy, fluctuation and concurrence below 1e-2 against the exact engine on the paper's
parameter sets (measured: largest 6.4e-3; ``tests/test_trotter.py``, marked slow).

Cost (measured, one thread): 2.5 ms per step for 6 qubits and 9 ms for 7 without cavity loss;
the cavity loss channel (a 4^k x 4^k superoperator in Aer, k cavity qubits) adds about 7 ms per
step for k = 4 and 160 ms for k = 5. A CLI run of the open paper set (7 qubits, 500 steps)
takes about 80 s; closed sets a few seconds.

Speed: a step synthesised into gates is about 2,000 gates for the default 7-qubit register,
about 0.1 s per step in Aer's density-matrix simulator. The engine therefore *lowers* each
distinct step to its unitary matrix first (Aer's unitary simulator on the synthesised step:
the same product formula, including its Trotter error, to round-off) and the density-matrix
run applies one register unitary per step. Noise, saves and the circuit structure are
unchanged; the tests check lowered and gate-level runs agree.

qiskit-aer is imported here only, lazily.
"""

from __future__ import annotations

import numpy as np

from .._checks import ParameterError
from ..circuits import _check_dt, _check_order, trotter_circuit
from ..model import BatteryModel
from ..states import EvolvedStates

#: Default largest step. Measured largest errors of energy, fluctuation and concurrence against
#: exact over 0 <= t <= 10 (51 times): 4.8e-3 for Fig. (a) alpha = 3, zeta = 0 (the worst
#: closed set at dt = 0.05, where it is 1.8e-2), 6.4e-3 for Fig. (d) kappa = 0.6, gamma = 0.4,
#: zeta = 1 (1.1e-2 at dt = 0.05).
DEFAULT_DT = 0.03
#: Largest register for the density-matrix simulator (a 4^n matrix; 12 qubits = 256 MiB per
#: saved time, and minutes per step).
MAX_QUBITS = 12
#: Largest cavity register for the loss channel: Aer applies a k-qubit Kraus channel as a
#: 4^k x 4^k superoperator: 5 qubits cost about 0.16 s per step on a 7-qubit register, 6 qubits
#: about 16 times more.
MAX_LOSS_QUBITS = 5
#: Registers up to this size run Aer on one thread.
SINGLE_THREAD_QUBITS = 8
#: Memory allowed for the saved density matrices (T x 4^n x 16 bytes).
MAX_SAVED_BYTES = 4 << 30


def _aer():
    try:
        import qiskit_aer
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise ImportError(
            "method='trotter' needs qiskit-aer: pip install 'qiskit-aer>=0.18,<0.19'"
        ) from err
    return qiskit_aer


def _check_size(model: BatteryModel, n_times: int) -> None:
    n = model.num_qubits
    p = model.params
    if n > MAX_QUBITS:
        raise ParameterError(
            f"the {p.encoding} register has {n} qubits; the density-matrix simulator is used "
            f"up to {MAX_QUBITS} (a 2^n x 2^n matrix): use fewer Fock levels, a smaller "
            "|alpha|, or the binary/gray encoding"
        )
    if p.kappa > 0 and model.num_cavity_qubits > MAX_LOSS_QUBITS:
        raise ParameterError(
            f"the cavity loss channel on {model.num_cavity_qubits} cavity qubits needs a "
            f"{4 ** model.num_cavity_qubits}-dimensional superoperator; it is supported up to "
            f"{MAX_LOSS_QUBITS} cavity qubits (fock <= {1 << MAX_LOSS_QUBITS} for binary/gray, "
            f"fock <= {MAX_LOSS_QUBITS} for unary)"
        )
    need = n_times * 16 * 4**n
    if need > MAX_SAVED_BYTES:
        raise ParameterError(
            f"saving {n_times} density matrices of {n} qubits needs {need / 2**30:.1f} GiB "
            f"(allowed {MAX_SAVED_BYTES / 2**30:.0f} GiB): ask for fewer times"
        )


def noise_model(noise):
    """An Aer ``NoiseModel`` from :class:`qbcircuit.circuits.NoiseSpec` items (None if empty)."""
    if not noise:
        return None
    aer = _aer()
    from qiskit.quantum_info import Kraus

    nm = aer.noise.NoiseModel()
    nm.add_basis_gates(["unitary"])
    for spec in noise:
        if spec.kind == "amplitude_damping":
            err = aer.noise.amplitude_damping_error(spec.param)
        else:
            err = aer.noise.QuantumError(Kraus(list(spec.kraus)))
        for qubits in spec.qubits:
            nm.add_quantum_error(err, spec.label, list(qubits))
    return nm


def unitary_lowering(step):
    """The unitary of a synthesised step circuit (Aer's unitary simulator), as a ``UnitaryGate``."""
    from qiskit import transpile
    from qiskit.circuit.library import UnitaryGate

    aer = _aer()
    sim = aer.AerSimulator(method="unitary")
    qc = transpile(step, sim, optimization_level=1)
    qc.save_unitary()
    threads = 1 if step.num_qubits <= SINGLE_THREAD_QUBITS else 0
    U = np.asarray(sim.run(qc, max_parallel_threads=threads).result().get_unitary(qc))
    return UnitaryGate(U, label="trotter_step", check_input=False)


def gate_lowering(step):
    """The synthesised gates of a step (for tests: the circuit a device would run)."""
    from qiskit import transpile

    sim = _aer().AerSimulator(method="density_matrix")
    return transpile(step, sim, optimization_level=1).to_instruction(label="trotter_step")


def run(model: BatteryModel, times, *, dt: float, order: int, lowering=unitary_lowering,
        use_noise: bool = True) -> EvolvedStates:
    """Build, run and read the circuit (``evolve`` with the internals exposed for tests).

    Args:
        model: the battery model.
        times (array of shape (T,)): output times.
        dt: largest step.
        order: 1 or 2.
        lowering: how a step is handed to Aer (:func:`unitary_lowering` or
            :func:`gate_lowering`).
        use_noise: attach the noise model (False drops all dissipation: for tests).
    """
    aer = _aer()
    from qiskit_aer.library import SaveDensityMatrix

    times = np.asarray(times, dtype=float)
    _check_size(model, times.size)
    n = model.num_qubits

    def save(qc, label):
        qc.append(SaveDensityMatrix(n, label=label), range(n))

    built = trotter_circuit(model, times, dt=dt, order=order, lower=lowering, save=save)
    from qiskit import transpile

    sim = aer.AerSimulator(method="density_matrix")
    nm = noise_model(built.noise) if use_noise else None
    # only the state preparation needs synthesis; labelled unitaries and saves pass through
    qc = transpile(built.circuit, sim, optimization_level=0)
    # Small registers gain nothing from OpenMP, and its spinning threads slow Aer down by
    # 10-50x when the cores are shared (seen under a parallel test run): one thread there.
    threads = 1 if n <= SINGLE_THREAD_QUBITS else 0
    result = sim.run(qc, noise_model=nm, shots=1, max_parallel_threads=threads).result()
    if not result.success:  # pragma: no cover - Aer reports its own failures
        raise RuntimeError(f"Aer failed: {result.status}")
    data = result.data(0)
    # Aer indexes the density matrix by the register basis index (little-endian), like Qiskit
    idx = np.ix_(model.code_basis, model.code_basis)
    rhos = np.stack([np.asarray(data[label])[idx] for label in built.save_labels])
    return EvolvedStates(times, model.levels, density_matrices=rhos)


def evolve(model: BatteryModel, times, *, dt: float | None = None, order: int = 2
           ) -> EvolvedStates:
    """Density matrices of ``model`` at ``times`` from a Trotterized circuit on Aer.

    Args:
        model: the battery model.
        times (array of shape (T,)): output times (non-negative, increasing); each is hit
            exactly (the step before it is shortened).
        dt: largest Trotter step, finite and > 0 (default ``DEFAULT_DT``).
        order: product-formula order, 1 (Lie-Trotter) or 2 (Suzuki-Trotter).

    Returns:
        density matrices on the code space, shape (T, 4d, 4d). For unary, population that the
        product formula leaked out of the one-hot code space would be missing from the trace
        (the trajectory's trace error); measured below 1e-12 (fock 5, dt 0.025-0.1).

    Raises:
        ParameterError: bad ``dt``/``order``, or a register too large for the simulator.
    """
    dt = DEFAULT_DT if dt is None else _check_dt(dt)
    order = _check_order(order)
    return run(model, times, dt=dt, order=order)


def sample_cells(model: BatteryModel, time: float, *, shots: int = 10_000,
                 dt: float | None = None, order: int = 2, seed: int | None = None):
    """Shot-based energy and concurrence at ``time`` (see :mod:`qbcircuit.tomography`).

    The Trotter circuit to ``time`` (with its noise model) is followed by the nine two-qubit
    Pauli measurements of the cells, ``shots`` shots each, on the density-matrix simulator.

    Args:
        model: the battery model.
        time: the measurement time, >= 0.
        shots: shots per tomography setting, >= 1.
        dt: largest Trotter step (default ``DEFAULT_DT``).
        order: 1 or 2.
        seed: seed of the simulator's sampling and of the bootstrap.

    Returns:
        a :class:`qbcircuit.tomography.ShotEstimate`.
    """
    from qiskit import transpile

    from .._checks import check_int, check_real
    from ..circuits import TOMOGRAPHY_SETTINGS, cell_measurements
    from ..observables import secondary_sigma_z
    from ..tomography import estimate

    aer = _aer()
    time = check_real("time", time, low=0.0)
    shots = check_int("shots", shots, low=1, high=10**8)
    dt = DEFAULT_DT if dt is None else _check_dt(dt)
    order = _check_order(order)
    _check_size(model, 1)
    built = trotter_circuit(model, [time], dt=dt, order=order, lower=unitary_lowering)
    sim = aer.AerSimulator(method="density_matrix")
    circuits = transpile(cell_measurements(model, built.circuit), sim, optimization_level=0)
    threads = 1 if model.num_qubits <= SINGLE_THREAD_QUBITS else 0
    result = sim.run(circuits, noise_model=noise_model(built.noise), shots=shots,
                     seed_simulator=seed, max_parallel_threads=threads).result()
    counts = [result.get_counts(i) for i in range(len(circuits))]
    cells0 = model.initial_ket.reshape(4, model.levels)
    rho0 = np.einsum("an,bn->ab", cells0, cells0.conj())
    sz0 = float(secondary_sigma_z(rho0[None])[0])
    return estimate(TOMOGRAPHY_SETTINGS, counts, shots, time, sz0, seed=seed)
