"""Exact channels of the dissipators over a step (qbcircuit/channels.py)."""

import numpy as np
import pytest
import qutip as qt

from qbcircuit import Encoding
from qbcircuit.channels import encoded_loss_kraus, loss_kraus

TP_ATOL = 1e-12  # sum K^dag K = 1
CHANNEL_ATOL = 1e-9  # Kraus channel vs QuTiP's mesolve of kappa D[a] (tight tolerances)


@pytest.mark.parametrize("eta", [0.0, 0.3, 0.97, 1.0])
def test_loss_kraus_fock_basis_trace_preserving(eta):
    K = loss_kraus(8, eta)
    np.testing.assert_allclose(sum(k.T @ k for k in K), np.eye(8), atol=TP_ATOL)


@pytest.mark.parametrize("encoding", ["binary", "gray", "unary"])
def test_encoded_loss_channel_trace_preserving(encoding):
    """sum K^dag K = 1 on the code space, and on the whole register (identity off the code)."""
    enc = Encoding(encoding, 5 if encoding == "unary" else 6)
    K = encoded_loss_kraus(enc, np.exp(-0.6 * 0.05))
    total = sum(k.conj().T @ k for k in K)
    code = enc.code_indices()
    np.testing.assert_allclose(total[np.ix_(code, code)], np.eye(enc.levels), atol=TP_ATOL)
    np.testing.assert_allclose(total, np.eye(1 << enc.num_qubits), atol=TP_ATOL)
    # the code space is mapped into itself
    outside = np.setdiff1d(np.arange(1 << enc.num_qubits), code)
    for k in K:
        assert np.max(np.abs(k[np.ix_(outside, code)]), initial=0.0) == 0.0


def test_loss_channel_is_the_lindblad_solution():
    """On the truncated mode the Kraus channel equals QuTiP's solution of kappa D[a]."""
    d, kappa, t = 6, 0.6, 0.7
    rng = np.random.default_rng(1)
    m = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = m @ m.conj().T
    rho /= np.trace(rho)
    result = qt.mesolve(qt.qzero(d), qt.Qobj(rho), [0.0, t], [np.sqrt(kappa) * qt.destroy(d)],
                        options={"atol": 1e-13, "rtol": 1e-11})
    expected = result.states[-1].full()
    got = sum(k @ rho @ k.T for k in loss_kraus(d, np.exp(-kappa * t)))
    np.testing.assert_allclose(got, expected, atol=CHANNEL_ATOL)
    # and the closed form of the mean photon number, <n>(t) = <n>(0) e^{-kappa t}
    n = np.diag(np.arange(d))
    assert abs(np.trace(n @ got) - np.trace(n @ rho) * np.exp(-kappa * t)) < CHANNEL_ATOL
