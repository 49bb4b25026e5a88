"""The ``README.md`` that ``ceuslib simulate`` writes beside a synthetic cohort's files."""

from __future__ import annotations

from ceuslib.cohort.simulate import DEFAULT_PATIENTS, DEFAULT_SEED

_TEMPLATE = """\
# Synthetic data: not patient data

Every file in this folder is **synthetic**: simulated by `ceuslib` from a stated seed and the
assumptions of its scenario. No file here comes from a patient.

Real study data never enter the repository: keep them in `data/real/` (ignored by git) or outside
the repository, and point the library and the book at them with `CEUSLIB_DATA=/path/to/study`.

## How these files were made

```
ceuslib simulate --patients {patients} --seed {seed} --out FOLDER
```

(equivalently `python -m ceuslib simulate ...`; `ceuslib.cohort.simulate_cohort({patients},
seed={seed}).write(FOLDER)` writes the same tables without this README).{origin}
Running the command again gives the same bytes; `.ceuslib-output` lists the files it wrote, so
that `--force` replaces them and nothing else. The assumptions behind each simulated quantity,
with their sources, are the fields of `ceuslib.cohort.Scenario` (printed in the book's data
chapter).

{table}

To keep the files small, the curves are exported at 2 frames per second for 120 s
(a real acquisition runs at 8-25 frames per second), with the time to one decimal and the
linear intensity to five decimals. Every number is written with a fixed number of decimals so
the files are identical on every machine.
"""

_FILES = (
    (
        "screening.csv",
        "referred patient",
        "eligibility criteria as yes/no columns; `patient_id` only for enrolled patients",
    ),
    ("patients.csv", "enrolled patient", "baseline, regimen, primary-site and neck pathology"),
    (
        "nodes.csv",
        "CEUS target node",
        "B-mode, Doppler, CT/MRI call, CEUS reading, matched pathology",
    ),
    (
        "tics.csv",
        "frame of a time-intensity curve",
        "long format: `node_id, time_s, intensity, unit`",
    ),
    (
        "data_dictionary.csv",
        "column",
        "type, unit, allowed values or range, required, meaning",
    ),
)

_SHIPPED = (
    "\nThe seed is the registered start date of NCT06727162; 100 patients is its target "
    "sample size."
)


def synthetic_readme(n_patients: int, seed: int) -> str:
    """The README of a cohort simulated with ``n_patients`` and ``seed``.

    Examples
    --------
    >>> text = synthetic_readme(12, 3)
    >>> "ceuslib simulate --patients 12 --seed 3" in text, "not patient data" in text
    (True, True)
    """
    shipped = (n_patients, seed) == (DEFAULT_PATIENTS, DEFAULT_SEED)
    table = "\n".join(
        ["| File | One row per | Notes |", "| --- | --- | --- |"]
        + [f"| `{name}` | {row} | {notes} |" for name, row, notes in _FILES]
    )
    return _TEMPLATE.format(
        patients=n_patients, seed=seed, origin=_SHIPPED if shipped else "", table=table
    )
