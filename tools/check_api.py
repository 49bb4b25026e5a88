"""Check the public API of ``ceuslib``: numpydoc docstrings and type hints.

Public means importable without a leading underscore and either listed in a module's
``__all__`` or documented on the API page of the book (``book/api.md``, whose
``automodule`` directives name the modules and, where given, their members). For every
public function and class, and every public method and property of a public class:

- the docstring is validated by ``numpydoc.validate`` with the checks of the
  ``[tool.numpydoc_validation]`` table of ``pyproject.toml`` (the table ``numpydoc lint``
  reads too; the rules left out are listed and justified there), the fields of a dataclass
  documented under ``Attributes``;
- every parameter (``self`` and ``cls`` aside) and the return value carry a type hint, and
  a parameter documented as an array is not hinted ``object``.

``[tool.ceuslib.api_check]`` names the packages not walked (``skip_packages``) and the
checks asked of functions only, not of classes and methods (``functions_only``).
Exit status 0 when nothing is found, 1 with one line per finding otherwise::

    python tools/check_api.py                      # the whole library
    python tools/check_api.py ceuslib.accuracy     # report on one package only
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
import tomllib
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from types import ModuleType

from numpydoc.docscrape import get_doc_object
from numpydoc.validate import Validator, get_validation_checks, validate

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "ceuslib"


@dataclass(frozen=True)
class Config:
    """The checks to run and the packages not walked."""

    checks: frozenset[str]
    exclude: re.Pattern[str] | None
    skip_packages: tuple[str, ...]
    functions_only: frozenset[str]


@dataclass(frozen=True)
class Entry:
    """One public object: its import path and the object itself."""

    name: str
    obj: object


def read_config(pyproject: Path = ROOT / "pyproject.toml") -> Config:
    """The numpydoc checks and the skipped packages from ``pyproject.toml``."""
    tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    numpydoc = tool.get("numpydoc_validation", {})
    checks = frozenset(get_validation_checks(set(numpydoc.get("checks", ["all"]))))
    patterns = [p for p in numpydoc.get("exclude", []) if p]
    exclude = re.compile("|".join(patterns)) if patterns else None
    own = tool.get("ceuslib", {}).get("api_check", {})
    return Config(
        checks=checks,
        exclude=exclude,
        skip_packages=tuple(own.get("skip_packages", [])),
        functions_only=frozenset(own.get("functions_only", [])),
    )


def documented_members(api_page: Path = ROOT / "book" / "api.md") -> dict[str, list[str] | None]:
    """The modules of the API page and their members (``None``: every public member)."""
    text = api_page.read_text(encoding="utf-8")
    modules: dict[str, list[str] | None] = {}
    pattern = re.compile(
        r"^\.\. automodule:: (?P<module>\S+)\n"
        r"(?:[ \t]+:members:(?P<members>[^\n]*(?:\n[ \t]{4,}(?![ \t]*:)[^\n]*)*))?",
        re.MULTILINE,
    )
    for match in pattern.finditer(text):
        members = match.group("members")
        if members is None:
            continue
        names = [name.strip() for name in members.replace("\n", " ").split(",")]
        names = [name for name in names if name]
        modules[match.group("module")] = names or None
    return modules


def _skipped(module: str, skip: Iterable[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in skip)


def _private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def _import(name: str) -> ModuleType | None:
    """The module, or None for a moved module (it warns on import and defines nothing).

    A moved module is removed from ``sys.modules`` again, so that it still warns when the
    code of a user (or a test) imports it.
    """
    if name in sys.modules:
        return sys.modules[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        module = importlib.import_module(name)
    if any(issubclass(w.category, DeprecationWarning) for w in caught):
        sys.modules.pop(name, None)
        return None
    return module


def _modules(packages: Iterable[str], skip: tuple[str, ...]) -> Iterator[ModuleType]:
    for package_name in packages:
        package = _import(package_name)
        if package is None:
            continue
        yield package
        if not hasattr(package, "__path__"):
            continue
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            if _private(info.name) or _skipped(info.name, skip) or info.name.endswith("__main__"):
                continue
            module = _import(info.name)
            if module is not None:
                yield module


def _defined_here(obj: object, skip: tuple[str, ...]) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return (module == PACKAGE or module.startswith(PACKAGE + ".")) and not _skipped(module, skip)


def public_objects(packages: Iterable[str], config: Config) -> list[Entry]:
    """Every public function and class, then the public methods of the classes."""
    documented = documented_members()
    found: dict[str, Entry] = {}
    for module in _modules(packages, config.skip_packages):
        names: list[str] | None = getattr(module, "__all__", None)
        if module.__name__ in documented:
            listed = documented[module.__name__]
            if listed is not None:
                names = list(names or []) + listed
            elif names is None:
                names = [
                    name
                    for name, obj in vars(module).items()
                    if getattr(obj, "__module__", None) == module.__name__
                ]
        for name in names or []:
            obj = getattr(module, name, None)
            if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not _defined_here(obj, config.skip_packages):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            found.setdefault(path, Entry(path, obj))
    entries = sorted(found.values(), key=lambda entry: entry.name)
    methods: list[Entry] = []
    for entry in entries:
        if inspect.isclass(entry.obj):
            methods.extend(_methods(entry))
    return entries + methods


def _methods(entry: Entry) -> Iterator[Entry]:
    cls = entry.obj
    for name, member in vars(cls).items():
        function = member.fget if isinstance(member, property) else member
        if isinstance(member, staticmethod | classmethod):
            function = member.__func__
        if not inspect.isfunction(function):
            continue
        if name.startswith("_") and not (name == "__init__" and not _generated(function)):
            continue
        yield Entry(f"{entry.name}.{name}", member)


def _generated(function: object) -> bool:
    """Whether a method was written by ``dataclasses`` (compiled from a string)."""
    code = getattr(function, "__code__", None)
    return code is not None and code.co_filename == "<string>"


class FieldsValidator(Validator):
    """numpydoc's validator, reading a dataclass's ``Attributes`` as its parameters.

    The fields of a dataclass are the parameters of its generated ``__init__``; the
    library documents them under ``Attributes`` (what they are on the result), so the
    attributes that are fields count as documented parameters (PR01, PR02, PR03 and the
    type and description checks of each). Fields inherited from another dataclass may be
    documented in its docstring; private fields (a leading underscore) need not be.
    """

    def __init__(self, obj_name: str) -> None:
        super().__init__(get_doc_object(Validator._load_obj(obj_name)))

    @property
    def signature_parameters(self) -> tuple[str, ...]:
        """The parameters of the signature, without the undocumented private fields."""
        parameters = super().signature_parameters
        if not (inspect.isclass(self.obj) and is_dataclass(self.obj)):
            return parameters
        documented = self.doc_all_parameters
        return tuple(p for p in parameters if not p.startswith("_") or p in documented)

    @property
    def doc_all_parameters(self) -> dict[str, tuple[str, list[str]]]:
        """The documented parameters, with the documented fields of a dataclass."""
        parameters = super().doc_all_parameters
        if not (inspect.isclass(self.obj) and is_dataclass(self.obj)):
            return parameters
        names = {field.name for field in fields(self.obj) if field.init}
        documented: dict[str, tuple[str, list[str]]] = {}
        # Fields inherited from a dataclass are documented in its docstring, first.
        for cls in reversed(self.obj.__mro__):
            if cls is self.obj or not is_dataclass(cls):
                continue
            inherited = Validator(get_doc_object(cls))._doc_parameters(["Attributes"])
            documented.update(inherited)
        documented.update(self._doc_parameters(["Attributes"]))
        for name, item in documented.items():
            if name in names and name not in parameters:
                parameters[name] = item
        return parameters


def docstring_findings(entry: Entry, config: Config) -> list[str]:
    """The numpydoc errors of one object's docstring, as ``CODE message`` lines."""
    if config.exclude is not None and config.exclude.search(entry.name):
        return []
    if entry.name.endswith(".__init__"):
        return []  # documented in the class docstring, which is validated with the class
    result = validate(entry.name, validator_cls=FieldsValidator)
    checks = config.checks
    if not inspect.isfunction(entry.obj) or "." in entry.obj.__qualname__:
        checks = checks - config.functions_only
    return [f"{code} {message}" for code, message in result["errors"] if code in checks]


