"""The ``ceuslib`` command line: ``simulate``, ``scenario``, ``validate``, ``fit``,
``import-parameters``, ``report``.

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
    parser.add_argument(
        "directory",
        metavar="SOURCE",
        help="folder of cohort files (its tics.csv is fitted), or a CSV file of curves: a time "
        "column and one column per curve, or the columns curve, time, intensity",
    )
    parser.add_argument("--out", required=True, help="CSV file for the fitted descriptors")
    parser.add_argument(
        "--model", default="lognormal", help="bolus model: lognormal (default), gamma, ldrw or fpt"
    )
    curves = parser.add_argument_group("a curve file (not a study folder)")
    curves.add_argument(
        "--time-column", metavar="NAME", help="the time column (default time_s, time or t)"
    )
    curves.add_argument(
        "--time-unit", choices=("s", "ms"), help="unit of the time column (default s)"
    )
    curves.add_argument(
        "--intensity-unit",
        choices=("linear", "db", "gray"),
        help="linear echo-power (default), decibels, or gray levels 0-255 (with "
        "--dynamic-range-db)",
    )
    curves.add_argument(
        "--dynamic-range-db",
        type=_positive,
        metavar="DB",
        help="the display's dynamic range, for gray levels",
    )
    curves.add_argument(
        "--reference",
        metavar="COLUMN",
        help="the curve of the reference region: every other curve gets ratios to it",
    )
    _force(parser, "an earlier fit (its first line is the header fit writes)")


_CURVE_OPTIONS = ("time_column", "time_unit", "intensity_unit", "dynamic_range_db", "reference")


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _fit_headers() -> set[str]:
    """The header lines ``ceuslib fit`` writes, one per model: how its earlier output is known
    (with the reference ratios, and without them as ceuslib wrote them before)."""
    import numpy as np

    from ceuslib.cohort.fitting import RATIO_COLUMNS
    from ceuslib.perfusion import MODELS, fit_tics

    empty = np.zeros((0, 10))
    headers = set()
    for name in MODELS:
        columns = [*fit_tics(empty, empty, model=name, progress=False).columns]
        for key in ("node_id", "curve"):
            headers |= {",".join([key, *columns]), ",".join([key, *columns, *RATIO_COLUMNS])}
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
    if Path(args.directory).is_file():
        return _fit_curve_file(args, target)
    given = [f"--{n.replace('_', '-')}" for n in _CURVE_OPTIONS if getattr(args, n) is not None]
    if given:
        print(
            f"error: {', '.join(given)}: only for a curve file; {shown(args.directory)} is a "
            "study folder (its units are in tics.csv)",
            file=sys.stderr,
        )
        return 2
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


def _fit_curve_file(args: argparse.Namespace, target) -> int:
    from ceuslib.cohort.fitting import RATIO_COLUMNS, fit_cohort_curves
    from ceuslib.importers import read_curve_file

    unit = args.intensity_unit or "linear"
    if unit == "gray" and args.dynamic_range_db is None:
        print(
            "error: --intensity-unit gray needs --dynamic-range-db (the display's dynamic "
            "range, as the scanner's preset states it)",
            file=sys.stderr,
        )
        return 2
    curves = read_curve_file(
        args.directory,
        time_column=args.time_column,
        time_unit=args.time_unit or "s",
        unit=unit,
        dynamic_range_db=args.dynamic_range_db,
        reference=args.reference,
    )
    fits = fit_cohort_curves(curves.tics, model=args.model, settings=curves.settings)
    if curves.reference is None:
        fits = fits.drop(columns=list(RATIO_COLUMNS))
    fits = fits.rename(columns={"node_id": "curve"})
    write_file(target, fits.to_csv(index=False, lineterminator="\n", float_format="%.6g"))
    left_out = int((~fits["analysable"].astype(bool)).sum())
    ratios = f", ratios to {curves.reference!r}" if curves.reference else ""
    print(
        f"wrote {target.shown}: {len(fits)} curves fitted ({args.model}{ratios}): "
        f"{left_out} not analysable"
    )
    return 0


def configure_import_parameters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", help="the per-ROI parameter export (CSV, e.g. from VueBox)")
    parser.add_argument(
        "--study", required=True, metavar="DIR", help="the study folder; DIR/parameters.csv"
    )
    labels = parser.add_mutually_exclusive_group()
    labels.add_argument(
        "--roi-map",
        metavar="FILE",
        help="CSV of label,node_id,roi for the export's ROI labels",
    )
    labels.add_argument(
        "--label-pattern",
        metavar="REGEX",
        help="regular expression with the groups node_id and roi (default: the node's id, "
        "then 'ref' or 'reference' for the reference region)",
    )
    _force(parser, "an earlier parameters.csv written by ceuslib")


def _parameter_headers() -> set[str]:
    """The header lines of the ``parameters.csv`` that ``import-parameters`` writes."""
    from ceuslib.cohort.parameters import PARAMETER_COLUMNS

    base = ["node_id", "roi", *PARAMETER_COLUMNS]
    return {",".join(base + extra) for extra in ([], ["mtt"], ["flag"], ["mtt", "flag"])}


def run_import_parameters(args: argparse.Namespace) -> int:
    import re

    from ceuslib.cohort import read_cohort
    from ceuslib.cohort.io import format_table
    from ceuslib.errors import Problem
    from ceuslib.importers import LABEL_PATTERN, read_vuebox_export

    study = Path(args.study)
    if not study.is_dir():
        raise DataError([Problem(shown(args.study), "is not a folder")])
    inputs = [args.export] + ([args.roi_map] if args.roi_map else [])
    target = file_target(
        study / "parameters.csv",
        kind="parameters",
        recognise=first_line_is(_parameter_headers()),
        inputs=inputs,
        force=args.force,
        hint="--force",
    )
    pattern = args.label_pattern or LABEL_PATTERN
    try:
        re.compile(pattern)
    except re.error as error:
        print(
            f"error: --label-pattern {pattern!r}: not a regular expression ({error})",
            file=sys.stderr,
        )
        return 2
    if "(?P<node_id>" not in pattern:
        print("error: --label-pattern needs a group (?P<node_id>...)", file=sys.stderr)
        return 2
    cohort = read_cohort(study)
    table = read_vuebox_export(args.export, roi_map=args.roi_map, label_pattern=pattern)
    _check_export_nodes(table, cohort.nodes, Path(args.export).name)
    write_file(target, format_table(table, "parameters.csv"))
    imaged = set(cohort.nodes.loc[cohort.nodes["ceus_imaged"] == "yes", "node_id"])
    without = len(imaged - set(table["node_id"]))
    references = int((table["roi"] == "reference").sum())
    print(
        f"wrote {target.shown}: {len(table)} regions of {table['node_id'].nunique()} nodes "
        f"({references} reference regions); {without} CEUS-examined nodes have no parameters"
    )
    if len(cohort.tics):
        print(
            f"note: {shown(args.study)} has curves (tics.csv): analyses fit them and do not use "
            "parameters.csv"
        )
    return 0


def _check_export_nodes(table, nodes, name: str) -> None:
    """Every region's node is in ``nodes.csv`` and was examined with CEUS."""
    from ceuslib.errors import Problem

    imaged = nodes.set_index("node_id")["ceus_imaged"]
    problems = []
    for row, node in table["node_id"].items():
        if node not in imaged.index:
            problems.append(
                Problem(name, "no such node_id in nodes.csv", int(row), "node_id", node)
            )
        elif imaged[node] != "yes":
            problems.append(
                Problem(
                    name,
                    "the node was not examined with CEUS (nodes.csv)",
                    int(row),
                    "node_id",
                    node,
                )
            )
    if problems:
        raise DataError(problems)


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
        "fit every time-intensity curve of a cohort (one row per node) or of a curve file",
        configure_fit,
        run_fit,
    ),
    Command(
        "import-parameters",
        "write a study's parameters.csv from a per-ROI parameter export (e.g. VueBox)",
        configure_import_parameters,
        run_import_parameters,
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
