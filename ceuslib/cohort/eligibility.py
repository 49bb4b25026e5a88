"""Eligibility of referred patients and the STARD 2015 participant flow.

The criteria of the study protocol (NCT06727162) are data, :data:`CRITERIA`: each names the
column of the screening log it reads and the value that lets a patient pass.  :func:`screen`
applies them to a screening log and returns the included referrals and every exclusion with
its reason; :func:`stard_flow` counts the participants at each box of a STARD 2015 flow
diagram (Bossuyt et al. 2015).  The figure is drawn by
:func:`ceuslib.plots.study.plot_stard_flow`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion, read from one yes/no column of the screening log.

    Attributes
    ----------
    name : str
        Short name of the criterion (``cN+``), as the exclusions table names it.
    kind : str
        ``inclusion`` or ``exclusion``: whether the protocol lists it as an inclusion or an
        exclusion criterion.
    column : str
        The column of the screening log it reads (``cn_positive``).
    passing_value : str
        The value of that column that meets the criterion (``yes`` or ``no``).
    reason : str
        Why a referral that fails it is excluded, as the flow diagram says it.

    Examples
    --------
    >>> c = Criterion("cN+", "inclusion", "cn_positive", "yes", "not node-positive on CT/MRI")
    >>> c.passes("yes"), c.passes("no")
    (True, False)
    """

    name: str
    kind: str
    column: str
    passing_value: str
    reason: str

    def passes(self, value: str) -> bool:
        """Whether a screening value meets the criterion.

        Parameters
        ----------
        value : str
            The referral's value in :attr:`column` (``yes`` or ``no``).

        Returns
        -------
        bool
            ``True`` when ``value`` is :attr:`passing_value`.
        """
        return value == self.passing_value


CRITERIA: tuple[Criterion, ...] = (
    Criterion("HNSCC", "inclusion", "hnscc_confirmed", "yes", "not histologically confirmed HNSCC"),
    Criterion("NACI", "inclusion", "naci_received", "yes", "did not receive NACI"),
    Criterion("cN+", "inclusion", "cn_positive", "yes", "not node-positive on CT/MRI (cN0)"),
    Criterion(
        "Surgery", "inclusion", "surgery_at_centre", "yes", "no neck dissection at the centre"
    ),
    Criterion(
        "NACI completed", "exclusion", "naci_completed", "yes", "did not complete the NACI course"
    ),
    Criterion(
        "Prior treatment",
        "exclusion",
        "prior_hn_treatment",
        "no",
        "prior head and neck treatment",
    ),
    Criterion(
        "Distant metastasis",
        "exclusion",
        "distant_metastasis",
        "no",
        "distant metastasis in the work-up",
    ),
)
"""The protocol's criteria in the order they are checked (inclusion first)."""


@dataclass(frozen=True)
class ScreeningResult:
    """What :func:`screen` found.

    Attributes
    ----------
    included : pandas.DataFrame
        The rows of the screening log that meet every criterion.
    exclusions : pandas.DataFrame
        One row per failed criterion: ``screening_id``, ``criterion``, ``kind``, ``reason``,
        ``first`` (whether it is the first failed criterion of that referral, in the order
        of :data:`CRITERIA`).
    n_screened : int
        Number of referrals in the log.
    """

    included: pd.DataFrame
    exclusions: pd.DataFrame
    n_screened: int

    @property
    def n_included(self) -> int:
        """Number of referrals that meet every criterion."""
        return len(self.included)

    @property
    def n_excluded(self) -> int:
        """Number of referrals that fail at least one criterion (each counted once)."""
        return self.n_screened - self.n_included

    def reasons(self) -> pd.Series:
        """Number of excluded referrals by their first failed criterion (protocol order).

        Returns
        -------
        pandas.Series
            Named ``referrals``: the number of excluded referrals (int) indexed by the
            ``reason`` of their first failed criterion, in the order of :data:`CRITERIA`; a
            criterion no referral failed first is left out.

        Examples
        --------
        >>> from ceuslib.cohort import simulate_cohort
        >>> result = screen(simulate_cohort(30, seed=2, curves=False).screening)
        >>> int(result.reasons().sum()) == result.n_excluded
        True
        """
        first = self.exclusions[self.exclusions["first"]]
        counts = first["reason"].value_counts()
        order = [c.reason for c in CRITERIA if c.reason in counts.index]
        return counts.reindex(order).rename("referrals")


