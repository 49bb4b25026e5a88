"""Simulated patients: baseline characteristics and the latent response to NACI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ceuslib.cohort._draw import choice
from ceuslib.cohort.dictionary import categories
from ceuslib.cohort.scenario import Scenario

T_CATEGORIES = ("T1", "T2", "T3", "T4a", "T4b")
T_PROBABILITIES = (0.04, 0.22, 0.36, 0.32, 0.06)  # ASSUMPTION: locally advanced disease
N_P16_NEGATIVE = ("N1", "N2a", "N2b", "N2c", "N3a", "N3b")
N_P16_NEGATIVE_P = (0.15, 0.10, 0.35, 0.15, 0.03, 0.22)  # ASSUMPTION
N_P16_POSITIVE = ("N1", "N2", "N3")
N_P16_POSITIVE_P = (0.50, 0.40, 0.10)  # ASSUMPTION


def simulate_patients(
    patient_ids: list[str], *, rng: np.random.Generator, scenario: Scenario
) -> pd.DataFrame:
    """Baseline characteristics, the latent response and the primary-site pathology.

    Returns the patient table without the neck-dissection columns (``ypn``,
    ``residual_nodal_disease``'s consequences, ``ene``, node counts), which
    :func:`ceuslib.cohort.nodes.simulate_nodes` completes, plus two private columns:
    ``_residual`` (bool, the patient-level truth) and ``_occult_only`` (bool).

    Notes
    -----
    The nodal response is a standard-normal latent ``z``; a patient has residual nodal
    disease when ``z`` exceeds the ``1 - residual_nodal_prevalence`` quantile.  The primary
    latent is ``rho * z + sqrt(1 - rho**2) * e`` (a Gaussian copula with
    ``rho = primary_nodal_correlation``) and gives a pCR below the ``pcr_probability``
    quantile.  Among non-pCR patients the residual viable tumour is ``100 * v**k`` with
    ``v`` the rescaled latent quantile and ``k`` chosen so that the share with RVT <= 10%
    makes the overall MPR rate ``mpr_probability``.
    """
    n = len(patient_ids)
    s = scenario
    age = np.clip(np.rint(rng.normal(s.age_mean, s.age_sd, n)), 18, 90).astype(int)
    sex = np.where(rng.random(n) < s.male_fraction, "male", "female")
    sites = np.array(categories("patients.csv", "primary_site"))
    site = sites[choice(rng, s.site_probabilities, n)]
    oro = site == "oropharynx"
    p16 = np.where(
        oro, np.where(rng.random(n) < s.p16_positive_oropharynx, "positive", "negative"), ""
    )
    p16 = np.where(oro, p16, "not_applicable")
    p16_pos = p16 == "positive"
    smoking = np.array(["never", "former", "current"])[choice(rng, s.smoking_probabilities, n)]
    t_index = choice(rng, T_PROBABILITIES, n)
    ct = np.array(T_CATEGORIES)[t_index]
    ct = np.where(p16_pos & (t_index >= 3), "T4", ct)
    cn_neg = np.array(N_P16_NEGATIVE)[choice(rng, N_P16_NEGATIVE_P, n)]
    cn_pos = np.array(N_P16_POSITIVE)[choice(rng, N_P16_POSITIVE_P, n)]
    cn = np.where(p16_pos, cn_pos, cn_neg)
    regimen = np.array(["pd1_tp", "pd1_tpf"])[choice(rng, s.regimen_probabilities, n)]
    cycles = np.array([2, 3, 4])[choice(rng, s.cycle_probabilities, n)]

    if not s.pcr_probability < s.mpr_probability < 1:
        raise ValueError("the scenario needs pcr_probability < mpr_probability < 1")
    z_nodal = rng.standard_normal(n)
    residual = z_nodal > ndtri(1.0 - s.residual_nodal_prevalence)
    rho = s.primary_nodal_correlation
    z_primary = rho * z_nodal + np.sqrt(1.0 - rho**2) * rng.standard_normal(n)
    u = ndtr(z_primary)
    pcr = u < s.pcr_probability
    v = np.clip((u - s.pcr_probability) / (1.0 - s.pcr_probability), 1e-9, 1.0)
    q = (s.mpr_probability - s.pcr_probability) / (1.0 - s.pcr_probability)
    rvt = 100.0 * v ** (np.log(0.1) / np.log(q))
    rvt = np.where(pcr, 0.0, np.maximum(np.round(rvt, 1), 0.1))
    yp_index = np.floor(rng.random(n) * (t_index + 1)).astype(int)
    ypt = np.array(["ypT1", "ypT2", "ypT3", "ypT4a", "ypT4b"])[yp_index]
    ypt = np.where(p16_pos & (yp_index >= 3), "ypT4", ypt)
    ypt = np.where(pcr, "ypT0", ypt)
    occult_only = residual & (rng.random(n) < s.occult_only_fraction)
    return pd.DataFrame(
        {
            "patient_id": patient_ids,
            "age": age,
            "sex": sex,
            "primary_site": site,
            "p16": p16,
            "smoking": smoking,
            "ct": ct,
            "cn": cn,
            "regimen": regimen,
            "cycles": cycles,
            "primary_rvt_percent": rvt,
            "pcr": np.where(pcr, "yes", "no"),
            "mpr": np.where(rvt <= 10.0, "yes", "no"),
            "ypt": ypt,
            "_residual": residual,
            "_occult_only": occult_only,
        }
    )


def pathological_n(
    positive: np.ndarray, bilateral: np.ndarray, ene: np.ndarray, p16_positive: np.ndarray
) -> np.ndarray:
    """AJCC 8 pathological N category from node counts (largest deposit assumed <= 3 cm).

    Examples
    --------
    >>> pathological_n(np.array([0, 1, 1, 3, 2, 5]), np.array([False] * 4 + [True, False]),
    ...                np.array([False, False, True, False, False, False]),
    ...                np.array([False] * 5 + [True])).tolist()
    ['ypN0', 'ypN1', 'ypN2a', 'ypN2b', 'ypN2c', 'ypN2']

    Notes
    -----
    HPV-unrelated sites: one ipsilateral node without ENE is N1; one with ENE is N2a; more
    than one ipsilateral node is N2b; contralateral or bilateral nodes are N2c; any other
    ENE is N3b.  p16-positive oropharynx: up to 4 nodes N1, more N2 (AJCC Cancer Staging
    Manual, 8th edition).
    """
    out = np.full(positive.shape, "ypN0", dtype=object)
    some = positive > 0
    single = positive == 1
    out[some & single & ~ene] = "ypN1"
    out[some & single & ene & ~bilateral] = "ypN2a"
    out[some & ~single & ~bilateral & ~ene] = "ypN2b"
    out[some & bilateral & ~ene] = "ypN2c"
    out[some & ene & ~(single & ~bilateral)] = "ypN3b"
    out[some & p16_positive] = np.where(positive[some & p16_positive] <= 4, "ypN1", "ypN2")
    return out
