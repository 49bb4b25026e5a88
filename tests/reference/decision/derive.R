# Reference cut-points on pROC's aSAH data, from cutpointr and OptimalCutpoints.
# Run from this folder with `Rscript derive.R`; writes asah.csv and cutpoints_r.csv.
# Versions used: R (see r_version column), pROC 1.18.0, cutpointr 1.1.2, OptimalCutpoints 1.1.5.
suppressMessages({
  library(pROC)
  library(cutpointr)
  library(OptimalCutpoints)
})
data(aSAH)
asah <- data.frame(
  outcome = as.character(aSAH$outcome),
  poor = as.integer(aSAH$outcome == "Poor"),
  gender = as.character(aSAH$gender),
  age = aSAH$age,
  wfns = as.integer(as.character(aSAH$wfns)),
  s100b = aSAH$s100b,
  ndka = aSAH$ndka
)
write.csv(asah, "asah.csv", row.names = FALSE)

r_version <- paste(R.version$major, R.version$minor, sep = ".")
v_cp <- as.character(packageVersion("cutpointr"))
v_oc <- as.character(packageVersion("OptimalCutpoints"))
rows <- list()
add <- function(package, version, call, marker, direction, positive, rule, target, cuts, se, sp) {
  for (i in seq_along(cuts)) {
    rows[[length(rows) + 1]] <<- data.frame(
      package = package, version = version, call = call, marker = marker,
      direction = direction, positive = positive, rule = rule,
      target = ifelse(is.null(target), NA, target), cutpoint = cuts[i],
      sensitivity = se[i], specificity = sp[i], r_version = r_version
    )
  }
}

# cutpointr: every tied optimum is kept with break_ties = c.
run_cutpointr <- function(marker, direction, positive, rule, target, metric_expr) {
  negative <- setdiff(c("Good", "Poor"), positive)
  call <- sprintf(
    "cutpointr(aSAH, %s, outcome, pos_class = \"%s\", neg_class = \"%s\", direction = \"%s\", %s, break_ties = c, silent = TRUE)",
    marker, positive, negative, direction, metric_expr
  )
  cp <- eval(parse(text = call))
  cuts <- unlist(cp$optimal_cutpoint)
  se <- unlist(cp$sensitivity)
  sp <- unlist(cp$specificity)
  add("cutpointr", v_cp, call, marker, direction, positive, rule, target, cuts, se, sp)
}

for (marker in c("s100b", "ndka", "wfns", "age")) {
  for (orient in list(c(">=", "Poor"), c("<=", "Good"))) {
    direction <- orient[1]
    positive <- orient[2]
    run_cutpointr(marker, direction, positive, "youden", NULL,
                  "method = maximize_metric, metric = youden")
    run_cutpointr(marker, direction, positive, "closest_to_01", NULL,
                  "method = minimize_metric, metric = roc01")
    for (target in c(0.8, 0.9)) {
      run_cutpointr(marker, direction, positive, "min_sensitivity", target,
                    sprintf("method = maximize_metric, metric = spec_constrain, min_constrain = %s", target))
    }
    for (target in c(0.7, 0.8)) {
      run_cutpointr(marker, direction, positive, "min_npv", target,
                    sprintf("method = maximize_metric, metric = metric_constrain, main_metric = specificity, constrain_metric = npv, min_constrain = %s", target))
    }
  }
}

# OptimalCutpoints: direction "<" means higher marker values indicate the positive class.
for (marker in c("s100b", "ndka", "wfns", "age")) {
  for (orient in list(c("<", "Poor", ">="), c(">", "Good", "<="))) {
    positive <- orient[2]
    d <- asah
    d$status <- as.integer(d$outcome == positive)
    d$status_label <- d$status
    for (spec in list(list("Youden", "youden", NULL), list("ROC01", "closest_to_01", NULL),
                      list("MinValueSe", "min_sensitivity", 0.8),
                      list("MinValueSe", "min_sensitivity", 0.9))) {
      method <- spec[[1]]
      target <- spec[[3]]
      control <- if (is.null(target)) "control.cutpoints()" else sprintf("control.cutpoints(valueSe = %s)", target)
      call <- sprintf(
        "optimal.cutpoints(X = \"%s\", status = \"status\", tag.healthy = 0, methods = \"%s\", data = d, direction = \"%s\", control = %s)",
        marker, method, orient[1], control
      )
      oc <- eval(parse(text = call))
      best <- oc[[method]]$Global$optimal.cutoff
      add("OptimalCutpoints", v_oc, call, marker, orient[3], positive, spec[[2]], target,
          best$cutoff, as.numeric(best$Se), as.numeric(best$Sp))
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "cutpoints_r.csv", row.names = FALSE)
cat(nrow(out), "reference rows written\n")
