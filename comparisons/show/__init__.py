"""`triptych show`: each concept of the tutorial on deep-learning fundamentals, from
its formula to its code in every backend, with pictures computed by the backends
themselves -- in the terminal, as one HTML page, and in a notebook:

    import comparisons
    comparisons.show("relu")          # a notebook shows its HTML; print() it: text

One module per idea:

- concepts: the concept map (model: its shapes; traps: where frameworks differ);
- source: cutting each function out of its file with `ast`, read at run time;
- columns: what each backend's column shows (built-in, the engine, outside);
- align: lining the columns up; wrap: breaking lines where a reader would;
- text: the terminal view; page: the HTML page, its style in page.css;
- pictures: matplotlib, lazily (curves, descent, diagrams: the kinds);
- results: a report's consistency rows, per concept.

The terminal view imports neither torch nor JAX: the source is read from the
files. Pictures call the backends, so they are drawn only for the HTML (the
page, the notebook) and the report.
"""

from __future__ import annotations

from ..callable_module import make_callable
from .columns import check_backends, concept_table, outside_backends
from .concepts import CONCEPTS, names, resolve
from .page import html_page
from .results import REPORT_CSV, consistency_summary, load_report
from .source import formula, snippet
from .text import listing, text

__all__ = [
    "CONCEPTS",
    "REPORT_CSV",
    "View",
    "check_backends",
    "concept_table",
    "consistency_summary",
    "formula",
    "html_page",
    "listing",
    "load_report",
    "names",
    "resolve",
    "snippet",
    "text",
    "view",
]


class View:
    """One concept, as a notebook shows it (`_repr_html_`: the formula, pictures
    and code, in the page's style) and as `print` shows it (the terminal view,
    120 columns wide)."""

    def __init__(self, concept, backends=None, outside=()):
        self.concept = resolve(concept)
        self.backends = check_backends(backends)
        self.outside = outside_backends(outside)

    def __str__(self) -> str:
        return text(self.concept, self.backends, width=120, extra=self.outside)

    def __repr__(self) -> str:
        name = self.concept.name
        return f"<triptych show {name}: print() it, or show it in a notebook>"

    def _repr_html_(self) -> str:
        return html_page(
            [self.concept], self.backends, extra=self.outside, fragment=True
        )


def view(concept, backends=None, outside=()) -> View:
    """`concept` (a name, alias or function name) with the built-in `backends`
    (default: all three) and `outside` backends (objects, module:attribute paths
    or entry-point names), a column each."""
    return View(concept, backends, outside)


make_callable(__name__, "view")  # comparisons.show("relu") is view("relu")
