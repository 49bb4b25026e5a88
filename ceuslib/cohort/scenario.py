"""The assumptions of the synthetic cohort, each with its source, in one frozen dataclass.

Every default of the simulator lives in :class:`Scenario`.  Each field carries, in its
metadata, a short description and its basis: the published source (authors and year, or
journal and year where the authors are not named), "derived from" a source when the value is
worked out from its figures, or the word ``ASSUMPTION`` when no source was found.
:meth:`Scenario.to_frame` prints the whole table; the data chapter shows it.

Probabilities are given per node state, in the order ``(residual, regression, uninvolved)``:

- *residual*: the node still holds viable tumour after neoadjuvant therapy;
- *regression*: the node held tumour before therapy and now holds none (a regression bed);
- *uninvolved*: the node never held tumour (reactive or normal).

Categorical features list the probabilities of their categories in the order of
``CATEGORIES`` in :mod:`ceuslib.cohort.codes`, from the most benign-looking to the most
suspicious-looking.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import pandas as pd

STATES = ("residual", "regression", "uninvolved")


def _f(default, basis: str, description: str):
    return field(default=default, metadata={"basis": basis, "description": description})


@dataclass(frozen=True)
class Scenario:
    """Every assumption of :func:`ceuslib.cohort.simulate_cohort`, with its source.

    Change a field with :meth:`replace` (``Scenario().replace(residual_nodal_prevalence=0.3)``)
    to build teaching variants: another prevalence, weaker features, noisier readers.
    Probabilities "by node state" are given for ``(residual, regression, uninvolved)``; each
    field's longer description and its source are in its metadata and in :meth:`to_frame`.

    Attributes
    ----------
    eligible_fraction : float
        Share of referred patients who meet every criterion.
    exclusion_weights : tuple of float
        Relative frequency of the first failed criterion among excluded patients, in the
        order of :data:`ceuslib.cohort.eligibility.CRITERIA`.
    second_reason_probability : float
        Chance that an excluded patient fails a second criterion too.
    age_mean, age_sd, male_fraction : float
        Mean and standard deviation of age at enrolment (years); share of men.
    site_probabilities : tuple of float
        Primary site: oral cavity, oropharynx, larynx, hypopharynx.
    p16_positive_oropharynx : float
        Share of oropharyngeal primaries that are p16-positive.
    smoking_probabilities, regimen_probabilities, cycle_probabilities : tuple of float
        Smoking (never, former, current); regimen (anti-PD-1 + TP, anti-PD-1 + TPF); number
        of NACI cycles (2, 3, 4).
    residual_nodal_prevalence : float
        Probability that a patient has viable tumour in any dissected node (not ypN0).
    pcr_probability : float
        Probability of a pathological complete response at the primary site (ypT0).
    primary_nodal_correlation : float
        Correlation of the latent primary and nodal responses (Gaussian copula), in (-1, 1).
    mpr_probability : float
        Probability of a major pathological response (primary RVT <= 10%).
    occult_only_fraction : float
        Share of patients with residual nodal disease whose tumour lies only in nodes not
        imaged as targets.
    additional_residual_probability : float
        Chance that a further involved target node of a residual patient holds tumour too.
    target_node_probabilities : tuple of float
        Number of CEUS target nodes per patient: 1, 2, 3.
    involved_probability : float
        Chance that a second or third target node was involved before therapy.
    ene_probability : float
        Chance that a node with viable tumour shows extranodal extension.
    dissected_nodes_mean : float
        Mean number of nodes in the neck dissection specimen.
    match_probabilities : tuple of float
        How a target node is matched to the specimen: marked node, level, unmatched.
    level_match_error : float
        Chance that a tumour-free node matched by level is reported positive because another
        node of its level holds tumour.
    patient_icc : float
        Share of the variance of each latent imaging feature shared by a patient's nodes.
    feature_separation : float
        Scales every difference between node states (0: features uninformative, 1: as given).
    reader_noise : float
        Chance that a qualitative reading is replaced by a random draw.
    short_axis_median_mm, short_axis_log_sd : tuple of float
        Median post-treatment short axis (mm) and SD of its log, by node state.
    shrinkage_median, long_short_ratio_median : tuple of float
        Median ratio of post- to pre-treatment short axis, and of long to short axis, by
        node state.
    hilum_probabilities, necrosis_probabilities, margin_probabilities : tuple of tuple
        B-mode categories by node state: hilum present, narrowed, absent; necrosis none,
        coagulative, cystic; margin sharp, ill-defined.
    doppler_probabilities, enhancement_probabilities : tuple of tuple of float
        Doppler pattern (hilar, avascular, mixed, peripheral) and CEUS enhancement relative
        to the surrounding tissue (none, hypo, iso, hyper), by node state.
    heterogeneous_probability : tuple of float
        Probability of heterogeneous enhancement by node state.
    direction_probabilities, defect_probabilities : tuple of tuple of float
        CEUS direction (centrifugal, diffuse, centripetal) and perfusion defect (none,
        < 50%, >= 50% of the node), by node state.
    ring_probability, ct_mri_positive_probability : tuple of float
        Probability of ring (rim) enhancement, and that CT/MRI calls the node suspicious for
        residual disease, by node state.
    ceus_missing_probability : float
        Chance that a patient's target nodes get no CEUS examination.
    ttp_mean_s, ttp_sd_s : tuple of float
        Mean and SD of the time to peak after injection (s), by node state.
    arrival_range_s, sigma_range : tuple of (float, float)
        Ranges of the bolus arrival time t0 (s) and of the lognormal shape parameter sigma.
    peak_enhancement_median : tuple of float
        Median peak enhancement (linear echo-power, a.u.) by node state.
    peak_enhancement_log_sd : float
        SD of the log peak enhancement.
    tissue_background : float
        Linear echo-power of tissue before the bolus arrives (a.u.; 1 is the top of display).
    speckle_cells : float
        Independent speckle cells per region of interest (frame-to-frame CV 1/sqrt(N)).
    dynamic_range_db, fps, duration_s : float
        Display dynamic range (dB); frames per second and length (s) of the exported
        time-intensity curve.

    Examples
    --------
    >>> s = Scenario()
    >>> s.residual_nodal_prevalence
    0.463
    >>> s.replace(reader_noise=0.3).reader_noise
    0.3
    >>> table = s.to_frame()
    >>> bool(table["basis"].str.len().gt(0).all())
    True
    """

    # --- screening -------------------------------------------------------------------
    eligible_fraction: float = _f(
        0.72, "ASSUMPTION", "Share of referred patients who meet every criterion."
    )
    exclusion_weights: tuple[float, ...] = _f(
        (0.08, 0.10, 0.22, 0.18, 0.22, 0.10, 0.10),
        "ASSUMPTION",
        "Relative frequency of the first failed criterion among excluded patients, in the "
        "order of ceuslib.cohort.eligibility.CRITERIA (not HNSCC, no NACI, cN0, surgery "
        "elsewhere, incomplete NACI, prior treatment, distant metastasis).",
    )
    second_reason_probability: float = _f(
        0.15, "ASSUMPTION", "Chance that an excluded patient fails a second criterion too."
    )
    # --- patients --------------------------------------------------------------------
    age_mean: float = _f(58.0, "ASSUMPTION", "Mean age at enrolment (years).")
    age_sd: float = _f(9.0, "ASSUMPTION", "Standard deviation of age (years).")
    male_fraction: float = _f(0.80, "ASSUMPTION", "Share of men (HNSCC is male-predominant).")
    site_probabilities: tuple[float, ...] = _f(
        (0.50, 0.20, 0.18, 0.12),
        "ASSUMPTION",
        "Primary site: oral cavity, oropharynx, larynx, hypopharynx.",
    )
    p16_positive_oropharynx: float = _f(
        0.40, "ASSUMPTION", "Share of oropharyngeal primaries that are p16-positive."
    )
    smoking_probabilities: tuple[float, ...] = _f(
        (0.30, 0.35, 0.35), "ASSUMPTION", "Smoking: never, former, current."
    )
    regimen_probabilities: tuple[float, ...] = _f(
        (0.65, 0.35),
        "Regimens of Xiang et al. 2025 and a Cell Rep Med 2025 trial; shares ASSUMPTION",
        "Regimen: anti-PD-1 + taxane + platinum (TP), anti-PD-1 + TPF.",
    )
    cycle_probabilities: tuple[float, ...] = _f(
        (0.35, 0.45, 0.20), "ASSUMPTION", "Number of NACI cycles: 2, 3, 4."
    )
    # --- response --------------------------------------------------------------------
    residual_nodal_prevalence: float = _f(
        0.463,
        "Derived from Ning et al. 2025: 1 - nodal CR 53.7% (n = 41), the nodal response "
        "rate, not the pCR at the primary",
        "Probability that a patient has viable tumour in any dissected node (not ypN0).",
    )
    pcr_probability: float = _f(
        0.445,
        "ASSUMPTION within published rates after NACI: pooled pCR 37% (Cao et al. 2025), "
        "41.4% (Xiang et al. 2025), primary CR 41.5% (Ning et al. 2025); the 37-52% of the "
        "NCT06727162 registry is background for neoadjuvant therapy in general",
        "Probability of a pathological complete response at the primary site (ypT0).",
    )
    primary_nodal_correlation: float = _f(
        0.58,
        "Derived from Ning et al. 2025: tetrachoric correlation giving 31.7% CR in both "
        "from 41.5% and 53.7%",
        "Correlation of the latent primary and nodal responses (Gaussian copula).",
    )
    mpr_probability: float = _f(
        0.61,
        "Cao et al. 2025: pooled MPR 61%",
        "Probability of a major pathological response (primary RVT <= 10%).",
    )
    occult_only_fraction: float = _f(
        0.10,
        "ASSUMPTION",
        "Among patients with residual nodal disease, share whose residual tumour lies only in "
        "nodes that were not imaged as targets.",
    )
    additional_residual_probability: float = _f(
        0.60,
        "ASSUMPTION",
        "Chance that a further involved target node of a residual patient also holds tumour.",
    )
    target_node_probabilities: tuple[float, ...] = _f(
        (0.60, 0.30, 0.10),
        "ASSUMPTION: 1-3 target nodes, mean about 1.5 (most CEUS studies image one, e.g. Ling "
        "et al. 2020)",
        "Number of CEUS target nodes per patient: 1, 2, 3.",
    )
    involved_probability: float = _f(
        0.80,
        "ASSUMPTION",
        "Chance that a second or third target node was involved before therapy (the first "
        "target node is the cN+ index node).",
    )
    ene_probability: float = _f(
        0.08,
        "ASSUMPTION (gives about 15% of residual necks with ENE, within an assumed 10-20%)",
        "Chance that a node with viable tumour shows extranodal extension.",
    )
    dissected_nodes_mean: float = _f(
        30.8,
        "Derived from Sproll et al. 2023: 7237/235",
        "Mean number of nodes in the neck dissection specimen.",
    )
    # --- matching --------------------------------------------------------------------
    match_probabilities: tuple[float, ...] = _f(
        (0.70, 0.20, 0.10),
        "ASSUMPTION; marking as in Boughey et al. 2016, level-based matching as in Sproll "
        "et al. 2023",
        "How a target node is matched to the specimen: marked node, level-based, unmatched.",
    )
    level_match_error: float = _f(
        0.15,
        "ASSUMPTION",
        "Chance that a level-matched, tumour-free node is reported positive because another "
        "node of the same level holds tumour.",
    )
    # --- imaging ---------------------------------------------------------------------
    patient_icc: float = _f(
        0.30,
        "ASSUMPTION",
        "Share of the variance of each latent imaging feature shared by the nodes of a "
        "patient (makes nodes cluster within patients).",
    )
    feature_separation: float = _f(
        1.0,
        "ASSUMPTION (1 = the published contrasts; 0 = features carry no information)",
        "Scales every difference between node states in the feature probabilities.",
    )
    reader_noise: float = _f(
        0.15,
        "ASSUMPTION (chosen for kappa about 0.6-0.8)",
        "Chance that a qualitative reading is replaced by a random draw from the pooled "
        "distribution (reader disagreement).",
    )
    short_axis_median_mm: tuple[float, ...] = _f(
        (10.0, 7.0, 5.5),
        "ASSUMPTION set against size cut-offs (van den Brekel et al. 1998; Radiopaedia; an AJNR "
        "Doppler study, PMC7975566); nodes still visible after radiotherapy were smaller (7.7% "
        "above 8 mm, Ahuja et al. 1996)",
        "Median post-treatment short axis (mm) by node state.",
    )
    short_axis_log_sd: tuple[float, ...] = _f(
        (0.565, 0.514, 0.30),
        "Derived from assumed IQRs of 7-15 mm (residual) and 5-10 mm (regression); uninvolved "
        "ASSUMPTION",
        "Standard deviation of the log short axis by node state.",
    )
    shrinkage_median: tuple[float, ...] = _f(
        (0.85, 0.60, 1.0),
        "ASSUMPTION: treated nodes shrink with or without residual tumour, while the absent "
        "hilum and low echogenicity persist (Ahuja et al. 1996)",
        "Median ratio of post- to pre-treatment short axis by node state.",
    )
    long_short_ratio_median: tuple[float, ...] = _f(
        (1.5, 1.7, 2.3),
        "Ying and Ahuja 2003; Radiopaedia (L/S < 2 suggests malignancy); values ASSUMPTION",
        "Median long-to-short axis ratio by node state.",
    )
    hilum_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.03, 0.07, 0.90), (0.10, 0.20, 0.70), (0.80, 0.10, 0.10)),
        "Ahuja et al. 1996: 97.9% absent hilum in nodes still visible after RT; responders "
        "ASSUMPTION (50-90%)",
        "Hilum present, narrowed, absent, by node state.",
    )
    necrosis_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.55, 0.30, 0.15), (0.65, 0.15, 0.20), (0.97, 0.02, 0.01)),
        "Ahuja and Ying 2003; Ahuja et al. 2008; Ying et al. 2013: necrosis as a malignant "
        "sign; values ASSUMPTION",
        "B-mode necrosis none, coagulative, cystic, by node state.",
    )
    margin_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.55, 0.45), (0.75, 0.25), (0.95, 0.05)),
        "Ahuja et al. 1996: 85% sharp borders after RT; values ASSUMPTION",
        "Margin sharp, ill-defined, by node state.",
    )
    doppler_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.05, 0.15, 0.35, 0.45), (0.10, 0.45, 0.25, 0.20), (0.75, 0.15, 0.05, 0.05)),
        "Doppler studies (PMC7975566, PMC8338188): peripheral flow suggests metastasis; values "
        "ASSUMPTION",
        "Doppler pattern hilar, avascular, mixed, peripheral, by node state.",
    )
    enhancement_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.10, 0.10, 0.30, 0.50), (0.45, 0.30, 0.15, 0.10), (0.00, 0.10, 0.55, 0.35)),
        "Front Endocrinol 2022; BioMed Res Int 2019: hyper-enhancement in metastases; "
        "responders hypo/none 0.75 ASSUMPTION",
        "CEUS enhancement none, hypo, iso, hyper (relative to surrounding tissue).",
    )
    heterogeneous_probability: tuple[float, ...] = _f(
        (0.80, 0.50, 0.0625),
        "Ling et al. 2020: 80.0% of metastases inhomogeneous, 93.75% of benign nodes homogeneous; "
        "regression ASSUMPTION",
        "Probability of heterogeneous enhancement by node state.",
    )
    direction_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.0375, 0.0375, 0.925), (0.30, 0.30, 0.40), (0.969, 0.016, 0.015)),
        "Ling et al. 2020: centripetal 92.5% of metastases, centrifugal 96.9% of benign nodes; "
        "regression ASSUMPTION",
        "CEUS direction centrifugal, diffuse, centripetal, by node state.",
    )
    defect_probabilities: tuple[tuple[float, ...], ...] = _f(
        ((0.40, 0.35, 0.25), (0.45, 0.30, 0.25), (0.95, 0.04, 0.01)),
        "ASSUMPTION: defects 0.5-0.7 in residual tumour",
        "Perfusion defect none, < 50%, >= 50% of the node, by node state.",
    )
    ring_probability: tuple[float, ...] = _f(
        (0.35, 0.30, 0.02),
        "Front Endocrinol 2022: ring enhancement predicts metastasis; responders 0.2-0.4 "
        "ASSUMPTION",
        "Probability of ring (rim) enhancement by node state.",
    )
    ct_mri_positive_probability: tuple[float, ...] = _f(
        (0.95, 0.80, 0.25),
        "Ning et al. 2025: CT called nodal CR in 12.2% vs 53.7% on pathology; node values "
        "ASSUMPTION",
        "Probability that CT/MRI calls the node suspicious for residual disease.",
    )
    ceus_missing_probability: float = _f(
        0.04, "ASSUMPTION", "Chance that a patient's target nodes get no CEUS examination."
    )
    # --- time-intensity curves -------------------------------------------------------
    ttp_mean_s: tuple[float, ...] = _f(
        (24.1, 27.0, 29.3),
        "Dudau et al. 2014: malignant 24.1 s, benign 29.3 s; regression ASSUMPTION",
        "Mean time to peak after injection (s) by node state.",
    )
    ttp_sd_s: tuple[float, ...] = _f(
        (2.7, 3.4, 3.4),
        "Dudau et al. 2014; regression ASSUMPTION",
        "SD of the time to peak (s).",
    )
    arrival_range_s: tuple[float, float] = _f(
        (8.0, 18.0),
        "ASSUMPTION (puts the time to peak at 16-30 s, as in Ling et al. 2020 and Dudau et "
        "al. 2014)",
        "Range of bolus arrival times t0 (s).",
    )
    sigma_range: tuple[float, float] = _f(
        (0.3, 0.7), "ASSUMPTION (the QuantUS fit starts at 0.5)", "Range of lognormal sigma."
    )
    peak_enhancement_median: tuple[float, ...] = _f(
        (0.07, 0.028, 0.11),
        "Residual 0.07 a.u. as ceuslib.perfusion.DEFAULT_TIMING (about 11 dB above tissue, "
        "Ling et al. 2020); regression 0.4 x residual ASSUMPTION (0.2-0.6); uninvolved "
        "derived from Ling et al. 2020 (12.51 vs 10.51 dB, a factor 10**0.2 = 1.58)",
        "Median peak enhancement (linear a.u.) by node state.",
    )
    peak_enhancement_log_sd: float = _f(
        0.35,
        "ASSUMPTION (large variability in Gauthier et al. 2011 and Eur J Radiol 2010)",
        "SD of the log peak enhancement.",
    )
    tissue_background: float = _f(
        0.006,
        "ceuslib.perfusion.DEFAULT_BASELINE (Ling et al. 2020, ASSUMPTION)",
        "Linear echo-power of tissue before the bolus arrives (a.u.; 1 = top of display).",
    )
    speckle_cells: float = _f(
        100.0,
        "ASSUMPTION within 20-400 (frame-to-frame CV 5-22%)",
        "N_eff, independent speckle cells per ROI (frame-to-frame CV 1/sqrt(N_eff)).",
    )
    dynamic_range_db: float = _f(
        60.0,
        "Payen et al. 2013 tested dynamic ranges of 60 and 80 dB; 60 dB ASSUMPTION",
        "Display dynamic range (dB).",
    )
    fps: float = _f(
        2.0,
        "ASSUMPTION: real acquisitions run at 8-25 fps (Arditi et al. 2006); the exported "
        "curve is kept at "
        "2 frames per second so that the shipped tics.csv stays small",
        "Frames per second of the exported time-intensity curve.",
    )
    duration_s: float = _f(
        120.0,
        "ASSUMPTION between the >= 60 s of Eur J Radiol 2010 and the 3 min of Lassau et al. 2014",
        "Length of the time-intensity curve (s).",
    )

    def __post_init__(self) -> None:
        problems = []
        for item in fields(self):
            value = getattr(self, item.name)
            name = item.name
            if isinstance(value, tuple) and (
                name.endswith(("_probabilities", "_probability")) or name == "exclusion_weights"
            ):
                rows = value if isinstance(value[0], tuple) else (value,)
                for row in rows:
                    if min(row) < 0 or max(row) > 1:
                        problems.append(f"{name}: probabilities must lie in [0, 1], got {row}")
                    elif name.endswith("_probabilities") and abs(sum(row) - 1) > 1e-9:
                        problems.append(f"{name}: probabilities must sum to 1, got {row}")
            elif name.endswith(("_probability", "_fraction", "_prevalence")) or name in (
                "patient_icc",
                "reader_noise",
                "level_match_error",
            ):
                if not 0.0 <= value <= 1.0:
                    problems.append(f"{name} must lie in [0, 1], got {value!r}")
        if not -1.0 < self.primary_nodal_correlation < 1.0:
            problems.append("primary_nodal_correlation must lie in (-1, 1)")
        if self.feature_separation < 0:
            problems.append("feature_separation must be >= 0")
        if problems:
            raise ValueError("invalid Scenario: " + "; ".join(problems))

    def replace(self, **changes: object) -> Scenario:
        """A copy with some fields changed (``dataclasses.replace``).

        Parameters
        ----------
        **changes : object
            New values by field name.

        Returns
        -------
        Scenario
            A new scenario, the given fields changed and the others kept.

        Raises
        ------
        TypeError
            When a name is not a field.
        ValueError
            When a value is out of its range (a probability outside [0, 1], probabilities
            that do not sum to 1).
        """
        return replace(self, **changes)

    def to_frame(self) -> pd.DataFrame:
        """The assumptions table.

        Returns
        -------
        pandas.DataFrame
            One row per field, in declaration order: ``field``, ``value`` (as text: numbers in
            ``%g`` format, tuples in parentheses), ``description`` and ``basis`` (the source,
            or ``ASSUMPTION``).
        """
        rows = [
            {
                "field": item.name,
                "value": _format_value(getattr(self, item.name)),
                "description": item.metadata["description"],
                "basis": item.metadata["basis"],
            }
            for item in fields(self)
        ]
        return pd.DataFrame(rows)


def _format_value(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_format_value(item) for item in value) + ")"
    return f"{value:g}" if isinstance(value, float) else str(value)
