"""The columns of the side-by-side view, and what each shows for a concept.

A column is one backend: a built-in package (its files PACKAGE/MODULE.py), the
tiny engine of examples/ (one file), or an outside backend given with
`--backend` (each function read from the file that defines it). `rows(concept,
columns)` cuts out, per row of the concept map, each column's functions.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reference.validate import split_names

from .. import backends as registry
from . import source
from .concepts import CONCEPTS
from .model import BUILTIN, ENGINE, Concept, Row
from .source import NOT_AVAILABLE, Missing, Snippet

ENGINE_FILE = source.ROOT / "examples" / "autodiff_backend.py"


@dataclass(frozen=True)
class Column:
    """Where one backend's source is read from."""

    key: str  # the backend's NAME; the concept map's rows are keyed by it
    title: str  # "NumPy: backprop by hand"
    package: str = ""  # a built-in: the files are PACKAGE/MODULE.py
    file: Path | None = None  # the engine: one file for every module
    backend: object = None  # an outside backend: each function's own file

    def cell(self, row: Row) -> list[Snippet | Missing]:
        """This column's functions in `row`, each cut out of its file now."""
        if self.backend is not None:
            return [self._outside(name) for name in public_names(row)]
        names = row.names.get(self.key, ())
        if self.file is not None and names and not self.file.is_file():
            where = source.shown_path(self.file)
            return [Missing(f"{NOT_AVAILABLE}: {where} is not installed here")]
        return [source.snippet(self._path(row.module), name) for name in names]

    def _path(self, module: str) -> Path:
        if self.file is not None:
            return self.file
        return source.package_dir(self.package) / f"{module}.py"

    def _outside(self, name: str) -> Snippet | Missing:
        function = getattr(self.backend, name)
        path = source.source_file(function)
        if path is None:
            return Missing(f"{NOT_AVAILABLE} for {name}")
        try:
            return source.snippet(path, source.qualified_name(function))
        except (ValueError, SyntaxError, UnicodeDecodeError):
            return Missing(f"{NOT_AVAILABLE} for {name}")

    def helpers(self, concept: Concept) -> list[Snippet]:
        """An outside backend's private functions that its shown functions call."""
        if self.backend is None:
            return []
        by_file: dict[Path, list[str]] = {}
        for row in concept.rows:
            for name in public_names(row):
                function = getattr(self.backend, name)
                path = source.source_file(function)
                if path is not None:
                    by_file.setdefault(path, []).append(source.qualified_name(function))
        return [
            source.snippet(path, helper)
            for path, names in by_file.items()
            for helper in source.helpers(path, names)
        ]


def public_names(row: Row) -> list[str]:
    """The backend API's names in a row: what an outside backend shows there."""
    api = set(registry.API + registry.UNITS)
    names = (n for names in row.names.values() for n in names)
    return [n for n in dict.fromkeys(names) if n in api]


def check_backends(backends) -> list[str]:
    """Built-in column names from a list, a comma-separated string, or None."""
    if backends is None:
        return list(BUILTIN)
    backends = split_names(backends)
    unknown = [b for b in backends if b not in BUILTIN]
    if unknown or not backends:
        raise ValueError(
            f"backends must be some of {', '.join(BUILTIN)}, comma-separated; "
            f"got {','.join(backends) or 'nothing'}"
        )
    return list(dict.fromkeys(backends))  # in the order given, once each


def builtin(name: str) -> Column:
    framework, how = BUILTIN[name]
    return Column(name, f"{framework}: {how}", package=registry.BUILTIN[name][0])


def engine() -> Column:
    return Column(ENGINE, "Engine: its own tape", file=ENGINE_FILE)


def outside(backend) -> Column:
    """A column for a backend object, titled with its NAME and its module."""
    module = inspect.getmodule(backend) or inspect.getmodule(type(backend))
    where = getattr(module, "__name__", type(backend).__name__)
    return Column(backend.NAME, f"{backend.NAME}: {where}", backend=backend)


def outside_backends(specs) -> list:
    """Backend objects for `--backend` values (names, module:attribute paths,
    entry-point names), each checked as `triptych check` checks it; built-in
    names are left to `--backends`, so that they need not be imported."""
    specs = [s for s in specs or () if not (isinstance(s, str) and s in BUILTIN)]
    return registry.resolve(specs) if specs else []


def columns(concept: Concept, backends=None, extra=()) -> list[Column]:
    """The built-in columns chosen, the engine where the concept sets it beside
    them (after NumPy), then one column per outside backend object in `extra`."""
    chosen = [builtin(name) for name in check_backends(backends)]
    if concept.engine:
        chosen.insert(1 if chosen[0].key == "numpy" else 0, engine())
    for backend in extra:
        if all(column.key != backend.NAME for column in chosen):
            chosen.append(outside(backend))
    return chosen


def rows(concept: Concept, chosen: list[Column]) -> list[tuple[Row, list[list]]]:
    """Per row of the concept, each column's cell; rows no column fills are left
    out, and outside backends' helpers come last, in a row of their own."""
    out = []
    for row in concept.rows:
        cells = [column.cell(row) for column in chosen]
        if any(cells):
            out.append((row, cells))
    helpers = [column.helpers(concept) for column in chosen]
    if any(helpers):
        out.append((Row("", {}, "the helpers they call"), helpers))
    return out


def concept_table(backends=None) -> pd.DataFrame:
    """The concept map as a table: per concept its name, title, the functions
    that implement it (with the columns that have them, where not all do), the
    names it also answers to, and the consistency quantities that test it."""
    rows = []
    for concept in CONCEPTS:
        keys = [c.key for c in columns(concept, backends)]
        rows.append(
            dict(
                concept=concept.name,
                title=concept.title,
                functions=_where_defined(concept, keys),
                aliases=", ".join(concept.aliases),
                quantities=concept.quantities,
            )
        )
    return pd.DataFrame(rows)


def _where_defined(concept: Concept, keys: list[str]) -> str:
    """'activations.py: relu, relu_grad, _vjp (torch, jax)'."""
    by_file: dict[str, list[str]] = {}
    for row in concept.rows:
        for name in dict.fromkeys(n for k in keys for n in row.names.get(k, ())):
            having = [k for k in keys if name in row.names.get(k, ())]
            shown = name if having == keys else f"{name} ({', '.join(having)})"
            in_engine = having == [ENGINE]  # the engine is one file
            where = source.shown_path(ENGINE_FILE) if in_engine else f"{row.module}.py"
            by_file.setdefault(where, []).append(shown)
    return "; ".join(f"{m}: {', '.join(n)}" for m, n in by_file.items())
