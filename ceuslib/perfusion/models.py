"""Bolus (indicator-dilution) models of a CEUS time-intensity curve.

Every model is written so that its ``area`` parameter is the area under the first pass and
its ``offset`` is the baseline (tissue) echo-power: with ``t' = t - t0``,

``f(t) = offset + area * g(t')`` for ``t' > 0`` and ``f(t) = offset`` otherwise,

where ``g`` is a probability density on ``t' > 0`` with two shape parameters.  The models
evaluate over many curves at once: give each parameter as an array of shape ``(n_curves,)``
and the result has shape ``(n_curves, n_frames)``.

Notes
-----
Formulas, modes and first moments follow Strouthos et al. (2010) and Mischi et al. (2008):

- lognormal: ``g = exp(-(ln t' - mu)^2 / (2 sigma^2)) / (sqrt(2 pi) sigma t')``,
  mode ``exp(mu - sigma^2)``, mean ``exp(mu + sigma^2 / 2)``;
- gamma variate: ``g = t'^alpha exp(-t'/beta) / (beta^(alpha+1) Gamma(alpha+1))``,
  mode ``alpha beta``, mean ``(alpha + 1) beta``;
- local density random walk (LDRW):
  ``g = sqrt(lam / (2 pi mu t')) exp(-lam (t' - mu)^2 / (2 mu t'))``,
  mode ``mu (sqrt(1 + 4 lam^2) - 1) / (2 lam)``, mean ``mu (1 + 1/lam)``;
- first-passage time (FPT, inverse Gaussian):
  ``g = sqrt(lam mu / (2 pi t'^3)) exp(-lam (t' - mu)^2 / (2 mu t'))``,
  mode ``mu (sqrt(9 + 4 lam^2) - 3) / (2 lam)``, mean ``mu``.

Modes and means are times measured from ``t0``; :meth:`BolusModel.ttp` and
:meth:`BolusModel.mtt` add ``t0``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammainc, gammaln, log_ndtr, ndtr

__all__ = ["MODELS", "BolusModel", "get_model"]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


# --- log-densities and their derivatives (shape 1, shape 2, t0) -----------------------------
# Each function takes t' > 0 (masked by the caller) and the two shape parameters, already
# broadcast, and returns log g and, with grad=True, the three partial derivatives of log g
# with respect to (shape 1, shape 2, t0) (the t0-derivative is -d log g / d t'), or, with
# grad="time", the first and second derivatives of log g with respect to t'.


def _lognormal(tp, mu, sigma, *, grad):
    lt = np.log(tp)
    inv = 1.0 / sigma
    z = lt - mu
    z *= inv
    zz = z * z
    logg = zz * -0.5
    logg -= lt
    logg -= np.log(sigma) + _LOG_SQRT_2PI
    if not grad:
        return logg, None
    if grad == "time":
        a = z * -inv - 1.0
        return logg, (a / tp, (-inv * inv - a) / (tp * tp))
    d_mu = z
    d_mu *= inv
    d_sigma = zz
    d_sigma -= 1.0
    d_sigma *= inv
    d_t0 = d_mu + 1.0
    d_t0 /= tp
    return logg, (d_mu, d_sigma, d_t0)


def _gamma(tp, alpha, beta, *, grad):
    lt = np.log(tp)
    logg = alpha * lt - tp / beta - (alpha + 1.0) * np.log(beta) - gammaln(alpha + 1.0)
    if not grad:
        return logg, None
    if grad == "time":
        return logg, (alpha / tp - 1.0 / beta, -alpha / (tp * tp))
    d_alpha = lt - np.log(beta) - digamma(alpha + 1.0)
    d_beta = tp / (beta * beta) - (alpha + 1.0) / beta
    d_t0 = 1.0 / beta - alpha / tp
    return logg, (d_alpha, d_beta, d_t0)


def _walk(power):
    """Log-density of the LDRW (``power = 0.5``) or FPT (``power = 1.5``) model."""

    def density(tp, mu, lam, *, grad):
        lt = np.log(tp)
        q = (tp - mu) ** 2 / (mu * tp)
        if power == 0.5:
            const = 0.5 * (np.log(lam) - np.log(mu))
        else:
            const = 0.5 * (np.log(lam) + np.log(mu))
        logg = const - _LOG_SQRT_2PI - power * lt - 0.5 * lam * q
        if not grad:
            return logg, None
        if grad == "time":
            d1 = -power / tp - lam / (2.0 * mu) + lam * mu / (2.0 * tp * tp)
            return logg, (d1, power / (tp * tp) - lam * mu / tp**3)
        # q = tp/mu - 2 + mu/tp
        dq_dmu = -tp / (mu * mu) + 1.0 / tp
        dq_dtp = 1.0 / mu - mu / (tp * tp)
        sign = -0.5 if power == 0.5 else 0.5
        d_mu = sign / mu - 0.5 * lam * dq_dmu
        d_lam = 0.5 / lam - 0.5 * q
        d_t0 = power / tp + 0.5 * lam * dq_dtp
        return logg, (d_mu, d_lam, d_t0)

    return density


# --- cumulative distributions and time derivatives of log g ---------------------------------


def _lognormal_cdf(tp, mu, sigma):
    return ndtr((np.log(tp) - mu) / sigma)


def _gamma_cdf(tp, alpha, beta):
    return gammainc(alpha + 1.0, tp / beta)


def _fpt_cdf(tp, mu, lam):
    # inverse Gaussian with mean mu and shape lam * mu (Chhikara and Folks 1989)
    root = np.sqrt(lam * mu / tp)
    upper = np.exp(2.0 * lam + log_ndtr(-root * (tp / mu + 1.0)))
    return ndtr(root * (tp / mu - 1.0)) + upper


def _ldrw_cdf(tp, mu, lam):
    # the LDRW density is (t/mu) times the FPT density: the size-biased inverse Gaussian,
    # which is the law of mu^2 / X for X inverse Gaussian, so F(t) = 1 - F_FPT(mu^2 / t)
    return 1.0 - _fpt_cdf(mu * mu / tp, mu, lam)


def _time_slopes(logpdf):
    """First and second derivatives of log g with respect to t' (see ``grad="time"``)."""

    def dlog(tp, s1, s2):
        return logpdf(tp, s1, s2, grad="time")[1]

    return dlog


