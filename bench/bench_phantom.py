"""Phantom speed: a 256 x 256 x 1,200-frame cine (target <= 3 s) and its time-to-peak map
(target <= 2 s), each beside a straightforward float64 comparator computing the same thing.

The machine is shared: each run is timed by wall clock and by CPU time of this process
(``time.process_time``, which other users' load does not inflate); the targets are judged
on the median CPU time, and both medians are printed.

Comparators: for the cine, the bolus model evaluated for every pixel and frame (no table of
delayed curves, float64 throughout); for the map, the linearized loop box-filtered with
``scipy.ndimage.uniform_filter`` in tiles of rows, then ``argmax`` along time.  The map
comparator also checks that both give the same time to peak.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from scipy import ndimage

from ceuslib.perfusion import MODELS, compress, linearize
from ceuslib.phantom import parametric_maps, simulate_cine

SHAPE = (256, 256)
FPS = 10.0
DURATION = 120.0  # 1,200 frames
CINE_TARGET_S = 3.0
MAP_TARGET_S = 2.0


def _timed(function, repeats):
    """Median wall-clock and CPU seconds of ``repeats`` calls, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def _direct_cine(cine, seed):
    """Every pixel's own model evaluation, float64, in blocks of frames."""
    rng = np.random.default_rng(seed)
    spec = cine.pattern
    n_frames = len(cine.time)
    height, width = SHAPE
    node = cine.maps.node.ravel()
    t0 = np.where(node, spec.bolus["t0"] + cine.delay.ravel(), cine.tissue_bolus["t0"])
    params = {
        name: np.where(node, spec.bolus[name], cine.tissue_bolus[name])
        for name in ("area", "mu", "sigma")
    }
    frames = np.empty((n_frames, height, width), np.uint8)
    for start in range(0, n_frames, 48):
        time_block = cine.time[start : start + 48]
        power = MODELS["lognormal"](time_block, **params, t0=t0).T * cine.amplitude.ravel()
        power = (power + 1e-5) * rng.standard_exponential(power.shape) + 1e-3
        frames[start : start + len(time_block)] = compress(power).reshape(-1, height, width)
    return frames


def _direct_ttp(frames, *, fps, window, spatial):
    height, width = frames.shape[1:]
    ttp = np.empty((height, width))
    halo = spatial // 2
    for top in range(0, height, 16):
        lo, hi = max(0, top - halo), min(height, top + 16 + halo)
        power = linearize(frames[:, lo:hi])
        power = ndimage.uniform_filter(power, size=(window, spatial, spatial), mode="nearest")
        ttp[top : top + 16] = power[:, top - lo : top - lo + 16].argmax(axis=0) / fps
    return ttp


def main() -> int:
    seed = 20261126
    cine_wall, cine_cpu, cine = _timed(
        lambda: simulate_cine("viable_tumour", shape=SHAPE, fps=FPS, duration=DURATION, seed=seed),
        repeats=5,
    )
    direct_wall, direct_cpu, _ = _timed(lambda: _direct_cine(cine, seed), repeats=1)
    frames = cine.frames
    print(f"cine {frames.shape} uint8 ({frames.nbytes / 1e6:.0f} MB); medians of 5 runs")
    print(
        f"  simulate_cine    CPU {cine_cpu:5.2f} s, wall {cine_wall:5.2f} s "
        f"(target <= {CINE_TARGET_S:.0f} s) | per-pixel float64 comparator CPU "
        f"{direct_cpu:5.2f} s, wall {direct_wall:5.2f} s | CPU ratio x{direct_cpu / cine_cpu:.1f}"
    )
    map_wall, map_cpu, maps = _timed(lambda: parametric_maps(frames, fps=FPS), repeats=5)
    direct_map_wall, direct_map_cpu, direct = _timed(
        lambda: _direct_ttp(frames, fps=FPS, window=round(2.0 * FPS), spatial=5), repeats=1
    )
    same = float((maps.ttp == direct).mean())
    close = float((np.abs(maps.ttp - direct) <= 1 / FPS).mean())
    print(
        f"  parametric_maps  CPU {map_cpu:5.2f} s, wall {map_wall:5.2f} s "
        f"(target <= {MAP_TARGET_S:.0f} s) | uniform_filter + argmax comparator CPU "
        f"{direct_map_cpu:5.2f} s, wall {direct_map_wall:5.2f} s | CPU ratio "
        f"x{direct_map_cpu / map_cpu:.1f}"
    )
    print(
        f"  time to peak equal to the comparator's in {same:.2%} of pixels, within one frame "
        f"in {close:.2%}"
    )
    met = cine_cpu <= CINE_TARGET_S and map_cpu <= MAP_TARGET_S and close > 0.99
    print("targets met (CPU time)" if met else "targets missed")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
