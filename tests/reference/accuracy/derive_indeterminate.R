# Accuracy with indeterminate results (Shinkins et al., BMJ 2013;346:f2778): the 3x2 table
# and epiR's epi.tests on the 2x2 tables with the indeterminate results counted as positive,
# as negative and excluded. Two data sets: the ratings of clustered_paired.csv (1-2 negative,
# 3 indeterminate, 4-5 positive) and score_a of sides.csv (below 0.3 negative, 0.3 to 1.3
# indeterminate, above 1.3 positive); both written by derive_clustered_tests.R.
#
# Run from the repository root:   Rscript tests/reference/accuracy/derive_indeterminate.R
# Writes indeterminate_r.csv next to this script: source, case, quantity, value, call.
#
# Versions used: R 4.2.2, epiR 2.0.57 (checked below).

suppressMessages(library(epiR))
stopifnot(packageVersion("epiR") == "2.0.57")
here <- "tests/reference/accuracy"
rows <- list()
add <- function(case, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(
    source = "epiR", case = case, quantity = quantity,
    value = sprintf("%.17g", as.numeric(value)), call = call
  )
}
nodes <- read.csv(file.path(here, "clustered_paired.csv"))
sides <- read.csv(file.path(here, "sides.csv"))
results <- list(
  clustered_paired = list(
    y = nodes$y,
    r = ifelse(nodes$score_b <= 2, "negative", ifelse(nodes$score_b == 3, "indeterminate", "positive"))
  ),
  sides = list(
    y = sides$y,
    r = ifelse(sides$score_a < 0.3, "negative", ifelse(sides$score_a <= 1.3, "indeterminate", "positive"))
  )
)
statistics <- c(
  se = "sensitivity", sp = "specificity", pv.pos = "ppv", pv.neg = "npv",
  lr.pos = "lr_positive", lr.neg = "lr_negative", diag.or = "dor"
)
for (case in names(results)) {
  y <- results[[case]]$y
  r <- results[[case]]$r
  for (res in c("positive", "indeterminate", "negative")) {
    add(case, paste0(res, "_diseased"), sum(r == res & y == 1), "count of the 3x2 table")
    add(case, paste0(res, "_not_diseased"), sum(r == res & y == 0), "count of the 3x2 table")
  }
  tp <- sum(r == "positive" & y == 1); fp <- sum(r == "positive" & y == 0)
  ip <- sum(r == "indeterminate" & y == 1); i0 <- sum(r == "indeterminate" & y == 0)
  fn <- sum(r == "negative" & y == 1); tn <- sum(r == "negative" & y == 0)
  tables <- list(
    as_positive = c(tp + ip, fp + i0, fn, tn),
    as_negative = c(tp, fp, fn + ip, tn + i0),
    excluded = c(tp, fp, fn, tn)
  )
  for (handling in names(tables)) {
    cells <- tables[[handling]]
    call <- sprintf(
      "epiR 2.0.57: epi.tests(as.table(matrix(c(%s), 2, byrow = TRUE)), method = 'wilson')",
      paste(cells, collapse = ", ")
    )
    detail <- epi.tests(as.table(matrix(cells, 2, byrow = TRUE)), method = "wilson")$detail
    for (statistic in names(statistics)) {
      row <- detail[detail$statistic == statistic, ]
      for (part in c("est", "lower", "upper")) {
        add(case, paste(handling, statistics[[statistic]], part, sep = "_"), row[[part]], call)
      }
    }
  }
}
write.csv(do.call(rbind, rows), file.path(here, "indeterminate_r.csv"), row.names = FALSE)
