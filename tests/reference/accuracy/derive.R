# Reference values for ceuslib.accuracy, derived with R's pROC and epiR.
#
# Run from the repository root:   Rscript tests/reference/accuracy/derive.R
# Writes, next to this script:
#   asah.csv           pROC's aSAH data set (Turck et al. 2010), exported unchanged
#   ties.csv           a seeded data set with many tied scores and two paired scores
#   clustered.csv      a seeded data set of nodes nested in patients
#   r_values.csv       one row per value: source, case, quantity, value (%.17g), call
# The test suite reads these files and never needs R.
#
# Versions used: R 4.x, pROC 1.18.0, epiR 2.0.57 (checked below).

suppressMessages({
  library(pROC)
  library(epiR)
})
stopifnot(packageVersion("pROC") == "1.18.0", packageVersion("epiR") == "2.0.57")

here <- "tests/reference/accuracy"
rows <- list()
add <- function(source, case, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(
    source = source, case = case, quantity = quantity,
    value = sprintf("%.17g", as.numeric(value)), call = call
  )
}

# ---------------------------------------------------------------- data sets
data(aSAH)
write.csv(
  data.frame(
    gos6 = as.integer(as.character(aSAH$gos6)), outcome = as.character(aSAH$outcome),
    gender = as.character(aSAH$gender), age = aSAH$age,
    wfns = as.integer(as.character(aSAH$wfns)), s100b = aSAH$s100b, ndka = aSAH$ndka
  ),
  file.path(here, "asah.csv"), row.names = FALSE
)

set.seed(20261126)
n <- 400
y <- rbinom(n, 1, 0.4)
a <- round(2 * rnorm(n, mean = y)) / 2            # heavy ties (steps of 0.5)
b <- round(a + rnorm(n, sd = 1.2), 1)              # correlated with a, ties at 0.1
c <- pmin(5, pmax(1, round(3 + y + rnorm(n))))     # a 5-point rating
ties <- data.frame(y = y, a = a, b = b, c = c)
write.csv(ties, file.path(here, "ties.csv"), row.names = FALSE)

set.seed(1997)
n_patients <- 60
sizes <- sample(1:6, n_patients, replace = TRUE)
patient <- rep(sprintf("P%03d", seq_len(n_patients)), sizes)
frailty <- rep(rnorm(n_patients, sd = 1), sizes)
risk <- rep(runif(n_patients, 0.2, 0.7), sizes)
truth <- rbinom(length(patient), 1, risk)
score <- round(1.2 * truth + frailty + rnorm(length(patient)), 2)
clustered <- data.frame(patient = patient, y = truth, score = score)
write.csv(clustered, file.path(here, "clustered.csv"), row.names = FALSE)

# ---------------------------------------------------------------- pROC: AUC and DeLong
curves <- list()
auc_case <- function(case, response, predictor, direction) {
  r <- roc(response, predictor, levels = c(0, 1), direction = direction, quiet = TRUE)
  call <- sprintf("pROC 1.18.0: roc(%s, levels = c(0, 1), direction = '%s')", case, direction)
  add("pROC", case, "auc", as.numeric(auc(r)), paste0(call, "; auc(r)"))
  add("pROC", case, "var", var(r, method = "delong"), paste0(call, "; var(r, method = 'delong')"))
  ci <- ci.auc(r, method = "delong", conf.level = 0.95)
  add("pROC", case, "ci_low", ci[1], paste0(call, "; ci.auc(r, method = 'delong')"))
  add("pROC", case, "ci_high", ci[3], paste0(call, "; ci.auc(r, method = 'delong')"))
  ci90 <- ci.auc(r, method = "delong", conf.level = 0.9)
  add("pROC", case, "ci90_low", ci90[1], paste0(call, "; ci.auc(r, 'delong', conf.level = 0.9)"))
  add("pROC", case, "ci90_high", ci90[3], paste0(call, "; ci.auc(r, 'delong', conf.level = 0.9)"))
  curves[[case]] <<- r
  r
}
poor <- as.integer(aSAH$outcome == "Poor")
auc_case("asah_s100b", poor, aSAH$s100b, "<")
auc_case("asah_ndka", poor, aSAH$ndka, "<")
auc_case("asah_wfns", poor, as.numeric(as.character(aSAH$wfns)), "<")
auc_case("asah_age_lower", poor, aSAH$age, ">")
auc_case("ties_a", ties$y, ties$a, "<")
auc_case("ties_b", ties$y, ties$b, "<")
auc_case("ties_c", ties$y, ties$c, "<")
auc_case("clustered_score", clustered$y, clustered$score, "<")

