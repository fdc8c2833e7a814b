"""The terminal view of `triptych show`: the title, the formula, what differs and
the traps, the consistency results, where the pictures are, then the code in
aligned columns -- or one column after another where the terminal is too narrow.

Three columns read at 120 characters: a line that reads the same in every column
(most signatures and docstrings) is printed once, across the whole width; the
lines that differ, usually the short ones, get a column each, and a line too
long for its column is broken at a comma, before its comment or at a space
outside brackets. Nothing here prints: `text` and `listing` return strings.
"""

from __future__ import annotations

import pandas as pd

from . import align, columns, source, wrap
from .concepts import resolve
from .model import Concept, Row
from .results import consistency_line

try:  # optional: highlighting only
    from pygments.console import ansiformat
    from pygments.formatters.terminal import TERMINAL_COLORS
except ImportError:  # pragma: no cover
    TERMINAL_COLORS = None

MIN_COLUMN = 36  # narrower than this, the columns go one after another
PROSE = 100  # prose wider than this is hard to read, however wide the terminal
SEPARATOR = " │ "
SHARED = "A line the same in every column is printed once, across them."


def text(
    concept,
    backends=None,
    width: int = 100,
    color: bool = False,
    results: pd.DataFrame | None = None,
    report: str = "",
    extra=(),
    pictures: str = "",
) -> str:
    """The concept for a terminal `width` wide; `results`: a report's consistency
    rows (`report` names their file); `extra`: outside backends, a column each;
    `pictures`: a sentence on where the concept's pictures are."""
    concept = resolve(concept)
    chosen = columns.columns(concept, backends, extra)
    width = max(int(width), 40)
    style = Style(color)
    prose = min(width, PROSE)
    out = [style.bold(x) for x in wrap.prose(f"{concept.name}: {concept.title}", width)]
    out += [""] + _formula(concept, width, style) + [""]
    out += wrap.prose("What differs: " + concept.differs, prose) + [""]
    out += _traps(concept, prose, style)
    if results is not None:
        out += wrap.prose(consistency_line(concept, results, report), prose) + [""]
    if pictures:
        out += wrap.prose(pictures, prose) + [""]
    rows = columns.rows(concept, chosen)
    column = (width - len(SEPARATOR) * (len(chosen) - 1)) // len(chosen)
    if len(chosen) > 1 and column >= MIN_COLUMN:
        out += _side_by_side(rows, chosen, column, width, style)
    else:
        out += _stacked(rows, chosen, width, style)
    return "\n".join(line.rstrip() for line in out) + "\n"


def listing(backends=None, width: int = 80) -> str:
    """`triptych show --list`: each concept, its title, and its functions."""
    table = columns.concept_table(backends)
    wide = max(len(name) for name in table.concept) + 2
    room = max(width - wide, 30)
    out = []
    for row in table.itertuples():
        lines = wrap.prose(row.title, room) + wrap.prose(row.functions, room)
        out.append(f"{row.concept:<{wide}}{lines[0]}")
        out += [" " * wide + line for line in lines[1:]]
    out += [""] + wrap.prose(
        "A function name (relu_grad, sgd_step, ...) or an alias (backprop, forward, "
        "tape, ...) works too. `triptych show CONCEPT` shows one concept.",
        width,
    )
    return "\n".join(out) + "\n"


def label(row: Row) -> str:
    """A row's heading: its names, each once, and its job where it has one."""
    names = ", ".join(dict.fromkeys(n for ns in row.names.values() for n in ns))
    return f"{names}: {row.job}" if names and row.job else names or row.job


def _formula(concept: Concept, width: int, style: Style) -> list[str]:
    """The oracle's docstrings, a label beside each where there is room, else
    above it; laid-out formulas get the whole width, prose at most PROSE."""
    parts = source.formula(concept)
    out = [style.bold("Formula") + style.dim("  (reference/oracle.py)")]
    wide = max(len(name) for name, _ in parts) + 4
    beside = width - wide >= 60
    room = width - wide if beside else width - 4
    for name, doc in parts:
        lines = []
        for k, paragraph in enumerate(doc.split("\n\n")):
            lines += [""] * bool(k) + wrap.formula(paragraph, room, PROSE - wide)
        if beside:
            heads = [name] + [""] * (len(lines) - 1)
            out += [
                f"  {style.bold(h)}{' ' * (wide - 2 - len(h))}{x}"
                for h, x in zip(heads, lines)
            ]
        else:
            out += ["  " + style.bold(name)] + ["    " + x for x in lines]
    return out


