"""Side by side: each concept of the seed, from its formula to its code in NumPy,
PyTorch and JAX, in aligned columns -- as text for the terminal and as one HTML page.

The concept map, `CONCEPTS`, lives in comparisons/concepts.py: for each topic of
the seed its formula's place in `reference/oracle.py`, what differs between the
frameworks, the functions that implement it in each `impl_*` package, and the
quantities of the consistency check that test it.

The source shown is the real source: each function's text is cut out of its file
(found with `importlib.util.find_spec`, parsed with `ast`) every time a view is
made, never copied, and the frameworks are never imported -- `show` works where
torch or jax is missing. The formulas are the oracle's own docstrings (reference
imports nothing but NumPy). Pygments highlights the code when it is installed;
without it the code is plain.

Nothing here prints: `text` returns a string, `html_page` a page, and
`concept_table` and `consistency_summary` DataFrames; `comparisons.cli_show`
prints.
"""

from __future__ import annotations

import ast
import difflib
import functools
import html
import importlib.util
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reference import oracle

from .concepts import (  # noqa: F401  (re-exported: the map is part of this view)
    BACKENDS,
    CONCEPTS,
    Concept,
    Row,
    check_backends,
    names,
    only,
    resolve,
    same,
)

try:  # optional: highlighting only
    from pygments.console import ansiformat
    from pygments.formatters import HtmlFormatter
    from pygments.formatters.terminal import TERMINAL_COLORS
    from pygments.lexers import PythonLexer
    from pygments.token import STANDARD_TYPES
except ImportError:  # pragma: no cover - exercised by monkeypatching PythonLexer
    PythonLexer = None

MIN_COLUMN = 52  # narrower than this, the columns go one after another
PROSE = 100  # prose wider than this is hard to read, however wide the terminal
SEPARATOR = " │ "
REPORT_CSV = "consistency.csv"


# ------------------------------------------------------------ reading the source


@dataclass(frozen=True)
class Snippet:
    """One top-level definition, cut out of its file as it is now."""

    path: str  # relative to the project, e.g. impl_numpy/activations.py
    name: str
    first: int  # line number of its first line (decorators and comments included)
    lines: tuple[str, ...]

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1


def package_dir(backend: str) -> Path:
    """Where `backend`'s package lives, found without importing it (nor torch, jax)."""
    package = BACKENDS[backend][0]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"backend {backend!r}: package {package} not found")
    return Path(list(spec.submodule_search_locations)[0])


def snippet(backend: str, module: str, name: str) -> Snippet:
    """The source of `name` in `backend`'s `module`.py, as the file has it now."""
    path = package_dir(backend) / f"{module}.py"
    spans, lines = _definitions(path, path.stat().st_mtime_ns)
    if name not in spans:
        raise ValueError(
            f"{path.parent.name}/{path.name} must define {name!r}, which "
            f"`triptych show` points at; it defines {', '.join(spans)}"
        )
    first, last = spans[name]
    return Snippet(
        f"{path.parent.name}/{path.name}", name, first, lines[first - 1 : last]
    )


@functools.lru_cache(maxsize=64)
def _definitions(path: Path, mtime_ns: int):
    """{name: (first, last line)} of every top-level def, class and assignment in
    `path`, and the file's lines. Cached per modification time: an edited file is
    read again."""
    lines = tuple(path.read_text(encoding="utf-8").splitlines())
    spans = {}
    for node in ast.parse("\n".join(lines), filename=str(path)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            continue
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno] + [d.lineno for d in decorators])
        while first > 1 and lines[first - 2].lstrip().startswith("#"):
            first -= 1  # the comment block just above belongs to the definition
        for target in targets:
            spans[target] = (first, node.end_lineno)
    return spans, lines


def formula(concept: Concept) -> list[tuple[str, str]]:
    """(label, text) pairs: the oracle's docstrings for the concept, as they are."""
    parts = []
    if concept.notation:
        notation = next(
            p for p in inspect.getdoc(oracle).split("\n\n") if p.startswith("Notation")
        )
        parts.append(("notation", " ".join(notation.split())))
    for name in concept.oracle:
        parts.append((name, inspect.getdoc(getattr(oracle, name))))
    return parts


