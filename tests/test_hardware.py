"""The hardware table (qbcircuit/hardware.py) and the circuit-stats CLI."""

import pytest

from qbcircuit import BatteryModel, BatteryParams, ParameterError
from qbcircuit.cli import main
from qbcircuit.hardware import circuit_stats, format_stats


def test_circuit_stats_small():
    rows = circuit_stats(4)
    by = {r.encoding: r for r in rows}
    assert [r.encoding for r in rows] == ["binary", "gray", "unary"]
    assert by["binary"].qubits == by["gray"].qubits == 4 and by["unary"].qubits == 6
    for r in rows:
        model = BatteryModel(BatteryParams(alpha=0, fock=4, encoding=r.encoding))
        assert r.pauli_terms == len(model.hamiltonian)
        assert r.two_qubit_gates > 0 and r.depth > 0
    text = format_stats(rows)
    assert text.splitlines()[0].split()[:3] == ["encoding", "fock", "qubits"]
    assert len(text.splitlines()) == 4


def test_circuit_stats_refuses_huge_unary():
    with pytest.raises(ParameterError, match="fock must be in"):
        circuit_stats(61, ["unary"])


def test_cli_circuit_stats(capsys):
    assert main(["circuit-stats", "--fock", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["binary", "gray", "unary"]


def test_cli_circuit_stats_bad_fock(capsys):
    assert main(["circuit-stats", "--fock", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbcircuit: error: fock") and err.count("\n") == 1
