"""The data dictionary as a Frictionless Data Package: ``datapackage.json``, a schema per file.

Every cohort folder the library writes carries a ``datapackage.json`` generated here from
``data_dictionary.csv`` (never kept by hand), so that a study team can check its files with the
same schema from R (the ``frictionless`` package), Python (``frictionless validate
datapackage.json``) or any other Frictionless tool.  The mapping:

- ``id`` and ``ref`` are strings; an ``id`` is ``unique``; a ``ref`` (and an ``id`` that names
  another file's column) is a foreign key to the file it names, when that file is in the
  package;
- ``category`` is a string with an ``enum`` constraint; ``integer``, ``number`` and ``date``
  keep their type with ``minimum`` and ``maximum`` from the allowed range; ``text`` is a string;
- ``required: yes`` is the ``required`` constraint, except for an optional column (a Table
  Schema field that is ``required`` may not be left out of the file, so that rule stays in the
  description).  A conditional requirement (``when COLUMN = VALUE``) cannot be said in a Table
  Schema either: it stays in the field's description, and
  ``ceuslib validate`` checks it with the rules no schema can state (orders of dates, sums over
  sides, curves).

A schema has ``fieldsMatch: "superset"`` (Data Package v2): a file may leave out optional
columns.  Missing values are empty cells.
"""

from __future__ import annotations

import json

from ceuslib.cohort.dictionary import FILE_SPECS, ColumnSpec, columns

PRIMARY_KEYS = {
    "screening.csv": ["screening_id"],
    "patients.csv": ["patient_id"],
    "nodes.csv": ["node_id"],
    "tics.csv": ["node_id", "roi", "time_s"],
    "parameters.csv": ["node_id", "roi"],
    "neck_sides.csv": ["patient_id", "side"],
    "readers.csv": ["reader_id"],
    "readings.csv": ["node_id", "reader_id", "session"],
    "examinations.csv": ["exam_id"],
}
"""The columns that identify a row of each file."""


def _field(spec: ColumnSpec) -> dict:
    kind = {"id": "string", "ref": "string", "category": "string", "text": "string"}
    words = "" if spec.required in ("yes", "no") else f" Required {spec.required}."
    if spec.optional:
        words += " Optional column" + (
            ": when present, no value may be empty." if spec.required == "yes" else "."
        )
    field: dict = {
        "name": spec.name,
        "type": kind.get(spec.type, spec.type),
        "description": spec.description + words,
    }
    if spec.unit:
        field["unit"] = spec.unit
    constraints: dict = {}
    if spec.required == "yes" and not spec.optional:  # a required field may not be left out
        constraints["required"] = True
    if spec.type == "id":
        constraints["unique"] = True
    if spec.type == "category":
        constraints["enum"] = list(spec.categories)
    limits = spec.value_range or spec.date_range
    if limits is not None:
        low, high = limits
        if spec.type == "integer":
            low, high = int(low), int(high)
        constraints["minimum"], constraints["maximum"] = low, high
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(files: dict[str, list[str]], *, name: str = "ceus-naci-cohort") -> dict:
    """The Data Package descriptor of a cohort folder.

    Parameters
    ----------
    files : dict
        ``{file name: the columns it holds}``, in the dictionary's column order.
    name : str
        The package's name.

    Returns
    -------
    dict
        The descriptor: one tabular resource per file, each with its Table Schema.

    Examples
    --------
    >>> package = datapackage({"patients.csv": ["patient_id", "age"],
    ...                        "nodes.csv": ["node_id", "patient_id"]})
    >>> [r["path"] for r in package["resources"]]
    ['patients.csv', 'nodes.csv']
    >>> package["resources"][1]["schema"]["foreignKeys"]
    [{'fields': ['patient_id'], 'reference': {'resource': 'patients', 'fields': ['patient_id']}}]
    >>> package["resources"][0]["schema"]["fields"][1]["constraints"]
    {'required': True, 'minimum': 18, 'maximum': 100}
    """
    resources = []
    for file, names in files.items():
        specs = columns(file)
        unknown = [n for n in names if n not in specs]
        if unknown:
            raise ValueError(f"{file}: columns {unknown} are not in the data dictionary")
        schema: dict = {
            "fields": [_field(specs[n]) for n in names],
            "fieldsMatch": "superset",
            "missingValues": [""],
        }
        key = [n for n in PRIMARY_KEYS[file] if n in names]
        if key == PRIMARY_KEYS[file]:
            schema["primaryKey"] = key
        foreign = []
        for n in names:
            ref = specs[n].reference
            if ref is not None and ref[0] in files and ref[1] in files[ref[0]]:
                foreign.append(
                    {
                        "fields": [n],
                        "reference": {"resource": _resource_name(ref[0]), "fields": [ref[1]]},
                    }
                )
        if foreign:
            schema["foreignKeys"] = foreign
        spec = FILE_SPECS[file]
        resources.append(
            {
                "name": _resource_name(file),
                "path": file,
                "type": "table",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": f"One row per {spec.row}. {spec.description}",
                "schema": schema,
            }
        )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name,
        "title": "CEUS of cervical lymph nodes after neoadjuvant chemo-immunotherapy: study files",
        "description": "Generated by ceuslib from its data dictionary (data_dictionary.csv). "
        "Conditional requirements and the rules across rows and files are checked by "
        "`ceuslib validate`.",
        "resources": resources,
    }


def datapackage_json(files: dict[str, list[str]]) -> str:
    """The Data Package descriptor of a cohort folder as JSON text.

    The text is the same bytes on every machine: keys in :func:`datapackage`'s order, an
    indent of one space, non-ASCII characters kept as they are, and a final newline.

    Parameters
    ----------
    files : dict
        ``{file name: the columns it holds}``, in the dictionary's column order.

    Returns
    -------
    str
        The descriptor of :func:`datapackage` (with its default ``name``), the text of
        ``datapackage.json``.

    Examples
    --------
    >>> import json
    >>> files = {"patients.csv": ["patient_id", "age"]}
    >>> text = datapackage_json(files)
    >>> json.loads(text) == datapackage(files)
    True
    >>> text.splitlines()[2]
    ' "name": "ceus-naci-cohort",'
    >>> text[-2:]
    '}\\n'
    """
    return json.dumps(datapackage(files), indent=1, ensure_ascii=False) + "\n"


def _resource_name(file: str) -> str:
    return file.removesuffix(".csv")


__all__ = ["PRIMARY_KEYS", "datapackage", "datapackage_json"]
