"""Duplicate or conflict: two scans of one page disagree only if a box is confidently different."""

from __future__ import annotations

import json

import pytest

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


def _text(state: str, faint_t: float = 0.10, faint_mm2: float = 0.0) -> dict:
    return {"kind": "text", "state": state, "value": "present" if state == "present" else None,
            "status": "accepted", "reason": None, "confidence": 0.9, "ink_mm2": 0.0, "faint_t": faint_t,
            "faint_mm2": faint_mm2}


def _row(state: str) -> dict:
    return {"kind": "single", "value": "1" if state != "empty" else None, "status": "accepted", "reason": None,
            "confidence": 0.6, "boxes": [{"value": "1", "state": state, "measures": {}}]}


def _two_page_form(fk) -> str:
    """One issued Swedish (two-page) form, and the scanned files 'a', 'b', 'c' its pages can come from."""
    fk("generate", "-l", "minicex-st-sv", "--trainee", "ST01", "--count", "1", "--out", str(fk.ws.root / "f.pdf"))
    with fk.ws.store.transaction() as db:
        for sha in ("a", "b", "c"):
            db.execute("INSERT INTO files(sha256, original_name, archived_path, size, first_seen, state) "
                       "VALUES(?, 'scan.pdf', 'archive/x', 1, '2026-11-22', 'done')", (sha * 64,))
    return json.loads(fk("forms", "list", "--json").output)[0]["form_id"]


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
@pytest.mark.parametrize("front_writer,back_seen,doubted", [
    (0.12, False, True),   # faint pencil on the front, nothing seen on the back: the back's empty areas
    (0.0, False, False),   # a dark pen on the front: the empty back is believed
    (0.12, True, False),   # the back showed its own writer (e.g. the trainee's pen): it judged itself
])
def test_a_faint_writer_on_one_page_doubts_the_empty_back_page(fk, order, front_writer, back_seen, doubted) -> None:
    """Each page is read alone; a back page holding only text areas, all read as empty, cannot tell a faint
    pencil from no writing (a stress test lost a faint pencil signature so). The front page can."""
    from formkit.ingest.commit import commit_page
    from formkit.ingest.worker import PageOutcome
    from formkit.records import records

    form_id = _two_page_form(fk)
    pages = {
        1: PageOutcome("a" * 64, 0, "recognised", form_id=form_id, page_no=1, fields={"difficulty": _row("marked")},
                       writer={"seen": True, "faint": front_writer}),
        2: PageOutcome("b" * 64, 0, "recognised", form_id=form_id, page_no=2,
                       fields={"signature_trainee": _text("absent", faint_t=0.08),  # could hide a 0.12 pen
                               "improve": _text("absent", faint_t=0.05),  # a close look that would have seen it
                               "went_well": _text("present")},
                       writer={"seen": back_seen, "faint": 0.0}),
    }
    for n in order:
        commit_page(fk.ws, pages[n])
    rec = next(r for r in records(fk.ws) if r["form_id"] == form_id)
    assert ("signature_trainee" in rec["review"]) == doubted
    assert "improve" not in rec["review"] and "went_well" not in rec["review"] and "difficulty" not in rec["review"]
    if doubted:
        assert rec["review_reasons"]["signature_trainee"] == "faint_writer"
        state = fk.ws.store.db.execute("SELECT state FROM pages WHERE form_id=? AND page_no=2", (form_id,)).fetchone()
        assert state[0] == "needs_review"
        listing = fk("review", "list").output  # the clerk is told why, in words
        assert "signature_trainee" in listing and "faint_writer: The writer's pen is faint" in listing
    # a person's verdict is never overwritten by the rule
    fk("review", "set", form_id, "signature_trainee", "none")
    commit_page(fk.ws, PageOutcome("c" * 64, 0, "recognised", form_id=form_id, page_no=1,
                                   fields={"difficulty": _row("marked")}, writer={"seen": True, "faint": 0.1}))
    rec = next(r for r in records(fk.ws) if r["form_id"] == form_id)
    assert "signature_trainee" not in rec["review"]


def test_a_conflict_resolved_in_favour_of_a_page_without_writer_is_doubted_too(fk) -> None:
    """Page 2 scanned twice with different readings: the person keeps the new scan, which showed no writer
    of its own; the form's faint writer (page 1) doubts its empty signature as it would have at scan time."""
    from formkit.ingest.commit import commit_page
    from formkit.ingest.worker import PageOutcome
    from formkit.records import records
    from formkit.review import resolve_conflict

    form_id = _two_page_form(fk)
    commit_page(fk.ws, PageOutcome("a" * 64, 0, "recognised", form_id=form_id, page_no=1,
                                   fields={"difficulty": _row("marked")}, writer={"seen": True, "faint": 0.12}))
    commit_page(fk.ws, PageOutcome("b" * 64, 0, "recognised", form_id=form_id, page_no=2,
                                   fields={"went_well": _text("present"), "signature_trainee": _text("present")},
                                   writer={"seen": True, "faint": 0.0}))
    new = commit_page(fk.ws, PageOutcome("c" * 64, 0, "recognised", form_id=form_id, page_no=2,
                                         fields={"went_well": _text("absent"),
                                                 "signature_trainee": _text("absent", faint_t=0.08)},
                                         writer={"seen": False, "faint": 0.0}))
    assert new["state"] == "conflict"
    resolve_conflict(fk.ws, new["page_id"], "new", "clerk")
    rec = next(r for r in records(fk.ws) if r["form_id"] == form_id)
    assert rec["review_reasons"].get("signature_trainee") == "faint_writer"


def test_fields_of_a_page_not_scanned_are_listed_as_missing_not_empty(fk) -> None:
    """Page 1 of a two-page form scanned, page 2 not (or its QR unreadable: unidentified until assigned).

    The page-2 fields export as null, so a consumer must be able to tell "unknown" from "empty": they are
    listed in `missing` (and not in `review`: no person can answer them from the scans there are).
    """
    from formkit.ingest.commit import commit_page
    from formkit.ingest.worker import PageOutcome
    from formkit.records import records

    form_id = _two_page_form(fk)
    commit_page(fk.ws, PageOutcome("a" * 64, 0, "recognised", form_id=form_id, page_no=1,
                                   fields={"difficulty": _row("marked")}, writer={"seen": True, "faint": 0.0}))
    rec = next(r for r in records(fk.ws) if r["form_id"] == form_id)
    geom = json.loads(fk("forms", "show", form_id, "--json").output)
    page2 = {f["id"] for f in geom["fields"] if f["page"] == 2}
    assert rec["status"] == "incomplete" and rec["page_count_read"] == 1
    assert page2 and set(rec["missing"]) == page2
    assert all(rec["values"][f] is None for f in page2) and not page2 & set(rec["review"])
    commit_page(fk.ws, PageOutcome("b" * 64, 0, "recognised", form_id=form_id, page_no=2,
                                   fields={f: _text("absent") for f in page2 if f in ("improve", "went_well")},
                                   writer={"seen": False, "faint": 0.0}))
    rec = next(r for r in records(fk.ws) if r["form_id"] == form_id)
    assert rec["missing"] == []
