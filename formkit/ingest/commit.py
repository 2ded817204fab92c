"""Write one page outcome into the store: files first (content-addressed), then one transaction.

Stack logic lives here because it needs what is already stored: a page whose form/page number was
already read becomes a `duplicate` (same marks) or a `conflict` (different marks, sent to a person);
a value a person verified is never overwritten by a machine reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import scanner
from formkit.ingest.worker import PageOutcome
from formkit.store import Store, now_iso
from formkit.workspace import Workspace

READ_STATES = ("recognised", "needs_review", "conflict")


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename: a crash never leaves a half-written image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _rel(ws: Workspace, p: Path) -> str:
    return str(p.relative_to(ws.root))


def save_evidence(ws: Workspace, o: PageOutcome) -> tuple[str | None, dict[str, str]]:
    """Store the page image and the crops; names derive from content so re-runs are idempotent."""
    image_path = None
    if o.image_jpeg:
        p = ws.pages_dir / o.file_sha[:2] / f"{o.file_sha}-{o.page_index:04d}.jpg"
        if not p.exists():
            write_atomic(p, o.image_jpeg)
        image_path = _rel(ws, p)
    crops = {}
    for fid, png in o.crops.items():
        digest = hashlib.sha256(png).hexdigest()[:16]
        p = ws.crops_dir / (o.form_id or "unassigned") / f"{fid}-{digest}.png"
        if not p.exists():
            write_atomic(p, png)
        crops[fid] = _rel(ws, p)
    return image_path, crops


def commit_page(ws: Workspace, o: PageOutcome, actor: str = "scanner") -> dict[str, Any]:
    """Record one page (and its values) in one transaction; returns the stored page row as a dict."""
    store = ws.store
    image_path, crops = save_evidence(ws, o)
    with store.transaction() as db:
        existing = db.execute("SELECT page_id FROM pages WHERE file_sha256=? AND page_index=?",
                              (o.file_sha, o.page_index)).fetchone()
        if existing:  # already recorded by an earlier, interrupted run
            return dict(db.execute("SELECT * FROM pages WHERE page_id=?", (existing[0],)).fetchone())
        state, reason, duplicate_of = o.state, o.reason, None
        differing: list[str] = []
        if o.form_id and o.state in ("recognised", "needs_review"):
            first = db.execute(
                "SELECT page_id, fingerprint, reading_json FROM pages WHERE form_id=? AND page_no=? AND state IN "
                "('recognised','needs_review','conflict') ORDER BY page_id LIMIT 1",
                (o.form_id, o.page_no)).fetchone()
            if first is not None:
                old_fields = json.loads(first["reading_json"] or "{}").get("fields", {})
                differing = confident_differences(old_fields, o.fields)
                if not differing:
                    state, reason, duplicate_of = "duplicate", f"same marks as page {first['page_id']}", first[0]
                else:
                    state, duplicate_of = "conflict", first[0]
                    reason = (f"page {o.page_no} of {o.form_id} was already read (page {first['page_id']}) with "
                              f"different marks in {', '.join(differing)}: a person must choose")
        if state == "unidentified" and (reason or "").startswith(("writing_no_code", "show_through")):
            reason = f"{reason}{_follows(db, o)}"
        cur = db.execute(
            "INSERT INTO pages(file_sha256, page_index, state, reason, form_id, page_no, image_path, orientation, "
            "decoder, fingerprint, reading_json, duplicate_of, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (o.file_sha, o.page_index, state, reason, o.form_id, o.page_no, image_path, o.orientation, o.decoder,
             o.fingerprint, reading_json(o, crops), duplicate_of, now_iso()))
        page_id = int(cur.lastrowid or 0)
        if state in ("recognised", "needs_review"):
            apply_values(store, o.form_id or "", page_id, o.fields, crops)
            spread_faint_writer(store, o.form_id or "")
        elif state == "conflict":
            for fid in differing:
                mark_conflict(store, o.form_id or "", fid, page_id)
        if o.form_id:
            refresh_form_status(store, o.form_id)
        return dict(db.execute("SELECT * FROM pages WHERE page_id=?", (page_id,)).fetchone())


def _follows(db: Any, o: PageOutcome) -> str:
    """Where a back (a note, a front seen through) sits: scanners keep a sheet's back right after its front."""
    prev = db.execute("SELECT form_id, page_no FROM pages WHERE file_sha256=? AND page_index=? AND form_id IS NOT NULL",
                      (o.file_sha, o.page_index - 1)).fetchone()
    return f" (it follows page {prev['page_no']} of form {prev['form_id']} in the scan)" if prev else ""


def reading_json(o: PageOutcome, crops: dict[str, str]) -> str:
    """What a page's reading keeps for audit, stack logic and later rules (`pages.reading_json`)."""
    return json.dumps({"location": o.location, "fields": o.fields, "crops": crops, "rectified": o.image_rectified,
                       "qr_text": o.qr_text, "writer": o.writer, "one_bit": o.one_bit})


