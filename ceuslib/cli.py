"""The ``ceuslib`` command line: ``simulate``, ``scenario``, ``validate``, ``fit``, ``report``.

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
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="the assumptions as a TOML or YAML file (write the defaults with ceuslib scenario)",
    )
    parser.add_argument(
        "--prevalence",
        type=_share,
        help="share of patients with residual nodal disease (0-1)",
    )
    parser.add_argument(
        "--signal",
        type=_nonnegative,
        help="strength of the imaging contrasts: 1 as published, 0 none",
    )
    parser.add_argument(
        "--nodes-per-patient",
        type=int,
        choices=(1, 2, 3),
        help="every patient has exactly this many CEUS target nodes",
    )
    parser.add_argument(
        "--no-curves",
        action="store_true",
        help="simulate no time-intensity curves (no tics.csv is written)",
    )
    parser.add_argument("--out", required=True, help="a new or empty folder for the cohort files")
    _force(parser, "an earlier cohort written by ceuslib")


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _share(text: str) -> float:
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in 0 to 1, got {text!r}")
    return value


def _nonnegative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


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
    from ceuslib.cohort.scenario_file import read_scenario, with_overrides

    inputs = [args.scenario] if args.scenario else []
    target = folder_target(args.out, kind="cohort", inputs=inputs, force=args.force, hint="--force")
    scenario = read_scenario(args.scenario) if args.scenario else None
    options = f" --scenario {args.scenario}" if args.scenario else ""
    overrides = {
        "prevalence": args.prevalence,
        "signal": args.signal,
        "nodes_per_patient": args.nodes_per_patient,
    }
    given = {name: value for name, value in overrides.items() if value is not None}
    if given:
        from ceuslib.cohort import Scenario

        scenario = with_overrides(scenario or Scenario(), **given)
        options += "".join(
            f" --{name.replace('_', '-')} {value:g}" for name, value in given.items()
        )
    if args.no_curves:
        options += " --no-curves"
    try:
        cohort = simulate_cohort(
            args.patients, seed=args.seed, scenario=scenario, curves=not args.no_curves
        )
    except ValueError as error:
        where = f"{shown(args.scenario)}: " if args.scenario else ""
        print(f"error: {where}cannot simulate this scenario: {error}", file=sys.stderr)
        return 1
    readme = synthetic_readme(
        args.patients, args.seed, scenario=scenario, options=options, curves=not args.no_curves
    )
    write_tables(cohort.tables(), target, extra={"README.md": readme})
    summary = cohort.summary()
    print(
        f"wrote {target.shown}: {summary['patients']} patients, {summary['nodes']} nodes, "
        f"{summary['curves']} curves (seed {args.seed}; synthetic, not patient data)"
    )
    return 0


def configure_scenario(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", required=True, help="the TOML file to write (a new file, e.g. my.toml)"
    )
    _force(parser, "an earlier scenario file written by ceuslib")


def run_scenario(args: argparse.Namespace) -> int:
    from ceuslib.cohort.scenario_file import scenario_toml

    text = scenario_toml()
    target = file_target(
        args.out,
        kind="scenario",
        recognise=first_line_is({text.splitlines()[0]}),
        force=args.force,
        hint="--force",
    )
    write_file(target, text)
    print(f"wrote {target.shown}: every assumption of the default scenario, with its basis")
    return 0


def configure_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        help="folder with patients.csv and nodes.csv and the optional files of the dictionary",
    )


def run_validate(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.dictionary import FILE_SPECS

    cohort = read_cohort(args.directory)
    print(f"{shown(args.directory)}: valid ({cohort!r})")
    absent = [name for name in FILE_SPECS if not (Path(args.directory) / name).exists()]
    if absent:
        print(f"not in the study (optional): {', '.join(absent)}")
    return 0


def configure_fit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="folder of cohort files (its tics.csv is fitted)")
    parser.add_argument("--out", required=True, help="CSV file for the fitted descriptors")
    parser.add_argument(
        "--model", default="lognormal", help="bolus model: lognormal (default), gamma, ldrw or fpt"
    )
    _force(parser, "an earlier fit (its first line is the header fit writes)")


def _fit_headers() -> set[str]:
    """The header lines ``ceuslib fit`` writes, one per model: how its earlier output is known
    (with the reference ratios, and without them as ceuslib wrote them before)."""
    import numpy as np

    from ceuslib.cohort.fitting import RATIO_COLUMNS
    from ceuslib.perfusion import MODELS, fit_tics

    empty = np.zeros((0, 10))
    headers = set()
    for name in MODELS:
        columns = ["node_id", *fit_tics(empty, empty, model=name, progress=False).columns]
        headers |= {",".join(columns), ",".join([*columns, *RATIO_COLUMNS])}
    return headers


def run_fit(args: argparse.Namespace) -> int:
    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.fitting import acquisition, fit_cohort_curves
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
    if len(cohort.tics) == 0:
        print(
            f"error: {shown(args.directory)}: the study has no curves (no tics.csv): "
            "nothing to fit",
            file=sys.stderr,
        )
        return 1
    try:
        fits = fit_cohort_curves(
            cohort.tics,
            model=args.model,
            saturation=_declared_saturation(cohort.tics),
            reference=cohort.reference_tics,
            settings=acquisition(cohort.nodes, cohort.examinations),
        )
    except ValueError as error:
        print(f"error: {shown(Path(args.directory) / 'tics.csv')}: {error}", file=sys.stderr)
        return 1
    write_file(target, fits.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    left_out = int((~fits["analysable"].astype(bool)).sum())
    notes = int(((fits["flag"] != "") & fits["analysable"].astype(bool)).sum())
    print(
        f"wrote {target.shown}: {len(fits)} curves fitted ({args.model}): {left_out} not "
        f"analysable, {notes} analysable with a note (e.g. no wash-out)"
    )
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
        "scenario",
        "write the default scenario (every assumption, with its basis) as a TOML file",
        configure_scenario,
        run_scenario,
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
