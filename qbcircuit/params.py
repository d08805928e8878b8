r"""Battery parameters: one immutable, validated object (see docs/conventions.md).

The model is Eq. (1)-(3) of the paper (hbar = 1):

.. math::

    H = \omega_c a^\dagger a + \frac{\omega_q}{2}(\sigma_z^{(1)} + \sigma_z^{(2)})
        + \lambda(\sigma_+^{(1)} a + \sigma_-^{(1)} a^\dagger)
        + \frac{g}{2}[(1+\zeta)\sigma_x^{(1)}\sigma_x^{(2)}
        + (1-\zeta)\sigma_y^{(1)}\sigma_y^{(2)}],

with :math:`\omega_c = \omega_q + \Delta` (detuning :math:`\Delta = \omega_c - \omega_q`),
Lindblad rates :math:`\kappa` (cavity loss) and :math:`\gamma` (each cell), and the initial state
:math:`|g, g\rangle \otimes |\alpha\rangle`.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

from ._checks import ParameterError, check_choice, check_complex, check_int, check_real
from .encodings import ENCODINGS, MAX_FOCK

CELL_STATES = ("gg", "eg", "ge", "ee")
#: Model variants (see BatteryParams): which cells the charger drives, how the cells couple.
CHARGER_COUPLINGS = ("primary", "both")
CELL_COUPLINGS = ("xy", "exchange_zeta")

#: Largest magnitude of a frequency or rate (in units of lambda): beyond it products with the
#: truncation and the times overflow or lose every digit; the work estimate refuses long runs
#: much earlier.
MAX_FREQUENCY = 1e9
#: Largest |alpha| accepted: the automatic truncation then needs about 170 Fock levels.
MAX_ALPHA = 10.0
#: Spare Fock levels above the coherent state's support when the Hamiltonian does not conserve
#: the excitation number (zeta != 0: the counter-rotating part of the XX coupling creates cell
#: excitations in pairs and pumps photons). Not always enough: simulate() then checks the top
#: level after the solve and enlarges the truncation (``RESOLVE_LEVEL`` in simulate.py).
HEADROOM = 4


def coherent_amplitudes(alpha: complex, levels: int) -> np.ndarray:
    r"""Coherent-state amplitudes :math:`c_n = e^{-|\alpha|^2/2}\alpha^n/\sqrt{n!}`, Eq. (3).

    Not renormalised: ``1 - sum(|c_n|^2)`` is the weight cut off by the truncation.

    Args:
        alpha: the coherent amplitude.
        levels: number of Fock levels kept (n = 0 .. levels-1).

    Returns:
        complex array of shape (levels,).

    >>> bool(abs(np.sum(abs(coherent_amplitudes(1.0, 30)) ** 2) - 1) < 1e-12)
    True
    """
    n = np.arange(levels)
    r = abs(alpha)
    if r == 0:
        out = np.zeros(levels, dtype=complex)
        out[0] = 1.0
        return out
    log_mod = -0.5 * r**2 + n * math.log(r) - 0.5 * gammaln(n + 1)
    return np.exp(log_mod) * np.exp(1j * n * np.angle(alpha))


def lost_weight(alpha: complex, levels: int) -> float:
    """Weight of the coherent state on Fock levels >= ``levels``: sum_{n >= levels} |c_n|^2."""
    # Sum the tail directly (not 1 - head) so that 1e-15 tails are resolved.
    n_max = levels + int(10 * abs(alpha) + 50)
    tail = coherent_amplitudes(alpha, n_max)[levels:]
    return float(np.sum(np.abs(tail) ** 2))


def minimal_levels(alpha: complex, tol: float) -> int:
    """Fewest Fock levels whose cut-off coherent-state weight is at most ``tol``.

    >>> minimal_levels(1.0, 1e-10)
    13
    """
    # every tail at once: tails[L] = sum_{n >= L} |c_n|^2, summed from the far end so that
    # 1e-15 tails are resolved (the loop over lost_weight gave the same, 20x slower)
    n_max = int(abs(alpha) ** 2 + 10 * abs(alpha) + 60)
    weights = np.abs(coherent_amplitudes(alpha, n_max)) ** 2
    tails = np.cumsum(weights[::-1])[::-1]
    below = np.flatnonzero(tails[1:] <= tol)
    return int(below[0]) + 1 if below.size else n_max


def spare_levels(zeta: float, initial_cells: str = "gg", *, g: float = 0.0,
                 omega_q: float = 1.0) -> int:
    r"""Fock levels kept above the coherent state's support, :func:`automatic_levels`.

    With zeta = 0 the Hamiltonian conserves the excitation number N = n + (excited cells) and
    every jump lowers it, so the cavity never holds more than the initial N: only the
    initially excited cells need room (the cut at the coherent tail is then exact). With
    zeta != 0, ``HEADROOM`` more, and 4 more per unit of :math:`|g\zeta|/\omega_q` above 1:
    the counter-rotating pair creation pumps more photons the stronger it is (measured: at
    alpha = 0.5 the re-solve went from 13 to 17 levels at g zeta = 2 and to 21 at 3; with
    this rule the first solve is mostly the last).

    >>> spare_levels(0.0), spare_levels(0.0, "ee"), spare_levels(1.0), spare_levels(1.0, g=3)
    (0, 2, 4, 12)
    """
    if zeta == 0:
        return initial_cells.count("e")
    pumping = math.ceil(4 * max(0.0, abs(g * zeta) / omega_q - 1.0))
    return initial_cells.count("e") + HEADROOM + pumping


def automatic_levels(alpha: complex, tol: float, spare: int = 0) -> int:
    """The sized truncation: fewest levels with a coherent tail at most ``tol``, plus ``spare``.

    Not rounded to a power of two: the classical engines work in the 4d code space, where any
    d is as good as the next; a qubit register pads it (:func:`register_levels`).

    >>> automatic_levels(1.0, 1e-10), automatic_levels(1.0, 1e-10, spare=4)
    (13, 17)
    """
    return max(2, minimal_levels(alpha, tol) + spare)


def register_levels(levels: int, encoding: str) -> int:
    """Levels a qubit register of ``encoding`` holds for a truncation of ``levels``.

    Binary and Gray: the next power of two (every register state is then a Fock state, so a
    product formula cannot leave the code space); unary: ``levels`` itself.

    >>> register_levels(13, "binary"), register_levels(16, "gray"), register_levels(13, "unary")
    (16, 16, 13)
    """
    if encoding == "unary":
        return levels
    return 1 << (levels - 1).bit_length()


class QbcircuitWarning(UserWarning):
    """Base of the package's warnings (the CLI prints each as one line)."""


