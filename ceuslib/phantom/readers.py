"""Simulated readers rating the qualitative CEUS features, with a chosen agreement.

Each reader, for each node and feature, reads the true category with probability ``r`` and
otherwise guesses, drawing a category from the features' prevalence among the nodes rated.
Two such readers agree beyond chance with an expected Cohen's kappa of ``r_a * r_b`` (also
the expected weighted kappa, for any weights): choosing ``r = sqrt(kappa)`` gives every pair
of readers the expected kappa ``kappa``.  A kappa of 0.6-0.8 for qualitative
patterns is an ASSUMPTION: no published kappa for neck-node CEUS patterns was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

import numpy as np
import pandas as pd

from ceuslib.accuracy import cohen_kappa
from ceuslib.phantom.patterns import FEATURE_LEVELS, PATTERNS

#: Features whose categories are ordered (weighted kappa makes sense for them).
ORDINAL_FEATURES = ("enhancement",)


def pattern_features(patterns: Iterable[str]) -> pd.DataFrame:
    """The true qualitative features of nodes given by their pattern names.

    Parameters
    ----------
    patterns : iterable of str
        One pattern name per node (keys of :data:`PATTERNS`).

    Returns
    -------
    pandas.DataFrame
        One row per node: ``node_id`` (1, 2, ...), ``pattern`` and one column per feature
        of ``FEATURE_LEVELS``.

    Examples
    --------
    >>> table = pattern_features(["reactive", "necrotic_ring"])
    >>> table["direction"].tolist()
    ['centrifugal', 'centripetal']
    """
    names = list(patterns)
    unknown = sorted(set(names) - set(PATTERNS))
    if unknown:
        raise ValueError(f"unknown pattern(s) {unknown}; choose from {sorted(PATTERNS)}")
    rows = [
        {"node_id": i + 1, "pattern": name, **dict(PATTERNS[name].features)}
        for i, name in enumerate(names)
    ]
    return pd.DataFrame(rows, columns=["node_id", "pattern", *FEATURE_LEVELS])


def simulate_readers(
    truth: pd.DataFrame,
    *,
    n_readers: int = 2,
    kappa: float | Mapping[str, float] = 0.7,
    seed: int | np.random.Generator,
    features: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Ratings of the qualitative features by simulated readers.

    Parameters
    ----------
    truth : pandas.DataFrame
        One row per node, with ``node_id`` and one column per feature (as returned by
        :func:`pattern_features`).
    n_readers : int
        Number of readers (at least 1).
    kappa : float or mapping
        Expected Cohen's kappa between any two readers, in ``[0, 1]``: one value for all
        features or one per feature name.
    seed : int or numpy.random.Generator
        Source of randomness.
    features : iterable of str, optional
        The features to rate (default: the columns of ``truth`` named in
        ``FEATURE_LEVELS``).

    Returns
    -------
    pandas.DataFrame
        Long format: ``node_id, reader, feature, truth, rating``, one row per node, reader
        and feature.

    Notes
    -----
    With reading probability ``r`` and guesses drawn from the prevalence ``pi``, two readers'
    joint distribution of ratings is ``r_a r_b diag(pi) + (1 - r_a r_b) pi pi^T`` (both read
    the truth, or at least one rating is independent of the other), whose margins are ``pi``.
    Observed agreement is therefore ``p_o = r_a r_b (1 - S) + S`` with ``S = sum(pi^2)`` the
    chance agreement, and Cohen's kappa ``(p_o - S) / (1 - S) = r_a r_b``; for weighted kappa
    every off-diagonal cell is scaled by the same ``1 - r_a r_b``, so it equals ``r_a r_b``
    too.  This is the latent-class picture of agreement of Cohen (1960) with a perfect
    "reading" class; see also Landis and Koch (1977) for the usual verbal scale.

    Examples
    --------
    Perfect readers (kappa 1) always report the truth:

    >>> truth = pattern_features(["reactive", "viable_tumour"])
    >>> ratings = simulate_readers(truth, n_readers=2, kappa=1.0, seed=0)
    >>> bool((ratings["rating"] == ratings["truth"]).all()), len(ratings)
    (True, 20)
    """
    if "node_id" not in truth.columns:
        raise ValueError("truth must have a node_id column")
    if int(n_readers) != n_readers or n_readers < 1:
        raise ValueError(f"n_readers must be a positive integer, got {n_readers}")
    if len(truth) == 0:
        raise ValueError("truth has no node")
    names = (
        [c for c in truth.columns if c in FEATURE_LEVELS] if features is None else list(features)
    )
    if not names:
        raise ValueError(
            "no feature to rate: truth has none of the columns " + ", ".join(FEATURE_LEVELS)
        )
    missing = [name for name in names if name not in truth.columns]
    if missing:
        raise ValueError(f"truth has no column(s) {missing}")
    kappas = {name: kappa for name in names} if not isinstance(kappa, Mapping) else dict(kappa)
    for name in names:
        value = kappas.get(name)
        if value is None:
            raise ValueError(f"kappa gives no value for feature {name!r}")
        if not (0.0 <= value <= 1.0):
            raise ValueError(f"kappa must lie in [0, 1], got {value} for {name!r}")
    rng = np.random.default_rng(seed)
    n_nodes = len(truth)
    parts = []
    for name in names:
        true = truth[name].to_numpy(dtype=object)
        if pd.isna(truth[name]).any():
            raise ValueError(f"truth column {name!r} has missing values")
        categories, counts = np.unique(true.astype(str), return_counts=True)
        prevalence = counts / counts.sum()
        reliability = np.sqrt(kappas[name])
        reads = rng.random((n_readers, n_nodes)) < reliability
        guesses = categories[rng.choice(len(categories), size=(n_readers, n_nodes), p=prevalence)]
        rating = np.where(reads, true.astype(str)[None, :], guesses)
        parts.append(
            pd.DataFrame(
                {
                    "node_id": np.tile(truth["node_id"].to_numpy(), n_readers),
                    "reader": np.repeat(np.arange(1, n_readers + 1), n_nodes),
                    "feature": name,
                    "truth": np.tile(true.astype(str), n_readers),
                    "rating": rating.ravel(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def expected_agreement(kappa: float, prevalence: Iterable[float]) -> float:
    """Expected share of nodes two simulated readers rate alike.

    See :func:`simulate_readers`.

    Parameters
    ----------
    kappa : float
        The readers' kappa.
    prevalence : iterable of float
        The share of nodes in each category.

    Returns
    -------
    float
        ``kappa * (1 - S) + S`` with ``S`` the sum of squared prevalences (chance
        agreement).

    Examples
    --------
    >>> expected_agreement(0.6, [0.5, 0.5])
    0.8
    """
    p = np.asarray(list(prevalence), dtype=float)
    if p.ndim != 1 or len(p) == 0 or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError("prevalence must be non-negative shares summing to 1")
    if not (0.0 <= kappa <= 1.0):
        raise ValueError(f"kappa must lie in [0, 1], got {kappa}")
    chance = float(np.sum(p * p))
    return kappa * (1.0 - chance) + chance


def reader_agreement(
    ratings: pd.DataFrame, *, weights: str | None = "linear", level: float = 0.95
) -> pd.DataFrame:
    """Cohen's kappa of every pair of readers on every feature.

    Parameters
    ----------
    ratings : pandas.DataFrame
        Long format ``node_id, reader, feature, rating`` (as from :func:`simulate_readers`).
    weights : str or None
        ``None``, ``"linear"`` or ``"quadratic"``: weights for the ordinal features
        (``enhancement``: hypo < iso < hyper); the two-category features always use the
        unweighted kappa (all weights agree there).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per feature and pair of readers: ``feature, reader_a, reader_b, n, observed,
        expected, kappa, se, ci_low, ci_high, weights``.

    Notes
    -----
    Computed by ``ceuslib.accuracy.cohen_kappa`` (Cohen 1960; weighted, Cohen 1968;
    large-sample standard errors of Fleiss, Cohen and Everitt 1969), with the categories of
    ``FEATURE_LEVELS`` in their order.

    Examples
    --------
    >>> truth = pattern_features(["reactive", "viable_tumour"] * 5)
    >>> ratings = simulate_readers(truth, n_readers=2, kappa=1.0, seed=0,
    ...                            features=["direction"])
    >>> table = reader_agreement(ratings)
    >>> table[["feature", "reader_a", "reader_b", "kappa"]].to_dict("records")
    [{'feature': 'direction', 'reader_a': 1, 'reader_b': 2, 'kappa': 1.0}]
    """
    needed = {"node_id", "reader", "feature", "rating"}
    missing = sorted(needed - set(ratings.columns))
    if missing:
        raise ValueError(f"ratings needs the columns {sorted(needed)}; missing {missing}")
    rows = []
    for feature, sub in ratings.groupby("feature", sort=False):
        wide = sub.pivot(index="node_id", columns="reader", values="rating")
        levels = FEATURE_LEVELS.get(feature)
        ordinal = feature in ORDINAL_FEATURES
        for a, b in combinations(wide.columns, 2):
            pair = wide[[a, b]].dropna()
            result = cohen_kappa(
                pair[a].to_numpy(),
                pair[b].to_numpy(),
                categories=levels,
                weights=weights if ordinal else None,
                level=level,
            )
            rows.append(
                {
                    "feature": feature,
                    "reader_a": int(a),
                    "reader_b": int(b),
                    "n": result.n,
                    "observed": result.observed,
                    "expected": result.expected,
                    "kappa": result.kappa,
                    "se": result.se,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "weights": result.weights,
                }
            )
    return pd.DataFrame(rows)
