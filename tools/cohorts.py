"""Run every chapter on generated cohorts unlike the shipped one.

``python tools/cohorts.py`` (the ``cohorts`` step of ``make test``) simulates the cohorts of
:data:`QUICK` into ``_build/cohorts/<name>/data`` and executes every chapter on each with
``tools/execute_chapters.py``; ``python tools/cohorts.py --sweep`` (``make test-cohorts``) runs
the twenty-two of :data:`SWEEP`.  A chapter that raises on a valid cohort, or an ``{eval}`` value
it cannot compute, fails the step.  Each cohort is first checked with ``read_cohort``, as
``ceuslib validate`` would.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import execute_chapters  # noqa: E402
from toc import toc_chapters  # noqa: E402

OUT = ROOT / "_build" / "cohorts"
SHIPPED = ROOT / "data" / "synthetic"


@dataclass(frozen=True)
class CohortSpec:
    """One generated cohort: size, seed, scenario overrides and whether it has curves."""

    name: str
    patients: int
    seed: int
    overrides: dict = field(default_factory=dict)
    curves: bool = True
    parameters_only: bool = False

    def simulate(self):
        """The cohort; with ``parameters_only``, its curves fitted and kept as
        ``parameters.csv`` (as a VueBox export would give them) and ``tics.csv`` dropped."""
        import dataclasses

        from ceuslib.cohort import simulate_cohort
        from ceuslib.cohort.parameters import fitted_parameters
        from ceuslib.cohort.scenario import Scenario
        from ceuslib.cohort.scenario_file import with_overrides

        scenario = with_overrides(Scenario(), **self.overrides)
        cohort = simulate_cohort(
            self.patients, seed=self.seed, scenario=scenario, curves=self.curves
        )
        if not self.parameters_only:
            return cohort
        return dataclasses.replace(
            cohort,
            tics=cohort.tics.iloc[:0],
            reference_tics=None,
            parameters=fitted_parameters(cohort),
        )


QUICK: tuple[CohortSpec, ...] = (
    CohortSpec("pilot-weak-signal", 30, 12, {"prevalence": 0.15, "signal": 0.2}),
    CohortSpec("no-curves-one-node", 100, 7, {"nodes_per_patient": 1}, curves=False),
    CohortSpec("parameters-only", 60, 21, parameters_only=True),
)
"""The cohorts of ``make test``: a pilot of 30 with low prevalence and a weak CEUS signal,
readings without curves with one node per patient, and a study with another program's
perfusion parameters (``parameters.csv``) but no curves."""

SWEEP: tuple[CohortSpec, ...] = (
    *QUICK,
    CohortSpec("pilot-low-prevalence", 30, 12, {"prevalence": 0.15}),
    CohortSpec("weak-signal", 80, 4242, {"signal": 0.2}),
    CohortSpec("large-high-prevalence", 500, 13, {"prevalence": 0.8}),
    *(
        CohortSpec(f"sweep-{seed}", patients, seed, overrides, curves)
        for seed, patients, overrides, curves in (
            (1, 20, {}, True),
            (2, 25, {"prevalence": 0.05}, True),
            (3, 40, {"prevalence": 0.95}, True),
            (4, 60, {"signal": 0.0}, True),
            (5, 60, {"signal": 2.0}, True),
            (6, 80, {"nodes_per_patient": 3}, True),
            (8, 100, {}, False),
            (9, 120, {"prevalence": 0.3, "signal": 0.5}, True),
            (10, 150, {"nodes_per_patient": 2}, True),
            (11, 200, {}, True),
            (12, 250, {"prevalence": 0.6}, False),
            (14, 300, {"signal": 0.7}, True),
            (15, 45, {"prevalence": 0.2, "nodes_per_patient": 1}, True),
            (16, 35, {"signal": 0.3, "prevalence": 0.5}, True),
            (4242, 80, {}, True),
            (17, 400, {"prevalence": 0.4}, True),
        )
    ),
)
"""Twenty-two cohorts for ``make test-cohorts``."""


def compare_with_report(data: Path, lab: Path) -> list[str]:
    """Tables a chapter shares with the report that differ from ``ceuslib report``'s.

    Each executed chapter saved its ``SHARED_TABLES`` as CSV (``<chapter>.tables/``); the
    report is built on the same files with its default seed and resamples, and each table
    must be byte-identical to the report's file of the same name.
    """
    import tempfile

    from ceuslib.cohort import read_cohort
    from ceuslib.report import build_report, write_report

    shared = sorted(lab.glob("*.tables/*.csv"))
    if not shared:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_report(build_report(read_cohort(data)), Path(tmp) / "report")
        differences = []
        for table in shared:
            reported = folder / table.name
            chapter = table.parent.stem
            if not reported.is_file():
                differences.append(f"{chapter} shares {table.stem}, which the report lacks")
            elif reported.read_bytes() != table.read_bytes():
                differences.append(f"{chapter}'s {table.stem} table differs from the report's")
        return differences


#: What a chapter that reads the study's files calls (``ceuslib.datasets``).
READS_DATA = ("data_dir(", "data_path(", "read_cohort(")


def reads_data(chapters: list[Path]) -> list[Path]:
    """The chapters that read the study's files: only they can behave differently on them."""
    return [
        c for c in chapters if any(call in c.read_text(encoding="utf-8") for call in READS_DATA)
    ]


def prepare(spec: CohortSpec) -> tuple[Path, Path]:
    """Simulate a cohort into ``_build/cohorts/<name>/data``, check it; return data and lab."""
    from ceuslib.cohort import read_cohort

    folder = OUT / spec.name
    shutil.rmtree(folder, ignore_errors=True)  # a build folder of this tool's own
    data = spec.simulate().write(folder / "data")
    read_cohort(data)
    return data, folder / "lab"


def run(specs: tuple[CohortSpec, ...], workers: int) -> int:
    """Simulate and check every cohort, then run every chapter on each in one pool."""
    jobs = []
    for spec in specs:
        data, lab = prepare(spec)
        jobs += [(c, lab / f"{c.stem}.ipynb", data) for c in reads_data(toc_chapters(ROOT))]
    start = time.perf_counter()
    runs = execute_chapters.run_all(jobs, workers=workers)
    failed = {Path(run.data).parent.name for run in runs if run.failures}
    for spec in specs:
        differences = compare_with_report(OUT / spec.name / "data", OUT / spec.name / "lab")
        for difference in differences:
            print(f"FAILED {spec.name}: {difference}", flush=True)
        if differences:
            failed.add(spec.name)
    failed = sorted(failed)
    print(
        f"{len(runs)} chapter runs on {len(specs)} cohorts in {time.perf_counter() - start:.0f} s; "
        + (f"failed on: {', '.join(failed)}" if failed else "all passed"),
        flush=True,
    )
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="the twenty-two cohorts of SWEEP")
    parser.add_argument("--only", nargs="*", help="names of cohorts to run")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    specs = SWEEP if args.sweep else QUICK
    if args.only:
        specs = tuple(s for s in SWEEP if s.name in args.only)
    return run(specs, args.jobs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
