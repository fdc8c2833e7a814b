"""Pictures of every concept, computed by the backends themselves through their
public API and drawn over the float64 oracle.

    pictures.for_concept(concept, backends)  ->  ([Picture], note on what is missing)
    pictures.draw(backends=None)             ->  [Picture]: every concept's
    pictures.draw_with_notes(backends=None)  ->  ([Picture], ["concept: note"])
    pictures.write(folder, backends=None)    ->  [Path]: every concept's, as PNGs

Each kind of picture (`KINDS`) lives in curves.py (activations, losses, softmax,
gradients), descent.py (gradient descent on a slice of a real loss) or
diagrams.py (the network's shapes, the engine's tape). Errors are drawn in units
of eps of the dtype, relative to the magnitude of the curve (max |oracle| over
it), as the tolerance policy measures them (reference/tolerance.py).

matplotlib is imported only here and only when a picture is drawn, through its
object API (`Figure`, Agg): a notebook's own pyplot backend is left alone.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import io
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import backends as registry
from .concepts import CONCEPTS, resolve

DTYPE = "float32"  # the dtype pictures are computed in: where rounding shows
EPS = float(np.finfo(DTYPE).eps)
COLORS = {
    "numpy": "#1f77b4",
    "torch": "#d62728",
    "jax": "#6a3d9a",
    "autodiff": "#2ca02c",
}
OTHER_COLORS = ("#ff7f0e", "#8c564b", "#e377c2", "#17becf")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
ORACLE = dict(color="#888888", linewidth=3.5, alpha=0.45, zorder=1)


@dataclass(frozen=True)
class Picture:
    """One PNG, with what it shows in words (its caption and alt text)."""

    concept: str
    kind: str
    caption: str
    png: bytes

    @property
    def filename(self) -> str:
        return f"{self.concept}-{self.kind}.png"

    @property
    def alt(self) -> str:
        return f"{self.concept}: {self.caption}"

    @property
    def width(self) -> int:
        return struct.unpack(">I", self.png[16:20])[0]  # from the PNG's header

    @property
    def height(self) -> int:
        return struct.unpack(">I", self.png[20:24])[0]

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def kinds() -> dict:
    """kind -> draw(concept, backends) -> (Figure, caption), every kind there is."""
    from . import curves, descent, diagrams

    return {**curves.KINDS, **descent.KINDS, **diagrams.KINDS}


def for_concept(concept, backends: list) -> tuple[list[Picture], str]:
    """The concept's pictures, computed by `backends` (objects with the backend
    API); and a sentence on any that could not be drawn, or ''."""
    concept = resolve(concept)
    key = (concept.name, tuple(id(b) for b in backends))
    if key not in _DRAWN:  # the same pictures, asked for again: drawn once
        _DRAWN[key] = (backends, _draw(concept, backends))
    return _DRAWN[key][1]


_DRAWN: dict = {}  # (concept, backends' ids) -> (the backends, kept alive; result)


def _draw(concept, backends: list) -> tuple[list[Picture], str]:
    drawers, drawn, missing = kinds(), [], []
    for kind in concept.pictures:
        try:
            figure, caption = drawers[kind](concept, backends)
        except Unavailable as error:
            missing.append(str(error))
            continue
        except Exception as error:  # a backend that raises: drawn without it
            figure, caption, said = _without_failing(drawers[kind], concept, backends)
            said = f"{said} the {kind} picture"
            missing.append(f"{said} ({type(error).__name__}: {error})")
            if figure is None:
                continue
        drawn.append(Picture(concept.name, kind, caption, png(figure)))
    return drawn, " ".join(missing)


def _without_failing(drawer, concept, backends: list):
    """(figure, caption, a sentence) from the backends that draw the picture on
    their own; figure None where none does."""
    failing = []
    for backend in backends:
        try:
            drawer(concept, [backend])
        except Exception:
            failing.append(backend.NAME)
    working = [b for b in backends if b.NAME not in failing]
    said = f"{', '.join(failing) or 'the backends together'} could not draw"
    if not working or not failing:
        return None, "", said
    return (*drawer(concept, working), said)


def draw(backends=None, concepts=None, progress=None) -> list[Picture]:
    """Every concept's pictures (or those of `concepts`), computed by `backends`
    (names or objects; default: every available one, and the engine of examples/
    for its own pictures). `progress(done, total, what)` hears of each concept."""
    return draw_with_notes(backends, concepts, progress)[0]


def draw_with_notes(backends=None, concepts=None, progress=None):
    """`draw`'s pictures, and a note per concept whose pictures could not all be
    drawn ("relu: mine could not draw the activation picture (...)"), as the
    report lists them."""
    chosen = registry.resolve(backends)
    concepts = [resolve(c) for c in concepts or CONCEPTS]
    drawn, notes = [], []
    for done, concept in enumerate(concepts):
        if progress:
            progress(done, len(concepts), concept.name)
        with_engine = chosen + ([engine()] if concept.engine and engine() else [])
        pictures, missing = for_concept(concept, with_engine)
        drawn += pictures
        if missing:
            notes.append(f"{concept.name}: {missing}")
    return drawn, notes


def write(folder, backends=None, concepts=None) -> list[Path]:
    """`draw`'s pictures as PNGs in `folder` (made if missing); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for picture in draw(backends, concepts):
        path = folder / picture.filename
        path.write_bytes(picture.png)
        paths.append(path)
    return paths


class Unavailable(Exception):
    """A picture that needs a backend that is not here (e.g. the engine)."""


def backends_of(chosen_columns) -> tuple[list, str]:
    """The backend objects behind the view's columns: built-ins that are
    installed (a missing framework is named, not fatal), the engine, outside ones."""
    found, missing = [], []
    for column in chosen_columns:
        if column.backend is not None:
            found.append(column.backend)
        elif column.file is not None:
            found += [engine()] if engine() else []
        else:
            try:
                found.append(registry.load(column.key))
            except registry.BackendUnavailable as error:
                missing.append(str(error))
    return found, " ".join(missing)


def engine():
    """The tiny engine of examples/autodiff_backend.py, or None where it is not
    here (an installed triptych without the repository)."""
    try:
        return importlib.import_module("examples.autodiff_backend")
    except ImportError:
        from .columns import ENGINE_FILE

        if not ENGINE_FILE.is_file():
            return None
        spec = importlib.util.spec_from_file_location("autodiff_backend", ENGINE_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def figure(width: float, height: float):
    """A matplotlib Figure of width x height inches, not registered with pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def color(backend, k: int) -> str:
    return COLORS.get(backend.NAME, OTHER_COLORS[k % len(OTHER_COLORS)])


def names(backends) -> str:
    return ", ".join(b.NAME for b in backends)


def eps_error(values, exact) -> np.ndarray:
    """|values - exact| in units of eps of DTYPE, relative to max |exact|."""
    exact = np.asarray(exact, dtype=np.float64)
    scale = max(float(np.max(np.abs(exact))), np.finfo(np.float64).tiny)
    return np.abs(np.asarray(values, dtype=np.float64) - exact) / (EPS * scale)


def native(backend, a, spec):
    """A NumPy array as the backend's own (its `asarray`, in spec.dtype)."""
    return backend.asarray(np.asarray(a), spec)
