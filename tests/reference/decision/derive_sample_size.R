# Sample size to show that the residual risk (1 - NPV) among CEUS-negative units is below a
# threshold, and its inverse, transcribed in R from the published formulas.
#
# Run from the repository root:   Rscript tests/reference/decision/derive_sample_size.R
# Writes sample_size_r.csv next to this script: case, anticipated, threshold, level, power,
# cluster_size, icc, n_negative_input, n_effective, n_negative, detectable, call.
#
#   n' = ((z_a sqrt(p0 (1 - p0)) + z_b sqrt(p1 (1 - p1))) / (p0 - p1))^2   (one-sample score
#   test of a proportion; Fleiss, Levin and Paik 2003, section 2.5), z_a = qnorm((1 + level)/2),
#   z_b = qnorm(power); n = ceiling(n' (1 + (m - 1) ICC)) (design effect, Kish 1965).
#   The inverse solves the same equation for p0 numerically with uniroot (tolerance 1e-14).
#
# R 4.2.2, base R only.

here <- "tests/reference/decision"
n_eff <- function(p1, p0, level, power) {
  za <- qnorm((1 + level) / 2)
  zb <- qnorm(power)
  ((za * sqrt(p0 * (1 - p0)) + zb * sqrt(p1 * (1 - p1))) / (p0 - p1))^2
}
cases <- data.frame(
  case = c("nodes_5_15", "sides_5_15", "sides_10_20", "strict_2_10", "loose_20_35"),
  anticipated = c(0.05, 0.05, 0.10, 0.02, 0.20),
  threshold = c(0.15, 0.15, 0.20, 0.10, 0.35),
  level = c(0.95, 0.95, 0.95, 0.90, 0.99),
  power = c(0.8, 0.8, 0.9, 0.8, 0.85),
  cluster_size = c(1, 2, 1.7, 1, 2),
  icc = c(0, 0.3, 0.5, 0, 0.1),
  n_negative_input = c(60, 150, 200, 500, 90)
)
out <- cases
out$n_effective <- NA
out$n_negative <- NA
out$detectable <- NA
for (i in seq_len(nrow(cases))) {
  with(cases[i, ], {
    de <- 1 + (cluster_size - 1) * icc
    ne <- n_eff(anticipated, threshold, level, power)
    out$n_effective[i] <<- ne
    out$n_negative[i] <<- ceiling(ne * de)
    target <- n_negative_input / de
    f <- function(p0) n_eff(anticipated, p0, level, power) - target
    out$detectable[i] <<- uniroot(f, c(anticipated + 1e-9, 1 - 1e-12), tol = 1e-14)$root
  })
}
out$n_effective <- sprintf("%.17g", out$n_effective)
out$detectable <- sprintf("%.17g", out$detectable)
out$call <- "R 4.2.2 transcription of the score-test sample size with design effect; uniroot for the inverse"
write.csv(out, file.path(here, "sample_size_r.csv"), row.names = FALSE)
