"""The shape of the code, kept true by the suite: formatted and linted by ruff,
no module of the harness over 300 lines and no function over 50, no hand-packed
code, and nothing that cites what is not in the repository."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HARNESS = sorted((ROOT / "comparisons").rglob("*.py"))
TRACKED = subprocess.run(
    ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True
).stdout.split()


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_finds_nothing(command):
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_of_the_harness_is_over_300_lines():
    long = {p.relative_to(ROOT): len(p.read_text().splitlines()) for p in HARNESS}
    assert {p: n for p, n in long.items() if n > 300} == {}


def test_no_function_of_the_harness_is_over_50_lines():
    long = []
    for path in HARNESS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 50:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {lines}")
    assert long == []


# written in two pieces, so that this file does not hold them itself
@pytest.mark.parametrize(
    "phrase", ["fmt: " + "skip", "design" + ".md", "the " + "seed"]
)
def test_no_tracked_file_holds(phrase):
    """No hand-packed code, and no mention of material outside the repository:
    the design notes are docs/design.md, the tutorial is named by its subject."""
    found = [
        name
        for name in TRACKED
        if name.endswith((".py", ".md", ".toml", ".ipynb", ".sh", ".txt"))
        and phrase in _cited(ROOT / name)
    ]
    assert found == []


def _cited(path: Path) -> str:
    """The file's text in lower case, with its own path (docs/design.md) left out."""
    return path.read_text(errors="ignore").lower().replace(DESIGN_NOTES, "")


DESIGN_NOTES = "docs/" + "design" + ".md"  # in pieces: not a citation itself
