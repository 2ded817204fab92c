"""Forms (issued / returned / complete / needing review / outstanding) and the record of one form."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from formkit.errors import FormkitError
from formkit.records import form_record
from formkit.review import describe_reason, form_geom, history, set_value
from formkit.web.security import current, valid_field_id, valid_form_id

bp = Blueprint("forms", __name__)
FILTERS = {  # name → (label, predicate on a form row)
    "all": ("All issued", lambda r: True),
    "outstanding": ("Outstanding", lambda r: r["status"] == "issued"),
    "returned": ("Returned", lambda r: r["status"] != "issued"),
    "complete": ("Complete", lambda r: r["status"] == "complete"),
    "needs_review": ("Needing review", lambda r: r["status"] == "needs_review"),
    "incomplete": ("Incomplete", lambda r: r["status"] == "incomplete"),
}
STATUS_TEXT = {"issued": "Outstanding", "complete": "Complete", "needs_review": "Needs review",
               "incomplete": "Incomplete"}
REASON_MAX = 500


def _fold(s: str) -> str:
    """Case- and accent-insensitive search ('asa' finds 'Åsa', 'cd' finds 'Čđ')."""
    s = s.replace("đ", "d").replace("Đ", "D").replace("ŋ", "n").replace("ŧ", "t").replace("ø", "o").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c))


@bp.get("/forms")
def forms() -> Any:
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "all")
    if status not in FILTERS:
        status = "all"
    rows = g.ws.store.forms()
    pending = dict(g.ws.store.db.execute(
        "SELECT form_id, COUNT(*) FROM field_values WHERE status='review' GROUP BY form_id").fetchall())
    if q:
        fq = _fold(q)
        rows = [r for r in rows if fq in _fold(r["trainee_id"]) or fq in _fold(r["trainee_name"])
                or fq in _fold(r["form_id"])]
    counts = {k: sum(1 for r in rows if pred(r)) for k, (_, pred) in FILTERS.items()}
    shown = [r for r in rows if FILTERS[status][1](r)]
    return render_template("forms.html", rows=shown, q=q, status=status, counts=counts, filters=FILTERS,
                           pending=pending, status_text=STATUS_TEXT)


@bp.get("/forms/<form_id>")
def record(form_id: str) -> Any:
    form_id = valid_form_id(form_id)
    form, geom = form_geom(g.ws, form_id)
    full = g.ws.store.db.execute(
        "SELECT f.*, t.name AS trainee_name, t.programme, t.regulation FROM forms f JOIN trainees t "
        "ON t.id = f.trainee_id WHERE f.form_id=?", (form_id,)).fetchone()
    rec = form_record(g.ws.store, full, geom)
    stored = {r["field_id"]: r for r in g.ws.store.db.execute("SELECT * FROM field_values WHERE form_id=?",
                                                              (form_id,))}
    rows = []
    section = None
    for f in geom["fields"]:
        v = stored.get(f["id"])
        sec = f.get("section_title")
        rows.append({
            "field": f, "value": rec["values"].get(f["id"]), "status": v["status"] if v else None,
            "pending": f["id"] in rec["review"], "reason": describe_reason(rec["review_reasons"].get(f["id"])),
            "verified": rec["verified"].get(f["id"]), "confidence": rec["confidence"].get(f["id"]),
            "labels": {o["value"]: o.get("label") or o["value"] for o in f.get("options", [])},
            "crop": bool(v and (v["crop_path"] or v["page_id"])), "section": sec if sec != section else None,
            "printed": bool(v and v["reason"] == "printed"),
        })
        section = sec
    pages = g.ws.store.db.execute("SELECT page_id, page_no, state FROM pages WHERE form_id=? ORDER BY page_no, "
                                  "page_id", (form_id,)).fetchall()
    audit = history(g.ws, form_id)
    for a in audit:
        a["old"] = json.loads(a["old_json"]) if a["old_json"] else None
        a["new"] = json.loads(a["new_json"]) if a["new_json"] else None
    labels = {f["id"]: f.get("label") or f["id"] for f in geom["fields"]}
    return render_template("record.html", form=full, geom=geom, rec=rec, rows=rows, pages=pages, audit=audit,
                           status_text=STATUS_TEXT, field_labels=labels)


@bp.post("/forms/<form_id>/fields/<field_id>")
def edit(form_id: str, field_id: str) -> Any:
    """A correction by a person: needs a reason, goes through formkit.review.set_value (audited)."""
    form_id, field_id = valid_form_id(form_id), valid_field_id(field_id)
    reason = " ".join(request.form.get("reason", "").split())[:REASON_MAX]
    if not reason:
        flash("Say why you change the value (it is kept in the history).", "error")
        return redirect(url_for("forms.record", form_id=form_id, edit=field_id) + f"#f-{field_id}")
    values = [v for v in request.form.getlist("value") if v]
    raw = ",".join(values) if values else "none"
    s = current()
    try:
        value = set_value(g.ws, form_id, field_id, raw, (s.user if s else None) or "web", reason)
    except FormkitError as e:
        flash(e.message, "error")
        return redirect(url_for("forms.record", form_id=form_id) + f"#f-{field_id}")
    field = next((f for f in form_geom(g.ws, form_id)[1]["fields"] if f["id"] == field_id), {})
    labels = {o["value"]: o.get("label") or o["value"] for o in field.get("options", [])}
    vals = value if isinstance(value, list) else ([] if value is None else [value])
    shown = ", ".join(labels.get(v, v) for v in vals) or "no answer"
    flash(f"{field.get('label') or field_id} set to {shown}.", "ok")
    return redirect(url_for("forms.record", form_id=form_id) + f"#f-{field_id}")
