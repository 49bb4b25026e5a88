# Likelihood ratios and diagnostic odds ratios of 2x2 tables with an empty cell or margin,
# as epiR reports them (Inf, 0 or NaN from the same formulas in IEEE arithmetic).
#
# Run from the repository root:   Rscript tests/reference/accuracy/derive_zero_cells.R
# Writes zero_cells_r.csv next to this script: source, case, quantity, value (%.17g), call.
# The test suite reads the file and never needs R.
#
# Versions used: R 4.2.2, epiR 2.0.57 (checked below).

suppressMessages(library(epiR))
stopifnot(packageVersion("epiR") == "2.0.57")

here <- "tests/reference/accuracy"
tables <- list(
  no_fp = c(10, 0, 5, 20),          # LR+ and DOR infinite
  no_fn = c(10, 5, 0, 20),          # LR- = 0, its upper limit undefined
  no_tn = c(10, 5, 3, 0),           # LR- infinite, DOR 0
  no_tp = c(0, 5, 3, 20),           # LR+ = 0, DOR 0
  none_negative = c(15, 20, 0, 0),  # nobody tested negative: LR- and NPV undefined
  none_positive = c(0, 0, 15, 20),  # nobody tested positive: LR+ and PPV undefined
  perfect = c(10, 0, 0, 20)         # both ratios at their limits
)
statistics <- c(
  se = "sensitivity", sp = "specificity", pv.pos = "ppv", pv.neg = "npv",
  lr.pos = "lr_positive", lr.neg = "lr_negative", diag.or = "dor"
)
rows <- list()
for (case in names(tables)) {
  cells <- tables[[case]]
  call <- sprintf(
    "epiR 2.0.57: epi.tests(as.table(matrix(c(%s), 2, byrow = TRUE)), method = 'wilson')",
    paste(cells, collapse = ", ")
  )
  for (k in 1:4) {
    rows[[length(rows) + 1]] <- data.frame(
      source = "epiR", case = case, quantity = c("tp", "fp", "fn", "tn")[k],
      value = sprintf("%.17g", cells[k]), call = "the 2x2 table given to epi.tests"
    )
  }
  detail <- epi.tests(as.table(matrix(cells, 2, byrow = TRUE)), method = "wilson")$detail
  for (statistic in names(statistics)) {
    row <- detail[detail$statistic == statistic, ]
    for (part in c("est", "lower", "upper")) {
      rows[[length(rows) + 1]] <- data.frame(
        source = "epiR", case = case,
        quantity = paste0(statistics[[statistic]], "_", part),
        value = sprintf("%.17g", as.numeric(row[[part]])), call = call
      )
    }
  }
}
write.csv(do.call(rbind, rows), file.path(here, "zero_cells_r.csv"), row.names = FALSE)