def _traps(concept: Concept, width: int, style: Style) -> list[str]:
    if not concept.traps:
        return []
    note = "each shown by a test in tests/test_frameworks_differ.py"
    out = [style.bold("Where frameworks differ")]
    out += [style.dim(line) for line in wrap.prose(f"({note})", width)]
    for trap in concept.traps:
        lines = wrap.prose(f"{trap.title}. {trap.text}", width - 4)
        out += ["  • " + lines[0]] + ["    " + line for line in lines[1:]]
    return out + [""]


def _rule(heading: str, width: int, style: Style) -> str:
    head = f"── {heading} "[: width - 2]
    return style.bold(head) + style.dim("─" * (width - len(head)))


def _side_by_side(rows, chosen, column: int, width: int, style: Style) -> list[str]:
    """Each row's columns side by side, each as wide as its code needs where
    there is room (a column with nothing to show leaves its room to the others);
    lines the same in every column once, across them."""
    titles = ", ".join(c.title for c in chosen)
    out = wrap.prose(f"Columns, left to right: {titles}. {SHARED}", min(width, PROSE))
    out = [style.dim(line) for line in out]
    for row, parts in rows:
        cells = [align.cell(p) for p in parts]
        widths = _widths(cells, width - len(SEPARATOR) * (len(cells) - 1))
        out.append(_rule(label(row), width, style))
        where = [style.dim(_pad(c.where(), w)) for c, w in zip(cells, widths)]
        out.append(style.dim(SEPARATOR).join(where))
        for line, same in align.aligned(cells):
            if same:  # once, across the columns, faded: the difference is the rest
                out += [style.dim(_plain(f)) for f in wrap.code(line[0][0], width)]
                continue
            pieces = [_pieces(p, w) for p, w in zip(line, widths)]
            for k in range(max(len(p) for p in pieces)):
                at = [p[k] if k < len(p) else ([], False) for p in pieces]
                shown = [
                    _pad_code(f, w, note, style) for (f, note), w in zip(at, widths)
                ]
                out.append(style.dim(SEPARATOR).join(shown))
    return out


def _widths(cells, room: int) -> list[int]:
    """Each column's width: what its longest line needs, where the room allows;
    the rest shared equally among the columns that need more (water-filling)."""
    need = [max([len(line) for line in c.lines] + [len(c.where())]) for c in cells]
    widths, left = [0] * len(cells), room
    for k, i in enumerate(sorted(range(len(cells)), key=need.__getitem__)):
        widths[i] = min(need[i], left // (len(cells) - k))
        left -= widths[i]
    widest = max(range(len(cells)), key=need.__getitem__)
    widths[widest] += left  # what no column needs goes to the widest
    return widths


def _pieces(part, column: int) -> list[tuple[list, bool]]:
    """One cell's line cut to the column: [(fragments, is a note)]."""
    if part is None:
        return [([], False)]
    fragments, _, note = part
    return [(f, note) for f in wrap.code(fragments, column)]


def _stacked(rows, chosen, width: int, style: Style) -> list[str]:
    out = []
    for row, parts in rows:
        out.append(_rule(label(row), width, style))
        for column, part in zip(chosen, parts):
            cell = align.cell(part)
            if not cell.parts:
                continue
            out.append(style.bold(column.title) + "  " + style.dim(cell.where()))
            for fragments, note in zip(cell.tokens, cell.notes):
                shown = wrap.code(fragments, width)
                out += [style.dim(_plain(f)) if note else style.code(f) for f in shown]
            out.append("")
    return out


def _plain(fragments) -> str:
    return "".join(t for _, t in fragments)


def _pad(s: str, width: int) -> str:
    return s[:width].ljust(width)


def _pad_code(fragments, width: int, note: bool, style: Style) -> str:
    padding = " " * (width - len(_plain(fragments)))
    shown = style.dim(_plain(fragments)) if note else style.code(fragments)
    return shown + padding


class Style:
    """ANSI styling for the terminal, or none (also where pygments is missing)."""

    def __init__(self, color: bool):
        self.color = color and TERMINAL_COLORS is not None and align.PythonLexer

    def bold(self, s: str) -> str:
        return f"\x1b[1m{s}\x1b[0m" if self.color and s else s

    def dim(self, s: str) -> str:
        return f"\x1b[2m{s}\x1b[0m" if self.color and s else s

    def code(self, fragments) -> str:
        if not self.color:
            return _plain(fragments)
        return "".join(_ansi(kind, text) for kind, text in fragments)


def _ansi(kind, text: str) -> str:
    while kind is not None and kind not in TERMINAL_COLORS:
        kind = kind.parent
    colour = TERMINAL_COLORS.get(kind, ("", ""))[0]  # the palette for light and dark
    return ansiformat(colour, text) if colour else text
