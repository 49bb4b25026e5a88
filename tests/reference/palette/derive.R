# Contrast ratios on white of the eight Okabe-Ito colours, from R's colorspace package.
# Run from this folder with `Rscript derive.R`; writes contrast_r.csv.
# Versions used: R (see r_version column), colorspace (see version column).
suppressMessages(library(colorspace))
colours <- c(
  "black" = "#000000", "orange" = "#E69F00", "sky blue" = "#56B4E9",
  "bluish green" = "#009E73", "yellow" = "#F0E442", "blue" = "#0072B2",
  "vermillion" = "#D55E00", "reddish purple" = "#CC79A7"
)
ratios <- contrast_ratio(colours, "#FFFFFF", algorithm = "WCAG")
out <- data.frame(
  name = names(colours),
  hex = unname(colours),
  background = "#FFFFFF",
  contrast = sprintf("%.17g", ratios),
  package = "colorspace",
  version = as.character(packageVersion("colorspace")),
  call = sprintf('contrast_ratio("%s", "#FFFFFF", algorithm = "WCAG")', unname(colours)),
  r_version = paste(R.version$major, R.version$minor, sep = ".")
)
write.csv(out, "contrast_r.csv", row.names = FALSE)
