# Recomputation in R of every number typed into published.json from a paper.
#
# Run from the repository root:   Rscript tests/reference/accuracy/derive_published.R
# Writes, next to this script:
#   published_r.csv   one row per value: source, case, quantity, value (%.17g), call
# The test suite reads it and never needs R. Nothing here is rounded: the tests round the
# published numbers' neighbourhood (half a unit of the last printed decimal), not these values.
#
# Versions used: R 4.2.2 (stats), pROC 1.18.0 (checked below).

suppressMessages(library(pROC))
stopifnot(packageVersion("pROC") == "1.18.0")

here <- "tests/reference/accuracy"
rv <- as.character(getRversion())
rows <- list()
add <- function(source, case, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(
    source = source, case = case, quantity = quantity,
    value = sprintf("%.17g", as.numeric(value)), call = call
  )
}

# ---------------------------------------------------------------- Newcombe (1998), Table I
# Method 1 (simple asymptotic, no continuity correction) written out, without clipping;
# method 3 (Wilson score, no continuity correction) from prop.test; method 5 (Clopper-Pearson)
# from binom.test.
z <- qnorm(0.975)
for (xn in list(c(81, 263), c(15, 148), c(0, 20), c(1, 29))) {
  x <- xn[1]; n <- xn[2]; p <- x / n
  case <- sprintf("%d_of_%d", x, n)
  half <- z * sqrt(p * (1 - p) / n)
  call <- sprintf("R %s: p = %d/%d; p -/+ qnorm(0.975) * sqrt(p * (1 - p) / %d) (not clipped)", rv, x, n, n)
  add("R stats", case, "wald_low", p - half, call)
  add("R stats", case, "wald_high", p + half, call)
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  call <- sprintf("R %s: prop.test(%d, %d, correct = FALSE)$conf.int", rv, x, n)
  add("R stats", case, "wilson_low", ci[1], call)
  add("R stats", case, "wilson_high", ci[2], call)
  ci <- binom.test(x, n)$conf.int
  call <- sprintf("R %s: binom.test(%d, %d)$conf.int", rv, x, n)
  add("R stats", case, "clopper_pearson_low", ci[1], call)
  add("R stats", case, "clopper_pearson_high", ci[2], call)
}

# ---------------------------------------------------------------- Hanley and McNeil (1982)
# Table I: ratings 1..5 of 58 normal and 51 abnormal CT images.
normal <- c(33, 6, 6, 11, 2)
abnormal <- c(3, 2, 2, 11, 33)
truth <- rep(c(0, 1), c(sum(normal), sum(abnormal)))
rating <- c(rep(1:5, normal), rep(1:5, abnormal))
r <- roc(truth, rating, levels = c(0, 1), direction = "<", quiet = TRUE)
call <- "pROC 1.18.0: roc(truth, rating, levels = c(0, 1), direction = '<') on Hanley-McNeil Table I"
a <- as.numeric(auc(r))
add("pROC", "hanley_mcneil_table1", "auc", a, paste0(call, "; auc(r)"))
add("pROC", "hanley_mcneil_table1", "se_delong", sqrt(var(r, method = "delong")),
    paste0(call, "; sqrt(var(r, method = 'delong'))"))
# Equation (2) of the paper with Q1 = A/(2 - A) and Q2 = 2A^2/(1 + A), written out here.
hm_se <- function(A, n_a, n_n) {
  q1 <- A / (2 - A); q2 <- 2 * A^2 / (1 + A)
  sqrt((A * (1 - A) + (n_a - 1) * (q1 - A^2) + (n_n - 1) * (q2 - A^2)) / (n_a * n_n))
}
add("R transcription", "hanley_mcneil_table1", "se", hm_se(a, sum(abnormal), sum(normal)),
    sprintf("R %s: hm_se(auc(r), 51, 58) in derive_published.R (Hanley-McNeil eq. 2, exponential Q1, Q2)", rv))

