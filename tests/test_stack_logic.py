"""Duplicate or conflict: two scans of one page disagree only if a box is confidently different."""

from __future__ import annotations

from formkit.ingest.commit import confident_differences


def box(*states: str) -> dict:
    return {"boxes": [{"value": str(i), "state": s} for i, s in enumerate(states)]}


def test_same_marks_are_no_difference() -> None:
    a = {"overall": box("empty", "marked", "empty"), "went_well": {"state": "present"}}
    assert confident_differences(a, a) == []


def test_uncertain_against_marked_is_not_a_contradiction() -> None:
    a = {"overall": box("empty", "marked", "empty")}
    b = {"overall": box("empty", "uncertain", "empty")}
    assert confident_differences(a, b) == []


def test_clearly_different_marks_name_the_field() -> None:
    a = {"overall": box("empty", "marked", "empty"), "setting": box("marked", "empty"),
         "went_well": {"state": "absent"}}
    b = {"overall": box("marked", "empty", "empty"), "setting": box("marked", "empty"),
         "went_well": {"state": "present"}}
    assert confident_differences(a, b) == ["overall", "went_well"]


def test_a_cancelled_box_differs_from_a_ticked_one() -> None:
    assert confident_differences({"f": box("filled", "marked")}, {"f": box("marked", "empty")}) == ["f"]
