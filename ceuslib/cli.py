"""The ``ceuslib`` command line: ``simulate``, ``validate``, ``fit`` (more as the library grows).

Each subcommand is two small functions, ``configure(parser)`` and ``run(args) -> int``,
listed in ``COMMANDS``.  :func:`main` turns every input problem into a plain message on
standard error (``error: PATH: what is wrong``, naming the user's paths) and a non-zero exit
code, never a traceback.  Every command that writes follows the output contract of
:mod:`ceuslib.outputs`: it checks ``--out`` before any work, never replaces what it did not
write (``--force`` replaces its own earlier output), never writes into its input, and puts
the output in place whole.

Exit codes: 0 success; 1 invalid input data, or an output refused or not written; 2 a misused
command line (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ceuslib.errors import DataError
from ceuslib.outputs import (
    OutputError,
    file_target,
    first_line_is,
    folder_target,
    shown,
    write_file,
)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _count(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
        return value

    return parse


def configure_simulate(parser: argparse.ArgumentParser) -> None:
    from ceuslib.cohort import DEFAULT_PATIENTS, DEFAULT_SEED

    parser.add_argument(
        "--patients",
        type=_count(1),
        default=DEFAULT_PATIENTS,
        help=f"enrolled patients (default {DEFAULT_PATIENTS})",
    )
    parser.add_argument(
        "--seed", type=_count(0), default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--out", required=True, help="a new or empty folder for the cohort files")
    _force(parser, "an earlier cohort written by ceuslib")


def _force(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"replace --out when it holds {what} and nothing else",
    )


def run_simulate(args: argparse.Namespace) -> int:
    from ceuslib.cohort import simulate_cohort
    from ceuslib.cohort.io import write_tables
    from ceuslib.cohort.readme import synthetic_readme

    target = folder_target(args.out, kind="cohort", force=args.force, hint="--force")
    cohort = simulate_cohort(args.patients, seed=args.seed)
    write_tables(
        cohort.tables(), target, extra={"README.md": synthetic_readme(args.patients, args.seed)}
    )
    summary = cohort.summary()
    print(
        f"wrote {target.shown}: {summary['patients']} patients, {summary['nodes']} nodes, "
        f"{summary['curves']} curves (seed {args.seed}; synthetic, not patient data)"
    )
    return 0


def configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", help="folder with screening.csv, patients.csv, nodes.csv and tics.csv"
    )


def run_validate(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort

    cohort = read_cohort(args.directory)
    print(f"{shown(args.directory)}: valid ({cohort!r})")
    return 0


def configure_fit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="folder of cohort files (its tics.csv is fitted)")
    parser.add_argument("--out", required=True, help="CSV file for the fitted descriptors")
    parser.add_argument(
        "--model", default="lognormal", help="bolus model: lognormal (default), gamma, ldrw or fpt"
    )
    _force(parser, "an earlier fit (its first line is the header fit writes)")


def _fit_headers() -> set[str]:
    """The header lines ``ceuslib fit`` writes, one per model: how its earlier output is known."""
    import numpy as np

    from ceuslib.perfusion import MODELS, fit_tics

    empty = np.zeros((0, 10))
    return {
        ",".join(["node_id", *fit_tics(empty, empty, model=name, progress=False).columns])
        for name in MODELS
    }


def run_fit(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.fitting import fit_cohort_curves
    from ceuslib.perfusion import MODELS

    if args.model not in MODELS:
        print(
            f"error: unknown model {args.model!r}; expected one of {', '.join(MODELS)}",
            file=sys.stderr,
        )
        return 2
    target = file_target(
        args.out,
        kind="fit",
        recognise=first_line_is(_fit_headers()),
        inputs=[args.directory],
        force=args.force,
        hint="--force",
    )
    cohort = read_cohort(args.directory)
    try:
        fits = fit_cohort_curves(
            cohort.tics, model=args.model, saturation=_declared_saturation(cohort.tics)
        )
    except ValueError as error:
        print(f"error: {shown(Path(args.directory) / 'tics.csv')}: {error}", file=sys.stderr)
        return 1
    write_file(target, fits.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    flagged = int((fits["flag"] != "").sum()) if "flag" in fits else 0
    print(f"wrote {target.shown}: {len(fits)} curves fitted ({args.model}), {flagged} flagged")
    return 0


def _declared_saturation(tics) -> float | None:
    """The echo-power at which the display saturates, when the data declare it.

    ``normalized`` intensities declare it (1.0, the top of the display); linear echo-power
    in arbitrary units and decibels do not (``None``: no level is assumed).
    """
    units = set(tics["unit"].dropna())
    return 1.0 if units == {"normalized"} else None


def configure_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="folder of cohort files in the book's format")
    parser.add_argument("--out", required=True, help="a new or empty folder for the report")
    parser.add_argument(
        "--seed", type=_count(0), default=20261126, help="bootstrap seed (default 20261126)"
    )
    parser.add_argument(
        "--n-boot", type=_count(100), default=2000, help="bootstrap resamples (default 2000)"
    )
    _force(parser, "an earlier report written by ceuslib")


def run_report(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.report import build_report, write_report

    target = folder_target(
        args.out, kind="report", inputs=[args.directory], force=args.force, hint="--force"
    )
    cohort = read_cohort(args.directory)
    try:
        report = build_report(cohort, n_boot=args.n_boot, seed=args.seed)
    except ValueError as error:
        print(
            f"error: {shown(args.directory)}: cannot compute the report: {error}", file=sys.stderr
        )
        return 1
    write_report(report, target, source=shown(Path(args.directory).resolve()))
    print(f"wrote {target.shown}: index.html, {len(report.tables()) + 1} tables (CSV), 2 figures")
    return 0


COMMANDS: list[Command] = [
    Command(
        "simulate",
        "simulate a synthetic cohort and write its files",
        configure_simulate,
        run_simulate,
    ),
    Command(
        "validate",
        "check a folder of cohort files against the data dictionary",
        configure_validate,
        run_validate,
    ),
    Command(
        "fit",
        "fit every time-intensity curve of a cohort (one row per node)",
        configure_fit,
        run_fit,
    ),
    Command(
        "report",
        "write the methods-supplement tables and figures of a cohort (CSV, PNG, SVG, HTML)",
        configure_report,
        run_report,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ceuslib",
        description="CEUS of cervical lymph nodes after neoadjuvant chemo-immunotherapy: "
        "synthetic cohorts, validation of study files, perfusion curves.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for cmd in COMMANDS:
        cmd.configure(sub.add_parser(cmd.name, help=cmd.help, description=cmd.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; by default those of the process.

    Returns
    -------
    int
        The exit code: 0 on success, non-zero with one clear message on bad input.

    Examples
    --------
    >>> main(["validate", "/nonexistent/folder"])
    1
    """
    args = build_parser().parse_args(argv)
    run = {cmd.name: cmd.run for cmd in COMMANDS}[args.command]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = run(args)
        except (DataError, OutputError) as error:
            print(f"error: {error}", file=sys.stderr)
            code = 1
        except OSError as error:
            where = f"{shown(error.filename)}: " if error.filename else ""
            print(f"error: {where}{error.strerror or error}", file=sys.stderr)
            code = 1
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
