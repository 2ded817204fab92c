"""Human decisions: what needs a person, and recording what they decided (always audited).

A decided value is stored as `verified` with who and when; machine readings never overwrite it.
The CLI and the web review page both call these functions, so the rules live in one place.
The reader, the scan's commit step and the issuing code are imported by the functions that re-read or
re-derive something: listing what waits for a person (`formkit review list`) starts without them.
"""

from __future__ import annotations

import json
from typing import Any

from formkit.errors import InputDataError, NotFound
from formkit.form_geometry import form_geometry
from formkit.qrpayload import normalise_form_id
from formkit.records import set_aside_reason
from formkit.store import now_iso
from formkit.workspace import Workspace

NO_ANSWER = {"", "none", "null", "-", "no_answer"}

REASONS = {  # why a field waits for a person, in the clerk's words (CLI legend, web review page)
    "uncertain_mark": ("A mark is unclear (faint, small, much paler than the writer's other marks - rubbed "
                       "out? -, between a tick and a fill, or a line drawn through the box and on past it)."),
    "multiple_marks": "More than one box is marked where only one answer is allowed.",
    "no_mark": "No box is marked, but the question needs an answer.",
    "all_cancelled": "Every mark was cancelled (filled boxes) and none is left.",
    "conflict": "Two scans of this page disagree; settle the page conflict first or decide here.",
    "not_registered": "The page could not be aligned, so no box was read automatically.",
    "not_read": "This part of the form was not read.",
    "reader_error": ("The reader failed on this page (a bug, reported in the page's reason), so no box on it "
                     "was read automatically: read the answers from the paper."),
    "faint_ink": "The ink is very faint.",
    "faint_writer": "The writer's pen is faint on this page (or broke up in a black-and-white scan): an empty "
                    "answer here, or an empty box in a tick-all-that-apply row, may be a mark the scan lost.",
    "faint_writing": "The writing is very faint.",
    "uncertain_writing": "It is unclear whether something is written here.",
    "specks": ("Only scattered specks here, no stroke (a black-and-white scan's noise, or a light pencil broken "
               "into dots): check on the paper whether anything is written."),
    "pen_line": ("There is a straight pen line here (a quick signature or initials, a dash, or the area "
                 "struck out?): decide from the paper whether it counts as written."),
    "poor_registration": "The page was not aligned well enough to trust the boxes read automatically.",
    "corner_not_found": "A corner of the page is folded, torn or covered near this answer.",
    "washed_out": ("The print is washed out here (glare on a photo, or a scan far too light): a faint answer "
                   "may have faded with it. Check against the paper."),
    "uneven_light": ("A shadow or a sharp change of light crosses this answer on the photo: the reader cannot "
                     "tell the shade from pen marks here. Read it from the paper."),
    "round_stain": ("The only mark here is a smooth round line (a cup's ring, a stain?): check on the paper "
                    "whether anything is written."),
    "show_through": ("What looks like writing here lies on the print of the sheet's other side: it may be that "
                     "print showing through thin paper. Check on the paper whether anything is written."),
    "ink_beside_boxes": ("There is pen ink next to the boxes, not in them (a circled or underlined answer, "
                         "a tick beside a box): read the answer from the paper."),
    "pale_pen": ("The writer's pen is pale on this page (a pencil?): an answer marked on a printed word instead "
                 "of in its box would hardly show on the scan. Check on the paper whether one is."),
    "mostly_blank_page": ("Most required answers on this page are blank: the pen may be too faint for the scan. "
                          "Check against the paper (or rescan it in grey)."),
    "blots_hollowed": ("The black-and-white mode of the scanner (or of a phone's scanning app) hollowed out "
                       "everything solid on this page, so a box filled in to cancel it cannot be told from a "
                       "ticked one. Check against the paper, and scan such pages in grey (in an app: colour)."),
}


def describe_reason(reason: str | None) -> str:
    """A reviewer-facing sentence for a reason code (unknown codes are shown as they are, readably)."""
    if not reason:
        return "Needs a person."
    return REASONS.get(reason, reason.replace("_", " ").capitalize() + ".")