# ROC curve points (sensitivity and specificity at every threshold)
for (case in c("asah_wfns", "ties_c")) {
  r <- curves[[case]]
  o <- order(r$specificities, -r$sensitivities)
  for (k in seq_along(o)) {
    add("pROC", case, sprintf("curve_se_%03d", k), r$sensitivities[o[k]], "roc(...)$sensitivities")
    add("pROC", case, sprintf("curve_sp_%03d", k), r$specificities[o[k]], "roc(...)$specificities")
  }
}

# ---------------------------------------------------------------- pROC: paired and unpaired tests
paired_case <- function(case, r1, r2) {
  t <- roc.test(r1, r2, method = "delong", paired = TRUE, conf.level = 0.95)
  call <- sprintf("pROC 1.18.0: roc.test(%s, method = 'delong', paired = TRUE)", case)
  add("pROC", case, "z", t$statistic, call)
  add("pROC", case, "p_value", t$p.value, call)
  add("pROC", case, "ci_low", t$conf.int[1], call)
  add("pROC", case, "ci_high", t$conf.int[2], call)
  add("pROC", case, "auc_a", t$estimate[1], call)
  add("pROC", case, "auc_b", t$estimate[2], call)
}
paired_case("asah_s100b_vs_ndka", curves$asah_s100b, curves$asah_ndka)
paired_case("asah_s100b_vs_wfns", curves$asah_s100b, curves$asah_wfns)
paired_case("ties_a_vs_b", curves$ties_a, curves$ties_b)
paired_case("ties_b_vs_c", curves$ties_b, curves$ties_c)

male <- aSAH$gender == "Male"
r_m <- roc(poor[male], aSAH$s100b[male], levels = c(0, 1), direction = "<", quiet = TRUE)
r_f <- roc(poor[!male], aSAH$s100b[!male], levels = c(0, 1), direction = "<", quiet = TRUE)
t <- roc.test(r_m, r_f, method = "delong", paired = FALSE)
call <- "pROC 1.18.0: roc.test(roc(s100b | male), roc(s100b | female), method = 'delong', paired = FALSE)"
add("pROC", "asah_s100b_male_vs_female", "statistic", t$statistic, call)
add("pROC", "asah_s100b_male_vs_female", "df", t$parameter, call)
add("pROC", "asah_s100b_male_vs_female", "p_value", t$p.value, call)

# ---------------------------------------------------------------- pROC: partial AUC
pauc_case <- function(case, r, range, focus) {
  for (correct in c(FALSE, TRUE)) {
    value <- auc(r, partial.auc = range, partial.auc.focus = focus, partial.auc.correct = correct)
    label <- sprintf("%s_%s_%g_%g", case, focus, min(range), max(range))
    call <- sprintf(
      "pROC 1.18.0: auc(roc(%s), partial.auc = c(%g, %g), partial.auc.focus = '%s', partial.auc.correct = %s)",
      case, range[1], range[2], focus, correct
    )
    add("pROC", label, ifelse(correct, "pauc_corrected", "pauc"), as.numeric(value), call)
  }
}
for (case in c("asah_s100b", "asah_ndka", "asah_wfns", "ties_b", "ties_c")) {
  pauc_case(case, curves[[case]], c(1, 0.8), "specificity")
  pauc_case(case, curves[[case]], c(0.9, 0.7), "specificity")
  pauc_case(case, curves[[case]], c(1, 0.9), "sensitivity")
  pauc_case(case, curves[[case]], c(0.95, 0.75), "sensitivity")
}

