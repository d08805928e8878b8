"""What every engine returns: the states at the requested times, in the code space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import observables as obs


@dataclass(frozen=True)
class EvolvedStates:
    """States of the whole system (cavity and cells) at ``times``, in the cells-major code basis.

    Exactly one of ``kets`` (closed systems) and ``density_matrices`` is set.

    Args:
        times (array of shape (T,)): the requested times.
        levels: Fock levels d of the cavity.
        kets (array of shape (T, 4d)): state vectors, or ``None``.
        density_matrices (array of shape (T, 4d, 4d)): density matrices, or ``None``.
    """

    times: np.ndarray
    levels: int
    kets: np.ndarray | None = None
    density_matrices: np.ndarray | None = None

    def __post_init__(self):
        if (self.kets is None) == (self.density_matrices is None):
            raise ValueError("EvolvedStates needs exactly one of kets and density_matrices")

    def cell_states(self) -> np.ndarray:
        """Reduced states of the two cells, shape (T, 4, 4)."""
        if self.kets is not None:
            return obs.cell_states_from_kets(self.kets, self.levels)
        return obs.cell_states_from_density_matrices(self.density_matrices, self.levels)

    def diagnostics(self) -> dict[str, float]:
        """Largest trace error, Hermiticity error, most negative eigenvalue, top-level population.

        For kets, rho = |psi><psi| is Hermitian and positive by construction.
        """
        if self.kets is not None:
            norm = np.sum(np.abs(self.kets) ** 2, axis=1)
            return {
                "trace_error": float(np.max(np.abs(norm - 1.0))),
                "hermiticity_error": 0.0,
                "min_eigenvalue": 0.0,
                "top_fock_population": float(
                    np.max(obs.top_level_population_from_kets(self.kets, self.levels))
                ),
            }
        rho = self.density_matrices
        trace = np.einsum("tii->t", rho)
        herm = np.max(np.abs(rho - rho.conj().transpose(0, 2, 1)))
        eig = np.linalg.eigvalsh(0.5 * (rho + rho.conj().transpose(0, 2, 1)))
        return {
            "trace_error": float(np.max(np.abs(trace - 1.0))),
            "hermiticity_error": float(herm),
            "min_eigenvalue": float(min(0.0, eig[:, 0].min())),
            "top_fock_population": float(
                np.max(obs.top_level_population_from_density_matrices(rho, self.levels))
            ),
        }