def _lognormal_moments(mu, sigma):
    return np.exp(mu - sigma**2), np.exp(mu + 0.5 * sigma**2)


def _gamma_moments(alpha, beta):
    return alpha * beta, (alpha + 1.0) * beta


def _ldrw_moments(mu, lam):
    return mu * (np.sqrt(1.0 + 4.0 * lam**2) - 1.0) / (2.0 * lam), mu * (1.0 + 1.0 / lam)


def _fpt_moments(mu, lam):
    return mu * (np.sqrt(9.0 + 4.0 * lam**2) - 3.0) / (2.0 * lam), mu


def _lognormal_shape(mode, mean):
    sigma = np.sqrt(2.0 / 3.0 * np.log(mean / mode))
    return np.log(mode) + sigma**2, sigma


def _gamma_shape(mode, mean):
    beta = mean - mode
    return mode / beta, beta


def _ldrw_shape(mode, mean):
    # r = mode/mean solves (r^2 - 1) lam^2 + (2 r^2 + r) lam + (r^2 + r) = 0, positive root.
    r = mode / mean
    a, b, c = r * r - 1.0, 2.0 * r * r + r, r * r + r
    lam = (-b - np.sqrt(b * b - 4.0 * a * c)) / (2.0 * a)
    return mean / (1.0 + 1.0 / lam), lam


def _fpt_shape(mode, mean):
    r = mode / mean
    return mean, 3.0 * r / (1.0 - r * r)


