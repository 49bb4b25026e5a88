# Reference calibration slope and calibration-in-the-large from R's glm (stats package).
# Run from this folder with `Rscript derive_calibration.R`; writes calibration_data.csv and
# calibration_r.csv.
set.seed(20261126)
n <- 150
x <- rnorm(n)
y <- rbinom(n, 1, plogis(-0.3 + 1.0 * x))
# Over-confident risks: the log-odds are 1.8 times too extreme and shifted by 0.4.
risk <- plogis(0.4 + 1.8 * x)
data <- data.frame(y = y, risk = risk)
write.csv(data, "calibration_data.csv", row.names = FALSE)
lp <- qlogis(data$risk)
slope_fit <- glm(y ~ lp, family = binomial, data = data.frame(y = y, lp = lp))
citl_fit <- glm(y ~ 1, offset = lp, family = binomial, data = data.frame(y = y, lp = lp))
small <- data.frame(y = c(0, 0, 1, 1, 0, 1), risk = c(0.2, 0.4, 0.6, 0.8, 0.5, 0.3))
small_lp <- qlogis(small$risk)
small_slope <- glm(small$y ~ small_lp, family = binomial)
small_citl <- glm(small$y ~ 1, offset = small_lp, family = binomial)
out <- data.frame(
  dataset = c("calibration_data.csv", "docstring example"),
  slope = c(coef(slope_fit)[["lp"]], coef(small_slope)[["small_lp"]]),
  intercept = c(coef(citl_fit)[[1]], coef(small_citl)[[1]]),
  slope_call = c("glm(y ~ lp, family = binomial), lp = qlogis(risk)", "same"),
  intercept_call = c("glm(y ~ 1, offset = lp, family = binomial)", "same"),
  r_version = paste(R.version$major, R.version$minor, sep = ".")
)
write.csv(out, "calibration_r.csv", row.names = FALSE)
print(out[, 1:3], digits = 15)
