"""Simulated readers: the agreement they are built to have, edges, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from ceuslib.phantom import (
    FEATURE_LEVELS,
    PATTERNS,
    expected_agreement,
    pattern_features,
    reader_agreement,
    simulate_readers,
)


def _wide(ratings, feature):
    sub = ratings[ratings["feature"] == feature]
    return sub.pivot(index="node_id", columns="reader", values="rating")


def test_pattern_features_cover_every_feature_level() -> None:
    table = pattern_features(sorted(PATTERNS))
    for feature, levels in FEATURE_LEVELS.items():
        assert set(table[feature]) <= set(levels), feature
    with pytest.raises(ValueError, match="unknown pattern"):
        pattern_features(["lymphoma"])


@pytest.mark.parametrize("kappa", [0.0, 0.4, 0.7, 0.9])
def test_observed_agreement_matches_its_expectation(kappa: float) -> None:
    rng = np.random.default_rng(0)
    truth = pattern_features(rng.choice(sorted(PATTERNS), size=4000, p=[0.2, 0.3, 0.4, 0.1]))
    ratings = simulate_readers(truth, n_readers=2, kappa=kappa, seed=1)
    for feature in FEATURE_LEVELS:
        wide = _wide(ratings, feature)
        observed = float((wide[1] == wide[2]).mean())
        prevalence = truth[feature].value_counts(normalize=True).to_numpy()
        expected = expected_agreement(kappa, prevalence)
        se = np.sqrt(expected * (1 - expected) / len(truth))
        assert abs(observed - expected) < 4 * se, feature
        # each reader's margins stay at the prevalence
        margin = (
            wide[1]
            .value_counts(normalize=True)
            .reindex(truth[feature].value_counts(normalize=True).index)
        )
        np.testing.assert_allclose(margin.to_numpy(), prevalence, atol=0.04)


def test_perfect_and_per_feature_agreement() -> None:
    truth = pattern_features(["reactive", "viable_tumour", "necrotic_ring"] * 50)
    perfect = simulate_readers(truth, n_readers=3, kappa=1.0, seed=5)
    assert (perfect["rating"] == perfect["truth"]).all()
    assert len(perfect) == 150 * 3 * len(FEATURE_LEVELS)
    mixed = simulate_readers(
        truth,
        n_readers=2,
        kappa={"direction": 1.0, "homogeneity": 0.0},
        seed=5,
        features=["direction", "homogeneity"],
    )
    assert set(mixed["feature"]) == {"direction", "homogeneity"}
    direction = mixed[mixed["feature"] == "direction"]
    assert (direction["rating"] == direction["truth"]).all()


def test_same_seed_same_ratings() -> None:
    truth = pattern_features(sorted(PATTERNS) * 10)
    a = simulate_readers(truth, kappa=0.6, seed=3)
    b = simulate_readers(truth, kappa=0.6, seed=3)
    assert a.equals(b)


def test_reader_input_errors() -> None:
    truth = pattern_features(["reactive"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        simulate_readers(truth, kappa=1.2, seed=0)
    with pytest.raises(ValueError, match="n_readers"):
        simulate_readers(truth, n_readers=0, seed=0)
    with pytest.raises(ValueError, match="no value"):
        simulate_readers(truth, kappa={"direction": 0.5}, seed=0)
    with pytest.raises(ValueError, match="node_id"):
        simulate_readers(truth.drop(columns="node_id"), seed=0)
    with pytest.raises(ValueError, match="sum"):
        expected_agreement(0.5, [0.5, 0.6])


@pytest.mark.parametrize("kappa", [0.3, 0.6, 0.8])
def test_kappa_through_the_accuracy_module_recovers_the_target(kappa: float) -> None:
    rng = np.random.default_rng(2)
    truth = pattern_features(rng.choice(sorted(PATTERNS), size=3000, p=[0.25, 0.25, 0.3, 0.2]))
    ratings = simulate_readers(truth, n_readers=3, kappa=kappa, seed=4)
    table = reader_agreement(ratings)
    assert len(table) == 3 * len(FEATURE_LEVELS)  # three pairs per feature
    # kappa = r_a r_b = target for every pair and, for the ordinal feature, weighted too
    assert (np.abs(table["kappa"] - kappa) < 4 * table["se"]).all()
    assert (table.loc[table["feature"] == "enhancement", "weights"] == "linear").all()
