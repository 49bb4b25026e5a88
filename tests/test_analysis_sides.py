"""The side of the neck as the unit of the decision, and the primary score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ceuslib.analysis import PRIMARY_SCORES, analysis_set, primary_score, side_level
from ceuslib.cohort import read_cohort, simulate_cohort
from ceuslib.datasets import SYNTHETIC_DIR


@pytest.fixture(scope="module")
def shipped_set():
    return analysis_set(read_cohort(SYNTHETIC_DIR))


def test_side_call_and_truth_agree_with_the_node_table_by_hand(shipped_set) -> None:
    sides = side_level(shipped_set)
    nodes = shipped_set.nodes
    for row in sides.sample(20, random_state=1).itertuples():
        mine = nodes[(nodes.patient_id == row.patient_id) & (nodes.side == row.side)]
        read = mine[mine["readable"]]
        assert row.n_read == len(read)
        assert row.positive == bool((read["ceus_direction"] == "centripetal").any())
        assert row.residual == bool(mine["side_residual"].iloc[0])
    assert set(sides["call"]) <= {"positive", "negative"}
    assert not sides.duplicated(["patient_id", "side"]).any()


def test_sides_come_from_neck_sides_csv(shipped_set) -> None:
    sides = side_level(shipped_set)
    table = read_cohort(SYNTHETIC_DIR).neck_sides.set_index(["patient_id", "side"])
    truth = table.loc[list(zip(sides.patient_id, sides.side, strict=True)), "residual_disease"]
    assert (truth.eq("yes").to_numpy() == sides["residual"].to_numpy()).all()
    # Every side in the table was dissected: an observed side has no pathology.
    assert (
        table.loc[list(zip(sides.patient_id, sides.side, strict=True)), "dissected"].eq("yes").all()
    )


def test_side_score_is_the_most_suspicious_node(shipped_set) -> None:
    ttp = PRIMARY_SCORES[1]
    sides = side_level(shipped_set, score=ttp)
    curves = shipped_set.curve_level()
    row = sides.dropna(subset=["score"]).iloc[0]
    mine = curves[(curves.patient_id == row.patient_id) & (curves.side == row.side)]
    assert row.score == mine["ttp"].min()  # time to peak: lower means tumour


def test_a_study_without_side_pathology_gives_an_empty_table() -> None:
    cohort = simulate_cohort(20, seed=3)
    aset = analysis_set(cohort)
    nodes = aset.nodes.assign(side_residual=pd.array([pd.NA] * len(aset.nodes), "boolean"))
    empty = side_level(type(aset)(nodes=nodes, patients=aset.patients, model=aset.model))
    assert empty.empty and "residual" in empty.columns


def test_primary_score_is_the_reference_ratio_when_measured(shipped_set) -> None:
    assert primary_score(shipped_set).column == "pe_ratio"
    curves = shipped_set.curve_level().assign(pe_ratio=np.nan)
    nodes = shipped_set.nodes.copy()
    nodes.loc[nodes["in_curve"], "pe_ratio"] = curves["pe_ratio"].to_numpy()
    without = type(shipped_set)(nodes=nodes, patients=shipped_set.patients)
    assert primary_score(without).column == "ttp"
