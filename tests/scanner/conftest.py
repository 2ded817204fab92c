"""Fixtures for the scanner tests: synthetic pages are built in scanner_synth (no files shipped)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).parent
_ROOT = _HERE.parents[1]
# tests/ is on sys.path (tests/conftest.py), which makes this folder look like a namespace package
# called "scanner". Put the repository root first so `import scanner` is the real package.
for p in (str(_ROOT), str(_HERE)):
    if p in sys.path:
        sys.path.remove(p)
sys.path.insert(0, str(_HERE))
sys.path.insert(0, str(_ROOT))
if "scanner" in sys.modules and getattr(sys.modules["scanner"], "__file__", None) is None:
    for name in [m for m in sys.modules if m == "scanner" or m.startswith("scanner.")]:
        del sys.modules[name]

import scanner_synth as S  # noqa: E402


@pytest.fixture(scope="session")
def synth():
    return S


@pytest.fixture(scope="session")
def blank_form():
    """A printed, unfilled form at 300 dpi (BGR); tests copy it before drawing."""
    return S.Page(300)
