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
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

from ._checks import ParameterError, check_choice, check_complex, check_int, check_real
from .encodings import ENCODINGS, MAX_FOCK
from .layout import MAX_CELLS, Layout

#: Product states of the paper's two cells (cell 1 first); N cells take N letters g/e.
CELL_STATES = ("gg", "eg", "ge", "ee")
#: Model variants (see BatteryParams): which cells the charger drives, how the cells couple.
#: ``both`` is the two-cell name of ``all`` (the charger drives every cell: Tavis-Cummings).
CHARGER_COUPLINGS = ("primary", "all", "both")
CELL_COUPLINGS = ("xy", "exchange_zeta")
#: Initial states of the charger: Eq. (3)'s coherent state, a Fock state, a thermal state.
CHARGER_STATES = ("coherent", "fock", "thermal")
#: Largest mean photon number of a Fock or thermal charger, or of the baths (sizing: a thermal
#: state of mean n needs about 23 n levels for a tail of 1e-10).
MAX_PHOTONS = 20.0

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


def thermal_populations(mean: float, levels: int) -> np.ndarray:
    r"""Thermal (Bose-Einstein) populations :math:`p_n = \bar n^n/(\bar n + 1)^{n+1}`.

    Not renormalised. ``mean`` = 0 gives the vacuum.

    >>> thermal_populations(1.0, 3).round(12).tolist()
    [0.5, 0.25, 0.125]
    """
    n = np.arange(levels)
    if mean == 0:
        return (n == 0).astype(float)
    return np.exp(n * math.log(mean / (mean + 1)) - math.log(mean + 1))


def thermal_levels(mean: float, tol: float) -> int:
    r"""Fewest levels whose cut-off thermal weight :math:`(\bar n/(\bar n+1))^L` is <= tol.

    >>> thermal_levels(1.0, 1e-10), thermal_levels(0.0, 1e-10)
    (34, 1)
    """
    if mean == 0:
        return 1
    return max(1, math.ceil(math.log(tol) / math.log(mean / (mean + 1))))


def lost_weight(alpha: complex, levels: int) -> float:
    """Weight of the coherent state on Fock levels >= ``levels``: sum_{n >= levels} |c_n|^2."""
    # Sum the tail directly (not 1 - head) so that 1e-15 tails are resolved.
    n_max = levels + int(10 * abs(alpha) + 50)
    tail = coherent_amplitudes(alpha, n_max)[levels:]
    return float(np.sum(np.abs(tail) ** 2))


