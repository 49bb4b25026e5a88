"""Reference net benefit from the Python package dcurves, on its own example data.

Run once in a throw-away environment (not part of the test suite):

    python3 -m venv /tmp/dcurves-venv
    /tmp/dcurves-venv/bin/pip install dcurves pandas
    /tmp/dcurves-venv/bin/python derive_dcurves.py

Writes dcurves_binary.csv (the example data: patientid, cancer, famhistory,
cancerpredmarker) and dcurves_net_benefit.csv (dcurves' output), with the version and the
exact call in dcurves_net_benefit.json.
"""

import json
from importlib.metadata import version
from importlib.resources import files

import pandas as pd
from dcurves import dca

source = files("dcurves") / "data" / "df_binary.csv"
data = pd.read_csv(source)
data = data[["patientid", "cancer", "famhistory", "cancerpredmarker"]]
data.to_csv("dcurves_binary.csv", index=False)

thresholds = [i / 100 for i in range(1, 100)]
call = (
    "dca(data=data, outcome='cancer', modelnames=['cancerpredmarker', 'famhistory'], "
    "thresholds=[i / 100 for i in range(1, 100)], nper=100)"
)
result = dca(
    data=data,
    outcome="cancer",
    modelnames=["cancerpredmarker", "famhistory"],
    thresholds=thresholds,
    nper=100,
)
columns = ["model", "threshold", "tp_rate", "fp_rate", "net_benefit", "net_intervention_avoided"]
result[columns].to_csv("dcurves_net_benefit.csv", index=False, float_format="%.17g")
meta = {
    "package": "dcurves",
    "version": version("dcurves"),
    "pandas_version": version("pandas"),
    "data": "dcurves/data/df_binary.csv shipped with dcurves (750 simulated patients)",
    "call": call,
    "columns": "net_intervention_avoided is per nper = 100 patients",
}
with open("dcurves_net_benefit.json", "w") as handle:
    json.dump(meta, handle, indent=2)
    handle.write("\n")
print(result.groupby("model").size())
