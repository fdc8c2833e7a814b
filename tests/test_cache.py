"""JAX's persistent compilation cache (comparisons/cache.py): on by default in a
triptych folder under the user's cache directory, off with --no-cache or
TRIPTYCH_NO_CACHE=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from comparisons import cache, cli

ROOT = Path(__file__).resolve().parent.parent
CHECK = ["check", "--backends", "jax", "--levels", "unit", "--dtypes", "float32"]


def run_check(tmp_path, *flags, **env):
    """`triptych check` (JAX's unit level) with XDG_CACHE_HOME in tmp_path and no
    cache settings inherited from this test run; the cache folder's files."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JAX_") and k not in (cache.FOLDER, cache.OFF)
    }
    clean.update(XDG_CACHE_HOME=str(tmp_path), **env)
    argv = [sys.executable, "-m", "comparisons.cli", *CHECK, *flags]
    done = subprocess.run(argv, cwd=ROOT, env=clean, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "triptych" / "jax"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_run_fills_the_cache_under_the_users_cache_folder(tmp_path):
    assert len(run_check(tmp_path)) > 0


def test_no_cache_and_the_environment_variable_turn_it_off(monkeypatch):
    for name in ("JAX_COMPILATION_CACHE_DIR", cache.OFF):
        monkeypatch.delenv(name, raising=False)
    assert cache.enable(on=False) is None
    monkeypatch.setenv(cache.OFF, "1")
    assert cache.enable() is None
    assert "JAX_COMPILATION_CACHE_DIR" not in os.environ


def test_the_flag_reaches_the_cache(monkeypatch):
    """`--no-cache` on a command: nothing set for JAX (checked in this process,
    on NumPy's unit level, so that no JAX program is compiled)."""
    for name in ("JAX_COMPILATION_CACHE_DIR", cache.OFF):
        monkeypatch.delenv(name, raising=False)
    argv = ["check", "--backends", "numpy", "--levels", "unit", "--no-cache"]
    assert cli.main(argv) == 0
    assert "JAX_COMPILATION_CACHE_DIR" not in os.environ


def test_the_folder_follows_xdg_cache_home_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.FOLDER, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "triptych"
    monkeypatch.setenv(cache.FOLDER, str(tmp_path / "mine"))
    assert cache.folder() == tmp_path / "mine"


def test_these_tests_run_on_a_temporary_cache_of_their_own():
    here = Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
    assert "triptych-test-cache-" in str(here)
