"""The ``ceuslib`` command line: ``simulate``, ``validate``, ``fit`` (more as the library grows).

Each subcommand is two small functions, ``configure(parser)`` and ``run(args) -> int``,
listed in ``COMMANDS``.  :func:`main` turns every input problem into a plain message on
standard error and a non-zero exit code, never a traceback.  Files are written whole or not
at all (staged under a temporary name, then renamed).

Exit codes: 0 success; 1 invalid input data or a file that cannot be written; 2 a misused
command line (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ceuslib.atomic import atomic_path
from ceuslib.errors import DataError


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
    parser.add_argument("--out", required=True, help="folder to write the cohort files into")
    parser.add_argument(
        "--no-curves",
        action="store_true",
        help="leave tics.csv empty (much faster for large cohorts)",
    )


def run_simulate(args: argparse.Namespace) -> int:
    from ceuslib.cohort import simulate_cohort

    cohort = simulate_cohort(args.patients, seed=args.seed, curves=not args.no_curves)
    folder = cohort.write(args.out)
    summary = cohort.summary()
    print(
        f"wrote {folder}: {summary['patients']} patients, {summary['nodes']} nodes, "
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
    print(f"{args.directory}: valid ({cohort!r})")
    return 0


def configure_fit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="folder of cohort files (its tics.csv is fitted)")
    parser.add_argument("--out", required=True, help="CSV file for the fitted descriptors")
    parser.add_argument(
        "--model", default="lognormal", help="bolus model: lognormal (default), gamma, ldrw or fpt"
    )


def run_fit(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.fitting import fit_cohort_curves
    from ceuslib.perfusion import MODELS

    if args.model not in MODELS:
        print(
            f"error: unknown model {args.model!r}; expected one of {', '.join(MODELS)}",
            file=sys.stderr,
        )
        return 1
    cohort = read_cohort(args.directory)
    try:
        fits = fit_cohort_curves(cohort.tics, model=args.model)
    except ValueError as error:
        print(f"error: {args.directory}/tics.csv: {error}", file=sys.stderr)
        return 1
    write_atomically(
        Path(args.out), fits.to_csv(index=False, lineterminator="\n", float_format="%.6g")
    )
    flagged = int((fits["flag"] != "").sum()) if "flag" in fits else 0
    print(f"wrote {args.out}: {len(fits)} curves fitted ({args.model}), {flagged} flagged")
    return 0


def configure_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="folder of cohort files in the book's format")
    parser.add_argument("--out", required=True, help="folder to write the report into")
    parser.add_argument(
        "--seed", type=_count(0), default=20261126, help="bootstrap seed (default 20261126)"
    )
    parser.add_argument(
        "--n-boot", type=_count(100), default=2000, help="bootstrap resamples (default 2000)"
    )


def run_report(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.report import build_report, write_report

    cohort = read_cohort(args.directory)
    try:
        report = build_report(cohort, n_boot=args.n_boot, seed=args.seed)
    except ValueError as error:
        print(f"error: {args.directory}: cannot compute the report: {error}", file=sys.stderr)
        return 1
    folder = write_report(report, args.out, source=str(Path(args.directory).resolve()))
    print(f"wrote {folder}: index.html, {len(report.tables()) + 1} tables (CSV), 2 figures")
    return 0


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")


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
    """Run the command line; return the exit code.

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
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            code = 1
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            print(f"error:{where}: {error.strerror or error}", file=sys.stderr)
            code = 1
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
