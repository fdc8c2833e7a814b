"""Fixtures: every test that takes `backend` runs once per backend.

A backend whose framework is not installed is skipped with the reason -- unless
it is named in TRIPTYCH_REQUIRE_BACKENDS (set by `python3 dev.py test`, where all
three are installed), in which case its absence is a failure, not a skip.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py

from comparisons import backends as registry  # noqa: E402

REQUIRED = {
    name for name in os.environ.get("TRIPTYCH_REQUIRE_BACKENDS", "").split(",") if name
}


def load_backend(name: str):
    try:
        return registry.load(name)
    except registry.BackendUnavailable as error:
        if name in REQUIRED:
            pytest.fail(f"{error} (required by TRIPTYCH_REQUIRE_BACKENDS)")
        pytest.skip(str(error))


@pytest.fixture(params=registry.names())
def backend(request):
    return load_backend(request.param)


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    return request.param