# ---------------------------------------------------------------- epiR: epi.tests
tables <- list(
  doc = c(42, 7, 8, 60),        # tp, fp, fn, tn
  small = c(9, 3, 2, 11),
  asah_wfns_ge3 = c(
    sum(poor == 1 & as.numeric(as.character(aSAH$wfns)) >= 3),
    sum(poor == 0 & as.numeric(as.character(aSAH$wfns)) >= 3),
    sum(poor == 1 & as.numeric(as.character(aSAH$wfns)) < 3),
    sum(poor == 0 & as.numeric(as.character(aSAH$wfns)) < 3)
  ),
  zero_fp = c(15, 0, 4, 21)
)
quantity <- c(
  se = "sensitivity", sp = "specificity", pv.pos = "ppv", pv.neg = "npv",
  diag.ac = "accuracy", tp = "prevalence", lr.pos = "lr_positive", lr.neg = "lr_negative",
  diag.or = "dor", youden = "youden"
)
for (name in names(tables)) {
  cells <- tables[[name]]
  # epiR's layout: rows test +/-, columns outcome +/-: c(tp, fp, fn, tn) by row.
  dat <- as.table(matrix(cells, nrow = 2, byrow = TRUE))
  for (k in 1:4) add("epiR", name, c("tp", "fp", "fn", "tn")[k], cells[k], "the 2x2 table given to epi.tests")
  for (method in c("wilson", "exact", "jeffreys", "agresti")) {
    out <- epi.tests(dat, method = method, digits = 4, conf.level = 0.95)$detail
    call <- sprintf("epiR 2.0.57: epi.tests(as.table(matrix(c(%s), 2, byrow = TRUE)), method = '%s')",
                    paste(cells, collapse = ", "), method)
    for (k in seq_len(nrow(out))) {
      stat <- out$statistic[k]
      if (!stat %in% names(quantity)) next
      for (col in c("est", "lower", "upper")) {
        add("epiR", paste(name, method, sep = "_"), paste(quantity[[stat]], col, sep = "_"), out[[col]][k], call)
      }
    }
  }
}

# epiR's single-proportion intervals over a grid, including 0/n and n/n
grid <- expand.grid(x = c(0, 1, 2, 5, 10), n = c(1, 5, 10, 20, 29, 50, 148, 263))
grid <- grid[grid$x <= grid$n, ]
grid <- rbind(grid, data.frame(x = c(81, 15, 263, 262, 29, 20), n = c(263, 148, 263, 263, 29, 20)))
stopifnot(!any(duplicated(grid)))
for (k in seq_len(nrow(grid))) {
  dat <- as.matrix(cbind(grid$x[k], grid$n[k]))
  case <- sprintf("%d_of_%d", grid$x[k], grid$n[k])
  for (method in c("wilson", "exact", "jeffreys", "agresti")) {
    fn <- switch(method, wilson = epiR:::zwilson, exact = epiR:::zexact,
                 jeffreys = epiR:::zjeffreys, agresti = epiR:::zagresti)
    out <- fn(dat, conf.level = 0.95)
    call <- sprintf("epiR 2.0.57: epiR:::z%s(cbind(%d, %d), conf.level = 0.95)", method, grid$x[k], grid$n[k])
    add("epiR", case, paste(method, "lower", sep = "_"), out$lower, call)
    add("epiR", case, paste(method, "upper", sep = "_"), out$upper, call)
  }
}

# ---------------------------------------------------------------- epiR: kappa, sample size
kappa_tables <- list(
  k2 = matrix(c(20, 5, 10, 15), 2, byrow = TRUE),
  k3 = matrix(c(22, 5, 2, 4, 17, 6, 1, 3, 20), 3, byrow = TRUE),
  k4 = matrix(c(11, 3, 1, 0, 2, 14, 4, 1, 0, 5, 12, 3, 1, 0, 2, 9), 4, byrow = TRUE)
)
for (name in names(kappa_tables)) {
  tab <- kappa_tables[[name]]
  call <- sprintf("epiR 2.0.57: epi.kappa(matrix(c(%s), %d, byrow = TRUE), method = 'fleiss')",
                  paste(t(tab), collapse = ", "), nrow(tab))
  out <- epi.kappa(tab, method = "fleiss", conf.level = 0.95)
  add("epiR", name, "kappa", out$kappa$est, call)
  add("epiR", name, "se_null", out$kappa$se, call)
  add("epiR", name, "p_value", out$z$p.value, call)
  add("epiR", name, "observed", out$prop.agree$obs, call)
  add("epiR", name, "expected", out$prop.agree$exp, call)
}

