"""Eligibility criteria, screening and the STARD 2015 flow counts."""

from __future__ import annotations

import pandas as pd
import pytest

from ceuslib.cohort import simulate_cohort
from ceuslib.cohort.eligibility import CRITERIA, screen, stard_flow


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(300, seed=4, curves=False)


def brute_force(screening: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    """Eligibility by a plain loop over rows and criteria (the oracle)."""
    included, failed = [], {}
    for _, row in screening.iterrows():
        bad = [c.name for c in CRITERIA if row[c.column] != c.passing_value]
        if bad:
            failed[row["screening_id"]] = bad
        else:
            included.append(row["screening_id"])
    return included, failed


def test_screen_matches_a_row_by_row_oracle(cohort) -> None:
    result = screen(cohort.screening)
    included, failed = brute_force(cohort.screening)
    assert list(result.included["screening_id"]) == included
    got = result.exclusions.groupby("screening_id", sort=False)["criterion"].apply(list)
    assert got.to_dict() == failed
    firsts = result.exclusions[result.exclusions["first"]]
    assert list(firsts["screening_id"]) == list(failed)
    assert list(firsts["criterion"]) == [names[0] for names in failed.values()]


def test_the_included_are_the_enrolled(cohort) -> None:
    result = screen(cohort.screening)
    assert result.n_included == len(cohort.patients)
    assert list(result.included["patient_id"]) == list(cohort.patients["patient_id"])
    assert result.n_screened == result.n_included + result.n_excluded
    assert result.reasons().sum() == result.n_excluded


def test_every_criterion_excludes_someone_in_a_large_log(cohort) -> None:
    reasons = screen(cohort.screening).exclusions["criterion"]
    assert set(reasons) == {c.name for c in CRITERIA}


def test_all_pass_and_all_fail_edges() -> None:
    row = {c.column: c.passing_value for c in CRITERIA}
    log = pd.DataFrame([{"screening_id": "S1", **row}, {"screening_id": "S2", **row}])
    assert screen(log).n_excluded == 0 and len(screen(log).exclusions) == 0
    failing = {c.column: "no" if c.passing_value == "yes" else "yes" for c in CRITERIA}
    log = pd.DataFrame([{"screening_id": "S1", **failing}])
    result = screen(log)
    assert result.n_included == 0
    assert list(result.exclusions["criterion"]) == [c.name for c in CRITERIA]
    assert list(result.exclusions["first"]) == [True] + [False] * (len(CRITERIA) - 1)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="naci_received"):
        screen(pd.DataFrame({"screening_id": ["S1"], "hnscc_confirmed": ["yes"]}))


def test_stard_counts_add_up(cohort) -> None:
    flow = stard_flow(cohort.screening, cohort.patients, cohort.nodes)
    assert flow.referred == flow.excluded + flow.enrolled
    assert flow.enrolled == len(cohort.patients)
    assert flow.index_test + flow.no_index_test == flow.enrolled
    assert sum(n for _, n in flow.no_index_test_reasons) == flow.no_index_test
    assert sum(n for _, n in flow.exclusion_reasons) == flow.excluded
    assert flow.target_positive + flow.target_negative == flow.reference_standard
    assert flow.nodes_matched + flow.nodes_unmatched == flow.nodes_imaged
    imaged = cohort.nodes[cohort.nodes["ceus_imaged"] == "yes"]
    assert flow.nodes_imaged == len(imaged)
    table = flow.to_frame()
    assert table.loc[table["box"] == "Enrolled", "count"].item() == flow.enrolled
