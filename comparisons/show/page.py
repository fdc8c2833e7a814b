"""The HTML view of `triptych show`: one self-contained page (`--html PATH`), or
one concept in a notebook (`comparisons.show("relu")._repr_html_()`).

Per concept: its formula, what differs and the traps, the consistency results
where a report is given, the pictures computed by the backends (PNG data URIs:
the page loads nothing from outside itself), and the code in aligned,
highlighted columns. The style is the package file page.css, every rule scoped
to `.triptych-page`.
"""

from __future__ import annotations

import html
import importlib.resources
import re

import pandas as pd

from .. import page
from . import align, columns, source, wrap
from .concepts import CONCEPTS, resolve
from .model import Concept
from .results import REPORT_CSV, consistency_summary, quantities
from .text import label

try:  # optional: highlighting only
    from pygments.formatters import HtmlFormatter
    from pygments.token import STANDARD_TYPES
except ImportError:  # pragma: no cover
    HtmlFormatter = None

TITLE = "triptych: one network in NumPy, PyTorch and JAX, side by side"


def html_page(
    concepts=None,
    backends=None,
    results: pd.DataFrame | None = None,
    report_link: str = "",
    extra=(),
    pictures: bool = True,
    fragment: bool = False,
) -> str:
    """A page with a table of contents and every concept (or those given);
    `results`: a report's consistency rows, linked to `report_link`; `extra`:
    outside backends, a column each; `pictures`: draw them (this imports the
    backends' frameworks); `fragment`: one <div> for a notebook, not a document."""
    chosen = [resolve(c) for c in concepts or CONCEPTS]
    sections = [
        _section(c, backends, results, report_link, extra, pictures) for c in chosen
    ]
    body = "\n".join(sections)
    if not fragment:
        contents = _contents(chosen, results)
        legend = _legend(results, report_link)
        body = f"<h1>{TITLE}</h1>\n<p>{legend}</p>\n{contents}\n<main>\n{body}\n</main>"
    return _shell(body, chosen, backends, extra, fragment)


def css(widest: int = 4) -> str:
    """page.css, the pygments colours, and each column's place on a narrow page."""
    style = importlib.resources.files(__package__).joinpath("page.css").read_text()
    if HtmlFormatter is not None and align.PythonLexer is not None:
        style += HtmlFormatter(style="default").get_style_defs(".triptych-page .code")
    narrow = " ".join(
        f".triptych-page .tt-col{k} {{ order: {k}; }}" for k in range(widest)
    )
    return f"{style}\n@media (max-width: 1000px) {{ {narrow} }}\n"


def _shell(body: str, chosen, backends, extra, fragment: bool) -> str:
    widest = max(len(columns.columns(c, backends, extra)) for c in chosen)
    if fragment:
        return page.fragment(body, css(widest))
    return page.document(TITLE, body, css(widest))


def _contents(concepts, results) -> str:
    items = []
    for c in concepts:
        badge = ""
        if results is not None:
            table = consistency_summary(c, results)
            if not table.empty:
                passed, cases = table.passed.sum(), table.cases.sum()
                kind = "pass" if passed == cases else "fail"
                badge = f' <span class="badge {kind}">{passed}/{cases}</span>'
        items.append(
            f'<li><a href="#{c.name}"><code>{c.name}</code></a> '
            f"{inline_code(c.title)}{badge}</li>"
        )
    return f'<nav id="contents"><h2>Contents</h2>\n<ol>\n{"".join(items)}\n</ol></nav>'


def _legend(results, report_link) -> str:
    text = (
        "Each concept: its formula from <code>reference/oracle.py</code>, what "
        "differs between the frameworks and the traps on the way, pictures computed "
        "by each backend and drawn over the float64 oracle, then each backend's "
        "code, read from its files when this page was made and lined up so that "
        "equal lines sit level. Faded lines read the same in every column; the rest "
        "is the framework."
    )
    if results is not None:
        link = f' (<a href="{html.escape(report_link)}">{REPORT_CSV}</a>)'
        text += (
            " Consistency: how many of the report's comparisons"
            f"{link if report_link else ''} of each concept's quantities passed, "
            "per backend."
        )
    return text


def _section(concept: Concept, backends, results, report_link, extra, pictures) -> str:
    chosen = columns.columns(concept, backends, extra)
    heads = "".join(
        f'<div class="tt-head tt-col{k}">{html.escape(c.title)}</div>'
        for k, c in enumerate(chosen)
    )
    rows = "\n".join(
        _code_row(label(row), [align.cell(p) for p in parts])
        for row, parts in columns.rows(concept, chosen)
    )
    return f"""<section id="{concept.name}">
<h2><code>{concept.name}</code> {inline_code(concept.title)}</h2>
{_formula(concept)}
<p class="differs"><b>What differs.</b> {inline_code(concept.differs)}</p>
{_traps(concept)}
{_consistency(concept, results, report_link)}
{_pictures(concept, chosen) if pictures else ""}
<div class="triptych code" style="--n: {len(chosen)}">{heads}
{rows}
</div>
<p class="top"><a href="#contents">contents</a></p>
</section>"""