# ------------------------------------------------------------------- DataFrames


def concept_table(backends=None) -> pd.DataFrame:
    """The concept map as a table: per concept its name, title, the functions
    that implement it (with the backends that have them, where not all do), the
    names it also answers to, and the consistency quantities that test it."""
    backends = check_backends(backends)
    return pd.DataFrame(
        [
            dict(
                concept=c.name,
                title=c.title,
                functions=_where_defined(c, backends),
                aliases=", ".join(c.aliases),
                quantities=c.quantities,
            )
            for c in CONCEPTS
        ]
    )


def load_report(directory) -> pd.DataFrame:
    """The rows of `directory`/consistency.csv (as written by the report)."""
    path = Path(directory) / REPORT_CSV
    if not path.is_file():
        raise ValueError(
            f"report must be a directory with {REPORT_CSV}; got {directory}"
        )
    results = pd.read_csv(path, keep_default_na=False)
    missing = {"quantity", "backend", "passed", "max_rel_err"} - set(results.columns)
    if missing:
        raise ValueError(f"{path} must have columns {', '.join(sorted(missing))}")
    return results


def consistency_rows(concept: Concept, results: pd.DataFrame) -> pd.DataFrame:
    """The rows of a consistency table whose quantity tests the concept."""
    return results[results.quantity.astype(str).str.fullmatch(concept.quantities)]


def consistency_summary(concept: Concept, results: pd.DataFrame) -> pd.DataFrame:
    """Per backend, the consistency rows of the concept's quantities: cases,
    passed, the worst max_rel_err and the case where it was."""
    summary = []
    for backend, group in consistency_rows(concept, results).groupby(
        "backend", sort=False
    ):
        errors = pd.to_numeric(group.max_rel_err, errors="coerce")
        passed = group.passed.astype(str).str.lower().isin(["true", "1"])
        worst = errors.idxmax() if errors.notna().any() else group.index[0]
        summary.append(
            dict(
                backend=backend,
                cases=len(group),
                passed=int(passed.sum()),
                worst_max_rel_err=errors.max(),
                worst_case=_case(group.loc[worst]),
            )
        )
    return pd.DataFrame(
        summary,
        columns=["backend", "cases", "passed", "worst_max_rel_err", "worst_case"],
    )


def _case(row) -> str:
    """'dW[2] 6-8-5-4 float32 vs oracle', from whichever of those columns exist."""
    parts = [str(row.get(k, "")) for k in ("quantity", "sizes", "dtype")]
    against = f"vs {row['against']}" if row.get("against", "") != "" else ""
    return " ".join(p for p in [*parts, against] if p and p != "nan")


def _quantities(concept: Concept, results: pd.DataFrame, most: int = 6) -> str:
    """The concept's quantities found in the results: 'relu, relu_grad'."""
    found = list(dict.fromkeys(consistency_rows(concept, results).quantity))
    shown = ", ".join(str(q) for q in found[:most])
    return shown + (f" and {len(found) - most} more" if len(found) > most else "")


# ------------------------------------------------------------- lining up columns


@dataclass
class _Cell:
    """One backend's code in one row: its lines, each as highlighted fragments."""

    snippets: list[Snippet]
    lines: list[str] = field(default_factory=list)  # plain text
    tokens: list[list[tuple]] = field(default_factory=list)  # [(token type, text)]
    numbers: list[int | None] = field(default_factory=list)  # file line numbers


def _cells(row: Row, backends: list[str]) -> list[_Cell]:
    cells = []
    for backend in backends:
        cell = _Cell([snippet(backend, row.module, n) for n in row.names[backend]])
        for k, s in enumerate(cell.snippets):
            if k:  # a blank line between two definitions
                cell.lines.append("")
                cell.tokens.append([])
                cell.numbers.append(None)
            cell.lines += s.lines
            cell.tokens += _highlight(s.lines)
            cell.numbers += range(s.first, s.last + 1)
        cells.append(cell)
    return cells


