"""A synthetic CEUS cine loop of a lymph node: perfusion, speckle and the display law.

The signal chain (Payen et al. 2013; Bar-Zion et al. 2015; the display law of the open MITK
"USToolKit" VueBox re-implementation):

1. every pixel's echo-power is proportional to its bubble concentration: an amplitude times
   a bolus curve of ``ceuslib.perfusion.MODELS``, delayed by the pixel's arrival time;
2. speckle is multiplicative: each speckle cell (``speckle_grain`` x ``speckle_grain``
   pixels) draws a fresh exponential intensity every frame (bubbles move, so consecutive
   frames decorrelate; Bar-Zion et al. 2015), on top of a static tissue echo with its own,
   fixed, speckle and an additive noise power;
3. the scanner log-compresses over ``dynamic_range_db`` and quantises to 8 bits with
   ``ceuslib.perfusion.compress``, the inverse of ``ceuslib.perfusion.linearize`` (tabulated
   on float32 bit patterns for speed; the gray levels are exactly those of ``compress``).

Because speckle has mean one, the mean of the *linearized* pixels of a region is, up to
8-bit quantisation and the rare clipped pixel, the region's mean echo-power: the bolus curve
comes back out of the loop (:meth:`Cine.expected_curve` gives the noise-free value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import ndimage

from ceuslib.perfusion import MODELS, compress
from ceuslib.phantom.geometry import NodeGeometry, NodeMaps
from ceuslib.phantom.patterns import PATTERNS, TISSUE_BOLUS, Pattern

#: Frames simulated per block (memory stays near 30 MB per block for a 256 x 256 image).
_BLOCK_FRAMES = 48
#: Hilum amplitude relative to the node: the hilar vessels, the first to fill in a
#: centrifugal node, carry more bubbles than the cortex (ASSUMPTION).
_HILUM_AMPLITUDE = 1.5
#: Coefficient of variation of the surrounding tissue's amplitude field (ASSUMPTION).
_TISSUE_HETEROGENEITY = 0.1


@dataclass(frozen=True, repr=False)
class Cine:
    """A simulated cine loop and the truth behind it.

    Attributes
    ----------
    frames : numpy.ndarray
        The displayed loop, uint8, ``(n_frames, height, width)``.
    time : numpy.ndarray
        Acquisition time of each frame from the injection, in seconds.
    fps : float
        Frame rate (frames per second).
    dynamic_range_db : float
        Display dynamic range used for the log compression, in dB.
    pattern : Pattern
        The enhancement pattern of the node.
    geometry : NodeGeometry
        The node's anatomy.
    maps : NodeMaps
        Node, hilum, defect and tissue masks.
    amplitude : numpy.ndarray
        Per-pixel contrast amplitude (0 in defects).
    delay : numpy.ndarray
        Per-pixel arrival delay after the pattern's bolus ``t0``, in seconds (tissue pixels: 0,
        fed by ``tissue_bolus``).
    tissue_bolus : dict
        The bolus parameters of the surrounding tissue.
    """

    frames: np.ndarray
    time: np.ndarray
    fps: float
    dynamic_range_db: float
    pattern: Pattern
    geometry: NodeGeometry
    maps: NodeMaps
    amplitude: np.ndarray
    delay: np.ndarray
    tissue_bolus: dict
    _curves: np.ndarray = field(repr=False)
    _curve_index: np.ndarray = field(repr=False)
    _static: np.ndarray = field(repr=False)
    _noise_power: float = field(repr=False)

    def __repr__(self) -> str:
        n, h, w = self.frames.shape
        return (
            f"Cine(pattern={self.pattern.name!r}, frames={n}, size={h}x{w}, fps={self.fps:g}, "
            f"duration={n / self.fps:g} s, dynamic_range_db={self.dynamic_range_db:g})"
        )

    def expected_curve(self, mask: np.ndarray) -> np.ndarray:
        """Noise-free mean linear echo-power of the pixels in ``mask``, frame by frame.

        This is what the mean of the linearized pixels estimates: static tissue echo plus
        noise power plus each pixel's amplitude times its delayed bolus curve.

        Parameters
        ----------
        mask : numpy.ndarray of bool
            The pixels, shape ``(height, width)``.

        Returns
        -------
        numpy.ndarray, shape (n_frames,)
            The expected mean linear echo-power, a.u.

        Examples
        --------
        >>> cine = simulate_cine("reactive", shape=(32, 32), fps=2, duration=40, seed=1)
        >>> curve = cine.expected_curve(cine.maps.node)
        >>> curve.shape, bool(curve.argmax() > 0)
        ((80,), True)
        """
        mask = _check_mask(mask, self.frames.shape[1:])
        weights = np.bincount(
            self._curve_index[mask],
            weights=self.amplitude[mask],
            minlength=self._curves.shape[0],
        )
        contrast = weights @ self._curves / mask.sum()
        return contrast + self._static[mask].mean() + self._noise_power


def simulate_cine(
    pattern: str | Pattern = "reactive",
    *,
    shape: tuple[int, int] = (128, 128),
    fps: float = 10.0,
    duration: float = 90.0,
    seed: int | np.random.Generator,
    geometry: NodeGeometry | None = None,
    dynamic_range_db: float = 60.0,
    speckle: bool = True,
    speckle_grain: int = 2,
    tissue_bolus: dict | None = None,
    tissue_echo: float = 1e-3,
    noise_power: float = 1e-5,
    delay_step: float = 0.05,
) -> Cine:
    """Simulate a CEUS cine loop of a node with a given enhancement pattern.

    Parameters
    ----------
    pattern : str or Pattern
        A name of ``PATTERNS`` or a :class:`Pattern`.
    shape : tuple of int
        ``(height, width)`` in pixels (ignored when ``geometry`` is given).
    fps, duration : float
        Frame rate in frames per second and loop length in seconds from the injection.
    seed : int or numpy.random.Generator
        Source of randomness; the same seed gives the same frames, byte for byte.
    geometry : NodeGeometry, optional
        The anatomy; by default a centred oval node of ``shape``, with the pattern's fatty
        hilum and defects.
    dynamic_range_db : float
        Display dynamic range of the log compression (60 dB: the default of the open MITK
        "USToolKit" VueBox re-implementation).
    speckle : bool
        Multiply by speckle (``False`` gives the noise-free mean echo-power, for teaching and
        for testing).
    speckle_grain : int
        Side of a speckle cell in pixels.
    tissue_bolus : dict, optional
        Bolus parameters of the surrounding tissue (default
        ``TISSUE_BOLUS``).
    tissue_echo, noise_power : float
        Mean static tissue echo-power and additive noise power, in the linear units of the
        display law (1 = saturation).
    delay_step : float
        Arrival delays are rounded to this step, in seconds (each distinct delay is one
        bolus curve evaluation, which keeps the simulation fast).

    Returns
    -------
    Cine
        The frames and the truth (amplitudes, delays, :meth:`Cine.expected_curve`).

    Notes
    -----
    The node's pixel at position ``p`` has echo-power ``a(p) f(t - d(p))``, with ``f`` the
    pattern's bolus (any model of ``ceuslib.perfusion.MODELS``), ``a(p)`` the pattern's
    enhancement times a smooth lognormal heterogeneity field (mean one), zero in defects,
    and ``d(p)`` the arrival delay: for a centrifugal pattern proportional to the distance
    from the hilar entry point, for a centripetal one to the depth below the capsule, both
    reaching ``delay_spread_s`` at the farthest pixel.  Enhancement directions follow Ling
    et al. 2020; multiplicative, frame-to-frame independent speckle Bar-Zion et al. 2015, with
    the exponential intensity of fully developed (Rayleigh) speckle (Ma et al.
    1995); the display law is that of ``ceuslib.perfusion.linearize``.

    Examples
    --------
    >>> cine = simulate_cine("viable_tumour", shape=(48, 64), fps=4, duration=30, seed=0)
    >>> cine.frames.shape, cine.frames.dtype.name
    ((120, 48, 64), 'uint8')
    >>> again = simulate_cine("viable_tumour", shape=(48, 64), fps=4, duration=30, seed=0)
    >>> bool((cine.frames == again.frames).all())
    True
    """
    spec = _get_pattern(pattern)
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    if not (np.isfinite(duration) and duration * fps >= 2):
        raise ValueError(f"duration must give at least 2 frames at {fps} fps, got {duration}")
    if not (np.isfinite(dynamic_range_db) and dynamic_range_db > 0):
        raise ValueError(f"dynamic_range_db must be positive, got {dynamic_range_db}")
    if int(speckle_grain) != speckle_grain or speckle_grain < 1:
        raise ValueError(f"speckle_grain must be a positive integer, got {speckle_grain}")
    if not delay_step > 0:
        raise ValueError(f"delay_step must be positive, got {delay_step}")
    if tissue_echo < 0 or noise_power < 0:
        raise ValueError("tissue_echo and noise_power must be >= 0")
    if spec.model not in MODELS:
        raise ValueError(f"unknown bolus model {spec.model!r}; choose from {sorted(MODELS)}")
    rng = np.random.default_rng(seed)
    if geometry is None:
        geometry = NodeGeometry(shape, fatty_hilum=spec.fatty_hilum, defects=spec.defects)
    maps = geometry.maps()
    height, width = geometry.shape
    n_frames = round(duration * fps)
    time = np.arange(n_frames) / fps
    tissue_params = dict(TISSUE_BOLUS if tissue_bolus is None else tissue_bolus)

    amplitude, delay = _amplitude_and_delay(spec, geometry, maps, tissue_params, rng)
    steps = np.rint(delay / delay_step).astype(np.intp)
    n_delays = int(steps[maps.node].max()) + 1
    curve_index = np.where(maps.node, steps, n_delays)
    bolus = dict(spec.bolus)
    bolus["t0"] = bolus["t0"] + delay_step * np.arange(n_delays)
    curves = np.vstack(
        [
            MODELS[spec.model](time, **bolus).reshape(n_delays, n_frames),
            MODELS["lognormal"](time, **tissue_params)[None, :],
        ]
    )
    delay = np.where(maps.node, steps * delay_step, 0.0)

    static = np.full((height, width), float(tissue_echo))
    if speckle:
        static *= _speckle(rng, (1, height, width), speckle_grain)[0]
    frames = np.empty((n_frames, height, width), dtype=np.uint8)
    index_flat = curve_index.ravel()
    amplitude32 = amplitude.ravel().astype(np.float32)
    static32 = static.ravel().astype(np.float32)
    curves32 = curves.astype(np.float32)
    for start in range(0, n_frames, _BLOCK_FRAMES):
        stop = min(start + _BLOCK_FRAMES, n_frames)
        power = np.take(curves32[:, start:stop].T, index_flat, axis=1)
        power *= amplitude32
        power += np.float32(noise_power)
        if speckle:
            power *= _speckle(rng, (stop - start, height, width), speckle_grain).reshape(
                stop - start, -1
            )
        power += static32
        frames[start:stop] = _display(power, dynamic_range_db).reshape(stop - start, height, width)
    return Cine(
        frames=frames,
        time=time,
        fps=float(fps),
        dynamic_range_db=float(dynamic_range_db),
        pattern=spec,
        geometry=geometry,
        maps=maps,
        amplitude=amplitude,
        delay=delay,
        tissue_bolus=tissue_params,
        _curves=curves,
        _curve_index=curve_index,
        _static=static,
        _noise_power=float(noise_power),
    )


def _get_pattern(pattern: str | Pattern) -> Pattern:
    if isinstance(pattern, Pattern):
        return pattern
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}; choose from {sorted(PATTERNS)}")
    return PATTERNS[pattern]


def _amplitude_and_delay(spec, geometry, maps, tissue_params, rng):
    """Per-pixel amplitude (node and tissue) and node arrival delay in seconds."""
    smooth = 0.3 * geometry.semi_axes[1]
    node_field = _lognormal_field(rng, geometry.shape, smooth, spec.heterogeneity, maps.node)
    tissue_field = _lognormal_field(rng, geometry.shape, smooth, _TISSUE_HETEROGENEITY, maps.tissue)
    amplitude = np.where(maps.node, spec.enhancement * node_field, tissue_field)
    amplitude = np.where(maps.hilum, _HILUM_AMPLITUDE * amplitude, amplitude)
    amplitude = np.where(maps.defect, 0.0, amplitude)
    if spec.direction == "centrifugal":
        depth = maps.from_hilum
    else:
        depth = 1.0 - np.clip(maps.radius, 0.0, 1.0)
        depth = depth / depth[maps.node].max()
    delay = np.where(maps.node, spec.delay_spread_s * depth, 0.0)
    return amplitude, delay


#: Low bits of a float32 dropped to index the display table (2**19 entries cover every
#: positive float32; each entry spans a relative width of at most 2**-11).
_TABLE_SHIFT = 12


@lru_cache(maxsize=8)
def _display_table(dynamic_range_db: float) -> tuple[np.ndarray, np.ndarray]:
    """``ceuslib.perfusion.compress`` tabulated on float32 bit patterns.

    Positive float32 values sort like their bit patterns, and the display law is monotone:
    where ``compress`` gives the same gray level at both ends of a table cell, every value in
    the cell has that gray level; the few cells that straddle a rounding boundary are marked
    so that their values go through ``compress`` itself.  The result is exactly
    ``compress(power)``, only faster.
    """
    cells = np.arange((0x7F800000 >> _TABLE_SHIFT) + 1, dtype=np.uint32)
    first = (cells << _TABLE_SHIFT).view(np.float32)
    last = ((cells << _TABLE_SHIFT) | ((1 << _TABLE_SHIFT) - 1)).view(np.float32)
    low = compress(first, dynamic_range_db=dynamic_range_db)
    high = compress(
        np.nan_to_num(last, posinf=np.finfo(np.float32).max), dynamic_range_db=dynamic_range_db
    )
    return low.astype(np.uint8), low != high


def _display(power: np.ndarray, dynamic_range_db: float) -> np.ndarray:
    """Gray levels of positive float32 echo-powers, equal to ``compress(power)``."""
    gray_of_cell, straddles = _display_table(float(dynamic_range_db))
    cell = power.view(np.uint32) >> _TABLE_SHIFT
    gray = gray_of_cell[cell]
    exact = np.flatnonzero(straddles[cell])
    if exact.size:
        flat = gray.reshape(-1)
        flat[exact] = compress(power.reshape(-1)[exact], dynamic_range_db=dynamic_range_db)
    return gray


def _lognormal_field(rng, shape, smooth, cv, mask):
    """A smooth lognormal field with mean one and coefficient of variation ``cv`` in ``mask``."""
    noise = rng.standard_normal(shape)
    if cv == 0:
        return np.ones(shape)
    field = ndimage.gaussian_filter(noise, smooth, mode="reflect")
    inside = field[mask]
    field = (field - inside.mean()) / inside.std()
    s2 = np.log1p(cv * cv)
    return np.exp(np.sqrt(s2) * field - s2 / 2)


def _speckle(rng, shape, grain):
    """Exponential (fully developed) speckle intensities, mean one, in ``grain``-pixel cells."""
    n, height, width = shape
    cells = rng.standard_exponential((n, -(-height // grain), -(-width // grain)), dtype=np.float32)
    if grain == 1:
        return cells
    return cells.repeat(grain, axis=1).repeat(grain, axis=2)[:, :height, :width]


def _check_mask(mask, shape):
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != tuple(shape):
        raise ValueError(f"mask must be a boolean array of shape {tuple(shape)}")
    if not mask.any():
        raise ValueError("mask selects no pixel")
    return mask
