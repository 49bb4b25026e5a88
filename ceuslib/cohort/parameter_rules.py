"""Rules for ``parameters.csv``: perfusion parameters another program computed per region.

The data dictionary checks each value (types, the ranges of the times); these rules see rows
and files together:

- one row per node and region of interest (``node_id``, ``roi``);
- a row belongs to a node examined with CEUS (``ceus_imaged`` is ``yes``), and a reference
  region belongs to a node that has its own region in the file;
- amplitudes are linear echo-power, so never negative (:data:`NONNEGATIVE`), and the
  wash-out rate is a slope, negative or zero (a file of magnitudes must be negated first:
  ceuslib does not guess a sign);
- a file without data rows is a problem.
"""

from __future__ import annotations

import pandas as pd

from ceuslib.cohort.validation import Problems

FILE = "parameters.csv"

NONNEGATIVE = ("pe", "wiauc", "wir", "wipi", "woauc", "wiwoauc")
"""Columns of linear echo-power (or its integral or rise), which cannot be negative."""


def check_parameters(
    parameters: pd.DataFrame | None, nodes: pd.DataFrame | None, out: Problems
) -> None:
    """Add the problems of ``parameters.csv`` (read and typed) to ``out``.

    Parameters
    ----------
    parameters : pandas.DataFrame or None
        The typed table, indexed by data row (``None`` when the study has no such file).
    nodes : pandas.DataFrame or None
        The typed ``nodes.csv``.
    out : Problems
        Where the problems go.

    Examples
    --------
    >>> out = Problems()
    >>> nodes = pd.DataFrame({"node_id": ["A-N1"], "ceus_imaged": ["yes"]})
    >>> table = pd.DataFrame({"node_id": ["A-N1", "A-N1"], "roi": ["node", "node"],
    ...                       "pe": [0.3, -0.1], "wor": [-0.01, 0.02]}, index=[1, 2])
    >>> check_parameters(table, nodes, out)
    >>> for problem in out.result():
    ...     print(problem)
    parameters.csv, row 2, column 'roi': value 'node': a second row for node_id A-N1 and this roi
    parameters.csv, row 2, column 'pe': value -0.1: must not be negative (linear echo-power)
    parameters.csv, row 2, column 'wor': value 0.02: must be negative or zero (a slope)
    """
    if parameters is None:
        return
    if len(parameters) == 0:
        out.add(FILE, "has no data rows")
        return
    key = parameters[["node_id", "roi"]]
    for row, node in parameters.loc[key.duplicated(), "node_id"].items():
        out.add(
            FILE,
            f"a second row for node_id {node} and this roi",
            row=int(row),
            column="roi",
            value=parameters.at[row, "roi"],
        )
    if nodes is not None and "ceus_imaged" in nodes:
        imaged = nodes.set_index("node_id")["ceus_imaged"]
        not_imaged = parameters["node_id"].map(imaged).eq("no")
        out.add_rows(
            FILE,
            "the node was not examined with CEUS (ceus_imaged is no in nodes.csv)",
            parameters,
            not_imaged.to_numpy(),
            "node_id",
        )
    own = set(parameters.loc[parameters["roi"] == "node", "node_id"])
    orphan = (parameters["roi"] == "reference") & ~parameters["node_id"].isin(own)
    out.add_rows(
        FILE,
        "a reference region of a node without its own region (roi node) in the file",
        parameters,
        orphan.to_numpy(),
        "node_id",
    )
    for name in NONNEGATIVE:
        if name in parameters:
            negative = parameters[name].lt(0).to_numpy()
            out.add_rows(
                FILE, "must not be negative (linear echo-power)", parameters, negative, name
            )
    if "wor" in parameters:
        rising = parameters["wor"].gt(0).to_numpy()
        out.add_rows(
            FILE,
            "must be negative or zero (a slope)",
            parameters,
            rising,
            "wor",
        )