def screen(
    screening: pd.DataFrame, *, criteria: tuple[Criterion, ...] = CRITERIA
) -> ScreeningResult:
    """Apply the eligibility criteria to a screening log.

    Parameters
    ----------
    screening : pandas.DataFrame
        One row per referral with a ``screening_id`` and the columns the criteria read.
    criteria : tuple of Criterion
        The criteria, in the order they are checked; the first one a referral fails is its
        reason in the flow diagram.

    Returns
    -------
    ScreeningResult
        The included rows of the log (index reset), one row per failed criterion with its
        reason, and the number of referrals screened.

    Raises
    ------
    ValueError
        If a column the criteria read is missing.

    Notes
    -----
    Every failed criterion is kept, so a referral that fails two criteria appears twice in
    ``exclusions``; the flow diagram counts each referral once, by its first failed
    criterion, as STARD 2015 asks for exclusions "with reasons" (Bossuyt et al. 2015).

    Examples
    --------
    >>> log = pd.DataFrame({"screening_id": ["S1", "S2", "S3"],
    ...                     "hnscc_confirmed": ["yes", "yes", "no"],
    ...                     "naci_received": ["yes", "yes", "yes"],
    ...                     "cn_positive": ["yes", "no", "no"],
    ...                     "surgery_at_centre": ["yes", "yes", "yes"],
    ...                     "naci_completed": ["yes", "yes", "yes"],
    ...                     "prior_hn_treatment": ["no", "no", "no"],
    ...                     "distant_metastasis": ["no", "no", "yes"]})
    >>> result = screen(log)
    >>> list(result.included["screening_id"]), result.n_excluded
    (['S1'], 2)
    >>> for row in result.exclusions[["screening_id", "criterion", "first"]].values.tolist():
    ...     print(row)
    ['S2', 'cN+', True]
    ['S3', 'HNSCC', True]
    ['S3', 'cN+', False]
    ['S3', 'Distant metastasis', False]
    """
    missing = [c.column for c in criteria if c.column not in screening.columns]
    if "screening_id" not in screening.columns:
        missing.insert(0, "screening_id")
    if missing:
        raise ValueError(f"the screening log lacks the columns {', '.join(missing)}")
    fails = pd.DataFrame(
        {c.name: screening[c.column].astype(str) != c.passing_value for c in criteria},
        index=screening.index,
    )
    eligible = ~fails.any(axis=1)
    records = []
    for index, row in fails[~eligible].iterrows():
        failed = [c for c in criteria if row[c.name]]
        sid = screening.at[index, "screening_id"]
        for k, c in enumerate(failed):
            records.append((sid, c.name, c.kind, c.reason, k == 0))
    exclusions = pd.DataFrame(
        records, columns=["screening_id", "criterion", "kind", "reason", "first"]
    )
    exclusions["first"] = exclusions["first"].astype(bool)
    return ScreeningResult(
        included=screening[eligible].reset_index(drop=True),
        exclusions=exclusions,
        n_screened=len(screening),
    )


