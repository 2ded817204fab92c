"""Every reason the reader can give a field has a sentence in the clerk's words (CLI legend, web queue)."""

from __future__ import annotations

import re
from pathlib import Path

from formkit.review import REASONS, describe_reason

SCANNER = Path(__file__).resolve().parents[1] / "scanner"


def _reasons_the_reader_gives() -> set[str]:
    """Reason codes set in scanner/ where a field or text area goes to review."""
    found: set[str] = set()
    for src in SCANNER.glob("*.py"):
        found |= set(re.findall(r'"review",\s*"([a-z_]+)"', src.read_text(encoding="utf-8")))
    return found


def test_every_reason_of_the_reader_is_explained() -> None:
    given = _reasons_the_reader_gives()
    assert {"no_mark", "ink_beside_boxes", "pen_line", "faint_writing"} <= given  # the search finds them
    assert not sorted(given - set(REASONS)), "reasons without a sentence for the clerk"


def test_an_unknown_reason_is_shown_readably() -> None:
    assert describe_reason("some_new_reason") == "Some new reason."
    assert describe_reason(None) == "Needs a person."