def form_geom(ws: Workspace, form_id: str) -> tuple[Any, dict[str, Any]]:
    row = ws.store.form(form_id)
    if row is None:
        raise NotFound(f"no form {form_id} was issued by this workspace")
    geom = ws.store.geometry(row["layout"], row["version"])
    if geom is None:
        raise NotFound(f"layout {row['layout']} v{row['version']} is missing from this workspace")
    return row, form_geometry(geom, json.loads(row["print_json"])["subgoals"])


def parse_value(field: dict[str, Any], raw: str) -> Any:
    """A person's answer as the export contract stores it, or a clear error listing what is allowed."""
    text = raw.strip()
    if field["kind"] == "text":
        if text.lower() in NO_ANSWER or text.lower() == "absent":
            return None
        if text.lower() == "present":
            return "present"
        raise InputDataError(f"{field['id']} is a writing area: use 'present' or 'none'")
    allowed = [o["value"] for o in field["options"]]
    if field["kind"] == "single":
        if text.lower() in NO_ANSWER:
            return None
        if text not in allowed:
            raise InputDataError(f"'{text}' is not an option of {field['id']}; allowed: {', '.join(allowed)} or none")
        return text
    if text.lower() in NO_ANSWER:
        return []
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    bad = [p for p in parts if p not in allowed]
    if bad:
        raise InputDataError(f"{', '.join(bad)} not options of {field['id']}; allowed: {', '.join(allowed)}")
    return [v for v in allowed if v in parts]


def set_value(ws: Workspace, form_id: str, field_id: str, raw: str, actor: str, reason: str | None = None) -> Any:
    from formkit.ingest.commit import refresh_form_status
    form_id = normalise_form_id(form_id)
    _row, geom = form_geom(ws, form_id)
    field = next((f for f in geom["fields"] if f["id"] == field_id), None)
    if field is None:
        raise NotFound(f"form {form_id} has no field '{field_id}' (fields: "
                       f"{', '.join(f['id'] for f in geom['fields'])})")
    value = parse_value(field, raw)
    store = ws.store
    with store.transaction() as db:
        old = db.execute("SELECT * FROM field_values WHERE form_id=? AND field_id=?", (form_id, field_id)).fetchone()
        old_value = json.loads(old["value_json"]) if old and old["value_json"] is not None else None
        db.execute(
            "INSERT INTO field_values(form_id, field_id, value_json, status, reason, confidence, page_id, "
            "evidence_json, crop_path, decided_by, decided_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(form_id, field_id) DO "
            "UPDATE SET value_json=excluded.value_json, status='verified', reason=excluded.reason, "
            "decided_by=excluded.decided_by, decided_at=excluded.decided_at",
            (form_id, field_id, json.dumps(value, ensure_ascii=False), "verified", reason or "decided by a person",
             None, None, None, None, actor, now_iso()))
        action = "correct" if old is not None and old["status"] in ("accepted", "verified") else "decide"
        store.audit(actor, action, form_id, field_id, old=old_value, new=value,
                    reason=reason or (old["reason"] if old else None))
        refresh_form_status(store, form_id)
    return value


