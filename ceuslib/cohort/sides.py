"""Simulated neck-dissection pathology per side of the neck (``neck_sides.csv``).

Each side of a neck dissection is sent and reported separately.  The simulator splits a
patient's positive nodes between the sides so that every side keeps what the target nodes
show: the viable target nodes on it, and at least as many positive nodes as the pathology
reported for its matched target nodes (a node matched by level is reported positive when a node
of its level holds tumour, so that node lies on the same side).  The remaining, non-target
positive nodes go to the side that holds the viable target nodes (the index side when none
does); when both sides do, to the index node's side with :data:`SAME_SIDE_OCCULT`.  So a neck
is bilateral on the sides exactly when it is in the patient's ypN, except where a level-matched
report on the other side forces a positive there.  The patient's totals are the sums over the
sides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.patients import pathological_n

SAME_SIDE_OCCULT = 0.75
"""In a neck with viable target nodes on both sides, chance that a non-target positive node
lies on the index node's side (ASSUMPTION, as ``ceuslib.cohort.nodes.SAME_SIDE_PROBABILITY``
for further target nodes)."""

CONTRALATERAL_DISSECTION = 0.6
"""Chance that the side without target nodes or positive nodes is dissected too (ASSUMPTION:
bilateral neck dissection for midline and oropharyngeal primaries, unilateral for lateralised
ones)."""


def positives_by_side(
    *, patient, right, viable, reported, extra, index_right, rng: np.random.Generator
) -> np.ndarray:
    """Positive nodes per patient and side, shape ``(n_patients, 2)`` (columns left, right).

    ``patient`` (index per node), ``right`` (node on the right), ``viable`` (viable tumour),
    ``reported`` (reported positive and matched) are per node; ``extra`` (positive nodes that
    are not targets) and ``index_right`` (index node on the right) per patient.  Non-target
    positives first make up a side whose reported positives outnumber its viable target
    nodes; the rest go to the side with viable target nodes (or the index side), and split
    with :data:`SAME_SIDE_OCCULT` when both sides have them.
    """
    n = len(extra)

    def count(mask):
        return np.stack(
            [np.bincount(patient, weights=mask & side, minlength=n) for side in (~right, right)],
            axis=1,
        ).astype(int)

    have, shown = count(viable), count(reported)
    deficit = np.maximum(shown - have, 0)
    extra = np.asarray(extra, dtype=int)
    cover = np.minimum(deficit, extra[:, None])
    cover[:, 1] = np.minimum(cover[:, 1], extra - cover[:, 0])
    left_over = extra - cover.sum(axis=1)
    bilateral = (have > 0).all(axis=1)
    to_index = rng.binomial(left_over, np.where(bilateral, SAME_SIDE_OCCULT, 1.0))
    one_side = (have > 0).sum(axis=1) == 1
    index_column = np.where(one_side, np.argmax(have > 0, axis=1), np.asarray(index_right, int))
    placed = cover.copy()
    rows = np.arange(n)
    placed[rows, index_column] += to_index
    placed[rows, 1 - index_column] += left_over - to_index
    return np.maximum(have + placed, shown)


def neck_sides(
    patients: pd.DataFrame,
    by_side: np.ndarray,
    *,
    patient,
    right,
    node_ene,
    occult_ene,
    index_right,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ``neck_sides.csv`` table: two rows per patient (left, right).

    The side of the index node is always dissected, the other side when it holds a target
    node or a positive node, or with :data:`CONTRALATERAL_DISSECTION`.  The patient's
    ``nodes_dissected`` is split between dissected sides so that each side holds at least its
    positive and target nodes; a side's ypN is staged from its own counts (AJCC 8th edition,
    as :func:`ceuslib.cohort.patients.pathological_n` on that side alone), with extranodal
    extension where a node of that side has it.
    """
    n = len(patients)
    index_column = np.asarray(index_right, dtype=int)
    rows = np.arange(n)
    targets = np.stack(
        [np.bincount(patient, weights=side, minlength=n) for side in (~right, right)], axis=1
    ).astype(int)
    dissect = np.zeros((n, 2), dtype=bool)
    dissect[rows, index_column] = True
    other = 1 - index_column
    dissect[rows, other] = (
        (targets[rows, other] > 0)
        | (by_side[rows, other] > 0)
        | (rng.random(n) < CONTRALATERAL_DISSECTION)
    )
    total = patients["nodes_dissected"].to_numpy(dtype=int)
    need = by_side + targets
    spare = total - need.sum(axis=1)
    share = rng.binomial(np.maximum(spare, 0), 0.5)
    examined = need.copy()
    both = dissect.all(axis=1)
    examined[rows, index_column] += np.where(both, share, spare)
    examined[rows, other] += np.where(both, spare - share, 0)
    ene = np.stack(
        [
            np.bincount(patient, weights=node_ene & side, minlength=n) > 0
            for side in (~right, right)
        ],
        axis=1,
    )
    occult_side = np.where(by_side[rows, index_column] >= by_side[rows, other], index_column, other)
    ene[rows, occult_side] |= np.asarray(occult_ene, dtype=bool)
    ene &= by_side > 0
    p16 = (patients["p16"] == "positive").to_numpy()
    frames = []
    for column, side in enumerate(("left", "right")):
        yes = dissect[:, column]
        ypn = pathological_n(by_side[:, column], np.zeros(n, bool), ene[:, column], p16)
        frames.append(
            pd.DataFrame(
                {
                    "patient_id": patients["patient_id"].to_numpy(),
                    "side": side,
                    "dissected": np.where(yes, "yes", "no"),
                    "nodes_examined": np.where(yes, examined[:, column], np.nan),
                    "nodes_positive": np.where(yes, by_side[:, column], np.nan),
                    "ypn": np.where(yes, ypn, None),
                    "residual_disease": np.where(
                        yes, np.where(by_side[:, column] > 0, "yes", "no"), None
                    ),
                    "_order": rows * 2 + column,
                }
            )
        )
    out = pd.concat(frames).sort_values("_order", kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)
