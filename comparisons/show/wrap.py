"""Breaking lines where a reader would: formulas never mid-expression, code at a
comma, before a comment, or at a space outside brackets.

- `formula(paragraph, width)`: a formula laid out line by line keeps its lines,
  each broken only where its author left two spaces; prose with formulas in it
  is wrapped only at spaces between words, never inside parentheses, next to an
  operator, or between two pieces of the same expression (`(1 / N) sum_n`).
- `code(fragments, width)`: one highlighted source line, continued on lines
  that start with ↪ under its indentation.
"""

from __future__ import annotations

import re
import textwrap

OPERATOR = re.compile(r"^(=|==|\+|-|\*|/|@|\^|<-|->|<=|>=|<|>|~|:=)$")
# characters that make a word part of an expression: operators, brackets,
# subscripts, digits; a hyphen only where it is a minus (not in "log-sum-exp")
MATH = re.compile(r"[=+*/^_(){}\[\]@|<>0-9]|(^|[^A-Za-z])-|-($|[^A-Za-z])")
FUNCTIONS = {"log", "exp", "sum", "max", "min", "mean", "tanh", "softmax", "diag"}
OPEN, CLOSE = "([{", ")]}"
MARK = "↪ "


def formula(paragraph: str, width: int, prose_width: int | None = None) -> list[str]:
    """A paragraph of a docstring, wrapped without breaking a formula: laid out
    by hand (a line after the first is indented), to `width`; else as prose, to
    `prose_width` (default `width`)."""
    if not laid_out(paragraph):
        return prose(paragraph, min(width, prose_width or width))
    out = []
    for line in paragraph.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        pieces = re.split(r"(?<=,)  (?=\S)|  (?=\()", line.strip())
        lines = _greedy(pieces, width - len(indent), joint="  ")
        out += [indent + lines[0]] + [indent + "    " + x for x in lines[1:]]
    return out


def laid_out(paragraph: str) -> bool:
    """A formula laid out by hand: a line after the first is indented."""
    return any(line[:1].isspace() for line in paragraph.splitlines()[1:])


def pieces(paragraph: str) -> list[str]:
    """The pieces a line of prose may break between: words, and formulas whole."""
    return _atoms(paragraph.split())


def prose(paragraph: str, width: int) -> list[str]:
    """Prose, which may hold formulas: the same rules as `formula`."""
    return _greedy(_atoms(paragraph.split()), width) or [""]


def _atoms(words: list[str]) -> list[str]:
    """Words joined into the pieces a line may break between."""
    atoms, depth = [], 0
    for word in words:
        if atoms and _joined(atoms[-1], word, depth):
            atoms[-1] += " " + word
        else:
            atoms.append(word)
        depth = max(depth + sum(word.count(c) for c in OPEN), 0)
        depth = max(depth - sum(word.count(c) for c in CLOSE), 0)
    return atoms


def _joined(before: str, word: str, depth: int) -> bool:
    """Whether `word` belongs to the expression that `before` ends with."""
    last = before.split(" ")[-1]
    if depth > 0 or OPERATOR.match(last) or OPERATOR.match(word):
        return True
    ends_clause = last.endswith((",", ".", ";", ":"))
    return not ends_clause and _is_math(last) and _is_math(word)


def _is_math(word: str) -> bool:
    bare = word.strip(".,;:")
    single = len(bare) == 1 and bare.isalpha()
    return bool(MATH.search(bare)) or single or bare in FUNCTIONS


def _greedy(atoms: list[str], width: int, joint: str = " ") -> list[str]:
    """Atoms filled into lines of `width`; an atom longer than a line gets a line
    of its own, broken at spaces only if it must be."""
    lines = []
    for atom in atoms:
        if lines and len(lines[-1]) + len(joint) + len(atom) <= width:
            lines[-1] += joint + atom
        elif len(atom) <= width:
            lines.append(atom)
        elif len(_atoms(atom.split())) > 1:  # a laid-out piece: break it as prose
            lines += _greedy(_atoms(atom.split()), width)
        else:
            lines += _expression(atom, width)
    return lines


def _expression(atom: str, width: int) -> list[str]:
    """One expression too long for a line: broken at spaces outside brackets,
    and only where there are none, anywhere."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(atom):
        depth += (c in OPEN) - (c in CLOSE)
        if c == " " and depth == 0:
            parts.append(atom[start:i])
            start = i + 1
    parts.append(atom[start:])
    if len(parts) == 1 or max(map(len, parts)) > width:
        return textwrap.wrap(atom, width, break_on_hyphens=False) or [atom]
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += " " + part
        else:
            lines.append(part)
    return lines


def code(fragments, width: int) -> list[list[tuple]]:
    """A line too long for its column, broken at a sensible point, continued on
    lines that start with ↪ under the line's indentation."""
    plain = "".join(t for _, t in fragments)
    if len(plain) <= width:
        return [fragments]
    indent = min(len(plain) - len(plain.lstrip()), width // 3) + 2
    pieces, start, room = [], 0, width
    while len(plain) - start > room:
        stop = _break(plain, start, room)
        pieces.append((start, stop))
        start, room = stop, width - indent - len(MARK)
    pieces.append((start, len(plain)))
    lines = []
    for k, (a, b) in enumerate(pieces):
        prefix = [(None, " " * indent + MARK)] if k else []
        lines.append(prefix + _slice(fragments, a, b))
    return lines


def _break(plain: str, start: int, room: int) -> int:
    """Where to end a piece of `plain` that starts at `start` and may be `room`
    long: before a trailing comment; else at a space or after an opening bracket
    at the shallowest bracket depth, as late as it can (a comma a little earlier
    wins); only where there is none of those, at the edge."""
    low, high = start + room // 4, start + room
    comment = plain.find("  # ", start)
    if start + room // 3 < comment and comment + 2 <= high:
        return comment + 2
    if start <= comment < low:  # inside a comment: prose, which may hold formulas
        return _prose_break(plain, low, high) or high
    candidates = []
    depth = _depth(plain[:start])
    for i in range(start, high):
        depth += (plain[i] in OPEN) - (plain[i] in CLOSE)
        if i < low:
            continue
        comma = 8 if plain[i - 1] == "," else 0  # a comma a little earlier is better
        if plain[i] == " ":
            candidates.append((depth, -(i + 1) - comma, i + 1))
        elif plain[i] in OPEN and i + 1 < len(plain) and plain[i + 1] not in CLOSE:
            candidates.append((depth, -(i + 1), i + 1))
    return min(candidates)[2] if candidates else high


def _prose_break(plain: str, low: int, high: int) -> int:
    """After the last space in plain[low:high] that is not inside a formula."""
    for i in range(high - 1, low - 1, -1):
        if plain[i] == " ":
            before, after = plain[:i].split(" ")[-1], plain[i + 1 :].split(" ")[0]
            if before and after and not _joined(before, after, _depth(plain[:i])):
                return i + 1
    return plain.rfind(" ", low, high) + 1


def _depth(text: str) -> int:
    return sum((c in OPEN) - (c in CLOSE) for c in text)


def _slice(fragments, a: int, b: int) -> list[tuple]:
    """The fragments' characters a to b, each keeping its token type."""
    out, at = [], 0
    for kind, text in fragments:
        lo, hi = max(a - at, 0), min(b - at, len(text))
        if lo < hi:
            out.append((kind, text[lo:hi]))
        at += len(text)
    return out
