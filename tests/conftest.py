import os
import sys

import matplotlib

matplotlib.use("Agg")

# Make tests/qutip_reference.py importable as a plain module (pytest uses importlib mode).
sys.path.insert(0, os.path.dirname(__file__))


#: qiskit-aer 0.18 reads properties that Qiskit 1.3 (the dynamics extra's pin) deprecates: not
#: ours to fix, and gone on Qiskit 2, so filtered only on Qiskit 1.x.
QISKIT1_FILTERS = (
    "ignore::DeprecationWarning:qiskit_aer.*",
    "ignore::DeprecationWarning:qiskit.converters.*",
    "ignore::DeprecationWarning:qiskit.transpiler.*",
    "ignore::DeprecationWarning:qiskit.providers.*",
)


def pytest_configure(config):
    import qiskit

    if qiskit.__version__.startswith("1."):
        for line in QISKIT1_FILTERS:
            config.addinivalue_line("filterwarnings", line)


def _has_dynamics() -> bool:
    from qbcircuit import _optional

    return _optional.has_dynamics()


def pytest_collection_modifyitems(config, items):
    """Tests of the dynamics engine skip cleanly without the ``dynamics`` extra (Qiskit 2).

    A test needs it when marked ``dynamics`` or parametrized with the method name "dynamics".
    """
    if _has_dynamics():
        return
    import pytest

    skip = pytest.mark.skip(reason="needs the dynamics extra: pip install 'qbcircuit[dynamics]'")
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.get_closest_marker("dynamics") or any(_names_dynamics(v) for v in params.values()):
            item.add_marker(skip)


def _names_dynamics(value) -> bool:
    """A test parameter that asks for the dynamics engine: "dynamics", or a list naming it."""
    if isinstance(value, str):
        return value == "dynamics"
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, str) and v == "dynamics" for v in value)
    return False