@lru_cache(maxsize=256)  # a sweep asks for the same few (alpha, tol) at every point
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
    r"""Parameters of the battery, Eq. (1)-(3) and its open generalisations; validated at once.

    The defaults are the paper's model exactly: two cells, a coherent charger driving cell 1,
    zero-temperature baths, no dephasing. Beyond it, a chain of N cells (bonds (j, j+1), each
    with the paper's g, zeta and ``cell_coupling``), a Fock or thermal charger, a charger
    coupled to every cell (Tavis-Cummings), dephasing and thermal baths:

    .. math::

        \dot\rho = -i[H, \rho] + \kappa(\bar n + 1)D[a] + \kappa\bar n D[a^\dagger]
            + \sum_j [\gamma(\bar n + 1)D[\sigma_-^{(j)}] + \gamma\bar n D[\sigma_+^{(j)}]
            + \gamma_\phi D[\sigma_z^{(j)}]],

    :math:`\bar n` = ``n_thermal``, :math:`\gamma_\phi` = ``dephasing``.

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
        initial_cells: initial product state of the cells, one letter ``g`` or ``e`` per cell,
            cell 1 first: ``"gg"`` (the paper's), ``"eg"`` (primary excited), ``"ge"``,
            ``"ee"`` for two cells; default every cell in g.
        tail_tol: largest weight of the charger's initial state (or of the baths' thermal
            state) the truncation may cut off, in (0, 0.1].
        charger_coupling: ``"primary"`` (Eq. (1): the charger drives cell 1 only) or
            ``"all"`` (alias ``"both"``):
            :math:`\lambda\sum_j(\sigma_+^{(j)}a + \sigma_-^{(j)}a^\dagger)`,
            a Tavis-Cummings charger (for two cells, the structure the paper's printed reduced
            equations suggest).
        cell_coupling: ``"xy"`` (Eq. (1)) or ``"exchange_zeta"``: the cells exchange
            excitations only, :math:`g\zeta(\sigma_+^{(1)}\sigma_-^{(2)} +
            \sigma_-^{(1)}\sigma_+^{(2)})` (so at zeta = 0 they do not couple), as the paper's
            printed reduced equations read.
        cells: number of cells N >= 1 in the chain; cell 1 is driven by the charger, the
            energy and fluctuation reported are cell N's, the concurrence that of (1, N).
        charger_state: ``"coherent"`` (Eq. (3), amplitude ``alpha``), ``"fock"`` (``photons``
            photons) or ``"thermal"`` (mean photon number ``photons``).
        photons: photon number of a Fock charger or mean of a thermal one, in
            [0, MAX_PHOTONS]; default :math:`|\alpha|^2` (the coherent state's mean).
        dephasing: rate :math:`\gamma_\phi` of :math:`D[\sigma_z]` on each cell, >= 0.
        n_thermal: mean occupation :math:`\bar n` of the baths (cavity and cells), >= 0.

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
    initial_cells: str | None = _field(None, "initial cells, one letter g/e per cell, cell 1 "
                                             "first, e.g. eg = primary excited (default all g)",
                                       sweep=False)
    tail_tol: float = _field(1e-10, "largest coherent-state weight the automatic truncation "
                                    "may cut off, in (0, 0.1]", sweep=False)
    charger_coupling: str = _field("primary", "model variant: the charger drives the primary "
                                   "cell (Eq. 1) or both cells (Tavis-Cummings)",
                                   choices=CHARGER_COUPLINGS, sweep=False)
    cell_coupling: str = _field("xy", "model variant: the anisotropic XY coupling of Eq. (1), or "
                                "a flip-flop of strength g*zeta", choices=CELL_COUPLINGS,
                                sweep=False)
    cells: int = _field(2, f"number of cells in the chain, 1 to {MAX_CELLS}", sweep=False)
    charger_state: str = _field("coherent", "initial state of the charger",
                                choices=CHARGER_STATES, sweep=False)
    photons: float | None = _field(None, "photons of a Fock charger / mean of a thermal one "
                                         "(default |alpha|^2)")
    dephasing: float = _field(0.0, "dephasing rate of each cell, D[sigma_z], >= 0")
    n_thermal: float = _field(0.0, "mean occupation of the cavity and cell baths, >= 0")
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
        s(self, "cells", check_int("cells", self.cells, low=1, high=MAX_CELLS))
        # None is every cell in g; stored as the label, so the field always reads as one
        s(self, "initial_cells", Layout(1, self.cells).check_label(
            "g" * self.cells if self.initial_cells is None else self.initial_cells))
        check_choice("charger_coupling", self.charger_coupling, CHARGER_COUPLINGS)
        check_choice("cell_coupling", self.cell_coupling, CELL_COUPLINGS)
        check_choice("charger_state", self.charger_state, CHARGER_STATES)
        s(self, "dephasing", check_real("dephasing", self.dephasing, low=0.0, high=big))
        s(self, "n_thermal", check_real("n_thermal", self.n_thermal, low=0.0, high=MAX_PHOTONS))
        if self.photons is not None:
            if self.charger_state == "coherent":
                raise ParameterError(
                    "photons sets a fock or thermal charger (charger_state); a coherent "
                    "charger's amplitude is alpha"
                )
            s(self, "photons", check_real("photons", self.photons, low=0.0, high=MAX_PHOTONS))
        if self.charger_state == "fock" and not float(self.mean_photons).is_integer():
            raise ParameterError(
                f"photons must be a whole number for a fock charger, got {self.mean_photons:g}"
                + (" (|alpha|^2; set photons)" if self.photons is None else "")
            )
        if self.charger_state != "coherent" and self.mean_photons > MAX_PHOTONS:
            raise ParameterError(f"photons must be <= {MAX_PHOTONS:g}, got |alpha|^2 = "
                                 f"{self.mean_photons:g}; set photons")
        s(self, "tail_tol", check_real("tail_tol", self.tail_tol, low=0.0, high=0.1, low_open=True))
        cap = MAX_FOCK[self.encoding]
        if self.fock is None:
            levels = self.automatic_levels()
            if levels > cap and self.automatic_levels(spare=0) + HEADROOM + 2 <= cap:
                # the charger's state fits: the counter-rotating pumping is what overflows
                raise ParameterError(
                    f"|g zeta|/omega_q = {abs(self.g * self.zeta) / self.omega_q:.3g} (g = "
                    f"{self.g:g}, zeta = {self.zeta:g}, omega_q = {self.omega_q:g}) pumps "
                    f"photons beyond the {cap} Fock levels the {self.encoding} encoding "
                    "allows; use a larger omega_q or a smaller |g zeta|"
                )
            if levels > cap:
                raise ParameterError(
                    f"the {self.charger_state} charger (mean photons {self.mean_photons:g}) "
                    f"needs {levels} Fock levels, more than the {cap} the {self.encoding} "
                    "encoding allows; use fewer photons (alpha, photons, n_thermal)"
                )
        else:
            levels = check_int("fock", self.fock, low=2, high=cap)
            # an explicit truncation is the user's choice (teaching runs tiny registers on
            # purpose): warn with what it cuts, never refuse
            lost = self.cut_weight_at(levels)
            if lost > self.tail_tol:
                need = self.automatic_levels(spare=0)
                auto = self.automatic_levels()
                what = (f"alpha = {self.alpha:g}" if self.charger_state == "coherent"
                        else f"photons = {self.mean_photons:g}")
                warnings.warn(
                    f"fock = {levels} cuts off {lost:.3g} of the {self.charger_state} state's "
                    f"weight for {what} (tail_tol = {self.tail_tol:g}; the kept part is "
                    f"renormalised); fock >= {need} keeps all but tail_tol (automatic: {auto})",
                    TruncationWarning,
                    stacklevel=3,
                )
        s(self, "levels", levels)

    @property
    def mean_photons(self) -> float:
        """Mean photon number of the charger's initial state."""
        if self.charger_state == "coherent" or self.photons is None:
            return abs(self.alpha) ** 2
        return self.photons

    def charger_populations(self, levels: int) -> np.ndarray | None:
        """Populations of a thermal charger on ``levels`` levels (None for a pure charger)."""
        if self.charger_state != "thermal":
            return None
        return thermal_populations(self.mean_photons, levels)

    def charger_amplitudes(self, levels: int) -> np.ndarray | None:
        """Amplitudes of a pure charger (coherent, Fock) on ``levels`` levels, not renormalised."""
        if self.charger_state == "coherent":
            return coherent_amplitudes(self.alpha, levels)
        if self.charger_state == "fock":
            amps = np.zeros(levels, dtype=complex)
            n = int(self.mean_photons)
            if n < levels:
                amps[n] = 1.0
            return amps
        return None

    def automatic_levels(self, spare: int | None = None) -> int:
        """The sized truncation (:func:`automatic_levels`): the charger's support, plus spare.

        Coherent: the fewest levels with a tail of at most ``tail_tol``; Fock |n>: n + 2;
        thermal: the geometric tail (:func:`thermal_levels`). Thermal baths (``n_thermal``)
        add the support of their own thermal state. ``spare`` defaults to
        :attr:`spare_levels`.
        """
        spare = self.spare_levels if spare is None else spare
        if self.charger_state == "coherent":
            need = minimal_levels(self.alpha, self.tail_tol)
        elif self.charger_state == "fock":
            need = int(self.mean_photons) + 2  # one empty level above: the top-level check
        else:
            need = thermal_levels(self.mean_photons, self.tail_tol)
        if self.n_thermal > 0:  # the baths' own thermal tail; simulate() enlarges if needed
            need = max(need, thermal_levels(self.n_thermal, self.tail_tol))
        return max(2, need + spare)

    def cut_weight_at(self, levels: int) -> float:
        """Weight of the charger's initial state above ``levels`` Fock levels (what a cut drops)."""
        if self.charger_state == "coherent":
            return lost_weight(self.alpha, levels)
        if self.charger_state == "fock":
            return float(int(self.mean_photons) >= levels)
        m = self.mean_photons
        return 0.0 if m == 0 else (m / (m + 1)) ** levels

    @property
    def layout(self) -> Layout:
        """The subsystem layout (charger levels, cells) of the sized truncation."""
        return Layout(self.levels, self.cells)

    @property
    def cell_label(self) -> str:
        """The initial cells' product label, one letter per cell (``initial_cells``)."""
        return self.initial_cells

    @property
    def drives_all_cells(self) -> bool:
        """True for the Tavis-Cummings charger (``charger_coupling`` ``all`` or ``both``)."""
        return self.charger_coupling in ("all", "both")

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
                            self.cell_label, g=self.g, omega_q=self.omega_q)

    @property
    def conserves_excitations(self) -> bool:
        """True when N = n + (excited cells) never grows: the sized cut is then exact.

        The XY coupling's counter-rotating part g*zeta (s+ s+ + s- s-) breaks it for
        zeta != 0 (with more than one cell), and so do thermal baths (n_thermal > 0: jumps
        a^dag, s+); the flip-flop variant, either charger coupling and dephasing keep it.
        """
        if self.n_thermal > 0:
            return False
        return self.zeta == 0 or self.cell_coupling == "exchange_zeta" or self.cells == 1

    @property
    def variant(self) -> str | None:
        """The model variant's name, or None for the paper's Eq. (1) (see ``VARIANTS``)."""
        key = ("both" if self.drives_all_cells else "primary", self.cell_coupling)
        return next((name for name, v in VARIANTS.items() if v == key), None)

    @property
    def is_closed(self) -> bool:
        """True when there is no dissipation (kappa = gamma = dephasing = 0)."""
        return self.kappa == 0.0 and self.gamma == 0.0 and self.dephasing == 0.0

    @property
    def is_pure(self) -> bool:
        """True when the initial state is pure (a coherent or Fock charger)."""
        return self.charger_state != "thermal"