def _states(d: dict[str, Any]) -> dict[str, str]:
    """Per-box (or text area) states of one field's reading, as stored in reading_json."""
    if "boxes" in d:
        return {str(b.get("value")): str(b.get("state")) for b in d.get("boxes") or []}
    return {"text": str(d.get("state"))}


SURE = {"empty", "marked", "filled", "present", "absent"}


def confident_differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Fields whose marks differ between two scans of one page, counting only confident box states.

    A box read as `uncertain` in one scan and `marked` in the other is not a contradiction (the field
    is in review anyway); a box clearly marked in one scan and clearly empty in the other is.
    """
    out = []
    for fid in sorted(set(old) & set(new)):
        a, b = _states(old[fid]), _states(new[fid])
        if any(a.get(k) in SURE and b.get(k) in SURE and a[k] != b[k] for k in set(a) | set(b)):
            out.append(fid)
    return out


def apply_values(store: Store, form_id: str, page_id: int, fields: dict[str, dict[str, Any]],
                 crops: dict[str, str]) -> None:
    """Set machine readings for a form's fields, never touching values a person verified.

    Frames the generator printed a value into arrive already judged (`preprinted`, value None) from
    the worker, which tells the scanner about them.
    """
    if not store.form_exists(form_id):
        return
    for fid, d in fields.items():
        old = store.db.execute("SELECT status FROM field_values WHERE form_id=? AND field_id=?",
                               (form_id, fid)).fetchone()
        if old is not None and old["status"] == "verified":
            continue
        value, status, reason = d.get("value"), d.get("status", "review"), d.get("reason")
        store.db.execute(
            "INSERT OR REPLACE INTO field_values(form_id, field_id, value_json, status, reason, confidence, page_id, "
            "evidence_json, crop_path, decided_by, decided_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
            (form_id, fid, json.dumps(value, ensure_ascii=False), "review" if status == "review" else "accepted",
             reason, d.get("confidence"), page_id, json.dumps(d.get("boxes") or d.get("ink_mm2")),
             crops.get(fid), None, None))


def spread_faint_writer(store: Store, form_id: str) -> list[str]:
    """A faint writer seen on one page of a form doubts the empty text areas of its pages that showed none.

    Each page is read alone; a back page with only text areas, all read as empty, cannot tell a
    faint pencil from no writing. The front page can. Whatever order the pages arrive in, the rule
    is applied when the second one is stored. Verified values are never touched. Returns the field
    ids sent to review.
    """
    pages = store.db.execute(
        "SELECT page_id, reading_json FROM pages WHERE form_id=? AND state IN ('recognised','needs_review')",
        (form_id,)).fetchall()
    readings = {r["page_id"]: json.loads(r["reading_json"] or "{}") for r in pages}
    faint = [float(rd.get("writer", {}).get("faint") or 0.0) for rd in readings.values()]
    faint = [w for w in faint if w > 0]
    if not faint:
        return []
    writer = min(faint)
    doubted: list[str] = []
    for page_id, rd in readings.items():
        if rd.get("writer", {}).get("seen", True):
            continue  # the page judged its own writer
        texts = {fid: d for fid, d in rd.get("fields", {}).items() if "boxes" not in d}
        clipped = bool(rd.get("writer", {}).get("clipped", False))
        here = [fid for fid in scanner.doubt_for_writer(texts, writer, clipped) if store.db.execute(
            "UPDATE field_values SET status='review', reason='faint_writer' "
            "WHERE form_id=? AND field_id=? AND page_id=? AND status='accepted'", (form_id, fid, page_id)).rowcount]
        if here:
            store.db.execute("UPDATE pages SET state='needs_review', reason=? WHERE page_id=? AND state='recognised'",
                             ("fields to check: " + ", ".join(here), page_id))
        doubted += here
    return doubted


def mark_conflict(store: Store, form_id: str, field_id: str, page_id: int) -> None:
    row = store.db.execute("SELECT status FROM field_values WHERE form_id=? AND field_id=?",
                           (form_id, field_id)).fetchone()
    if row is None or row["status"] == "verified":
        return
    store.db.execute("UPDATE field_values SET status='review', reason='conflict' WHERE form_id=? AND field_id=?",
                     (form_id, field_id))


def refresh_form_status(store: Store, form_id: str) -> str:
    row = store.form(form_id)
    if row is None:
        return "issued"
    expected = store.layout_pages(row["layout"], row["version"]) or 1
    pages = {r[0] for r in store.db.execute(
        "SELECT DISTINCT page_no FROM pages WHERE form_id=? AND state IN ('recognised','needs_review','conflict')",
        (form_id,))}
    pending = store.db.execute("SELECT COUNT(*) FROM field_values WHERE form_id=? AND status='review'",
                               (form_id,)).fetchone()[0]
    conflicts = store.db.execute("SELECT COUNT(*) FROM pages WHERE form_id=? AND state='conflict'",
                                 (form_id,)).fetchone()[0]
    if not pages:
        status = "issued"
    elif len(pages) < expected:
        status = "incomplete"
    elif pending or conflicts:
        status = "needs_review"
    else:
        status = "complete"
    store.db.execute("UPDATE forms SET status=? WHERE form_id=?", (status, form_id))
    return status
