"""qbcircuit: a two-qubit quantum battery (cavity charger, primary and secondary cell) on Qiskit.

Data flows one way: :class:`BatteryParams` -> :class:`BatteryModel` (``SparsePauliOp``
operators on an encoded register) -> an engine (:class:`Exact`, :class:`Dynamics`,
:class:`Trotter`: frozen option objects) -> :class:`Trajectory` (energy, fluctuation,
concurrence). Conventions (``docs/conventions.md``): hbar = 1,
Delta = omega_c - omega_q, cavity on qubits 0..k-1, primary cell on qubit k, secondary cell on
qubit k+1, |0> = g.
"""

import gc as _gc

# The imports below (Qiskit, SciPy) create about 100 000 tracked objects and no garbage: the
# collector's passes over them while they load cost about 40 ms per process (the command line
# and each sweep worker), so it pauses until they are done.
_gc_enabled = _gc.isenabled()
_gc.disable()
try:
    from ._checks import ParameterError
    from .encodings import Encoding
    from .engines.dynamics import Dynamics
    from .engines.exact import Exact
    from .engines.trotter import Trotter
    from .model import BatteryModel
    from .observables import concurrence, energy, fluctuation
    from .params import BatteryParams, CostWarning, QbcircuitWarning, TruncationWarning
    from .simulate import simulate, simulate_many
    from .states import EvolvedStates
    from .trajectory import Trajectory
finally:
    if _gc_enabled:
        _gc.enable()

__version__ = "0.1.0"

__all__ = [
    "BatteryModel",
    "BatteryParams",
    "CostWarning",
    "Dynamics",
    "Encoding",
    "EvolvedStates",
    "Exact",
    "ParameterError",
    "QbcircuitWarning",
    "Trajectory",
    "Trotter",
    "TruncationWarning",
    "__version__",
    "concurrence",
    "energy",
    "fluctuation",
    "simulate",
    "simulate_many",
]
