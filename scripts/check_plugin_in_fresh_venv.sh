#!/usr/bin/env bash
# The pytest plugin in a fresh virtual environment that holds only triptych (with
# its dependencies and its `test` extra, which brings pytest) -- no torch, no JAX,
# nothing from this checkout on the path. Run from anywhere:
#
#     bash scripts/check_plugin_in_fresh_venv.sh
#
# It installs the project from this checkout (pip builds a wheel of it), writes a
# backend author's package (a copy of examples/autodiff_backend.py) and the three-line
# test of the README, and runs that test with the venv's pytest. It passes only if
# the `triptych` fixture arrives through the pytest11 entry point, the backend
# agrees at every level, and a broken copy of it fails with the table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check "$root[test]"
if "$py" -c "import torch" 2>/dev/null || "$py" -c "import jax" 2>/dev/null; then
  echo "fresh venv: torch or jax is installed, expected neither" >&2
  exit 1
fi

mkdir -p "$work/author/mypackage"
touch "$work/author/mypackage/__init__.py"
cp "$root/examples/autodiff_backend.py" "$work/author/mypackage/mybackend.py"
cat > "$work/author/mypackage/broken.py" <<'PY'
"""The author's backend with its gradients 1e-3 too large."""
from types import SimpleNamespace

from comparisons.backends import API, UNITS
from mypackage import mybackend


def loss_and_grads(params, x, y, spec):
    value, grads = mybackend.loss_and_grads(params, x, y, spec)
    return value, [(gW * 1.001, gb * 1.001) for gW, gb in grads]


backend = SimpleNamespace(**{name: getattr(mybackend, name) for name in API + UNITS})
backend.NAME, backend.loss_and_grads = "broken", loss_and_grads
PY
cat > "$work/author/test_mybackend.py" <<'PY'
import sys


def test_my_backend_agrees(triptych):
    triptych.assert_agree("mypackage.mybackend")


def test_no_torch_or_jax_was_imported():
    assert "torch" not in sys.modules and "jax" not in sys.modules


def test_broken_backend_is_caught(triptych):
    try:
        triptych.assert_agree("mypackage.broken:backend", levels=["network"])
    except AssertionError as error:
        assert "backend 'broken' disagrees with the float64 oracle" in str(error)
        assert "error/tol" in str(error)
    else:
        raise AssertionError("the broken backend passed")
PY

cd "$work/author"
env -u PYTHONPATH "$py" -m pytest -q -p no:cacheprovider test_mybackend.py
echo "fresh venv: the triptych plugin works with only triptych installed"
