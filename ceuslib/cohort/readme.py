"""The ``README.md`` that ``ceuslib simulate`` writes beside a synthetic cohort's files."""

from __future__ import annotations

from dataclasses import fields

from ceuslib.cohort.dictionary import FILE_SPECS
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.scenario_file import toml_value
from ceuslib.cohort.simulate import DEFAULT_PATIENTS, DEFAULT_SEED

_TEMPLATE = """\
# Synthetic data: not patient data

Every file in this folder is **synthetic**: simulated by `ceuslib` from a stated seed and the
assumptions of its scenario. No file here comes from a patient.

Real study data never enter the repository: keep them in `data/real/` (ignored by git) or outside
the repository, and point the library and the book at them with `CEUSLIB_DATA=/path/to/study`.

## How these files were made

```
ceuslib simulate --patients {patients} --seed {seed}{options} --out FOLDER
```

(equivalently `python -m ceuslib simulate ...`; `ceuslib.cohort.simulate_cohort({patients},
seed={seed}{call}).write(FOLDER)` writes the same tables without this README).{origin}
{changes}
Running the command again gives the same bytes; `.ceuslib-output` lists the files it wrote, so
that `--force` replaces them and nothing else. The assumptions behind each simulated quantity,
with their sources, are the fields of `ceuslib.cohort.Scenario` (printed in the book's data
chapter).

{table}

`datapackage.json` describes the same files as a Frictionless Data Package, generated from the
data dictionary, so that any Frictionless tool (R or Python `frictionless`) can check them.

To keep the files small, the curves are exported at 2 frames per second for 120 s
(a real acquisition runs at 8-25 frames per second; the acquisition record in
`examinations.csv` gives the scanner's frame rate) and the reference-region curves at 1 frame
per second, with the time to one decimal and the linear intensity to five decimals. Every
number is written with a fixed number of decimals so the files are identical on every machine.
"""

_SHIPPED = (
    "\nThe seed is the registered start date of NCT06727162; 100 patients is its target "
    "sample size."
)


def synthetic_readme(
    n_patients: int,
    seed: int,
    *,
    scenario: Scenario | None = None,
    options: str = "",
    curves: bool = True,
) -> str:
    """The README of a cohort simulated with ``n_patients``, ``seed`` and ``scenario``.

    ``options`` are the further command-line options as given (``--scenario FILE``,
    ``--prevalence``...); every field of ``scenario`` that differs from the defaults is
    listed, so that the README alone rebuilds the cohort.

    Examples
    --------
    >>> text = synthetic_readme(12, 3)
    >>> "ceuslib simulate --patients 12 --seed 3" in text, "not patient data" in text
    (True, True)
    >>> "residual_nodal_prevalence = 0.3" in synthetic_readme(
    ...     12, 3, scenario=Scenario(residual_nodal_prevalence=0.3), options=" --prevalence 0.3")
    True
    """
    scenario = Scenario() if scenario is None else scenario
    default = Scenario()
    changed = [
        f"{item.name} = {toml_value(getattr(scenario, item.name))}"
        for item in fields(Scenario)
        if getattr(scenario, item.name) != getattr(default, item.name)
    ]
    changes = ""
    if changed:
        changes = (
            "\nThe scenario differs from `ceuslib.cohort.Scenario()` in these fields (TOML, as "
            "`ceuslib simulate --scenario FILE` reads them):\n\n```toml\n"
            + "\n".join(changed)
            + "\n```\n"
        )
    shipped = (n_patients, seed, options, curves) == (DEFAULT_PATIENTS, DEFAULT_SEED, "", True)
    # a simulated study has no other program's parameters (parameters.csv)
    left_out = {"parameters.csv"} | (set() if curves else {"tics.csv"})
    shown = [spec for spec in FILE_SPECS.values() if spec.name not in left_out]
    table = "\n".join(
        ["| File | One row per | Notes |", "| --- | --- | --- |"]
        + [f"| `{spec.name}` | {spec.row} | {spec.description} |" for spec in shown]
        + [
            "| `data_dictionary.csv` | column | type, unit, allowed values, presence, required, "
            "meaning |"
        ]
    )
    call = "" if not changed else ", scenario=..."
    call += "" if curves else ", curves=False"
    return _TEMPLATE.format(
        patients=n_patients,
        seed=seed,
        options=options + ("" if curves or "--no-curves" in options else " --no-curves"),
        call=call,
        origin=_SHIPPED if shipped else "",
        changes=changes,
        table=table,
    )