for (setting in list(c(0.9, 0.46, 0.05), c(0.8, 0.3, 0.07), c(0.95, 0.54, 0.03), c(0.7, 0.2, 0.1))) {
  for (type in c("se", "sp")) {
    n_req <- epi.ssdxsesp(test = setting[1], type = type, Py = setting[2], epsilon = setting[3],
                          error = "absolute", nfractional = FALSE, conf.level = 0.95)
    call <- sprintf("epiR 2.0.57: epi.ssdxsesp(test = %g, type = '%s', Py = %g, epsilon = %g, error = 'absolute')",
                    setting[1], type, setting[2], setting[3])
    add("epiR", sprintf("test%g_p%g_w%g", setting[1], setting[2], setting[3]), paste0("n_", type), n_req, call)
  }
}

# ---------------------------------------------------------------- stats: McNemar
for (bc in list(c(1, 7), c(0, 5), c(3, 3), c(12, 25), c(40, 22), c(0, 0))) {
  case <- sprintf("b%d_c%d", bc[1], bc[2])
  if (sum(bc) > 0) {
    add("R stats", case, "exact", binom.test(bc[1], sum(bc), 0.5)$p.value,
        sprintf("R %s: binom.test(%d, %d, 0.5)$p.value", getRversion(), bc[1], sum(bc)))
    add("R stats", case, "asymptotic",
        mcnemar.test(matrix(c(10, bc[2], bc[1], 10), 2), correct = FALSE)$p.value,
        sprintf("R %s: mcnemar.test(matrix(c(10, %d, %d, 10), 2), correct = FALSE)$p.value", getRversion(), bc[2], bc[1]))
  }
}

# ---------------------------------------------------------------- Obuchowski (1997), written out in R
# No package installed here implements it, so this is an independent transcription of the
# estimator (Biometrics 1997;53:567-578, equations for V10, V01, S10, S01, S11), with the
# placement values counted pair by pair.
obuchowski <- function(y, x, cluster) {
  X <- x[y == 1]; Y <- x[y == 0]
  cX <- cluster[y == 1]; cY <- cluster[y == 0]
  M <- length(X); N <- length(Y)
  psi <- outer(X, Y, function(a, b) (a > b) + 0.5 * (a == b))
  A <- mean(psi)
  ids <- sort(unique(cluster))
  V10 <- sapply(ids, function(i) sum(rowSums(psi[cX == i, , drop = FALSE]) / N))
  V01 <- sapply(ids, function(i) sum(colSums(psi[, cY == i, drop = FALSE]) / M))
  m <- sapply(ids, function(i) sum(cX == i)); nn <- sapply(ids, function(i) sum(cY == i))
  I10 <- sum(m > 0); I01 <- sum(nn > 0); I <- length(ids)
  S10 <- I10 / ((I10 - 1) * M) * sum((V10 - m * A)^2)
  S01 <- I01 / ((I01 - 1) * N) * sum((V01 - nn * A)^2)
  S11 <- I / (I - 1) * sum((V10 - m * A) * (V01 - nn * A))
  c(auc = A, var = S10 / M + S01 / N + 2 * S11 / (M * N))
}
ob <- obuchowski(clustered$y, clustered$score, clustered$patient)
call <- "R: obuchowski(y, score, patient) in derive.R (independent transcription of Obuchowski 1997)"
add("R transcription", "clustered_score", "auc", ob[["auc"]], call)
add("R transcription", "clustered_score", "var", ob[["var"]], call)

out <- do.call(rbind, rows)
write.csv(out, file.path(here, "r_values.csv"), row.names = FALSE)
cat(sprintf("wrote %d values\n", nrow(out)))