def _formula(concept: Concept) -> str:
    items = "\n".join(
        f"<dt>{html.escape(name)}</dt><dd>{_docstring(doc)}</dd>"
        for name, doc in source.formula(concept)
    )
    return f'<dl class="formula">{items}</dl>'


def _docstring(doc: str) -> str:
    """A formula laid out by hand keeps its lines (<pre>); prose wraps, but only
    between the pieces `wrap` would break at, never inside a formula."""
    out = []
    for paragraph in doc.split("\n\n"):
        if wrap.laid_out(paragraph):
            out.append(f"<pre>{html.escape(paragraph)}</pre>")
        else:
            pieces = wrap.pieces(paragraph)
            spans = " ".join(
                f'<span class="nb">{html.escape(p)}</span>' for p in pieces
            )
            out.append(f"<p>{spans}</p>")
    return "".join(out)


def _traps(concept: Concept) -> str:
    if not concept.traps:
        return ""
    items = "".join(
        f"<li><b>{inline_code(t.title)}.</b> {inline_code(t.text)} "
        f'<span class="test">(<code>{t.test}</code>)</span></li>'
        for t in concept.traps
    )
    return f'<div class="traps"><h3>Where frameworks differ</h3><ul>{items}</ul></div>'


def _pictures(concept: Concept, chosen) -> str:
    from . import pictures  # matplotlib and the backends' frameworks: only here

    found, unavailable = pictures.backends_of(chosen)
    drawn, missing = pictures.for_concept(concept, found)
    missing = " ".join(filter(None, [unavailable, missing]))
    figures = "".join(
        f'<figure><img src="{p.data_uri()}" alt="{html.escape(p.alt)}" '
        f'width="{p.width}" height="{p.height}">'
        f"<figcaption>{inline_code(p.caption)}</figcaption></figure>"
        for p in drawn
    )
    note = f'<p class="no-pictures">{html.escape(missing)}</p>' if missing else ""
    return f'<div class="pictures">{figures}</div>{note}'


def _code_row(heading: str, cells: list[align.Cell]) -> str:
    """Grid cells, line by line across the columns: a line that wraps pushes the
    whole line down, so the columns stay level however narrow the page."""
    out = [f'<div class="tt-row tt-col0">{html.escape(heading)}</div>']
    out += [
        f'<div class="tt-where tt-col{k}">{html.escape(c.where())}</div>'
        for k, c in enumerate(cells)
    ]
    for parts, same_everywhere in align.aligned(cells):
        for k, part in enumerate(parts):
            out.append(_code_line(k, part, same_everywhere))
    return "\n".join(out)


def _code_line(k: int, part, same_everywhere: bool) -> str:
    if part is None:
        return f'<div class="tt-ln tt-gap tt-col{k}"></div>'
    fragments, number, note = part
    plain = "".join(t for _, t in fragments)
    hang = len(plain) - len(plain.lstrip()) + 4  # wrapped: under the code
    code = "".join(_fragment(kind, t) for kind, t in fragments)
    kind = " tt-same" if same_everywhere else " tt-note" if note else ""
    return (
        f'<div class="tt-ln tt-col{k}{kind}"><span class="tt-no">{number or ""}'
        f'</span><code style="--hang: {hang}ch">{code}</code></div>'
    )


def _fragment(kind, text: str) -> str:
    escaped = html.escape(text)
    if kind is None or HtmlFormatter is None or align.PythonLexer is None:
        return escaped
    while kind not in STANDARD_TYPES:
        kind = kind.parent
    short = STANDARD_TYPES[kind]
    return f'<span class="{short}">{escaped}</span>' if short else escaped


def _consistency(concept: Concept, results, report_link: str) -> str:
    if results is None:
        return ""
    table = consistency_summary(concept, results)
    link = REPORT_CSV
    if report_link:
        link = f'<a href="{html.escape(report_link)}">{REPORT_CSV}</a>'
    if table.empty:
        return f'<p class="consistency">No rows for it in the report ({link}).</p>'
    body = "".join(
        f'<tr class="{"pass" if r.passed == r.cases else "fail"}">'
        f"<td>{html.escape(str(r.backend))}</td><td>{r.passed}/{r.cases}</td>"
        f"<td>{r.worst_max_rel_err:.3g}</td>"
        f"<td><code>{html.escape(r.worst_case)}</code></td></tr>"
        for r in table.itertuples()
    )
    return (
        f'<table class="consistency"><caption>Consistency ({link}): '
        f"{html.escape(quantities(concept, results))}, against the oracle and the "
        f"other backends</caption><tr><th>backend</th><th>passed</th>"
        f"<th>worst max_rel_err</th><th>worst case</th></tr>{body}</table>"
    )


def inline_code(s: str) -> str:
    """Prose with `code` in backticks -> HTML, the backticks gone."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(s))
