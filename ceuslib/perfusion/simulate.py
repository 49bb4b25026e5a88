"""Simulated CEUS time-intensity curves: bolus, speckle, noise and the display chain.

The signal chain (echo-power proportional to bubble concentration, Payen et al. 2013;
multiplicative speckle, Bar-Zion et al. 2015; the display law of the open MITK "USToolKit"
VueBox re-implementation; the numbers are assumptions):

1. true echo-power ``P(t) = offset + area * g(t - t0)`` from a bolus model (plus an optional
   delayed, broadened second pass: recirculation);
2. multiplicative speckle ``G ~ Gamma(shape = n_speckle, mean 1)``, the mean of
   ``n_speckle`` independent exponential speckle intensities, and additive electronic noise;
3. optional motion spikes (frames brightened by a factor 2 to 5) and dropped frames;
4. log compression over ``dynamic_range_db``, clipping (truncation and saturation) and 8-bit
   quantisation: the gray level the scanner displays.

Echo-power is in linear a.u. with 1 at the top of the display, so a curve whose echo-power
exceeds 1 saturates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ceuslib.perfusion.display import compress
from ceuslib.perfusion.models import BolusModel, get_model

__all__ = [
    "DEFAULT_BASELINE",
    "DEFAULT_TIMING",
    "SimulatedTIC",
    "SimulatedTICs",
    "default_params",
    "simulate_tic",
    "simulate_tics",
]

DEFAULT_TIMING = {"t0": 12.0, "ttp": 22.0, "mtt": 26.55, "pe": 0.07}
"""Default bolus: the "fast" node of the worked example of ``describe`` (an assumed
parameter set; TTP near the malignant mean 24.1 s of Dudau et al. 2014).  PE 0.07 a.u. puts
the peak about 11.5 dB below the top of a 60 dB display (ASSUMPTION)."""

DEFAULT_BASELINE = 0.006
"""Default tissue echo-power (a.u.): the peak is then about 11 dB above baseline, in line with
the PI of 10.5 +/- 3.0 dB reported for metastatic nodes by Ling et al. 2020 (units ASSUMED dB)."""


def default_params(model: str | BolusModel = "lognormal") -> dict[str, float]:
    """Default parameters of a model: the same TTP, mTT and PE for every model.

    Parameters
    ----------
    model : str or BolusModel
        A key of :data:`~ceuslib.perfusion.MODELS`.

    Returns
    -------
    dict of str to float
        Every parameter of :attr:`BolusModel.param_names`.

    Examples
    --------
    >>> p = default_params("lognormal")
    >>> sorted(p)
    ['area', 'mu', 'offset', 'sigma', 't0']
    """
    m = get_model(model)
    p = m.from_timing(**DEFAULT_TIMING, offset=DEFAULT_BASELINE)
    return {k: float(v) for k, v in p.items()}


def _as_param_arrays(m: BolusModel, params, n: int | None) -> dict[str, np.ndarray]:
    if isinstance(params, pd.DataFrame):
        params = {c: params[c].to_numpy(dtype=float) for c in params.columns if c in m.param_names}
    if not isinstance(params, Mapping):
        raise ValueError("params must be a mapping or a DataFrame of model parameters")
    p = dict(params)
    p.setdefault("offset", DEFAULT_BASELINE)
    p = m._params(p)
    shape = np.broadcast_shapes(*(v.shape for v in p.values()))
    if len(shape) > 1:
        raise ValueError("parameters must be scalars or one-dimensional arrays")
    size = n if n is not None else (shape[0] if shape else 1)
    out = {}
    for k, v in p.items():
        v = np.broadcast_to(v, shape)
        out[k] = np.broadcast_to(v, (size,)).astype(float) if v.ndim == 0 else v.copy()
        if out[k].shape != (size,):
            raise ValueError(f"parameter {k!r} has {out[k].shape[0]} values; expected {size}")
        if not np.all(np.isfinite(out[k])):
            raise ValueError(f"parameter {k!r} must be finite")
    if np.any(out["area"] < 0) or np.any(out["offset"] < 0):
        raise ValueError("area and offset must not be negative")
    return out


@dataclass(frozen=True)
class SimulatedTICs:
    """A batch of simulated curves on one time axis.

    Attributes
    ----------
    time : numpy.ndarray, shape (n_frames,)
        Frame times, seconds.
    linear : numpy.ndarray, shape (n_curves, n_frames)
        True (noise-free) echo-power, a.u., including baseline and recirculation.
    echo_power : numpy.ndarray, shape (n_curves, n_frames)
        Echo-power with speckle, noise and motion spikes, before display.
    displayed : numpy.ndarray, shape (n_curves, n_frames)
        Gray levels as displayed (log-compressed, clipped, quantised).
    params : pandas.DataFrame
        The model parameters, one row per curve.
    model : str
        The bolus model.
    fps : float
        Frame rate, Hz.
    dynamic_range_db, gray_max : float
        The display law used.
    n_curves, n_frames : int
        Numbers of curves and of frames.
    """

    time: np.ndarray = field(repr=False)
    linear: np.ndarray = field(repr=False)
    echo_power: np.ndarray = field(repr=False)
    displayed: np.ndarray = field(repr=False)
    params: pd.DataFrame = field(repr=False)
    model: str
    fps: float
    dynamic_range_db: float
    gray_max: float
    n_curves: int
    n_frames: int

    @property
    def saturated(self) -> np.ndarray:
        """Per curve: whether any frame is displayed at the top gray level."""
        return np.any(self.displayed >= self.gray_max, axis=1)


@dataclass(frozen=True)
class SimulatedTIC:
    """One simulated curve (see :func:`simulate_tic`).

    Attributes
    ----------
    time : numpy.ndarray, shape (n_frames,)
        Frame times, seconds.
    linear : numpy.ndarray, shape (n_frames,)
        True (noise-free) echo-power, a.u.
    echo_power : numpy.ndarray, shape (n_frames,)
        Echo-power with speckle and noise, before display.
    displayed : numpy.ndarray, shape (n_frames,)
        Gray levels as displayed.
    params : dict
        The model parameters.
    model : str
        The bolus model.
    fps : float
        Frame rate, Hz.
    dynamic_range_db, gray_max : float
        The display law used.
    n_frames : int
        Number of frames kept.
    """

    time: np.ndarray = field(repr=False)
    linear: np.ndarray = field(repr=False)
    echo_power: np.ndarray = field(repr=False)
    displayed: np.ndarray = field(repr=False)
    params: dict = field(repr=False)
    model: str
    fps: float
    dynamic_range_db: float
    gray_max: float
    n_frames: int

    @property
    def saturated(self) -> bool:
        """Whether any frame is displayed at the top gray level."""
        return bool(np.any(self.displayed >= self.gray_max))

    def to_frame(self) -> pd.DataFrame:
        """The curve as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``time_s, linear_au, echo_power_au, gray``, one row per frame.
        """
        return pd.DataFrame(
            {
                "time_s": self.time,
                "linear_au": self.linear,
                "echo_power_au": self.echo_power,
                "gray": self.displayed,
            }
        )


def simulate_tics(
    model: str | BolusModel = "lognormal",
    *,
    params: Mapping[str, ArrayLike] | pd.DataFrame,
    n_curves: int | None = None,
    fps: float = 10.0,
    duration: float = 120.0,
    n_speckle: float = 100.0,
    noise_sd: float = 0.0,
    dynamic_range_db: float = 60.0,
    gray_max: float = 255,
    recirculation: float = 0.0,
    recirculation_delay: float = 15.0,
    recirculation_spread: float = 1.5,
    motion_spikes: int = 0,
    seed: int | np.random.Generator | None = None,
) -> SimulatedTICs:
    """Simulate many CEUS time-intensity curves at once.

    Parameters
    ----------
    model : str or BolusModel
        A key of :data:`~ceuslib.perfusion.MODELS`.
    params : mapping or pandas.DataFrame
        The model parameters (:attr:`BolusModel.param_names`), scalars or arrays of shape
        ``(n_curves,)``; ``offset`` (tissue echo-power) defaults to :data:`DEFAULT_BASELINE`.
    n_curves : int, optional
        Number of curves when every parameter is a scalar.
    fps, duration : float
        Frame rate (Hz) and length (s) of the acquisition: frames at ``k / fps`` for
        ``0 <= k / fps < duration``.  Defaults 10 fps and 120 s (8-25 fps in Arditi et al.
        2006; at least 60 s to 3 min in Eur J Radiol 2010 and Lassau et al. 2014).
    n_speckle : float
        Effective number of independent speckle cells in the ROI, ``N_eff`` (ASSUMPTION,
        20-400); the frame-to-frame coefficient of variation is
        ``1 / sqrt(N_eff)``.  ``numpy.inf`` turns speckle off.
    noise_sd : float
        Standard deviation of additive Gaussian electronic noise, linear a.u.
    dynamic_range_db, gray_max : float
        The display law (see :func:`~ceuslib.perfusion.compress`).
    recirculation : float
        Area of a second pass as a fraction of the first (0 turns it off).
    recirculation_delay, recirculation_spread : float
        The second pass starts ``recirculation_delay`` s after ``t0`` and is the first pass
        stretched in time by ``recirculation_spread`` (its area preserved).
    motion_spikes : int
        Frames per curve, drawn at random, whose echo-power is multiplied by a factor drawn
        uniformly in [2, 5] (a vessel or bright tissue moving into the ROI).
    seed : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives identical curves.

    Returns
    -------
    SimulatedTICs
        The curves at every stage of the display chain, on one time axis.

    Notes
    -----
    Multiplicative Gamma speckle with mean 1 (Bar-Zion et al. 2015; Rayleigh envelope,
    exponential intensity, Ma et al. 1995); display law of the open MITK "USToolKit" VueBox
    re-implementation; recirculation as a delayed, broadened second bolus (Doury et al.
    2017).  The batch is drawn in one vectorised pass: 10,000 curves of 1,200 frames take
    about a second.

    Examples
    --------
    >>> sim = simulate_tics("gamma", params=default_params("gamma"), n_curves=3, seed=1)
    >>> sim.displayed.shape
    (3, 1200)
    >>> bool(sim.displayed.max() <= 255)
    True
    """
    m = get_model(model)
    for name, value in (("fps", fps), ("duration", duration)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not n_speckle > 0:
        raise ValueError(f"n_speckle must be positive, got {n_speckle!r}")
    if noise_sd < 0 or recirculation < 0 or recirculation_spread <= 0:
        raise ValueError("noise_sd and recirculation must be >= 0, recirculation_spread > 0")
    if int(motion_spikes) != motion_spikes or motion_spikes < 0:
        raise ValueError(f"motion_spikes must be a count >= 0, got {motion_spikes!r}")
    p = _as_param_arrays(m, params, n_curves)
    n = p["area"].shape[0]
    rng = np.random.default_rng(seed)
    time = np.arange(int(np.ceil(duration * fps - 1e-9))) / fps
    if time.size < 2:
        raise ValueError("fps * duration must give at least two frames")
    linear = m(time, **p)
    if recirculation > 0:
        lag = p["t0"] + recirculation_delay
        tp = (time - lag[:, None]) / recirculation_spread
        positive = tp > 0
        shape = [p[name][:, None] for name in m.shape_names]
        g, _ = m.density(np.where(positive, tp, 1.0), *shape)
        second = np.where(positive, g, 0.0) * (recirculation * p["area"])[:, None]
        linear = linear + second / recirculation_spread
    observed = linear.copy()
    if np.isfinite(n_speckle):
        observed *= rng.gamma(n_speckle, 1.0 / n_speckle, size=observed.shape)
    if noise_sd > 0:
        observed += rng.normal(0.0, noise_sd, size=observed.shape)
    if motion_spikes:
        k = int(motion_spikes)
        frames = np.argsort(rng.random((n, time.size)), axis=1)[:, :k]
        factors = rng.uniform(2.0, 5.0, size=(n, k))
        rows = np.repeat(np.arange(n), k)
        observed[rows, frames.ravel()] *= factors.ravel()
    displayed = compress(observed, dynamic_range_db=dynamic_range_db, gray_max=gray_max)
    return SimulatedTICs(
        time=time,
        linear=linear,
        echo_power=observed,
        displayed=displayed,
        params=pd.DataFrame(p),
        model=m.name,
        fps=float(fps),
        dynamic_range_db=float(dynamic_range_db),
        gray_max=float(gray_max),
        n_curves=n,
        n_frames=time.size,
    )


def simulate_tic(
    model: str | BolusModel = "lognormal",
    *,
    params: Mapping[str, float] | None = None,
    fps: float = 10.0,
    duration: float = 120.0,
    dropped_frames: int = 0,
    seed: int | np.random.Generator | None = None,
    **options: Any,
) -> SimulatedTIC:
    """Simulate one CEUS time-intensity curve through the whole display chain.

    Parameters
    ----------
    model : str or BolusModel
        A key of :data:`~ceuslib.perfusion.MODELS`.
    params : mapping, optional
        Scalar model parameters; :func:`default_params` by default.
    fps, duration : float
        Frame rate (Hz) and acquisition length (s); 10 fps and 120 s by default.
    dropped_frames : int
        Frames removed at random (the time axis keeps its gaps), as when a scanner drops
        frames or the operator cuts out-of-plane frames.
    seed : int or numpy.random.Generator, optional
        Source of randomness.
    **options
        Any keyword of :func:`simulate_tics`: ``n_speckle``, ``noise_sd``,
        ``dynamic_range_db``, ``gray_max``, ``recirculation``, ``recirculation_delay``,
        ``recirculation_spread``, ``motion_spikes``.

    Returns
    -------
    SimulatedTIC
        ``time``, ``linear`` (true echo-power), ``echo_power`` (with speckle and noise) and
        ``displayed`` (gray levels).

    Notes
    -----
    See :func:`simulate_tics` for the signal chain and its sources.

    Examples
    --------
    >>> tic = simulate_tic(seed=0)
    >>> tic.time.shape, float(tic.time[1])
    ((1200,), 0.1)
    >>> 0 <= float(tic.displayed.min()) and float(tic.displayed.max()) < 255
    True
    >>> bool(np.array_equal(tic.displayed, simulate_tic(seed=0).displayed))
    True
    """
    m = get_model(model)
    if params is None:
        params = default_params(m)
    if isinstance(params, pd.DataFrame) or any(np.ndim(v) > 0 for v in params.values()):
        raise ValueError("simulate_tic takes scalar parameters; use simulate_tics for a batch")
    if int(dropped_frames) != dropped_frames or dropped_frames < 0:
        raise ValueError(f"dropped_frames must be a count >= 0, got {dropped_frames!r}")
    rng = np.random.default_rng(seed)
    batch = simulate_tics(
        m, params=params, n_curves=1, fps=fps, duration=duration, seed=rng, **options
    )
    keep = np.ones(batch.n_frames, dtype=bool)
    if dropped_frames:
        if dropped_frames > batch.n_frames - 2:
            raise ValueError("dropped_frames must leave at least two frames")
        keep[rng.choice(batch.n_frames, size=int(dropped_frames), replace=False)] = False
    return SimulatedTIC(
        time=batch.time[keep],
        linear=batch.linear[0, keep],
        echo_power=batch.echo_power[0, keep],
        displayed=batch.displayed[0, keep],
        params={k: float(v[0]) for k, v in batch.params.items()},
        model=m.name,
        fps=batch.fps,
        dynamic_range_db=batch.dynamic_range_db,
        gray_max=batch.gray_max,
        n_frames=int(keep.sum()),
    )
