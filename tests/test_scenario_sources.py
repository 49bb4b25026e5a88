"""The Scenario's cited defaults equal the published figures they cite, and every source a
basis names is an entry of the book's bibliography.

The figures, with paper and place, are in ``tests/reference/cohort/published.csv``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.stats import multivariate_normal, norm

from ceuslib.cohort import Scenario

ROOT = Path(__file__).resolve().parents[1]

#: How a basis names a source, and the key of that source in ``book/references.bib``.
SOURCES = {
    "Xiang et al. 2025": "xiang2025oscc",
    "Cell Rep Med 2025": "cellrepmed2025oscc",
    "Ning et al. 2025": "ning2025discordant",
    "NCT06727162": "nct06727162",
    "Cao et al. 2025": "cao2025naci",
    "Ling et al. 2020": "ling2020ceus",
    "Sproll et al. 2023": "sproll2023ultrasound",
    "Boughey et al. 2016": "boughey2016clip",
    "van den Brekel et al. 1998": "vandenbrekel1998size",
    "Radiopaedia": "radiopaedia66437",
    "PMC7975566": "ajnr_doppler_pmc7975566",
    "PMC8338188": "powerdoppler_pmc8338188",
    "Ahuja et al. 1996": "ahuja1996radiotherapy",
    "Ying and Ahuja 2003": "ying2003normal",
    "Ahuja and Ying 2003": "ahuja2003abnormal",
    "Ahuja et al. 2008": "ahuja2008malignant",
    "Ying et al. 2013": "ying2013review",
    "Front Endocrinol 2022": "frontendocrinol2022ptc",
    "BioMed Res Int 2019": "biomedresint2019homogeneity",
    "Dudau et al. 2014": "dudau2014ceus",
    "QuantUS": "quantus_ceus",
    "Gauthier et al. 2011": "gauthier2011variability",
    "Eur J Radiol 2010": "eurjradiol2010liverceus",
    "Payen et al. 2013": "payen2013echo",
    "Arditi et al. 2006": "arditi2006formalism",
    "Lassau et al. 2014": "lassau2014stic",
}
#: What a source looks like once the known ones are taken out: a year, a PubMed Central or
#: registry identifier, "et al.", or a name that appears without a year.
SOURCE_LIKE = re.compile(r"\b(?:19|20)\d\d\b|PMC\d|NCT\d|et al|Radiopaedia|QuantUS|MITK|VueBox")


def _bib_keys() -> set[str]:
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.MULTILINE))


def test_every_source_of_a_basis_is_in_the_bibliography() -> None:
    missing = sorted(key for key in SOURCES.values() if key not in _bib_keys())
    assert not missing, f"not in book/references.bib: {missing}"


@pytest.mark.parametrize("field", Scenario().to_frame()["field"].tolist())
def test_a_basis_names_only_sources_with_a_bibliography_key(field: str) -> None:
    basis = Scenario().to_frame().set_index("field").loc[field, "basis"]
    rest = basis
    for name in sorted(SOURCES, key=len, reverse=True):
        rest = rest.replace(name, "")
    unknown = SOURCE_LIKE.findall(rest)
    assert not unknown, f"{field}: {basis!r} names a source without a key in SOURCES: {unknown}"


def test_the_data_chapter_cites_every_source_of_the_scenario() -> None:
    # The bibliography page lists only cited entries: the data chapter, which shows the
    # assumptions table, cites each source once.
    chapter = (ROOT / "book" / "data.md").read_text(encoding="utf-8")
    cited = {
        key for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", chapter) for key in group.split(",")
    }
    used = {
        key
        for name, key in SOURCES.items()
        if any(name in basis for basis in Scenario().to_frame()["basis"])
    }
    assert used <= cited, sorted(used - cited)
    assert set(SOURCES.values()) == used, sorted(set(SOURCES.values()) - used)


PUBLISHED = pd.read_csv(
    Path(__file__).resolve().parent / "reference" / "cohort" / "published.csv",
    dtype={"index": str},
    keep_default_na=False,
)


def published_value(row) -> float:
    if row["value"] != "":
        return float(row["value"])
    return float(row["numerator"]) / float(row["denominator"])


def scenario_value(field: str, index: str) -> float:
    value = getattr(Scenario(), field)
    for part in filter(None, index.split(":")):
        value = value[int(part)]
    return float(value)


@pytest.mark.parametrize("row", PUBLISHED.to_dict("records"), ids=lambda r: r["field"])
def test_cited_default_equals_the_published_figure(row) -> None:
    # The scenario keeps 3-4 significant digits of each figure.
    published = published_value(row)
    tolerance = 0.0006 * max(1.0, abs(published))
    assert abs(scenario_value(row["field"], row["index"]) - published) < tolerance


def test_primary_nodal_correlation_reproduces_ning_2025() -> None:
    # Ning et al. 2025 (World J Oncol): primary CR 41.5%, nodal CR 53.7%, both 31.7% of 41 patients.
    # The tetrachoric correlation of a Gaussian copula with these margins:
    primary, nodal, both = 0.415, 0.537, 0.317
    point = [norm.ppf(primary), norm.ppf(nodal)]

    def gap(rho: float) -> float:
        return multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf(point) - both

    rho = brentq(gap, 0.0, 0.99)
    assert abs(Scenario().primary_nodal_correlation - rho) < 0.005
    assert np.isclose(rho, 0.577, atol=0.002)


def test_bibliography_keys_are_unique() -> None:
    # A repeated key makes the strict book build fail with a duplicate-entry warning, and
    # two entries under one key can disagree; the failure names the repeated keys.
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = pd.Series(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.MULTILINE))
    assert sorted(keys[keys.duplicated()]) == []