class CostWarning(QbcircuitWarning):
    """A run is estimated to take long; the message gives the estimate and what to change."""


class TruncationWarning(QbcircuitWarning):
    """The truncation may limit the results: raise ``fock`` and compare.

    Raised when an explicit ``fock`` cuts off more than ``tail_tol`` of the coherent state, or
    when the top kept Fock level gets populated.
    """


#: Named model variants: name -> (charger_coupling, cell_coupling); Eq. (1) has no name.
VARIANTS = {
    "tavis-cummings": ("both", "exchange_zeta"),
    "both-chargers": ("both", "xy"),
    "exchange": ("primary", "exchange_zeta"),
}


def _field(default, help: str, *, choices=None, sweep: bool = True):
    """A parameter field with its help text (the CLI's flags and the sweep axes read it)."""
    return field(default=default, metadata={"help": help, "choices": choices, "sweep": sweep})


@dataclass(frozen=True)
class BatteryParams:
    r"""Parameters of the two-cell battery, Eq. (1)-(3); validated at construction.

    Args:
        alpha: coherent amplitude of the charger (complex), :math:`|\alpha| \le 10`.
        delta: detuning :math:`\Delta = \omega_c - \omega_q` (any finite real).
        g: cell-cell coupling (any finite real).
        zeta: anisotropy, in [-1, 1].
        kappa: cavity loss rate, >= 0.
        gamma: loss rate of each cell, >= 0.
        omega_q: qubit frequency, > 0 (the paper never states it; default 1).
        lam: charger-cell coupling :math:`\lambda`, >= 0 (0 decouples the charger).
        fock: number of cavity Fock levels kept, or ``None`` for the automatic truncation
            (:func:`automatic_levels`; :func:`qbcircuit.simulate` enlarges it when the top
            level gets populated). An explicit ``fock`` is used as given.
        encoding: ``"binary"``, ``"gray"`` or ``"unary"``.
        initial_cells: initial product state of (primary, secondary) cells, one of
            ``"gg"`` (the paper's), ``"eg"``, ``"ge"``, ``"ee"``; ``"eg"`` = primary excited.
        tail_tol: largest coherent-state weight the truncation may cut off, in (0, 0.1].
        charger_coupling: ``"primary"`` (Eq. (1): the charger drives cell 1 only) or
            ``"both"``: :math:`\lambda\sum_{j=1,2}(\sigma_+^{(j)}a + \sigma_-^{(j)}a^\dagger)`,
            a Tavis-Cummings charger (the structure the paper's printed reduced equations
            suggest).
        cell_coupling: ``"xy"`` (Eq. (1)) or ``"exchange_zeta"``: the cells exchange
            excitations only, :math:`g\zeta(\sigma_+^{(1)}\sigma_-^{(2)} +
            \sigma_-^{(1)}\sigma_+^{(2)})` (so at zeta = 0 they do not couple), as the paper's
            printed reduced equations read.

    Raises:
        ParameterError: an input is out of range; the message names it and the range.

    >>> p = BatteryParams(alpha=2, zeta=1)
    >>> p.omega_c, p.levels
    (1.0, 27)
    """

    alpha: complex = _field(1.0, "coherent amplitude, a complex number: 2, 1.5j, 1+0.5j "
                                 f"(|alpha| <= {MAX_ALPHA:g})")
    delta: float = _field(0.0, "detuning Delta = omega_c - omega_q")
    g: float = _field(1.0, "cell-cell coupling")
    zeta: float = _field(0.0, "anisotropy of the XY coupling, in [-1, 1]")
    kappa: float = _field(0.0, "cavity loss rate, >= 0")
    gamma: float = _field(0.0, "loss rate of each cell, >= 0")
    omega_q: float = _field(1.0, "qubit frequency, > 0 (the paper never states it)")
    lam: float = _field(1.0, "charger-cell coupling lambda, >= 0 (the unit of time is 1/lambda)")
    fock: int | None = _field(None, "cavity Fock levels (default: automatic, sized to the need)",
                              sweep=False)
    encoding: str = _field("binary", "cavity encoding", choices=ENCODINGS, sweep=False)
    initial_cells: str = _field("gg", "initial (primary, secondary) cells, e.g. eg = primary "
                                      "excited", choices=CELL_STATES, sweep=False)
    tail_tol: float = _field(1e-10, "largest coherent-state weight the automatic truncation "
                                    "may cut off, in (0, 0.1]", sweep=False)
    charger_coupling: str = _field("primary", "model variant: the charger drives the primary "
                                   "cell (Eq. 1) or both cells (Tavis-Cummings)",
                                   choices=CHARGER_COUPLINGS, sweep=False)
    cell_coupling: str = _field("xy", "model variant: the anisotropic XY coupling of Eq. (1), or "
                                "a flip-flop of strength g*zeta", choices=CELL_COUPLINGS,
                                sweep=False)
    levels: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        s = object.__setattr__
        s(self, "alpha", check_complex("alpha", self.alpha, max_abs=MAX_ALPHA))
        big = MAX_FREQUENCY
        s(self, "delta", check_real("delta", self.delta, low=-big, high=big))
        s(self, "g", check_real("g", self.g, low=-big, high=big))
        s(self, "zeta", check_real("zeta", self.zeta, low=-1.0, high=1.0))
        s(self, "kappa", check_real("kappa", self.kappa, low=0.0, high=big))
        s(self, "gamma", check_real("gamma", self.gamma, low=0.0, high=big))
        s(self, "omega_q", check_real("omega_q", self.omega_q, low=0.0, low_open=True,
                                      high=big))
        s(self, "lam", check_real("lam", self.lam, low=0.0, high=big))
        s(self, "encoding", check_choice("encoding", self.encoding, ENCODINGS))
        s(self, "initial_cells", check_choice("initial_cells", self.initial_cells, CELL_STATES))
        check_choice("charger_coupling", self.charger_coupling, CHARGER_COUPLINGS)
        check_choice("cell_coupling", self.cell_coupling, CELL_COUPLINGS)
        s(self, "tail_tol", check_real("tail_tol", self.tail_tol, low=0.0, high=0.1, low_open=True))
        cap = MAX_FOCK[self.encoding]
        if self.fock is None:
            levels = automatic_levels(self.alpha, self.tail_tol, self.spare_levels)
            if levels > cap and automatic_levels(self.alpha, self.tail_tol) + HEADROOM + 2 <= cap:
                # the coherent state fits: the counter-rotating pumping is what overflows
                raise ParameterError(
                    f"|g zeta|/omega_q = {abs(self.g * self.zeta) / self.omega_q:.3g} (g = "
                    f"{self.g:g}, zeta = {self.zeta:g}, omega_q = {self.omega_q:g}) pumps "
                    f"photons beyond the {cap} Fock levels the {self.encoding} encoding "
                    "allows; use a larger omega_q or a smaller |g zeta|"
                )
            if levels > cap:
                raise ParameterError(
                    f"alpha = {self.alpha:g} needs {levels} Fock levels, more than the {cap} "
                    f"the {self.encoding} encoding allows; use a smaller |alpha|"
                )
        else:
            levels = check_int("fock", self.fock, low=2, high=cap)
            # an explicit truncation is the user's choice (teaching runs tiny registers on
            # purpose): warn with what it cuts, never refuse
            lost = self.cut_weight_at(levels)
            if lost > self.tail_tol:
                need = minimal_levels(self.alpha, self.tail_tol)
                auto = automatic_levels(self.alpha, self.tail_tol, self.spare_levels)
                warnings.warn(
                    f"fock = {levels} cuts off {lost:.3g} of the coherent state's weight for "
                    f"alpha = {self.alpha:g} (tail_tol = {self.tail_tol:g}; the kept part is "
                    f"renormalised); fock >= {need} keeps all but tail_tol (automatic: {auto})",
                    TruncationWarning,
                    stacklevel=3,
                )
        s(self, "levels", levels)

    def cut_weight_at(self, levels: int) -> float:
        """Weight of the coherent state above ``levels`` Fock levels (what a cut there drops)."""
        return lost_weight(self.alpha, levels)

    @property
    def cut_weight(self) -> float:
        """Weight of the coherent state the truncation cuts off (before renormalisation)."""
        return self.cut_weight_at(self.levels)

    @classmethod
    def fields(cls) -> dict:
        """The dataclass field of every input parameter, by name (help text in ``metadata``)."""
        return {f.name: f for f in dataclasses.fields(cls) if f.init}

    @classmethod
    def sweepable(cls) -> tuple[str, ...]:
        """Names of the numeric parameters a sweep or landscape axis may vary."""
        return tuple(n for n, f in cls.fields().items() if f.metadata.get("sweep"))

    @property
    def omega_c(self) -> float:
        """Cavity frequency, omega_c = omega_q + delta."""
        return self.omega_q + self.delta

    @property
    def spare_levels(self) -> int:
        """Levels the automatic truncation keeps above the coherent tail (:func:`spare_levels`)."""
        return spare_levels(0.0 if self.conserves_excitations else self.zeta,
                            self.initial_cells, g=self.g, omega_q=self.omega_q)

    @property
    def conserves_excitations(self) -> bool:
        """True when H conserves N = n + (excited cells): the sized cut is then exact.

        The XY coupling's counter-rotating part g*zeta (s+ s+ + s- s-) breaks it for
        zeta != 0; the flip-flop variant and either charger coupling keep it.
        """
        return self.zeta == 0 or self.cell_coupling == "exchange_zeta"

    @property
    def variant(self) -> str | None:
        """The model variant's name, or None for the paper's Eq. (1) (see ``VARIANTS``)."""
        key = (self.charger_coupling, self.cell_coupling)
        return next((name for name, v in VARIANTS.items() if v == key), None)

    @property
    def is_closed(self) -> bool:
        """True when there is no dissipation (kappa = gamma = 0)."""
        return self.kappa == 0.0 and self.gamma == 0.0
