"""Lining the columns up: each column's functions as highlighted lines, and lines
that read the same in every column put level, the runs between them padded.

`Cell` is one column's code in one row of the view; `aligned(cells)` yields the
view's lines across the columns, for the terminal (text.py) and the page
(page.py) alike.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .source import Missing, Snippet

try:  # optional: highlighting only
    from pygments.lexers import PythonLexer
except ImportError:  # pragma: no cover - exercised by monkeypatching PythonLexer
    PythonLexer = None

Fragments = list[tuple]  # [(pygments token type or None, text)]: one line


@dataclass
class Cell:
    """One column's code in one row: its lines, each as highlighted fragments."""

    parts: list  # the Snippets (and Missing notes) shown, in order
    lines: list[str] = field(default_factory=list)  # plain text
    tokens: list[Fragments] = field(default_factory=list)
    numbers: list[int | None] = field(default_factory=list)  # file line numbers
    notes: list[bool] = field(default_factory=list)  # a Missing note, not code

    @property
    def snippets(self) -> list[Snippet]:
        return [p for p in self.parts if isinstance(p, Snippet)]

    def where(self) -> str:
        """impl_numpy/network.py:52-57, or what to say where there is no code."""
        if not self.parts:
            return "(no counterpart)"
        if not self.snippets:
            return ""
        first, last = self.snippets[0], self.snippets[-1]
        if first.path != last.path:
            return f"{first.path}:{first.first}, {last.path}:{last.first}"
        return f"{first.path}:{first.first}-{last.last}"


def cell(parts: list) -> Cell:
    """A Cell of snippets (a blank line between two) and Missing notes."""
    out = Cell(list(parts))
    for k, part in enumerate(parts):
        if k:
            _add(out, [""], [[]], [None], False)
        if isinstance(part, Missing):
            _add(out, [part.reason], [[(None, part.reason)]], [None], True)
        else:
            numbers = list(range(part.first, part.last + 1))
            _add(out, list(part.lines), highlight(part.lines), numbers, False)
    return out


def _add(out: Cell, lines, tokens, numbers, note: bool) -> None:
    out.lines += lines
    out.tokens += tokens
    out.numbers += numbers
    out.notes += [note] * len(lines)


def highlight(lines) -> list[Fragments]:
    """Per line, its fragments: the snippet is lexed whole (a docstring spans
    lines), then cut at the line ends."""
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
    anchors = _anchors([[_anchor_key(line) for line in c] for c in columns])
    ends = tuple(len(c) for c in columns)
    rows, start = [], [0] * len(columns)
    for anchor in [*anchors, ends]:
        runs = [range(s, a) for s, a in zip(start, anchor)]
        for k in range(max(len(r) for r in runs)):
            rows.append([r[k] if k < len(r) else None for r in runs])
        if anchor != ends:
            rows.append(list(anchor))
        start = [a + 1 for a in anchor]
    return rows


def _anchors(keys: list[list[str]]) -> list[tuple[int, ...]]:
    """Line indices, one per column, of lines that match the first column's in
    every column, in increasing order in all of them."""
    matches = []
    for other in keys[1:]:  # each column against the first
        blocks = difflib.SequenceMatcher(None, keys[0], other, autojunk=False)
        matched = {}
        for block in blocks.get_matching_blocks():
            matched.update((block.a + k, block.b + k) for k in range(block.size))
        matches.append(matched)
    anchors, last = [], [-1] * len(keys)
    for i, key in enumerate(keys[0]):
        at = (i, *(m.get(i) for m in matches))
        if key and None not in at and all(a > b for a, b in zip(at, last)):
            anchors.append(at)
            last = at
    return anchors


def _anchor_key(line: str) -> str:
    """What a line must share to be lined up: its text without indentation; lines
    of mere punctuation (`)`, `]`) or blank lines are no anchors."""
    key = line.strip()
    return key if re.search(r"\w", key) else ""


def aligned(cells: list[Cell]):
    """Per line of the view: per cell (fragments, line number, is a note) or None
    for a gap; and whether the line reads the same in every cell."""
    for at in align([c.lines for c in cells]):
        parts = [
            None if i is None else (c.tokens[i], c.numbers[i], c.notes[i])
            for c, i in zip(cells, at)
        ]
        texts = {None if i is None else c.lines[i].strip() for c, i in zip(cells, at)}
        same = len(cells) > 1 and len(texts) == 1 and None not in texts
        yield parts, same and not any(p[2] for p in parts)
