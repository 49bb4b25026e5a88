"""Collection settings for the whole repository (the tests' fixtures are in tests/conftest.py)."""

# The deprecated module names warn when imported, which the test suite turns into errors; they
# are imported on purpose, under pytest.warns, in tests/test_layout.py, not collected for
# doctests.
collect_ignore = [
    "ceuslib/eligibility.py",
    "ceuslib/palette.py",
    "ceuslib/plots_decision.py",
    "ceuslib/plots_report.py",
    "ceuslib/plots_study.py",
]
