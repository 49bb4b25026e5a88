# Clustered comparisons of two tests, transcribed in R from the published formulas, on two
# seeded data sets (nodes nested in patients; neck sides nested in patients).
#
# Run from the repository root:   Rscript tests/reference/accuracy/derive_clustered_tests.R
# Writes, next to this script:
#   clustered_paired.csv   80 patients with 1-5 nodes: y, two scores and two binary calls
#   sides.csv              150 patients with one or two neck sides: the same columns
#   clustered_tests_r.csv  one row per value: source, case, quantity, value (%.17g), call
# The test suite reads these files and never needs R.
#
# Formulas (base R only, R 4.2.2):
#   Obuchowski NA. Nonparametric analysis of clustered ROC curve data. Biometrics
#     1997;53:567-578 (two-curve covariance, with placement values from all pairs);
#   Obuchowski NA. On the comparison of correlated proportions for clustered data. Stat
#     Med 1998;17:1495-1507 (ratio estimators and their clustered variance);
#   Durkalski VL et al. Analysis of clustered matched-pair data. Stat Med
#     2003;22:2417-2428 (cluster-weighted McNemar statistic).

here <- "tests/reference/accuracy"
rows <- list()
add <- function(case, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(
    source = "R transcription", case = case, quantity = quantity,
    value = sprintf("%.17g", as.numeric(value)), call = call
  )
}

# ---------------------------------------------------------------- data sets
set.seed(1998)
sizes <- sample(1:5, 80, replace = TRUE)
patient <- rep(sprintf("P%03d", 1:80), sizes)
effect <- rep(rnorm(80), sizes)
y <- rbinom(length(patient), 1, plogis(-0.3 + 1.2 * effect))
score_a <- round(y + 0.8 * effect + rnorm(length(y)), 2)
score_b <- pmin(5, pmax(1, round(3 + 0.8 * y + 0.6 * effect + rnorm(length(y)))))
nodes <- data.frame(
  patient = patient, y = y, score_a = score_a, score_b = score_b,
  test_a = as.integer(score_a > 0.5), test_b = as.integer(score_b >= 4)
)
write.csv(nodes, file.path(here, "clustered_paired.csv"), row.names = FALSE)

set.seed(2003)
sides_n <- sample(1:2, 150, replace = TRUE, prob = c(0.3, 0.7))
patient <- rep(sprintf("S%03d", 1:150), sides_n)
effect <- rep(rnorm(150, sd = 1.5), sides_n)
y <- rbinom(length(patient), 1, plogis(-0.5 + effect))
score_a <- round(1.5 * y + effect + rnorm(length(y)), 1)
score_b <- round(y + 0.5 * effect + rnorm(length(y)), 1)
sides <- data.frame(
  patient = patient, y = y, score_a = score_a, score_b = score_b,
  test_a = as.integer(score_a > 0.8), test_b = as.integer(score_b > 0.6)
)
write.csv(sides, file.path(here, "sides.csv"), row.names = FALSE)

# ---------------------------------------------------------------- Obuchowski 1997
psi <- function(x, y) (x > y) + 0.5 * (x == y)
obuchowski_1997 <- function(d, a, b) {
  ids <- unique(d$patient)
  pos <- d$y == 1
  neg <- d$y == 0
  M <- sum(pos)
  N <- sum(neg)
  parts <- lapply(list(a, b), function(s) {
    x <- d[[s]][pos]
    z <- d[[s]][neg]
    pairs <- outer(x, z, psi)
    v10 <- rowMeans(pairs)
    v01 <- colMeans(pairs)
    auc <- mean(pairs)
    v10_i <- sapply(ids, function(i) sum(v10[d$patient[pos] == i]))
    v01_i <- sapply(ids, function(i) sum(v01[d$patient[neg] == i]))
    m_i <- sapply(ids, function(i) sum(d$patient[pos] == i))
    n_i <- sapply(ids, function(i) sum(d$patient[neg] == i))
    list(auc = auc, d10 = v10_i - m_i * auc, d01 = v01_i - n_i * auc, m_i = m_i, n_i = n_i)
  })
  I <- length(ids)
  I10 <- sum(parts[[1]]$m_i > 0)
  I01 <- sum(parts[[1]]$n_i > 0)
  cov <- function(p, q) {
    s10 <- I10 / ((I10 - 1) * M) * sum(p$d10 * q$d10)
    s01 <- I01 / ((I01 - 1) * N) * sum(p$d01 * q$d01)
    s11_pq <- I / (I - 1) * sum(p$d10 * q$d01)
    s11_qp <- I / (I - 1) * sum(q$d10 * p$d01)
    s10 / M + s01 / N + (s11_pq + s11_qp) / (M * N)
  }
  var_a <- cov(parts[[1]], parts[[1]])
  var_b <- cov(parts[[2]], parts[[2]])
  cov_ab <- cov(parts[[1]], parts[[2]])
  diff <- parts[[1]]$auc - parts[[2]]$auc
  se <- sqrt(var_a + var_b - 2 * cov_ab)
  z <- diff / se
  c(auc_a = parts[[1]]$auc, auc_b = parts[[2]]$auc, var_a = var_a, var_b = var_b,
    cov = cov_ab, se = se, z = z, p_value = 2 * pnorm(-abs(z)),
    ci_low = diff - qnorm(0.975) * se, ci_high = diff + qnorm(0.975) * se)
}