# ---------------------------------------------------------------- McNemar: Fagerland et al.
# Bentur et al. (2009) in Fagerland, Lydersen and Laake (2013): discordant b = 1, c = 7;
# Cavo et al. (2012) in Fagerland, Lydersen and Laake (2017, chapter 8): b = 6, c = 16.
for (bc in list(c(1, 7), c(6, 16))) {
  b <- bc[1]; cc <- bc[2]; nd <- b + cc
  case <- sprintf("b%d_c%d", b, cc)
  add("R stats", case, "asymptotic",
      mcnemar.test(matrix(c(10, cc, b, 10), 2), correct = FALSE)$p.value,
      sprintf("R %s: mcnemar.test(matrix(c(10, %d, %d, 10), 2), correct = FALSE)$p.value", rv, cc, b))
  exact <- binom.test(b, nd, 0.5)$p.value
  add("R stats", case, "exact", exact, sprintf("R %s: binom.test(%d, %d, 0.5)$p.value", rv, b, nd))
  add("R stats", case, "midp", exact - dbinom(min(b, cc), nd, 0.5),
      sprintf("R %s: binom.test(%d, %d, 0.5)$p.value - dbinom(%d, %d, 0.5)", rv, b, nd, min(b, cc), nd))
}

# ---------------------------------------------------------------- paired differences
# Newcombe (1998, Stat Med 17:2635-2650) method 10, written out here from the paper's
# definition (Wilson limits from prop.test, phi with Newcombe's continuity correction), and
# the Wald interval diff -/+ z * sqrt((n12 + n21)/n - diff^2) / sqrt(n).
newcombe10 <- function(n11, n12, n21, n22) {
  n <- n11 + n12 + n21 + n22
  pa <- (n11 + n12) / n; pb <- (n11 + n21) / n; d <- pa - pb
  wa <- prop.test(n11 + n12, n, correct = FALSE)$conf.int
  wb <- prop.test(n11 + n21, n, correct = FALSE)$conf.int
  marg <- c(n11 + n12, n21 + n22, n11 + n21, n12 + n22)
  A <- n11 * n22 - n12 * n21
  phi <- if (any(marg == 0)) 0 else if (A > n / 2) (A - n / 2) / sqrt(prod(marg)) else if (A >= 0) 0 else A / sqrt(prod(marg))
  dl <- sqrt((pa - wa[1])^2 + (wb[2] - pb)^2 - 2 * phi * (pa - wa[1]) * (wb[2] - pb))
  du <- sqrt((wa[2] - pa)^2 + (pb - wb[1])^2 - 2 * phi * (wa[2] - pa) * (pb - wb[1]))
  c(diff = d, low = d - dl, high = d + du)
}
paired <- list(
  cavo_2012 = c(59, 6, 16, 80),
  bentur_2009 = c(1, 1, 7, 12),
  newcombe_1998_example = c(20, 12, 2, 16)
)
for (case in names(paired)) {
  t <- paired[[case]]
  out <- newcombe10(t[1], t[2], t[3], t[4])
  call <- sprintf("R %s: newcombe10(%s) in derive_published.R (Newcombe 1998 method 10)", rv,
                  paste(t, collapse = ", "))
  for (q in names(out)) add("R transcription", case, paste0("newcombe_", q), out[[q]], call)
}
t <- paired$cavo_2012; n <- sum(t); d <- (t[2] - t[3]) / n
half <- z * sqrt((t[2] + t[3]) / n - d^2) / sqrt(n)
call <- sprintf("R %s: d = (6 - 16)/161; d -/+ qnorm(0.975) * sqrt((6 + 16)/161 - d^2) / sqrt(161)", rv)
add("R stats", "cavo_2012", "wald_low", d - half, call)
add("R stats", "cavo_2012", "wald_high", d + half, call)

out <- do.call(rbind, rows)
write.csv(out, file.path(here, "published_r.csv"), row.names = FALSE)
cat(sprintf("wrote %d values\n", nrow(out)))
