"""Speed of the decision statistics on a 300-patient synthetic cohort.

Targets: a cut-point bootstrap with 2,000 patient resamples in at most 3 s, and a decision
curve over 99 thresholds with 1,000 bootstrap resamples in at most 3 s.  The comparator is
the obvious implementation: copy the resampled rows and call the single-sample function in
a Python loop (timed on fewer resamples and scaled, as it is linear in their number).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from ceuslib.cohort import simulate_cohort
from ceuslib.decision import (
    bootstrap_cutpoint,
    bootstrap_weights,
    choose_cutpoint,
    decision_curve,
    net_benefit,
    patient_table,
    peak_enhancement,
)

LIMIT_S = 3.0
N_PATIENTS = 300
SEED = 20261126


def _median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cohort():
    cohort = simulate_cohort(N_PATIENTS, seed=SEED)
    table = patient_table(cohort.patients, cohort.nodes, peak=peak_enhancement(cohort.tics))
    table = table.dropna(subset=["max_peak"])
    nodes = cohort.nodes[cohort.nodes.viable_tumour.notna() & cohort.nodes.ceus_imaged.eq("yes")]
    node_peak = nodes.node_id.map(peak_enhancement(cohort.tics)).to_numpy()
    node_y = nodes.viable_tumour.eq("yes").astype(int).to_numpy()
    return table, (node_y, node_peak, nodes.patient_id.to_numpy())


def _loop_cutpoints(y, s, cluster, rule, target, n_resamples):
    weights = bootstrap_weights(cluster, y.size, n_resamples=n_resamples, seed=1)
    for w in weights:
        rows = np.repeat(np.arange(y.size), w)
        try:
            choose_cutpoint(y[rows], s[rows], rule=rule, target=target)
        except ValueError:
            pass


def _loop_curve(y, risks, thresholds, n_resamples):
    weights = bootstrap_weights(None, y.size, n_resamples=n_resamples, seed=1)
    for w in weights:
        rows = np.repeat(np.arange(y.size), w)
        for risk in risks.values():
            net_benefit(y[rows], risk[rows], thresholds)


def main() -> int:
    table, (node_y, node_peak, node_patient) = _cohort()
    y = table.residual.to_numpy()
    score = table.max_peak.to_numpy()
    print(
        f"cohort: {N_PATIENTS} patients simulated (seed {SEED}), {y.size} with a CEUS node, "
        f"{node_y.size} matched CEUS nodes"
    )
    ok = True
    cases = [
        ("patients, min_sensitivity 0.9", y, score, None, "min_sensitivity", 0.9),
        ("patients, min_npv_lcb 0.8", y, score, None, "min_npv_lcb", 0.8),
        ("nodes by patient, youden", node_y, node_peak, node_patient, "youden", None),
    ]
    for label, yy, ss, cluster, rule, target in cases:
        ours = _median_time(
            lambda yy=yy, ss=ss, cluster=cluster, rule=rule, target=target: bootstrap_cutpoint(
                yy, ss, cluster=cluster, rule=rule, target=target, n_resamples=2000, seed=1
            ),
            repeats=5,
        )
        loop = _median_time(
            lambda yy=yy, ss=ss, cluster=cluster, rule=rule, target=target: _loop_cutpoints(
                yy, ss, cluster, rule, target, 100
            ),
            repeats=3,
        ) * (2000 / 100)
        met = ours <= LIMIT_S
        ok &= met
        print(
            f"cut-point bootstrap, 2000 resamples ({label}): median {ours:.3f} s "
            f"(target <= {LIMIT_S:.0f} s: {'met' if met else 'MISSED'}); "
            f"row-copy loop {loop:.2f} s (scaled from 100); ratio {loop / ours:.0f}x"
        )
    thresholds = np.arange(1, 100) / 100
    ceus_rule = score >= choose_cutpoint(y, score, rule="min_sensitivity", target=0.9).cutpoint
    logit = (score - score.mean()) / score.std()
    risks = {"CEUS rule": ceus_rule.astype(float), "model": 1 / (1 + np.exp(-logit))}
    ours = _median_time(
        lambda: decision_curve(y, risks, thresholds, n_resamples=1000, seed=1), repeats=5
    )
    loop = _median_time(lambda: _loop_curve(y, risks, thresholds, 50), repeats=3) * (1000 / 50)
    met = ours <= LIMIT_S
    ok &= met
    print(
        f"decision curve, 99 thresholds x 1000 resamples x 2 strategies + all/none: median "
        f"{ours:.3f} s (target <= {LIMIT_S:.0f} s: {'met' if met else 'MISSED'}); "
        f"net_benefit loop {loop:.2f} s (scaled from 50); ratio {loop / ours:.0f}x"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
