"""``simulate_cohort``: a whole synthetic study from a seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ceuslib.cohort.curves import simulate_curves, simulate_reference_curves
from ceuslib.cohort.io import normalize
from ceuslib.cohort.model import Cohort
from ceuslib.cohort.nodes import simulate_nodes
from ceuslib.cohort.patients import simulate_patients
from ceuslib.cohort.protocol import (
    READERS,
    node_records,
    simulate_dates,
    simulate_examinations,
    simulate_readings,
)
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.screening import simulate_screening

DEFAULT_SEED = 20240813
"""Seed of the shipped cohort (the registered start date of NCT06727162)."""
DEFAULT_PATIENTS = 100
"""Patients in the shipped cohort: the target sample size of NCT06727162 (registry record)."""


def simulate_cohort(
    n_patients: int,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator,
    scenario: Scenario | None = None,
    curves: bool = True,
) -> Cohort:
    """Simulate a study in the real files' format: every file of the data dictionary.

    Parameters
    ----------
    n_patients : int
        Number of enrolled patients (the screening log has more referrals).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness; the same seed gives the same cohort, byte for byte once
        written.  ``None`` is refused: a cohort must be reproducible.
    scenario : Scenario, optional
        The assumptions; :class:`~ceuslib.cohort.Scenario` defaults when omitted.
    curves : bool
        Whether to simulate the time-intensity curves (the slowest part); without them
        ``tics`` is empty, ``reference_tics`` is ``None`` and every other table is unchanged.

    Returns
    -------
    Cohort
        The simulated study: screening log, patients, target nodes, their curves and
        reference-region curves, pathology per side of the neck, readers, readings and
        examinations, in the format of ``data_dictionary.csv``.

    Notes
    -----
    Generative order: referrals and their eligibility; each enrolled patient's latent
    response, which sets the primary-site pathology and residual nodal disease; each
    target node's state (residual tumour, regression bed, never involved); imaging features
    drawn from the node's state with a shared per-patient term; the matching of each target
    node to the specimen; finally the curves through ``ceuslib.perfusion``.  Each part draws
    from its own child of one ``numpy.random.SeedSequence``, so turning curves off changes
    nothing else.  All assumptions, with their sources, are in :class:`Scenario`.  The
    protocol records (pathology per side, dates, readers and readings, examinations, node
    marking, reference-region curves) draw from further children of the same sequence, so
    that they leave every value above as it was (:mod:`ceuslib.cohort.protocol`,
    :mod:`ceuslib.cohort.sides`).

    Examples
    --------
    >>> cohort = simulate_cohort(5, seed=7)
    >>> len(cohort.patients)
    5
    >>> list(cohort.tics.columns)
    ['node_id', 'roi', 'time_s', 'intensity', 'unit']
    >>> set(cohort.tics["node_id"]) <= set(cohort.nodes["node_id"])
    True
    >>> simulate_cohort(5, seed=7).nodes.equals(cohort.nodes)
    True
    """
    if isinstance(n_patients, bool) or int(n_patients) != n_patients or n_patients < 1:
        raise ValueError(f"n_patients must be a positive whole number, got {n_patients!r}")
    n_patients = int(n_patients)
    if seed is None:
        raise ValueError("seed is required (an int, SeedSequence or Generator)")
    scenario = Scenario() if scenario is None else scenario
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    if isinstance(seed, np.random.Generator):
        children = seed.spawn(4) + seed.spawn(5)
    else:
        sequence = seed if isinstance(seed, np.random.SeedSequence) else None
        sequence = sequence or np.random.SeedSequence(seed)
        first = sequence.spawn(4)  # the streams of the original four files, unchanged
        children = [np.random.default_rng(child) for child in first + sequence.spawn(5)]
    rng_screen, rng_patients, rng_nodes, rng_curves = children[:4]
    rng_sides, rng_dates, rng_readings, rng_exams, rng_reference = children[4:]
    screening = simulate_screening(n_patients, rng=rng_screen, scenario=scenario)
    ids = screening["patient_id"].dropna().tolist()
    patients = simulate_patients(ids, rng=rng_patients, scenario=scenario)
    nodes, patients, truth = simulate_nodes(
        patients, rng=rng_nodes, scenario=scenario, side_rng=rng_sides
    )
    dates = simulate_dates(patients, nodes, rng=rng_dates)
    patients = pd.concat([patients, dates], axis=1)
    nodes = pd.concat([nodes, node_records(nodes, rng=rng_dates)], axis=1)
    imaged = (nodes["ceus_imaged"] == "yes").to_numpy()
    tics = simulate_curves(
        nodes["node_id"].to_numpy()[imaged] if curves else np.array([], dtype=object),
        truth["state"][imaged] if curves else np.array([], dtype=int),
        rng=rng_curves,
        scenario=scenario,
    )
    reference = None
    if curves and imaged.any():
        reference = simulate_reference_curves(
            nodes["node_id"].to_numpy()[imaged], rng=rng_reference, scenario=scenario
        )
    readings = simulate_readings(nodes, rng=rng_readings, scenario=scenario)
    examinations = simulate_examinations(nodes, rng=rng_exams, scenario=scenario)

    def table(frame, file):  # a record with no rows (no node examined) is not written
        return normalize(frame, file) if len(frame) else None

    return Cohort(
        screening=normalize(screening, "screening.csv"),
        patients=normalize(patients, "patients.csv"),
        nodes=normalize(nodes, "nodes.csv"),
        tics=normalize(tics, "tics.csv"),
        reference_tics=None if reference is None else normalize(reference, "tics.csv"),
        neck_sides=normalize(truth["neck_sides"], "neck_sides.csv"),
        readers=normalize(READERS, "readers.csv"),
        readings=table(readings, "readings.csv"),
        examinations=table(examinations, "examinations.csv"),
    )