def _highlight(lines) -> list[list[tuple]]:
    """Per line, [(pygments token type or None, text)]: the snippet is lexed whole
    (a docstring spans lines), then cut at the line ends."""
    if PythonLexer is None:
        return [[(None, line)] for line in lines]
    out = [[]]
    lexer = PythonLexer(stripnl=False, ensurenl=False)
    for kind, value in lexer.get_tokens("\n".join(lines)):
        for k, part in enumerate(value.split("\n")):
            if k:
                out.append([])
            if part:
                out[-1].append((kind, part))
    return out + [[] for _ in range(len(lines) - len(out))]


def align(columns: list[list[str]]) -> list[list[int | None]]:
    """Line the columns up: lines equal (but for indentation) in every column are
    put level, and the shorter runs between them padded with gaps (None).

    Returns the rows, each a list of per-column line indices or None.
    """
    keys = [[_anchor_key(line) for line in column] for column in columns]
    matches = []
    for other in keys[1:]:  # each column against the first
        matched = {}
        blocks = difflib.SequenceMatcher(None, keys[0], other, autojunk=False)
        for block in blocks.get_matching_blocks():
            matched.update((block.a + k, block.b + k) for k in range(block.size))
        matches.append(matched)
    anchors, last = [], [-1] * len(columns)
    for i, key in enumerate(keys[0]):
        at = (i, *(m.get(i) for m in matches))
        if key and None not in at and all(a > b for a, b in zip(at, last)):
            anchors.append(at)
            last = at
    rows, start = [], [0] * len(columns)
    for anchor in [*anchors, tuple(len(c) for c in columns)]:
        runs = [range(s, a) for s, a in zip(start, anchor)]
        for k in range(max(len(r) for r in runs)):
            rows.append([r[k] if k < len(r) else None for r in runs])
        if anchor != tuple(len(c) for c in columns):
            rows.append(list(anchor))
        start = [a + 1 for a in anchor]
    return rows


def _anchor_key(line: str) -> str:
    """What a line must share to be lined up: its text without indentation; lines
    of mere punctuation (`)`, `]`) or blank lines are no anchors."""
    key = line.strip()
    return key if re.search(r"\w", key) else ""


def _aligned(cells: list[_Cell]):
    """Per aligned line, per cell: (fragments, line number) or None for a gap; and
    whether the line reads the same in every cell."""
    for at in align([c.lines for c in cells]):
        parts = [
            None if i is None else (c.tokens[i], c.numbers[i])
            for c, i in zip(cells, at)
        ]
        texts = {None if i is None else c.lines[i].strip() for c, i in zip(cells, at)}
        yield parts, len(cells) > 1 and len(texts) == 1 and None not in texts


# ------------------------------------------------------------------ the terminal


def text(
    concept,
    backends=None,
    width: int = 100,
    color: bool = False,
    results: pd.DataFrame | None = None,
    report: str = "",
) -> str:
    """The concept for the terminal: title, formula, what differs, the consistency
    results (when `results` is given), then the code in columns -- or, where the
    width leaves a column fewer than MIN_COLUMN characters, one after another."""
    concept = concept if isinstance(concept, Concept) else resolve(concept)
    backends = check_backends(backends)
    width = max(int(width), 40)
    style = _Style(color)
    title = textwrap.wrap(f"{concept.name}: {concept.title}", width)
    out = [style.bold(line) for line in title] + [""]
    prose = min(width, PROSE)
    out += _formula_text(concept, prose, style)
    out += [""] + _wrap("What differs: " + concept.differs, prose) + [""]
    if results is not None:
        out += _wrap(_consistency_line(concept, results, report), prose) + [""]
    column = (width - len(SEPARATOR) * (len(backends) - 1)) // len(backends)
    if len(backends) > 1 and column >= MIN_COLUMN:
        out += _columns(concept, backends, column, style)
    else:
        out += _stacked(concept, backends, width, style)
    return "\n".join(line.rstrip() for line in out) + "\n"