ARRAY_TYPE = re.compile(r"array|ndarray|sequence|list|tuple|series", re.IGNORECASE)


def _documented_types(function: object) -> dict[str, str]:
    types: dict[str, str] = {}
    try:
        doc = get_doc_object(function)
    except Exception:  # an unreadable docstring is reported by the numpydoc checks
        return types
    for names, type_, _ in doc["Parameters"]:
        for name in names.split(", "):
            types[name.strip().lstrip("*")] = type_
    return types


def annotation_findings(entry: Entry) -> list[str]:
    """The type hints missing from a function or method, or written as a bare ``object``.

    Every parameter (``self`` and ``cls`` aside) and the return value need a hint. A
    parameter documented as an array, sequence or list may not be hinted ``object``:
    ``numpy.typing.ArrayLike`` (or a narrower type) says what it accepts.
    """
    obj = entry.obj
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    if inspect.isclass(obj):
        return []  # its __init__, when written by hand, is an entry of its own
    signature = inspect.signature(obj)
    findings = []
    parameters = list(signature.parameters.values())
    if "." in obj.__qualname__ and parameters and parameters[0].name in {"self", "cls"}:
        parameters = parameters[1:]
    documented = _documented_types(obj)
    for parameter in parameters:
        annotation = parameter.annotation
        if annotation is inspect.Parameter.empty:
            findings.append(f"ANN parameter {parameter.name!r} has no type hint")
        elif annotation in (object, "object") and ARRAY_TYPE.search(
            documented.get(parameter.name, "")
        ):
            findings.append(
                f"ANN parameter {parameter.name!r} is documented as "
                f"{documented[parameter.name]!r} but hinted as object (use ArrayLike)"
            )
    if signature.return_annotation is inspect.Signature.empty:
        findings.append("ANN the return value has no type hint")
    return findings


def check(config: Config, only: Iterable[str] = ()) -> list[str]:
    """Every finding, one ``name: CODE message`` line each (``only``: under these names)."""
    prefixes = tuple(only)
    lines = []
    for entry in public_objects([PACKAGE], config):
        if prefixes and not any(_skipped(entry.name, [prefix]) for prefix in prefixes):
            continue
        for finding in docstring_findings(entry, config) + annotation_findings(entry):
            lines.append(f"{entry.name}: {finding}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the checks; print the findings and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "only", nargs="*", help="report only on these modules or objects (default: all)"
    )
    args = parser.parse_args(argv)
    config = read_config()
    findings = check(config, args.only)
    for line in findings:
        print(line)
    if findings:
        print(f"{len(findings)} finding(s) in the public API of {PACKAGE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
