"""``simulate_cohort``: a whole synthetic study from a seed."""

from __future__ import annotations

import numpy as np

from ceuslib.cohort.curves import simulate_curves
from ceuslib.cohort.io import normalize
from ceuslib.cohort.model import Cohort
from ceuslib.cohort.nodes import simulate_nodes
from ceuslib.cohort.patients import simulate_patients
from ceuslib.cohort.scenario import Scenario
from ceuslib.cohort.screening import simulate_screening

DEFAULT_SEED = 20240813
"""Seed of the shipped cohort (the registered start date of NCT06727162)."""
DEFAULT_PATIENTS = 100
"""Patients in the shipped cohort: the target sample size of NCT06727162 (registry record)."""


def simulate_cohort(
    n_patients: int, *, seed, scenario: Scenario | None = None, curves: bool = True
) -> Cohort:
    """Simulate a study in the real files' format: screening log, patients, nodes, curves.

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
        ``tics`` is empty and every other table is unchanged.

    Returns
    -------
    Cohort

    Notes
    -----
    Generative order: referrals and their eligibility; each enrolled patient's latent
    response, which sets the primary-site pathology and residual nodal disease; each
    target node's state (residual tumour, regression bed, never involved); imaging features
    drawn from the node's state with a shared per-patient term; the matching of each target
    node to the specimen; finally the curves through ``ceuslib.perfusion``.  Each part draws
    from its own child of one ``numpy.random.SeedSequence``, so turning curves off changes
    nothing else.  All assumptions, with their sources, are in :class:`Scenario`.

    Examples
    --------
    >>> cohort = simulate_cohort(5, seed=7)
    >>> len(cohort.patients)
    5
    >>> list(cohort.tics.columns)
    ['node_id', 'time_s', 'intensity', 'unit']
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
        children = seed.spawn(4)
    else:
        sequence = seed if isinstance(seed, np.random.SeedSequence) else None
        sequence = sequence or np.random.SeedSequence(seed)
        children = [np.random.default_rng(child) for child in sequence.spawn(4)]
    rng_screen, rng_patients, rng_nodes, rng_curves = children
    screening = simulate_screening(n_patients, rng=rng_screen, scenario=scenario)
    ids = screening["patient_id"].dropna().tolist()
    patients = simulate_patients(ids, rng=rng_patients, scenario=scenario)
    nodes, patients, truth = simulate_nodes(patients, rng=rng_nodes, scenario=scenario)
    imaged = (nodes["ceus_imaged"] == "yes").to_numpy()
    if curves:
        tics = simulate_curves(
            nodes["node_id"].to_numpy()[imaged],
            truth["state"][imaged],
            rng=rng_curves,
            scenario=scenario,
        )
    else:
        tics = simulate_curves(
            np.array([], dtype=object), np.array([], dtype=int), rng=rng_curves, scenario=scenario
        )
    tables = {"screening": screening, "patients": patients, "nodes": nodes, "tics": tics}
    return Cohort(**{name: normalize(t, f"{name}.csv") for name, t in tables.items()})
