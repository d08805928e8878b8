"""The independent QuTiP build of Eq. (1)-(3) (and its variants), for tests and benchmarks.

It lives in :mod:`qbcircuit.qutip_reference` (the paper report's QuTiP cross-check uses it
too) and uses QuTiP's own operators, solver and observables only: none of qbcircuit's model,
encodings, engines or observables. Fock space first (cavity (x) cell 1 (x) cell 2).
"""

from qbcircuit.qutip_reference import (  # noqa: F401 - re-exported for the tests and benchmarks
    DEFAULTS,
    ORDER,
    QUTIP_OPTIONS,
    model_inputs,
    qutip_model,
    qutip_observables,
    qutip_trajectory,
)

#: Tolerances of the reference solve: tight enough that its own error is far below 1e-6.
REFERENCE_OPTIONS = QUTIP_OPTIONS