def listing(backends=None, width: int = 80) -> str:
    """`triptych show --list`: each concept, its title, and its functions."""
    table = concept_table(backends)
    wide = max(len(name) for name in table.concept) + 2
    room = max(width - wide, 30)
    out = []
    for row in table.itertuples():
        lines = textwrap.wrap(row.title, room) + textwrap.wrap(row.functions, room)
        out.append(f"{row.concept:<{wide}}{lines[0]}")
        out += [" " * wide + line for line in lines[1:]]
    out += [""] + textwrap.wrap(
        "A function name (relu_grad, sgd_step, ...) or an alias (backprop, forward, "
        "gradients, ...) works too. `triptych show CONCEPT` shows one concept.",
        width,
    )
    return "\n".join(out) + "\n"


def _where_defined(concept: Concept, backends) -> str:
    """'activations.py: relu, relu_grad, _vjp (torch, jax)'."""
    by_module: dict[str, list[str]] = {}
    for row in concept.rows:
        for name in dict.fromkeys(n for b in backends for n in row.names[b]):
            having = [b for b in backends if name in row.names[b]]
            label = name if having == backends else f"{name} ({', '.join(having)})"
            by_module.setdefault(f"{row.module}.py", []).append(label)
    return "; ".join(f"{m}: {', '.join(n)}" for m, n in by_module.items())


class _Style:
    """ANSI styling for the terminal, or none (also where pygments is missing)."""

    def __init__(self, color: bool):
        self.color = color and PythonLexer is not None

    def bold(self, s: str) -> str:
        return f"\x1b[1m{s}\x1b[0m" if self.color and s else s

    def dim(self, s: str) -> str:
        return f"\x1b[2m{s}\x1b[0m" if self.color and s else s

    def code(self, fragments) -> str:
        if not self.color:
            return "".join(text for _, text in fragments)
        return "".join(_ansi(kind, text) for kind, text in fragments)


def _ansi(kind, text: str) -> str:
    while kind is not None and kind not in TERMINAL_COLORS:
        kind = kind.parent
    colour = TERMINAL_COLORS.get(kind, ("", ""))[0]  # the palette for light and dark
    return ansiformat(colour, text) if colour else text


def _formula_text(concept: Concept, width: int, style: _Style) -> list[str]:
    out = [style.bold("Formula") + style.dim("  (reference/oracle.py)")]
    wide = max(len(label) for label, _ in formula(concept)) + 2
    for label, doc in formula(concept):
        for k, paragraph in enumerate(doc.split("\n\n")):
            if k:
                out.append("")  # paragraphs apart, as in the docstring
            laid_out = "\n" in paragraph  # a formula set out line by line
            lines = _wrap(paragraph, width - wide - 2, keep_lines=laid_out)
            for j, line in enumerate(lines):
                head = label if k == 0 and j == 0 else ""
                out.append(f"  {style.bold(head)}{' ' * (wide - len(head))}{line}")
    return out


def _wrap(paragraph: str, width: int, keep_lines: bool = False) -> list[str]:
    """Prose wrapped to `width`; with keep_lines, each line kept (a formula laid
    out by hand) unless it is too long."""
    if not keep_lines:
        return textwrap.wrap(paragraph, width) or [""]
    out = []
    for line in paragraph.splitlines():
        indent = len(line) - len(line.lstrip())
        out += textwrap.wrap(
            line, width, subsequent_indent=" " * (indent + 4), drop_whitespace=True
        ) or [""]
    return out


def _consistency_line(concept: Concept, results: pd.DataFrame, report: str) -> str:
    table = consistency_summary(concept, results)
    where = f" ({report})" if report else ""
    if table.empty:
        return f"Consistency{where}: no rows for {concept.name}'s quantities."
    counts = ", ".join(f"{r.backend} {r.passed}/{r.cases}" for r in table.itertuples())
    worst = table.loc[table.worst_max_rel_err.idxmax()]
    return (
        f"Consistency{where} of {_quantities(concept, results)}: passed {counts}; "
        f"worst max_rel_err {worst.worst_max_rel_err:.3g} ({worst.backend}, "
        f"{worst.worst_case})."
    )


