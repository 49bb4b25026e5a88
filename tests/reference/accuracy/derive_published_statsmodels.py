"""Recompute, with statsmodels, the published numbers in published.json that it implements.

statsmodels is not a dependency of ceuslib; run this once in a throw-away environment:

    python3 -m venv /tmp/sm
    /tmp/sm/bin/pip install statsmodels
    /tmp/sm/bin/python tests/reference/accuracy/derive_published_statsmodels.py

Writes published_statsmodels.csv next to this script: one row per value, columns
``source, case, quantity, value, call`` (values with %.17g, the call with the versions), the
same layout as published_r.csv. Covered: Newcombe (1998) Table I methods 1, 3 and 5
(``proportion_confint`` with ``normal``, ``wilson``, ``beta``) and the McNemar asymptotic and
exact conditional tests of Fagerland et al. (``mcnemar``). statsmodels has no mid-p McNemar
test, no Hanley-McNeil standard error and no paired Newcombe interval.
"""

import csv
from importlib.metadata import version
from pathlib import Path

import numpy as np
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

HERE = Path(__file__).resolve().parent
TAG = f"statsmodels {version('statsmodels')} (scipy {version('scipy')}, numpy {version('numpy')})"
rows = []


def add(case: str, quantity: str, value: float, call: str) -> None:
    rows.append(["statsmodels", case, quantity, f"{float(value):.17g}", f"{TAG}: {call}"])


for x, n in [(81, 263), (15, 148), (0, 20), (1, 29)]:
    case = f"{x}_of_{n}"
    for method, name in [("normal", "wald"), ("wilson", "wilson"), ("beta", "clopper_pearson")]:
        low, high = proportion_confint(x, n, alpha=0.05, method=method)
        call = f"proportion_confint({x}, {n}, alpha=0.05, method='{method}')"
        add(case, f"{name}_low", low, call)
        add(case, f"{name}_high", high, call)

for b, c in [(1, 7), (6, 16)]:
    case = f"b{b}_c{c}"
    table = np.array([[10, b], [c, 10]])
    shown = f"[[10, {b}], [{c}, 10]]"
    result = mcnemar(table, exact=False, correction=False)
    add(
        case, "asymptotic", result.pvalue, f"mcnemar({shown}, exact=False, correction=False).pvalue"
    )
    result = mcnemar(table, exact=True)
    add(case, "exact", result.pvalue, f"mcnemar({shown}, exact=True).pvalue")

with open(HERE / "published_statsmodels.csv", "w", newline="") as handle:
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
    writer.writerow(["source", "case", "quantity", "value", "call"])
    writer.writerows(rows)
print(f"wrote {len(rows)} values with {TAG}")