@dataclass(frozen=True)
class BolusModel:
    """One bolus model: its curve, its moments, and its parameter names.

    Parameters
    ----------
    name : str
        The key in :data:`MODELS`.
    shape_names : tuple of str
        The two shape parameters, e.g. ``("mu", "sigma")``.
    label : str
        A readable name.
    _logpdf : callable
        ``(t', s1, s2, *, grad) -> (log g, gradients or None)``: the log of the unit-area
        density at ``t' > 0`` and, with ``grad``, its derivatives by the two shape
        parameters and ``t0``.
    _moments : callable
        ``(s1, s2) -> (mode, mean)`` of the density.
    _shape : callable
        ``(mode, mean) -> (s1, s2)``: the inverse of ``_moments``.
    shape_bounds : tuple of (float, float)
        Bounds of the two shape parameters for the fit.
    _cdf : callable
        ``(t', s1, s2) -> fraction``: the cumulative distribution of the density.
    _dlog : callable
        ``(t', s1, s2) -> (dlog, d2log)``: the first two time derivatives of ``log g``.

    Examples
    --------
    >>> model = MODELS["lognormal"]
    >>> model.param_names
    ('area', 'mu', 'sigma', 't0', 'offset')
    >>> round(float(model.ttp(mu=np.log(10) + 0.25, sigma=0.5, t0=12.0)), 3)
    22.0
    """

    name: str
    shape_names: tuple[str, str]
    label: str
    _logpdf: Callable = field(repr=False)
    _moments: Callable = field(repr=False)
    _shape: Callable = field(repr=False)
    shape_bounds: tuple[tuple[float, float], tuple[float, float]] = field(repr=False)
    _cdf: Callable = field(repr=False)
    _dlog: Callable = field(repr=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        """All parameters, in the order the fitter uses."""
        return ("area", *self.shape_names, "t0", "offset")

    def _params(self, params: Mapping[str, object]) -> dict[str, np.ndarray]:
        missing = [name for name in self.param_names[:-1] if name not in params]
        if missing:
            raise ValueError(
                f"model {self.name!r} needs parameters {list(self.param_names[:-1])} "
                f"(offset optional); missing {missing}"
            )
        unknown = sorted(set(params) - set(self.param_names))
        if unknown:
            raise ValueError(f"model {self.name!r} has no parameter(s) {unknown}")
        out = {name: np.asarray(params[name], dtype=float) for name in self.param_names[:-1]}
        out["offset"] = np.asarray(params.get("offset", 0.0), dtype=float)
        return out

    def __call__(self, t: ArrayLike, **params: ArrayLike) -> np.ndarray:
        """Evaluate the curve.

        Parameters
        ----------
        t : array_like, shape (n_frames,)
            Times in seconds.
        **params : float or array_like of shape (n_curves,)
            The parameters named in :attr:`param_names` (``offset`` defaults to 0).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_frames,)`` for scalar parameters, ``(n_curves, n_frames)`` otherwise.

        Examples
        --------
        >>> f = MODELS["gamma"]
        >>> [round(float(v), 4) for v in f([0.0, 1.0, 2.0], area=1.0, alpha=1.0, beta=1.0,
        ...                                 t0=0.0)]
        [0.0, 0.3679, 0.2707]
        """
        p = self._params(params)
        t = np.asarray(t, dtype=float)
        shape = np.broadcast_shapes(*(v.shape for v in p.values()))
        p = {k: np.broadcast_to(v, shape)[..., None] for k, v in p.items()}
        tp = t - p["t0"]
        positive = tp > 0
        safe = np.where(positive, tp, 1.0)
        s1, s2 = (p[name] for name in self.shape_names)
        logg, _ = self._logpdf(safe, s1, s2, grad=False)
        g = np.where(positive, np.exp(logg), 0.0)
        return p["offset"] + p["area"] * g

    def density(
        self, tp: ArrayLike, s1: ArrayLike, s2: ArrayLike, *, grad: bool = False
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
        """Unit-area density ``g(t')`` and, with ``grad``, its log-derivatives.

        Parameters
        ----------
        tp : array_like
            Time after ``t0``, ``t'``, in seconds; must be positive.
        s1, s2 : array_like
            The two shape parameters (arrays broadcast).
        grad : bool
            Also return the derivatives of ``log g``.

        Returns
        -------
        g : numpy.ndarray
            The density.
        gradients : tuple of numpy.ndarray or None
            ``(dlog g/d shape 1, dlog g/d shape 2, dlog g/d t0)`` with ``grad``, else None.

        Examples
        --------
        >>> g, _ = MODELS["fpt"].density(np.array([1.0]), 1.0, 1.0)
        >>> round(float(g[0]), 4)
        0.3989
        """
        logg, grads = self._logpdf(np.asarray(tp, dtype=float), s1, s2, grad=grad)
        return np.exp(logg), grads

    def cdf(self, tp: ArrayLike, s1: ArrayLike, s2: ArrayLike) -> np.ndarray:
        """Fraction of the first-pass area reached ``t'`` seconds after ``t0`` (closed form).

        Parameters
        ----------
        tp : array_like
            Time after ``t0``, ``t'``, in seconds (0 at and before ``t0``).
        s1, s2 : array_like
            The two shape parameters (arrays broadcast).

        Returns
        -------
        numpy.ndarray
            The cumulative distribution of the unit-area density, from 0 to 1.

        Examples
        --------
        >>> round(float(MODELS["lognormal"].cdf(np.exp(2.0), 2.0, 0.5)), 6)
        0.5
        """
        tp = np.asarray(tp, dtype=float)
        safe = np.where(tp > 0, tp, 1.0)
        return np.where(tp > 0, self._cdf(safe, s1, s2), 0.0)

    def dlog_dt(self, tp: ArrayLike, s1: ArrayLike, s2: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """First and second time derivatives of ``log g`` at ``t' > 0``.

        The curve's slope is ``area * g * dlog``; its inflections solve
        ``d2log + dlog^2 = 0``.

        Parameters
        ----------
        tp : array_like
            Time after ``t0``, ``t'``, in seconds; must be positive.
        s1, s2 : array_like
            The two shape parameters (arrays broadcast).

        Returns
        -------
        dlog : numpy.ndarray
            ``d log g / dt``.
        d2log : numpy.ndarray
            ``d² log g / dt²``.

        Examples
        --------
        >>> d1, d2 = MODELS["gamma"].dlog_dt(2.0, 2.0, 1.0)  # mode at alpha * beta = 2
        >>> float(d1), float(d2)
        (0.0, -0.5)
        """
        return self._dlog(np.asarray(tp, dtype=float), s1, s2)

    def mode(self, **shape: ArrayLike) -> np.ndarray:
        """Time from ``t0`` to the peak (closed form).

        Parameters
        ----------
        **shape : float or array_like
            The two shape parameters, by the names of ``shape_names``.

        Returns
        -------
        numpy.ndarray
            The mode of the density, in seconds after ``t0``.
        """
        return self._moments(*(np.asarray(shape[n], dtype=float) for n in self.shape_names))[0]

    def mean(self, **shape: ArrayLike) -> np.ndarray:
        """Mean transit time from ``t0`` (first moment of ``g``, closed form).

        Parameters
        ----------
        **shape : float or array_like
            The two shape parameters, by the names of ``shape_names``.

        Returns
        -------
        numpy.ndarray
            The mean of the density, in seconds after ``t0``.
        """
        return self._moments(*(np.asarray(shape[n], dtype=float) for n in self.shape_names))[1]

    def ttp(self, *, t0: ArrayLike, **shape: ArrayLike) -> np.ndarray:
        """Time to peak on the acquisition time axis.

        Parameters
        ----------
        t0 : float or array_like
            Appearance time, in seconds.
        **shape : float or array_like
            The two shape parameters, by the names of ``shape_names``.

        Returns
        -------
        numpy.ndarray
            ``t0 + mode``, in seconds.
        """
        return np.asarray(t0, dtype=float) + self.mode(**shape)

    def mtt(self, *, t0: ArrayLike, **shape: ArrayLike) -> np.ndarray:
        """Mean transit time on the acquisition time axis.

        Parameters
        ----------
        t0 : float or array_like
            Appearance time, in seconds.
        **shape : float or array_like
            The two shape parameters, by the names of ``shape_names``.

        Returns
        -------
        numpy.ndarray
            ``t0 + mean``, in seconds.
        """
        return np.asarray(t0, dtype=float) + self.mean(**shape)

    def peak(self, **shape: ArrayLike) -> np.ndarray:
        """Height of the unit-area density at its mode.

        Parameters
        ----------
        **shape : float or array_like
            The two shape parameters, by the names of ``shape_names``.

        Returns
        -------
        numpy.ndarray
            ``g(mode)``; multiplied by ``area`` it is the peak enhancement.
        """
        s = [np.asarray(shape[n], dtype=float) for n in self.shape_names]
        g, _ = self.density(self.mode(**shape), *s)
        return g

    def from_timing(
        self,
        *,
        ttp: ArrayLike,
        mtt: ArrayLike,
        pe: ArrayLike,
        t0: ArrayLike,
        offset: ArrayLike = 0.0,
    ) -> dict[str, np.ndarray]:
        """Parameters that give a curve with this time to peak, mean transit and peak.

        Parameters
        ----------
        ttp, mtt : float or array_like
            Time to peak and mean transit time on the acquisition axis (seconds);
            ``t0 < ttp < mtt`` is required.
        pe : float or array_like
            Peak enhancement above the offset (linear a.u.).
        t0 : float or array_like
            Appearance time (seconds).
        offset : float or array_like
            Baseline echo-power.

        Returns
        -------
        dict
            ``{name: array}`` for every name in :attr:`param_names`.

        Examples
        --------
        >>> m = MODELS["fpt"]
        >>> p = m.from_timing(ttp=22.0, mtt=30.0, pe=0.05, t0=12.0)
        >>> shape = {k: p[k] for k in m.shape_names}
        >>> round(float(m.ttp(t0=12.0, **shape)), 6), round(float(m.mtt(t0=12.0, **shape)), 6)
        (22.0, 30.0)
        >>> round(float(p["area"] * m.peak(**shape)), 6)
        0.05
        """
        t0 = np.asarray(t0, dtype=float)
        mode = np.asarray(ttp, dtype=float) - t0
        mean = np.asarray(mtt, dtype=float) - t0
        if np.any(~(mode > 0)) or np.any(~(mean > mode)):
            raise ValueError("from_timing needs t0 < ttp < mtt for every curve")
        s1, s2 = self._shape(mode, mean)
        shape = dict(zip(self.shape_names, (s1, s2), strict=True))
        area = np.asarray(pe, dtype=float) / self.peak(**shape)
        return {
            "area": area,
            **shape,
            "t0": t0 + 0.0 * area,
            "offset": np.asarray(offset, dtype=float) + 0.0 * area,
        }


MODELS: dict[str, BolusModel] = {
    "lognormal": BolusModel(
        "lognormal",
        ("mu", "sigma"),
        "lognormal",
        _lognormal,
        _lognormal_moments,
        _lognormal_shape,
        ((-3.0, 7.0), (0.03, 3.0)),
        _lognormal_cdf,
        _time_slopes(_lognormal),
    ),
    "gamma": BolusModel(
        "gamma",
        ("alpha", "beta"),
        "gamma variate",
        _gamma,
        _gamma_moments,
        _gamma_shape,
        ((1.0, 200.0), (0.01, 500.0)),
        _gamma_cdf,
        _time_slopes(_gamma),
    ),
    "ldrw": BolusModel(
        "ldrw",
        ("mu", "lam"),
        "local density random walk",
        _walk(0.5),
        _ldrw_moments,
        _ldrw_shape,
        ((0.05, 1000.0), (0.05, 500.0)),
        _ldrw_cdf,
        _time_slopes(_walk(0.5)),
    ),
    "fpt": BolusModel(
        "fpt",
        ("mu", "lam"),
        "first-passage time",
        _walk(1.5),
        _fpt_moments,
        _fpt_shape,
        ((0.05, 1000.0), (0.05, 500.0)),
        _fpt_cdf,
        _time_slopes(_walk(1.5)),
    ),
}
"""The bolus models by name: ``"lognormal"``, ``"gamma"``, ``"ldrw"``, ``"fpt"``."""


def get_model(model: str | BolusModel) -> BolusModel:
    """The :class:`BolusModel` for a name (or the model itself).

    Parameters
    ----------
    model : str or BolusModel
        A key of :data:`MODELS`, or a model.

    Returns
    -------
    BolusModel
        The model.

    Raises
    ------
    ValueError
        For a name that is not a key of :data:`MODELS`.

    Examples
    --------
    >>> get_model("ldrw").label
    'local density random walk'
    """
    if isinstance(model, BolusModel):
        return model
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {sorted(MODELS)}")
    return MODELS[model]