def pending(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Everything waiting for a person, least confident first."""
    store = ws.store
    fields = []
    geoms: dict[str, dict[str, Any]] = {}
    for r in store.db.execute(
            "SELECT v.*, f.trainee_id, p.image_path FROM field_values v JOIN forms f USING(form_id) "
            "LEFT JOIN pages p ON p.page_id = v.page_id WHERE v.status='review' "
            "ORDER BY COALESCE(v.confidence, 0), v.form_id, v.field_id"):
        if r["form_id"] not in geoms:
            geoms[r["form_id"]] = form_geom(ws, r["form_id"])[1]
        f = next((x for x in geoms[r["form_id"]]["fields"] if x["id"] == r["field_id"]), {})
        fields.append({
            "form_id": r["form_id"], "field_id": r["field_id"], "label": f.get("label"), "kind": f.get("kind"),
            "reason": r["reason"], "confidence": r["confidence"], "trainee_id": r["trainee_id"],
            "candidate": json.loads(r["value_json"]) if r["value_json"] else None,
            "options": [o["value"] for o in f.get("options", [])], "page_id": r["page_id"],
            "image": r["image_path"], "crop": r["crop_path"],
            "boxes": json.loads(r["evidence_json"]) if r["evidence_json"] else None,
        })
    pages = [dict(r) for r in store.db.execute(
        "SELECT p.page_id, p.state, p.reason, p.form_id, p.page_no, p.image_path, p.duplicate_of, "
        "fl.original_name AS source_file, p.page_index FROM pages p JOIN files fl ON fl.sha256 = p.file_sha256 "
        "WHERE p.state IN ('unidentified', 'conflict') ORDER BY p.page_id")]
    return {"fields": fields, "pages": pages, "refused": refused(ws)}


def is_refused(state: str, reason: str | None) -> bool:
    """Whether a page was refused when scanned and wants a person (scanning again): every `rejected` page but
    formkit's own print file, refused whole (it wants nothing), and pages a person has set aside."""
    return state == "rejected" and not (reason or "").startswith(_NO_PERSON)


_NO_PERSON = ("set_aside:", "print_file:")  # the reasons of rejected pages that want nobody (`is_refused`)


def refused(ws: Workspace) -> list[dict[str, Any]]:
    """Pages refused when scanned that want scanning again (two forms in one image, a damaged page, a file that
    broke off), until a person sets them aside (`set_aside_page`: "scanned again"). There is no field to decide
    on them, so they are listed apart from `pages`."""
    rows = ws.store.db.execute(
        "SELECT p.page_id, p.state, p.reason, p.image_path, fl.original_name AS source_file, p.page_index "
        "FROM pages p JOIN files fl ON fl.sha256 = p.file_sha256 WHERE p.state = 'rejected' ORDER BY p.page_id")
    return [dict(r) for r in rows if is_refused(r["state"], r["reason"])]


def _page(ws: Workspace, page_id: int) -> Any:
    row = ws.store.db.execute("SELECT p.*, f.archived_path FROM pages p JOIN files f ON f.sha256 = p.file_sha256 "
                              "WHERE p.page_id=?", (page_id,)).fetchone()
    if row is None:
        raise NotFound(f"no scanned page {page_id}")
    return row


def reread(ws: Workspace, row: Any, forced: tuple[str, int] | None) -> Any:
    import scanner
    from formkit.ingest.worker import Identity, process_page
    path = ws.root / row["archived_path"]
    pages = list(scanner.iter_pages(path, start=row["page_index"], stop=row["page_index"] + 1))
    if not pages:
        raise NotFound(f"page {row['page_id']} is no longer in its archived file {path}")
    identity = Identity(ws.db_path, ws.workspace_id, ws.secret)
    return process_page(identity, row["file_sha256"], pages[0], forced=forced)


def assign_page(ws: Workspace, page_id: int, form_id: str, page_no: int, actor: str) -> dict[str, Any]:
    """A person says which form and page an unidentified page is; it is then read with that geometry."""
    from formkit.ingest.commit import (
        apply_values,
        reading_json,
        refresh_form_status,
        save_evidence,
        spread_faint_writer,
    )
    form_id = normalise_form_id(form_id)
    row = _page(ws, page_id)
    if row["state"] not in ("unidentified", "rejected", "blank"):
        raise InputDataError(f"page {page_id} is '{row['state']}', not unidentified: nothing to assign")
    _form, geom = form_geom(ws, form_id)
    if not 1 <= page_no <= geom["pages"]:
        raise InputDataError(f"form {form_id} has {geom['pages']} page(s); there is no page {page_no}")
    taken = ws.store.db.execute("SELECT page_id FROM pages WHERE form_id=? AND page_no=? AND state IN "
                                "('recognised','needs_review')", (form_id, page_no)).fetchone()
    if taken:
        raise InputDataError(f"page {page_no} of {form_id} is already read (scanned page {taken[0]})")
    o = reread(ws, row, (form_id, page_no))
    _image, crops = save_evidence(ws, o)
    state = o.state if o.state in ("recognised", "needs_review") else "needs_review"
    store = ws.store
    with store.transaction() as db:
        db.execute("UPDATE pages SET state=?, reason=?, form_id=?, page_no=?, fingerprint=?, reading_json=?, "
                   "assigned_by=?, assigned_at=? WHERE page_id=?",
                   (state, f"assigned by {actor}" + (f"; {o.reason}" if o.reason else ""), form_id, page_no,
                    o.fingerprint, reading_json(o, crops), actor, now_iso(), page_id))
        apply_values(store, form_id, page_id, o.fields, crops)
        spread_faint_writer(store, form_id)
        store.audit(actor, "assign_page", form_id, None, page_id, old={"state": row["state"]},
                    new={"form_id": form_id, "page_no": page_no}, reason=row["reason"])
        refresh_form_status(store, form_id)
    return {"page_id": page_id, "state": state, "form_id": form_id, "page_no": page_no}


def set_aside_page(ws: Workspace, page_id: int, reason: str, actor: str, form_id: str | None = None) -> dict[str, Any]:
    """A person has looked at an unidentified page and it holds nothing to read into a form: a stranger's
    page, or a note written on the back of a sheet (`form_id`: the form it belongs with, so the form's
    record lists it). Or at a page refused when scanned, and has scanned it again (or found it needs nothing).
    The page becomes `rejected` with `set_aside:` and the person's words (the reason it had stays in the
    audit trail); its image stays, and it can still be assigned later."""
    row = _page(ws, page_id)
    if row["state"] != "unidentified" and not is_refused(row["state"], row["reason"]):
        raise InputDataError(f"page {page_id} is '{row['state']}', not unidentified or refused: nothing to set aside")
    words = " ".join(reason.split())
    if not words:
        raise InputDataError("say what the page is (it is kept in the history), e.g. 'note on the back of the form'")
    if form_id:
        form_id = normalise_form_id(form_id)
        form_geom(ws, form_id)  # the form must exist
    text = set_aside_reason(words, actor)
    with ws.store.transaction() as db:
        db.execute("UPDATE pages SET state='rejected', reason=?, form_id=?, page_no=NULL WHERE page_id=?",
                   (text, form_id, page_id))
        ws.store.audit(actor, "set_aside_page", form_id, None, page_id, old={"state": row["state"]},
                       new={"state": "rejected", "form_id": form_id}, reason=row["reason"])
    return {"page_id": page_id, "state": "rejected", "reason": text, "form_id": form_id}


def resolve_conflict(ws: Workspace, page_id: int, keep: str, actor: str) -> None:
    """For a conflict page: keep 'new' (this page's marks) or 'old' (the page read first)."""
    from formkit.ingest.commit import apply_values, refresh_form_status, spread_faint_writer
    row = _page(ws, page_id)
    if row["state"] != "conflict":
        raise InputDataError(f"page {page_id} is '{row['state']}', not a conflict")
    if keep not in ("new", "old"):
        raise InputDataError("keep must be 'new' or 'old'")
    store = ws.store
    first = store.db.execute("SELECT * FROM pages WHERE page_id=?", (row["duplicate_of"],)).fetchone()
    winner, loser = (row, first) if keep == "new" else (first, row)
    reading = json.loads(winner["reading_json"] or "{}")
    fields, crops = reading.get("fields", {}), reading.get("crops", {})
    with store.transaction() as db:
        db.execute("UPDATE pages SET state=? WHERE page_id=?",
                   ("needs_review" if any(f.get("status") == "review" for f in fields.values()) else "recognised",
                    winner["page_id"]))
        db.execute("UPDATE pages SET state='duplicate', reason=?, duplicate_of=? WHERE page_id=?",
                   (f"not chosen in a conflict (decided by {actor})", winner["page_id"], loser["page_id"]))
        apply_values(store, row["form_id"], winner["page_id"], fields, crops)
        spread_faint_writer(store, row["form_id"])
        store.audit(actor, "resolve_conflict", row["form_id"], None, page_id,
                    old={"page": loser["page_id"]}, new={"page": winner["page_id"]})
        refresh_form_status(store, row["form_id"])


def history(ws: Workspace, form_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in ws.store.db.execute("SELECT * FROM audit WHERE form_id=? ORDER BY id",
                                                 (normalise_form_id(form_id),))]


__all__ = ["assign_page", "history", "parse_value", "pending", "resolve_conflict", "set_aside_page", "set_value"]