@dataclass(frozen=True)
class StardFlow:
    """Participant counts for a STARD 2015 flow diagram.

    Attributes
    ----------
    referred, excluded : int or None
        Referrals screened and excluded (each counted once); ``None`` for a study without a
        screening log.
    exclusion_reasons : tuple of (str, int)
        Excluded referrals by first failed criterion, ``(reason, count)`` in the order of
        :data:`CRITERIA`; empty without a screening log.
    enrolled : int
        Enrolled patients (rows of the patients table).
    no_index_test : int
        Enrolled patients none of whose target nodes was examined with CEUS.
    no_index_test_reasons : tuple of (str, int)
        Their reasons, ``(ceus_missing_reason, count)`` sorted by reason, each patient
        counted once by the first reason recorded among their nodes (``not recorded`` when
        none is).
    index_test : int
        Patients with at least one CEUS-examined target node.
    reference_standard : int
        Of those, patients with a neck dissection result (every enrolled patient has one).
    target_positive, target_negative : int
        Of those, patients with and without residual nodal disease (the target condition).
    nodes_imaged, nodes_matched, nodes_unmatched : int
        CEUS-examined target nodes, and how many of them were matched to the specimen.
    """

    referred: int | None
    excluded: int | None
    exclusion_reasons: tuple[tuple[str, int], ...]
    enrolled: int
    no_index_test: int
    no_index_test_reasons: tuple[tuple[str, int], ...]
    index_test: int
    reference_standard: int
    target_positive: int
    target_negative: int
    nodes_imaged: int
    nodes_matched: int
    nodes_unmatched: int

    def to_frame(self) -> pd.DataFrame:
        """The counts as a two-column table (``box``, ``count``).

        Returns
        -------
        pandas.DataFrame
            One row per box of the flow diagram, top to bottom: ``box`` (its label; the
            reasons under a box are indented by two spaces) and ``count`` (participants, or
            target nodes for the last three rows).  Without a screening log the table starts
            at ``Enrolled``.

        Examples
        --------
        >>> from ceuslib.cohort import simulate_cohort
        >>> c = simulate_cohort(10, seed=1, curves=False)
        >>> table = stard_flow(c.screening, c.patients, c.nodes).to_frame()
        >>> list(table.columns), int(table.loc[table["box"] == "Enrolled", "count"].item())
        (['box', 'count'], 10)
        """
        rows = []
        if self.referred is not None:  # a study without a screening log starts at enrolment
            rows += [("Referred and screened", self.referred), ("Excluded", self.excluded)]
            rows += [(f"  {reason}", n) for reason, n in self.exclusion_reasons]
        rows += [("Enrolled", self.enrolled), ("No CEUS examination", self.no_index_test)]
        rows += [(f"  {reason}", n) for reason, n in self.no_index_test_reasons]
        rows += [
            ("CEUS examined (patients)", self.index_test),
            ("Neck dissection pathology", self.reference_standard),
            ("Residual nodal disease", self.target_positive),
            ("No residual nodal disease", self.target_negative),
            ("CEUS-examined target nodes", self.nodes_imaged),
            ("  matched to the specimen", self.nodes_matched),
            ("  not matched", self.nodes_unmatched),
        ]
        return pd.DataFrame(rows, columns=["box", "count"])


def stard_flow(
    screening: pd.DataFrame | None, patients: pd.DataFrame, nodes: pd.DataFrame
) -> StardFlow:
    """Count the participants at each box of the STARD 2015 flow diagram.

    Parameters
    ----------
    screening, patients, nodes : pandas.DataFrame
        The tables of a :class:`ceuslib.cohort.Cohort` (or files in the same format);
        ``screening`` may be ``None`` (no screening log: the flow starts at enrolment).

    Returns
    -------
    StardFlow
        The number of referrals, patients and target nodes at each box, and the reasons
        under the exclusion and no-index-test boxes.

    Notes
    -----
    The boxes follow the STARD 2015 prototype flow diagram (Bossuyt et al. 2015): potentially
    eligible, excluded with reasons, enrolled, index test not done with reasons, index test
    done, reference standard done, and the final diagnosis.  The index test is the CEUS
    examination of the patient's target nodes; the target condition is residual nodal
    disease on the neck dissection.

    Examples
    --------
    >>> from ceuslib.cohort import simulate_cohort
    >>> cohort = simulate_cohort(20, seed=1, curves=False)
    >>> flow = stard_flow(cohort.screening, cohort.patients, cohort.nodes)
    >>> flow.enrolled
    20
    >>> flow.index_test + flow.no_index_test == flow.enrolled
    True
    """
    result = None if screening is None else screen(screening)
    imaged = nodes[nodes["ceus_imaged"] == "yes"]
    with_ceus = set(imaged["patient_id"])
    enrolled_ids = list(patients["patient_id"])
    without = [pid for pid in enrolled_ids if pid not in with_ceus]
    missing_nodes = nodes[nodes["patient_id"].isin(without)]
    first_reason = missing_nodes.groupby("patient_id", sort=False)["ceus_missing_reason"].first()
    reasons = first_reason.fillna("not recorded").value_counts()
    examined = patients[patients["patient_id"].isin(with_ceus)]
    positive = int((examined["residual_nodal_disease"] == "yes").sum())
    matched = int((imaged["match_method"] != "unmatched").sum())
    return StardFlow(
        referred=None if result is None else result.n_screened,
        excluded=None if result is None else result.n_excluded,
        exclusion_reasons=()
        if result is None
        else tuple((str(k), int(v)) for k, v in result.reasons().items()),
        enrolled=len(enrolled_ids),
        no_index_test=len(without),
        no_index_test_reasons=tuple((str(k), int(v)) for k, v in sorted(reasons.items())),
        index_test=len(examined),
        reference_standard=len(examined),
        target_positive=positive,
        target_negative=len(examined) - positive,
        nodes_imaged=len(imaged),
        nodes_matched=matched,
        nodes_unmatched=len(imaged) - matched,
    )
