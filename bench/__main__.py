"""Run every benchmark module ``bench/bench_*.py`` (or those named on the command line).

Each module has a ``main()`` that measures the library and its comparator side by side in
one run, prints medians and ratios, and returns 0 when every target is met.  Machines are
shared and noisy: targets are ratios or generous absolute limits, and medians of repeats.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = argv or sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    if not names:
        print("no benchmarks yet")
        return 0
    failed = []
    for name in names:
        module = importlib.import_module(f"bench.{name.removesuffix('.py')}")
        print(f"\n=== {module.__name__} ===", flush=True)
        start = time.perf_counter()
        code = module.main()
        print(f"({time.perf_counter() - start:.1f} s)", flush=True)
        if code:
            failed.append(name)
    print("\nall targets met" if not failed else f"\ntargets missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
