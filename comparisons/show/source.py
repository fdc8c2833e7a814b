"""Cutting the source out of its files with `ast`: every function `triptych show`
shows is read from its file when the view is made, never copied.

The built-in backends' files are found with `importlib.util.find_spec`, without
importing them, so the terminal view imports neither torch nor JAX; the tiny
engine is one file of the repository (examples/autodiff_backend.py); an outside
backend's functions are read from the file that defines each of them
(`inspect.getsourcefile`), and where there is none -- a compiled extension, a
built-in, code made at run time -- its cell says "source not available".
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # holds reference/, impl_*/, examples/
NOT_AVAILABLE = "source not available"


@dataclass(frozen=True)
class Snippet:
    """One definition, cut out of its file as it is now."""

    path: str  # as shown, e.g. impl_numpy/activations.py
    name: str  # as in the file: relu, or Tensor.backward for a method
    first: int  # line number of its first line (decorators and comments included)
    lines: tuple[str, ...]

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1


@dataclass(frozen=True)
class Missing:
    """A cell with no source to show, and why."""

    reason: str


def package_dir(package: str) -> Path:
    """Where `package` lives, found without importing it (nor torch, nor JAX)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"package {package} not found: is triptych installed?")
    return Path(list(spec.submodule_search_locations)[0])


def shown_path(path: Path) -> str:
    """`path` as the view names it: from the project root where it is inside it."""
    path = Path(path).resolve()
    for base in (ROOT, Path.cwd()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return f"{path.parent.name}/{path.name}"


def snippet(path: Path, name: str) -> Snippet:
    """The source of `name` (a top-level name, or Class.method) in the file `path`."""
    spans, lines = definitions(path)
    if name not in spans:
        defined = ", ".join(n for n in spans if "." not in n)
        raise ValueError(
            f"{shown_path(path)} must define {name!r}, which the concept map of "
            f"`triptych show` (comparisons/show/concepts.py) points at; it defines "
            f"{defined}"
        )
    first, last = spans[name]
    return Snippet(shown_path(path), name, first, lines[first - 1 : last])


def definitions(path: Path) -> tuple[dict[str, tuple[int, int]], tuple[str, ...]]:
    """{name: (first line, last line)} of every top-level def, class, assignment
    and method (as Class.method) in `path`, and the file's lines."""
    path = Path(path)
    return _definitions(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _definitions(path: Path, mtime_ns: int):
    """Cached per modification time: an edited file is read again."""
    lines = tuple(path.read_text(encoding="utf-8").splitlines())
    spans = {}
    for node in ast.parse("\n".join(lines), filename=str(path)).body:
        for name in _names(node):
            spans[name] = _span(node, lines)
        if isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    spans[f"{node.name}.{method.name}"] = _span(method, lines)
    return spans, lines


def _names(node) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _span(node, lines) -> tuple[int, int]:
    """First and last line, with decorators and the comment block just above."""
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno] + [d.lineno for d in decorators])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first, node.end_lineno


def helpers(path: Path, names, most: int = 6) -> list[str]:
    """The file's private top-level functions that `names` call, and those that
    they call in turn, in the order they are met: an outside backend's helpers."""
    spans, lines = definitions(path)
    found, queue = [], list(names)
    while queue and len(found) < most:
        name = queue.pop(0)
        if name not in spans:
            continue
        first, last = spans[name]
        body = ast.parse(textwrap.dedent("\n".join(lines[first - 1 : last])))
        for called in _called(body):
            private = called.startswith("_") and called in spans
            if private and called not in found and called not in names:
                found.append(called)
                queue.append(called)
    return found[:most]


def _called(tree) -> list[str]:
    """Names read in `tree`, in order: the functions it calls or passes on."""
    return [
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    ]


def source_file(obj) -> Path | None:
    """The file that defines the function `obj`, or None where it cannot be read:
    a built-in, a compiled extension, code made at run time, a file now gone."""
    obj = inspect.unwrap(getattr(obj, "__func__", obj))
    try:
        name = inspect.getsourcefile(obj)
    except TypeError:  # built-ins and extension functions have no Python source
        return None
    return Path(name) if name and Path(name).is_file() else None


def qualified_name(obj) -> str:
    """The name to cut out of its file: relu, or Backend.relu for a method."""
    obj = inspect.unwrap(getattr(obj, "__func__", obj))
    return getattr(obj, "__qualname__", getattr(obj, "__name__", ""))


def formula(concept) -> list[tuple[str, str]]:
    """(label, text) pairs: the oracle's docstrings for the concept, as they are,
    opened by the notation paragraph of its module docstring where it asks."""
    from reference import oracle  # NumPy only

    parts = []
    if concept.notation:
        paragraphs = inspect.getdoc(oracle).split("\n\n")
        notation = next(p for p in paragraphs if p.startswith("Notation"))
        parts.append(("notation", " ".join(notation.split())))
    for name in concept.oracle:
        parts.append((name, inspect.getdoc(getattr(oracle, name))))
    return parts
