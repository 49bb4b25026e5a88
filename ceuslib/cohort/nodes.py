"""Simulated CEUS target nodes: truth, B-mode, Doppler, CEUS readings, CT/MRI and pathology."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort import _draw
from ceuslib.cohort.dictionary import categories
from ceuslib.cohort.patients import pathological_n
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.sides import neck_sides, positives_by_side

RESIDUAL, REGRESSION, UNINVOLVED = 0, 1, 2
LEVELS = ("IA", "IB", "IIA", "IIB", "III", "IV", "VA", "VB", "VI")
LEVEL_PROBABILITIES = (0.03, 0.15, 0.35, 0.07, 0.22, 0.10, 0.03, 0.02, 0.03)  # ASSUMPTION
MISSING_REASON_PROBABILITIES = (0.4, 0.3, 0.3)  # ASSUMPTION
SAME_SIDE_PROBABILITY = 0.75  # ASSUMPTION: further target nodes mostly on the index side
REGRESSION_BED_PROBABILITY = 0.9  # ASSUMPTION


def simulate_nodes(
    patients: pd.DataFrame,
    *,
    rng: np.random.Generator,
    scenario: Scenario,
    side_rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Target nodes of every patient, and the patients' neck-dissection results.

    Returns ``(nodes, patients, truth)``: the node table; the patient table completed with
    ``ypn``, ``residual_nodal_disease``, ``ene``, ``nodes_dissected``, ``nodes_positive``;
    and ``truth``: arrays the curve simulator needs (``state`` per node and
    ``patient_effect``) and ``neck_sides``, the pathology per side of the neck
    (:func:`ceuslib.cohort.sides.neck_sides`, drawn from ``side_rng`` so that every other
    value is as without it).

    Notes
    -----
    Generative order: the patient's latent response (from
    :func:`ceuslib.cohort.patients.simulate_patients`) decides residual nodal disease; a
    residual patient has one involved target node with viable tumour (unless the residual
    tumour is only in non-target nodes) and each further involved node holds tumour with
    ``additional_residual_probability``.  Each node's state (residual, regression,
    uninvolved) then sets the probabilities of every imaging feature; a per-patient normal
    term in each feature's latent (share ``patient_icc`` of its variance) makes nodes of a
    patient look alike.  Qualitative readings are finally blurred by ``reader_noise``.
    """
    s = scenario
    n_patients = len(patients)
    n_targets = np.array([1, 2, 3])[_draw.choice(rng, s.target_node_probabilities, n_patients)]
    patient = np.repeat(np.arange(n_patients), n_targets)
    n = patient.size
    starts = np.concatenate([[0], np.cumsum(n_targets)[:-1]])
    position = np.arange(n) - starts[patient]
    index_node = position == 0

    residual_patient = patients["_residual"].to_numpy()[patient]
    occult_only = patients["_occult_only"].to_numpy()[patient]
    involved = index_node | (rng.random(n) < s.involved_probability)
    extra = rng.random(n) < s.additional_residual_probability
    viable = residual_patient & ~occult_only & involved & (index_node | extra)
    state = np.where(viable, RESIDUAL, np.where(involved, REGRESSION, UNINVOLVED))

    # Node numbering is random within a patient, so the index node is not always N1.
    order = np.lexsort((rng.random(n), patient))
    number = np.empty(n, dtype=int)
    number[order] = position + 1
    pids = patients["patient_id"].to_numpy()
    node_id = np.array([f"{pids[p]}-N{k}" for p, k in zip(patient, number, strict=True)])

    index_side = rng.random(n_patients) < 0.5
    same = index_node | (rng.random(n) < SAME_SIDE_PROBABILITY)
    side_right = np.where(same, index_side[patient], ~index_side[patient])
    levels = np.array(LEVELS)
    level = levels[_draw.choice(rng, LEVEL_PROBABILITIES, n)]
    depth = np.clip(np.round(12.0 * np.exp(0.35 * rng.standard_normal(n)), 1), 3.0, 50.0)

    effect = rng.standard_normal(n_patients)

    def latent():
        return _draw.clustered_latent(rng, effect, patient, s.patient_icc)

    def reading(file_column: str, table, *, noisy: bool = True) -> np.ndarray:
        codes_all = np.array(categories("nodes.csv", file_column))
        table = _draw.separated(table, s.feature_separation)
        codes = _draw.ordinal_from_latent(latent(), state, table)
        if noisy:
            codes = _draw.reader_noise(rng, codes, table.mean(axis=0), s.reader_noise)
        return codes_all[codes]

    # Sizes: a larger latent means a larger, rounder node.
    sep = s.feature_separation
    log_median = _toward_mean(np.log(s.short_axis_median_mm), sep)[state]
    log_sd = np.asarray(s.short_axis_log_sd)[state]
    short = np.clip(np.exp(log_median + log_sd * latent()), 2.0, 60.0)
    shrink = np.asarray(s.shrinkage_median)[state] * np.exp(0.15 * rng.standard_normal(n))
    short_pre = np.clip(short / shrink, 2.0, 70.0)
    ratio = _toward_mean(np.log(s.long_short_ratio_median), sep)[state]
    ratio = np.maximum(np.exp(ratio - 0.15 * latent()), 1.0)
    ratio_pre = np.maximum(ratio * np.exp(0.05 * rng.standard_normal(n)), 1.0)
    short_mm = np.round(short, 1)
    long_mm = np.maximum(np.round(short * ratio, 1), short_mm)
    short_pre_mm = np.round(short_pre, 1)
    long_pre_mm = np.maximum(np.round(short_pre * ratio_pre, 1), short_pre_mm)

    frame = {
        "node_id": node_id,
        "patient_id": pids[patient],
        "side": np.where(side_right, "right", "left"),
        "level": level,
        "depth_mm": depth,
        "involved_pre_treatment": np.where(involved, "yes", "no"),
        "short_axis_pre_mm": short_pre_mm,
        "long_axis_pre_mm": long_pre_mm,
        "short_axis_mm": short_mm,
        "long_axis_mm": long_mm,
        "ls_ratio": np.round(long_mm / short_mm, 2),
        "hilum": reading("hilum", s.hilum_probabilities),
        "necrosis": reading("necrosis", s.necrosis_probabilities),
        "margin": reading("margin", s.margin_probabilities),
        "doppler_pattern": reading("doppler_pattern", s.doppler_probabilities),
        "ct_mri_call": reading("ct_mri_call", s.ct_mri_positive_probability, noisy=False),
    }

    no_ceus_patient = rng.random(n_patients) < s.ceus_missing_probability
    imaged = ~no_ceus_patient[patient]
    reasons = np.array(categories("nodes.csv", "ceus_missing_reason"))
    patient_reason = reasons[_draw.choice(rng, MISSING_REASON_PROBABILITIES, n_patients)]
    frame["ceus_imaged"] = np.where(imaged, "yes", "no")
    frame["ceus_missing_reason"] = np.where(imaged, None, patient_reason[patient])
    ceus = {
        "ceus_enhancement": s.enhancement_probabilities,
        "ceus_homogeneity": s.heterogeneous_probability,
        "ceus_direction": s.direction_probabilities,
        "ceus_perfusion_defect": s.defect_probabilities,
        "ceus_ring_enhancement": s.ring_probability,
    }
    for column, table in ceus.items():
        frame[column] = np.where(imaged, reading(column, table), None)

    # Matching and the pathology of the matched specimen node.
    methods = np.array(categories("nodes.csv", "match_method"))
    match = methods[_draw.choice(rng, s.match_probabilities, n)]
    matched = match != "unmatched"
    wrong_level = (match == "level") & ~viable & residual_patient
    wrong_level &= rng.random(n) < s.level_match_error
    recorded = viable | wrong_level
    rvt = np.where(recorded, np.maximum(100.0 * rng.beta(2.0, 2.5, n), 1.0), 0.0)
    rvt = np.floor(rvt * 10) / 10
    room = 100.0 - rvt
    necrosis_share = np.where(
        recorded, rng.beta(1.2, 5.0, n), np.where(involved, rng.beta(1.2, 6.0, n), 0.0)
    )
    necrosis = np.floor(necrosis_share * room * 10) / 10
    fibrosis_share = np.where(
        recorded, rng.beta(2.0, 4.0, n), np.where(involved, rng.beta(4.0, 2.0, n), 0.0)
    )
    fibrosis = np.floor(fibrosis_share * (room - necrosis) * 10) / 10
    bed = involved & ((~recorded) | (rvt < 90.0)) & (rng.random(n) < REGRESSION_BED_PROBABILITY)
    node_ene = viable & (rng.random(n) < s.ene_probability)

    def pathology(values, yes_no: bool = False):
        values = np.where(values, "yes", "no") if yes_no else values
        return pd.Series(values).where(matched, None if yes_no else np.nan).to_numpy()

    frame["match_method"] = match
    frame["viable_tumour"] = pathology(recorded, yes_no=True)
    frame["rvt_percent"] = pathology(rvt)
    frame["regression_bed"] = pathology(bed, yes_no=True)
    frame["necrosis_percent"] = pathology(necrosis)
    frame["fibrosis_percent"] = pathology(fibrosis)
    frame["ene"] = pathology(node_ene & recorded, yes_no=True)
    nodes = pd.DataFrame(frame).sort_values("node_id", kind="stable").reset_index(drop=True)
    sorted_index = np.argsort(node_id, kind="stable")

    # Neck-dissection results per patient.
    residual = patients["_residual"].to_numpy()
    extra_positive = np.where(residual, rng.poisson(1.0, n_patients), 0)
    extra_positive = np.where(
        patients["_occult_only"], np.maximum(extra_positive, 1), extra_positive
    )
    by_side = positives_by_side(
        patient=patient,
        right=side_right,
        viable=viable,
        reported=recorded & matched,
        extra=extra_positive,
        index_right=index_side,
        rng=side_rng,
    )
    positive = by_side.sum(axis=1)
    right = np.bincount(patient, weights=viable & side_right, minlength=n_patients)
    left = np.bincount(patient, weights=viable & ~side_right, minlength=n_patients)
    bilateral = (right > 0) & (left > 0)
    target_ene = np.bincount(patient, weights=node_ene, minlength=n_patients) > 0
    occult_ene = (extra_positive > 0) & (rng.random(n_patients) < s.ene_probability)
    ene = target_ene | occult_ene
    dissected = rng.negative_binomial(8, 8 / (8 + s.dissected_nodes_mean), n_patients)
    dissected = np.maximum(dissected, np.maximum(10, positive + n_targets))
    p16_positive = patients["p16"].to_numpy() == "positive"

    out = patients.drop(columns=["_residual", "_occult_only"]).copy()
    out["ypn"] = pathological_n(positive, bilateral, ene, p16_positive)
    out["residual_nodal_disease"] = np.where(residual, "yes", "no")
    out["ene"] = np.where(ene, "yes", "no")
    out["nodes_dissected"] = dissected.astype(int)
    out["nodes_positive"] = positive.astype(int)
    sides = neck_sides(
        out,
        by_side,
        patient=patient,
        right=side_right,
        node_ene=node_ene,
        occult_ene=occult_ene,
        index_right=index_side,
        rng=side_rng,
    )
    truth = {"state": state[sorted_index], "patient_effect": effect, "neck_sides": sides}
    return nodes, out, truth


def _toward_mean(values, separation: float) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values.mean() + separation * (values - values.mean())