def _title(backend: str) -> str:
    _, framework, how = BACKENDS[backend]
    return f"{framework}: {how}"


def _where(cell: _Cell) -> str:
    """impl_numpy/network.py:52-57, or what to say where the backend has nothing."""
    if not cell.snippets:
        return "(no counterpart)"
    first, last = cell.snippets[0], cell.snippets[-1]
    return f"{first.path}:{first.first}-{last.last}"


def _columns(concept: Concept, backends, column: int, style: _Style) -> list[str]:
    def joined(parts: list[str]) -> str:
        return style.dim(SEPARATOR).join(parts)

    out = [joined([style.bold(_pad(_title(b), column)) for b in backends])]
    for row in concept.rows:
        cells = _cells(row, backends)
        rule = "─" * column
        out.append(style.dim("─┼─".join([rule] * len(backends))))
        out.append(joined([style.dim(_pad(_where(c), column)) for c in cells]))
        for parts, _ in _aligned(cells):
            pieces = [_cut(p[0], column) if p else [[]] for p in parts]
            for k in range(max(len(p) for p in pieces)):
                line = [p[k] if k < len(p) else [] for p in pieces]
                out.append(joined([_pad_code(f, column, style) for f in line]))
    return out


def _row_label(row: Row, backends) -> str:
    """The names in a row, each once: `relu_grad`, `_output_delta, _loss`."""
    unique = dict.fromkeys(n for b in backends for n in row.names[b])
    return ", ".join(unique)


def _stacked(concept: Concept, backends, width: int, style: _Style) -> list[str]:
    out = []
    for row in concept.rows:
        out.append(style.bold(f"▸ {_row_label(row, backends)}"))
        for backend, cell in zip(backends, _cells(row, backends)):
            if not cell.snippets:
                continue
            head = f"── {_title(backend)}  {_where(cell)} "
            out.append(style.bold(head) + style.dim("─" * max(width - len(head), 0)))
            for fragments in cell.tokens:
                out += [style.code(f) for f in _cut(fragments, width)]
            out.append("")
    return out


