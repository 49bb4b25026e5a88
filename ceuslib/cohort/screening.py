"""Simulated screening log: every referral, enrolled or excluded with realistic reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort._draw import choice
from ceuslib.cohort.eligibility import CRITERIA
from ceuslib.cohort.scenario import Scenario


def simulate_screening(
    n_patients: int, *, rng: np.random.Generator, scenario: Scenario
) -> pd.DataFrame:
    """A screening log in which exactly ``n_patients`` referrals meet every criterion.

    The number of excluded referrals is negative-binomial (referrals are screened until
    ``n_patients`` are eligible, each eligible with ``scenario.eligible_fraction``).  An
    excluded referral fails its first criterion drawn from ``scenario.exclusion_weights``
    and, with ``scenario.second_reason_probability``, one later criterion as well.  Enrolled
    referrals get ``patient_id`` values ``P001``, ``P002``, ... in screening order.
    """
    n_excluded = int(rng.negative_binomial(n_patients, scenario.eligible_fraction))
    n_total = n_patients + n_excluded
    enrolled = np.zeros(n_total, dtype=bool)
    enrolled[rng.permutation(n_total)[:n_patients]] = True

    k = len(CRITERIA)
    if len(scenario.exclusion_weights) != k:
        raise ValueError(f"scenario.exclusion_weights needs {k} weights, one per criterion")
    first = choice(rng, scenario.exclusion_weights, n_excluded)
    fails = np.zeros((n_excluded, k), dtype=bool)
    fails[np.arange(n_excluded), first] = True
    second = (rng.random(n_excluded) < scenario.second_reason_probability) & (first < k - 1)
    later = first + 1 + np.floor(rng.random(n_excluded) * (k - 1 - first)).astype(int)
    fails[np.flatnonzero(second), later[second]] = True

    all_fails = np.zeros((n_total, k), dtype=bool)
    all_fails[~enrolled] = fails
    width = max(4, len(str(n_total)))
    pwidth = max(3, len(str(n_patients)))
    patient_id = np.full(n_total, "", dtype=object)
    patient_id[enrolled] = [f"P{i:0{pwidth}d}" for i in range(1, n_patients + 1)]
    data = {
        "screening_id": [f"S{i:0{width}d}" for i in range(1, n_total + 1)],
        "patient_id": patient_id,
    }
    for j, criterion in enumerate(CRITERIA):
        failing = "no" if criterion.passing_value == "yes" else "yes"
        data[criterion.column] = np.where(all_fails[:, j], failing, criterion.passing_value)
    frame = pd.DataFrame(data)
    frame["patient_id"] = frame["patient_id"].replace("", np.nan)
    return frame
