"""Simulated protocol records: dates, readers and their readings, examinations, node marking.

Each function draws from its own random stream, so that adding these records leaves every
other value of a simulated cohort as it was.  The values are assumptions (marked so), chosen to
look like a NACI trial that images with CEUS a few days before the neck dissection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort import _draw
from ceuslib.cohort.dictionary import categories
from ceuslib.cohort.protocol_rules import CEUS_FIELDS
from ceuslib.cohort.scenario import Scenario

START_DATE = np.datetime64("2024-08-13")
"""First day of the synthetic calendar: the registered start date of NCT06727162."""

ACCRUAL_DAYS = 730
"""Days over which the patients start NACI (ASSUMPTION: two years of accrual)."""

CYCLE_DAYS = 21
"""Days between NACI cycles (three-weekly anti-PD-1 with TP or TPF)."""

SURGERY_AFTER_NACI_DAYS = (21, 42)
"""Surgery 3 to 6 weeks after the last cycle (ASSUMPTION, as NACI protocols schedule it)."""

CEUS_BEFORE_SURGERY_DAYS = (1, 10)
"""CEUS 1 to 10 days before surgery (ASSUMPTION: the pre-operative work-up)."""

MARKING_PROBABILITIES = (0.55, 0.25, 0.10, 0.10)
"""Marking of marked nodes: clip, ink, wire, intra-operative ultrasound (ASSUMPTION)."""

READERS = pd.DataFrame(
    {
        "reader_id": ["R1", "R2"],
        "experience_years": [12, 3],
        "ceus_examinations": [850, 120],
        "blinded_clinical": ["no", "yes"],
        "blinded_pathology": ["yes", "yes"],
        "blinded_other_readers": ["yes", "yes"],
    }
)
"""Two readers (ASSUMPTION): R1, experienced, performs the examination and gives the primary
reading (so knows the clinical data); R2, less experienced, reads the stored clips blinded to
everything."""

INDETERMINATE_PROBABILITY = 0.02
"""Chance that the second reader records a CEUS field as indeterminate (ASSUMPTION)."""

INTRA_READER_NOISE = 0.5
"""The repeat reading's disagreement as a share of ``Scenario.reader_noise`` (ASSUMPTION:
readers agree with themselves more than with each other)."""

MECHANICAL_INDEX = (0.06, 0.07, 0.08)
"""Low mechanical indices of CEUS presets (EFSUMB 2017: usually below 0.2)."""

FRAME_RATES_HZ = (10.0, 12.0, 15.0)
"""Acquisition frame rates (Arditi et al. 2006: 8-25 per second)."""


def simulate_dates(
    patients: pd.DataFrame, nodes: pd.DataFrame, *, rng: np.random.Generator
) -> pd.DataFrame:
    """``naci_end_date``, ``ceus_date``, ``surgery_date`` per patient (ISO text).

    Patients start NACI in enrolment order over :data:`ACCRUAL_DAYS` from
    :data:`START_DATE`; the last cycle is ``(cycles - 1) * CYCLE_DAYS`` later; surgery
    follows within :data:`SURGERY_AFTER_NACI_DAYS` and CEUS precedes it by
    :data:`CEUS_BEFORE_SURGERY_DAYS` (empty for a patient without a CEUS-examined node).
    """
    n = len(patients)
    start = START_DATE + np.sort(rng.integers(0, ACCRUAL_DAYS, n)).astype("timedelta64[D]")
    cycles = patients["cycles"].to_numpy(dtype=int)
    naci_end = start + ((cycles - 1) * CYCLE_DAYS).astype("timedelta64[D]")
    low, high = SURGERY_AFTER_NACI_DAYS
    surgery = naci_end + rng.integers(low, high + 1, n).astype("timedelta64[D]")
    low, high = CEUS_BEFORE_SURGERY_DAYS
    ceus = surgery - rng.integers(low, high + 1, n).astype("timedelta64[D]")
    imaged = set(nodes.loc[nodes["ceus_imaged"] == "yes", "patient_id"])
    examined = patients["patient_id"].isin(imaged).to_numpy()
    return pd.DataFrame(
        {
            "naci_end_date": naci_end.astype(str),
            "ceus_date": np.where(examined, ceus.astype(str), None),
            "surgery_date": surgery.astype(str),
        },
        index=patients.index,
    )


def node_records(nodes: pd.DataFrame, *, rng: np.random.Generator) -> pd.DataFrame:
    """The protocol columns of ``nodes.csv``: ``exam_id``, reading basis and reader, marking.

    Each CEUS-examined node has its own examination (one bolus per node), ``P001-N1`` in
    ``P001-E1``; the primary reading is reader R1's.
    """
    imaged = (nodes["ceus_imaged"] == "yes").to_numpy()
    marked = (nodes["match_method"] == "marked").to_numpy()
    codes = np.array(categories("nodes.csv", "marking"))
    marking = codes[_draw.choice(rng, MARKING_PROBABILITIES, len(nodes))]
    exam = nodes["node_id"].str.replace("-N", "-E", regex=False).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "exam_id": np.where(imaged, exam, None),
            "ceus_reading_basis": np.where(imaged, "single_reader", None),
            "ceus_reader_id": np.where(imaged, "R1", None),
            "marking": np.where(marked, marking, None),
        },
        index=nodes.index,
    )


def _pooled(scenario: Scenario) -> dict[str, np.ndarray]:
    """Per CEUS field: the distribution of its codes pooled over node states."""
    tables = {
        "ceus_enhancement": scenario.enhancement_probabilities,
        "ceus_homogeneity": scenario.heterogeneous_probability,
        "ceus_direction": scenario.direction_probabilities,
        "ceus_perfusion_defect": scenario.defect_probabilities,
        "ceus_ring_enhancement": scenario.ring_probability,
    }
    return {
        name: _draw.separated(table, scenario.feature_separation).mean(axis=0)
        for name, table in tables.items()
    }


def simulate_readings(
    nodes: pd.DataFrame, *, rng: np.random.Generator, scenario: Scenario
) -> pd.DataFrame:
    """``readings.csv``: R1 (session 1 = the primary reading, and a repeat), R2 (session 1).

    R2's reading replaces a share ``scenario.reader_noise`` of R1's codes by draws from the
    pooled distribution (the simulator's model of reader disagreement) and records a field as
    indeterminate with :data:`INDETERMINATE_PROBABILITY`; R1's repeat does the same at
    :data:`INTRA_READER_NOISE` times the rate, without indeterminate fields.
    """
    read = nodes[nodes["ceus_imaged"] == "yes"]
    pooled = _pooled(scenario)
    n = len(read)
    parts = []
    for reader, session, rate, unsure in (
        ("R1", 1, 0.0, 0.0),
        ("R2", 1, scenario.reader_noise, INDETERMINATE_PROBABILITY),
        ("R1", 2, scenario.reader_noise * INTRA_READER_NOISE, 0.0),
    ):
        frame = {"node_id": read["node_id"].to_numpy(), "reader_id": reader, "session": session}
        for name in CEUS_FIELDS:
            codes = np.array(categories("nodes.csv", name))
            given = read[name].to_numpy(dtype=object)
            index = pd.Categorical(given, categories=codes).codes.astype(int)
            if rate:
                index = _draw.reader_noise(rng, index, pooled[name], rate)
            values = codes[index].astype(object)
            if unsure:
                values[rng.random(n) < unsure] = "indeterminate"
            frame[name] = values
        parts.append(pd.DataFrame(frame))
    out = pd.concat(parts, ignore_index=True)
    order = {node: k for k, node in enumerate(read["node_id"])}
    out["_order"] = out["node_id"].map(order)
    return (
        out.sort_values(["_order", "reader_id", "session"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def simulate_examinations(
    nodes: pd.DataFrame, *, rng: np.random.Generator, scenario: Scenario
) -> pd.DataFrame:
    """``examinations.csv``: the acquisition record of each node's CEUS examination.

    One scanner, probe, agent and dose for the whole study, as a protocol fixes them;
    mechanical index and frame rate vary between examinations; the imaging depth and focus
    follow the node's depth; the dynamic range is the scenario's (the curves were made with
    it), and the display saturates at linear echo-power 1.
    """
    read = nodes[nodes["ceus_imaged"] == "yes"]
    n = len(read)
    depth_mm = read["depth_mm"].to_numpy(dtype=float)
    depth_cm = np.clip(np.ceil(depth_mm / 10.0 + 1.5), 2.0, 8.0)
    return pd.DataFrame(
        {
            "exam_id": read["exam_id"].to_numpy(),
            "patient_id": read["patient_id"].to_numpy(),
            "operator_id": "R1",
            "scanner": "simulated ultrasound system",
            "probe": "simulated linear array",
            "probe_frequency_mhz": 4.5,
            "preset": "CEUS superficial",
            "agent": "sulphur_hexafluoride",
            "dose_ml": 2.4,
            "flush_ml": 5.0,
            "mechanical_index": rng.choice(MECHANICAL_INDEX, n),
            "gain": 50.0,
            "depth_cm": depth_cm,
            "focus_cm": np.minimum(np.round(depth_mm / 10.0 + 0.5, 1), depth_cm),
            "dynamic_range_db": scenario.dynamic_range_db,
            "frame_rate_hz": rng.choice(FRAME_RATES_HZ, n),
            "clip_length_s": scenario.duration_s + rng.integers(0, 61, n),
            "saturation_level": 1.0,
            "analysis_software": "ceuslib (simulated)",
        }
    )