def _cut(fragments, width: int) -> list[list[tuple]]:
    """A line too long for its column, broken at a space where one is near the end,
    continued on lines that start with ↪ under the line's indentation."""
    plain = "".join(t for _, t in fragments)
    if len(plain) <= width:
        return [fragments]
    indent = min(len(plain) - len(plain.lstrip()), width // 3) + 2
    pieces, start, room = [], 0, width
    while len(plain) - start > room:
        stop = _break(plain, start, room)
        pieces.append((start, stop))
        start, room = stop, width - indent - 2
    pieces.append((start, len(plain)))
    lines = []
    for k, (a, b) in enumerate(pieces):
        prefix = [(None, " " * indent + "↪ ")] if k else []
        lines.append(prefix + _slice(fragments, a, b))
    return lines


def _break(plain: str, start: int, room: int) -> int:
    """Where to end a piece of `plain` that starts at `start` and may be `room`
    long: before a trailing comment if that fits, else after the last space in
    the second half, else at the edge."""
    comment = plain.find("  # ", start)
    if start + room // 3 < comment <= start + room:
        return comment + 2
    return plain.rfind(" ", start + room // 2, start + room) + 1 or start + room


def _slice(fragments, a: int, b: int) -> list[tuple]:
    """The fragments' characters a to b, each keeping its token type."""
    out, at = [], 0
    for kind, text in fragments:
        lo, hi = max(a - at, 0), min(b - at, len(text))
        if lo < hi:
            out.append((kind, text[lo:hi]))
        at += len(text)
    return out


def _pad(s: str, width: int) -> str:
    return s[:width].ljust(width)


def _pad_code(fragments, width: int, style: _Style) -> str:
    used = sum(len(t) for _, t in fragments)
    return style.code(fragments) + " " * (width - used)


# ------------------------------------------------------------------ the HTML page


def html_page(
    concepts=None,
    backends=None,
    results: pd.DataFrame | None = None,
    report_link: str = "",
) -> str:
    """One self-contained page: a table of contents, then every concept with its
    formula, what differs, its consistency results (when `results` is given,
    linked to `report_link`) and the code in aligned, highlighted columns."""
    chosen = [c if isinstance(c, Concept) else resolve(c) for c in concepts or CONCEPTS]
    backends = check_backends(backends)
    sections = [_html_concept(c, backends, results, report_link) for c in chosen]
    return _PAGE.format(
        style=_CSS + _pygments_css(),
        columns=len(backends),
        contents=_html_contents(chosen, results),
        legend=_html_legend(backends, results, report_link),
        sections="\n".join(sections),
    )


def _html_contents(concepts, results) -> str:
    items = []
    for c in concepts:
        badge = ""
        if results is not None:
            table = consistency_summary(c, results)
            if not table.empty:
                ok = table.passed.sum() == table.cases.sum()
                badge = (
                    f' <span class="badge {"pass" if ok else "fail"}">'
                    f"{table.passed.sum()}/{table.cases.sum()}</span>"
                )
        items.append(
            f'<li><a href="#{c.name}"><code>{c.name}</code></a> '
            f"{html.escape(c.title)}{badge}</li>"
        )
    return "\n".join(items)


def _html_legend(backends, results, report_link) -> str:
    packages = ", ".join(f"<code>{BACKENDS[b][0]}/</code>" for b in backends)
    text = (
        f"Each concept: its formula from <code>reference/oracle.py</code>, what "
        f"differs between the frameworks, then the code from {packages} read from "
        f"the files when this page was made, lined up so that equal lines sit level. "
        f"Faded lines read the same in every framework; the rest is the framework."
    )
    if results is not None:
        link = f' (<a href="{html.escape(report_link)}">{REPORT_CSV}</a>)'
        text += (
            " Consistency: how many of the report's comparisons"
            f"{link if report_link else ''} of each concept's quantities passed, "
            "per backend."
        )
    return text


def _html_concept(concept: Concept, backends, results, report_link: str) -> str:
    formula_html = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd><pre>{html.escape(doc)}</pre></dd>"
        for label, doc in formula(concept)
    )
    heads = "".join(
        f'<div class="tt-head tt-col{k}">{html.escape(_title(b))}</div>'
        for k, b in enumerate(backends)
    )
    rows = "\n".join(_html_row(_cells(row, backends)) for row in concept.rows)
    return f"""<section id="{concept.name}">
<h2><code>{concept.name}</code> {html.escape(concept.title)}</h2>
<dl class="formula">{formula_html}</dl>
<p class="differs"><b>What differs.</b> {_inline_code(concept.differs)}</p>
{_html_consistency(concept, results, report_link)}
<div class="triptych code">{heads}
{rows}
</div>
<p class="top"><a href="#contents">contents</a></p>
</section>"""


def _html_row(cells: list[_Cell]) -> str:
    """Grid cells, line by line across the columns: a line that wraps pushes the
    whole line down, so the columns stay level however narrow the page."""
    out = [
        f'<div class="tt-where tt-col{k}">{html.escape(_where(c))}</div>'
        for k, c in enumerate(cells)
    ]
    for parts, same_everywhere in _aligned(cells):
        for k, part in enumerate(parts):
            if part is None:
                out.append(f'<div class="tt-ln tt-gap tt-col{k}"></div>')
                continue
            fragments, number = part
            plain = "".join(t for _, t in fragments)
            hang = len(plain) - len(plain.lstrip()) + 4  # wrapped: under the code
            code = "".join(_html_fragment(kind, t) for kind, t in fragments)
            cls = f"tt-ln tt-col{k} tt-same" if same_everywhere else f"tt-ln tt-col{k}"
            out.append(
                f'<div class="{cls}"><span class="tt-no">{number or ""}</span>'
                f'<code style="--hang: {hang}ch">{code}</code></div>'
            )
    return "\n".join(out)


def _html_fragment(kind, text: str) -> str:
    escaped = html.escape(text)
    if kind is None or PythonLexer is None:
        return escaped
    while kind not in STANDARD_TYPES:
        kind = kind.parent
    short = STANDARD_TYPES[kind]
    return f'<span class="{short}">{escaped}</span>' if short else escaped


def _html_consistency(concept: Concept, results, report_link: str) -> str:
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
    quantities = html.escape(_quantities(concept, results))
    return (
        f'<table class="consistency"><caption>Consistency ({link}): '
        f"{quantities}, against the oracle and the other backends</caption>"
        f"<tr><th>backend</th><th>passed</th><th>worst max_rel_err</th>"
        f"<th>worst case</th></tr>{body}</table>"
    )


def _inline_code(s: str) -> str:
    """Prose with `code` in backticks -> HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(s))


def _pygments_css() -> str:
    if PythonLexer is None:
        return ""
    return HtmlFormatter(style="default").get_style_defs(".code")


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 1.5em 3em;
  max-width: 1900px; color: #1d1f21; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
pre { margin: 0; }
h1 { margin-top: 1em; }
h2 { border-top: 2px solid #d0d7de; padding-top: .8em; margin-top: 2em; }
h2 code { font-size: 1em; }
nav ol { columns: 2; max-width: 60em; }
.formula { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em;
  background: #f6f8fa; padding: .7em 1em; border-radius: 6px; max-width: 70em; }
.formula dt { font-family: ui-monospace, monospace; font-weight: 600; }
.formula dd { margin: 0; }
.formula pre { white-space: pre-wrap; }
.differs { max-width: 70em; }
.triptych { display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr));
  gap: 0 .8em; }
.tt-head { font-weight: 600; border-bottom: 2px solid #57606a; padding: .2em 0; }
.tt-where { color: #57606a; font: 12px ui-monospace, monospace; padding: .5em 0 .2em;
  border-top: 1px solid #d0d7de; margin-top: .3em; }
.tt-ln { display: flex; font-size: 12.5px; line-height: 1.45; min-height: 1.45em;
  min-width: 0; }
.tt-ln .tt-no { flex: none; width: 3.2em; color: #8c959f; user-select: none;
  font: inherit; font-family: ui-monospace, monospace; }
.tt-ln code { flex: 1; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere;
  padding-left: var(--hang); text-indent: calc(-1 * var(--hang)); }
.tt-ln.tt-same code { opacity: .5; }
.tt-ln.tt-gap { background: repeating-linear-gradient(135deg, transparent 0 4px,
  #f3f4f6 4px 8px); }
table.consistency { border-collapse: collapse; margin: .5em 0 1em; font-size: 14px; }
table.consistency caption { text-align: left; padding-bottom: .2em; }
table.consistency td, table.consistency th { padding: .15em .8em;
  border-bottom: 1px solid #d0d7de; text-align: left; }
tr.fail td, .badge.fail { color: #b3261e; font-weight: 600; }
.badge { font-size: 12px; padding: 0 .4em; border-radius: 4px; background: #dafbe1; }
.badge.fail { background: #ffebe9; }
.top { font-size: 13px; }
/* A narrow window: the columns one after another (items ordered by column). */
@media (max-width: 1000px) {
  .triptych { grid-template-columns: minmax(0, 1fr); }
  .tt-col1 { order: 1; } .tt-col2 { order: 2; } .tt-col3 { order: 3; }
  .tt-head.tt-col1, .tt-head.tt-col2, .tt-head.tt-col3 { margin-top: 1.2em; }
  .tt-ln.tt-gap { display: none; }
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>triptych: one network in NumPy, PyTorch and JAX, side by side</title>
<style>{style}
.triptych {{ --n: {columns}; }}
</style>
</head>
<body>
<h1>triptych: one network, three frameworks, side by side</h1>
<p>{legend}</p>
<nav id="contents"><h2>Contents</h2>
<ol>
{contents}
</ol>
</nav>
<main>
{sections}
</main>
</body>
</html>
"""
