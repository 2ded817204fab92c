"""The benchmarks refuse to measure code from outside this checkout (a plain install left in the venv went on
being measured after the code changed: a session's figures were an older reader's)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import checkout  # noqa: E402


def test_this_checkouts_code_is_measured() -> None:
    checkout.measured_code_is_this_checkout()  # the test run imports the checkout: no exit


def test_a_copy_elsewhere_stops_the_bench(monkeypatch, tmp_path) -> None:
    copy = tmp_path / "site-packages" / "scanner"
    copy.mkdir(parents=True)
    monkeypatch.setattr(checkout.scanner, "__file__", str(copy / "__init__.py"))
    with pytest.raises(SystemExit) as e:
        checkout.measured_code_is_this_checkout()
    assert "scanner is imported from" in str(e.value) and "scripts/bootstrap.sh" in str(e.value)
