"""The Scenario's cited defaults equal the published figures they cite.

The figures, with paper and place, are in ``tests/reference/cohort/published.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import multivariate_normal, norm

from ceuslib.cohort import Scenario

PUBLISHED = pd.read_csv(
    Path(__file__).resolve().parent / "reference" / "cohort" / "published.csv",
    dtype={"index": str},
    keep_default_na=False,
)


def published_value(row) -> float:
    if row["value"] != "":
        return float(row["value"])
    return float(row["numerator"]) / float(row["denominator"])


def scenario_value(field: str, index: str) -> float:
    value = getattr(Scenario(), field)
    for part in filter(None, index.split(":")):
        value = value[int(part)]
    return float(value)


@pytest.mark.parametrize("row", PUBLISHED.to_dict("records"), ids=lambda r: r["field"])
def test_cited_default_equals_the_published_figure(row) -> None:
    # The scenario keeps 3-4 significant digits of each figure.
    published = published_value(row)
    tolerance = 0.0006 * max(1.0, abs(published))
    assert abs(scenario_value(row["field"], row["index"]) - published) < tolerance


def test_primary_nodal_correlation_reproduces_ning_2025() -> None:
    # Ning et al. 2025 (World J Oncol): primary CR 41.5%, nodal CR 53.7%, both 31.7% of 41 patients.
    # The tetrachoric correlation of a Gaussian copula with these margins:
    primary, nodal, both = 0.415, 0.537, 0.317
    point = [norm.ppf(primary), norm.ppf(nodal)]

    def gap(rho: float) -> float:
        return multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf(point) - both

    rho = brentq(gap, 0.0, 0.99)
    assert abs(Scenario().primary_nodal_correlation - rho) < 0.005
    assert np.isclose(rho, 0.577, atol=0.002)