# ---------------------------------------------------------------- Obuchowski 1998, Durkalski 2003
obuchowski_1998 <- function(x_a, x_b, patient) {
  ids <- unique(patient)
  K <- length(ids)
  n_k <- sapply(ids, function(i) sum(patient == i))
  xa_k <- sapply(ids, function(i) sum(x_a[patient == i]))
  xb_k <- sapply(ids, function(i) sum(x_b[patient == i]))
  N <- sum(n_k)
  p_a <- sum(xa_k) / N
  p_b <- sum(xb_k) / N
  v_a <- K / (K - 1) * sum((xa_k - n_k * p_a)^2) / N^2
  v_b <- K / (K - 1) * sum((xb_k - n_k * p_b)^2) / N^2
  cv <- K / (K - 1) * sum((xa_k - n_k * p_a) * (xb_k - n_k * p_b)) / N^2
  statistic <- (p_a - p_b)^2 / (v_a + v_b - 2 * cv)
  c(p_a = p_a, p_b = p_b, se = sqrt(v_a + v_b - 2 * cv), statistic = statistic,
    p_value = pchisq(statistic, 1, lower.tail = FALSE))
}
durkalski_2003 <- function(x_a, x_b, patient) {
  ids <- unique(patient)
  n_k <- sapply(ids, function(i) sum(patient == i))
  b_k <- sapply(ids, function(i) sum(x_a[patient == i] == 1 & x_b[patient == i] == 0))
  c_k <- sapply(ids, function(i) sum(x_a[patient == i] == 0 & x_b[patient == i] == 1))
  statistic <- sum((b_k - c_k) / n_k)^2 / sum(((b_k - c_k) / n_k)^2)
  c(statistic = statistic, p_value = pchisq(statistic, 1, lower.tail = FALSE))
}

for (case in c("clustered_paired", "sides")) {
  d <- if (case == "sides") sides else nodes
  values <- obuchowski_1997(d, "score_a", "score_b")
  for (q in names(values)) {
    add(case, paste0("delong_", q), values[[q]],
        "Obuchowski (1997) two-curve covariance, placement values from all pairs")
  }
  for (subset in c("diseased", "healthy")) {
    keep <- if (subset == "diseased") d$y == 1 else d$y == 0
    o <- obuchowski_1998(d$test_a[keep], d$test_b[keep], d$patient[keep])
    for (q in names(o)) {
      add(case, paste0("obuchowski_", subset, "_", q), o[[q]],
          "Obuchowski (1998) equations 1-6, ratio-estimator variance")
    }
    k <- durkalski_2003(d$test_a[keep], d$test_b[keep], d$patient[keep])
    for (q in names(k)) {
      add(case, paste0("durkalski_", subset, "_", q), k[[q]],
          "Durkalski et al. (2003), sum((b_k - c_k)/n_k)^2 / sum(((b_k - c_k)/n_k)^2)")
    }
  }
}
write.csv(do.call(rbind, rows), file.path(here, "clustered_tests_r.csv"), row.names = FALSE)
