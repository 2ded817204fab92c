"""Scanned pages: the page view (assign an unidentified page, settle a conflict), images and crops by id."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, send_file, url_for

from formkit.errors import FormkitError
from formkit.review import assign_page, form_geom, is_refused, resolve_conflict, set_aside_page
from formkit.web import images
from formkit.web.queue import option_keys
from formkit.web.security import FORM_ID_RE, valid_field_id, valid_form_id
from formkit.workspace import Workspace

bp = Blueprint("pages", __name__)
STATE_TEXT = {
    "recognised": "Read", "needs_review": "Read, some fields need a person", "blank": "Blank page",
    "duplicate": "Duplicate scan", "conflict": "Conflict: scanned twice with different marks",
    "unidentified": "Unidentified", "rejected": "Could not be read",
}
RESCAN_HINT = "Scan the sheet again (on its own, in grey), then take this page off the list."
RESCAN_HINTS = {  # what a person does about a page refused when scanned, by the reason's code
    "several_pages": "Scan each sheet on its own, one page per image, then take this image off the list.",
    "encrypted_pdf": "Save the PDF again without a password (or scan the sheets again), then take it off the list.",
}


def page_view(ws: Workspace, page_id: int) -> dict[str, Any]:
    """What the page template shows for any page state."""
    row = ws.store.db.execute(
        "SELECT p.*, f.original_name FROM pages p JOIN files f ON f.sha256 = p.file_sha256 WHERE p.page_id=?",
        (page_id,)).fetchone()
    if row is None:
        abort(404)
    state_text = STATE_TEXT.get(row["state"], row["state"])
    if row["state"] == "rejected" and (row["reason"] or "").startswith("set_aside"):
        state_text = "Set aside by a person"
    view: dict[str, Any] = {"page": row, "state_text": state_text, "refused": is_refused(row["state"], row["reason"]),
                            "rescan_hint": RESCAN_HINTS.get((row["reason"] or "").split(":")[0], RESCAN_HINT)}
    if row["state"] in ("unidentified", "rejected", "blank"):
        view["suggestions"] = [dict(r) for r in ws.store.db.execute(
            "SELECT f.form_id, f.encounter, f.status, t.name AS trainee_name, f.trainee_id FROM forms f "
            "JOIN trainees t ON t.id = f.trainee_id WHERE f.status IN ('issued', 'incomplete') "
            "ORDER BY f.issued_at DESC, f.form_id LIMIT 500")]
    if row["state"] == "conflict" and row["duplicate_of"]:
        first = ws.store.db.execute("SELECT * FROM pages WHERE page_id=?", (row["duplicate_of"],)).fetchone()
        view["first"] = first
        view["differences"] = _differences(ws, row, first)
    if row["form_id"]:
        view["form"] = ws.store.form(row["form_id"])
    return view


def _differences(ws: Workspace, new: Any, old: Any) -> list[dict[str, Any]]:
    """Fields whose reading differs between the two scans of one page."""
    a = json.loads(old["reading_json"] or "{}").get("fields", {}) if old else {}
    b = json.loads(new["reading_json"] or "{}").get("fields", {})
    labels: dict[str, str] = {}
    if new["form_id"]:
        labels = {f["id"]: f.get("label") or f["id"] for f in form_geom(ws, new["form_id"])[1]["fields"]}
    out = []
    for fid in sorted(set(a) | set(b), key=lambda k: list(labels).index(k) if k in labels else 999):
        va, vb = (a.get(fid) or {}).get("value"), (b.get(fid) or {}).get("value")
        if va != vb:
            out.append({"field_id": fid, "label": labels.get(fid, fid), "old": va, "new": vb})
    return out


@bp.get("/pages/<int:page_id>")
def page(page_id: int) -> Any:
    return render_template("page.html", in_queue=False, **page_view(g.ws, page_id))


@bp.get("/pages/<int:page_id>/image")
def image(page_id: int) -> Response:
    row = images.page_row(g.ws, page_id)
    path = images.inside_workspace(g.ws, row["image_path"], ("pages",))
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.get("/pages/<int:page_id>/crop/<field_id>")
def page_crop(page_id: int, field_id: str) -> Response:
    """A field's boxes on one particular scan (conflicts compare two scans of the same page)."""
    field_id = valid_field_id(field_id)
    row = images.page_row(g.ws, page_id)
    if not row["form_id"] or not images.is_rectified(row):
        abort(404)
    reading = json.loads(row["reading_json"] or "{}")
    boxes = (reading.get("fields", {}).get(field_id) or {}).get("boxes")
    return _crop_response(row, row["form_id"], field_id, boxes)


@bp.get("/crops/<form_id>/<field_id>")
def crop(form_id: str, field_id: str) -> Response:
    """The crop behind a field's current value: the stored handwriting crop, or its boxes cut from the page."""
    form_id, field_id = valid_form_id(form_id), valid_field_id(field_id)
    v = g.ws.store.db.execute("SELECT * FROM field_values WHERE form_id=? AND field_id=?",
                              (form_id, field_id)).fetchone()
    if v is None:
        abort(404)
    if v["crop_path"]:
        return send_file(images.inside_workspace(g.ws, v["crop_path"], ("crops",)), mimetype="image/png", max_age=0)
    if v["page_id"] is None:
        abort(404)
    row = images.page_row(g.ws, int(v["page_id"]))
    if not images.is_rectified(row):
        abort(404)
    boxes = json.loads(v["evidence_json"]) if v["evidence_json"] else None
    return _crop_response(row, form_id, field_id, boxes if isinstance(boxes, list) else None)


def _crop_response(row: Any, form_id: str, field_id: str, boxes: list | None) -> Response:
    _form, geom = form_geom(g.ws, form_id)
    field = next((f for f in geom["fields"] if f["id"] == field_id), None)
    if field is None or field.get("page") != row["page_no"]:
        abort(404)
    path = images.inside_workspace(g.ws, row["image_path"], ("pages",))
    keys = option_keys([o["value"] for o in field.get("options", [])])
    png = images.field_crop_png(path, field, boxes, keys)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.post("/pages/<int:page_id>/assign")
def assign(page_id: int) -> Any:
    form_id = (request.form.get("form_id", "").strip().split() or [""])[0]
    try:
        page_no = int(request.form.get("page_no", "1"))
    except ValueError:
        page_no = 0
    if not FORM_ID_RE.match(form_id):
        flash("Type the form id printed on the page, like 7K2Q-9XDM.", "error")
        return redirect(_back(page_id))
    try:
        r = assign_page(g.ws, page_id, valid_form_id(form_id), page_no, _actor())
    except FormkitError as e:
        flash(e.message, "error")
        return redirect(_back(page_id))
    flash(f"Page {page_id} is now {r['form_id']} page {r['page_no']} ({r['state'].replace('_', ' ')}).", "ok")
    return redirect(_back(page_id))


@bp.post("/pages/<int:page_id>/set-aside")
def set_aside(page_id: int) -> Any:
    """Nothing on the page is read into a form (a stranger's page, a note on a back): off the review list."""
    form_id = (request.form.get("form_id", "").strip().split() or [""])[0]
    if form_id and not FORM_ID_RE.match(form_id):
        flash("Type the form id printed on the page, like 7K2Q-9XDM, or leave it empty.", "error")
        return redirect(_back(page_id))
    try:
        set_aside_page(g.ws, page_id, request.form.get("reason", "")[:200], _actor(),
                       valid_form_id(form_id) if form_id else None)
    except FormkitError as e:
        flash(e.message, "error")
        return redirect(_back(page_id))
    flash(f"Page {page_id} set aside" + (f" with {form_id}" if form_id else "") + ".", "ok")
    return redirect(_back(page_id))


@bp.post("/pages/<int:page_id>/resolve")
def resolve(page_id: int) -> Any:
    keep = request.form.get("keep", "")
    try:
        resolve_conflict(g.ws, page_id, keep, _actor())
    except FormkitError as e:
        flash(e.message, "error")
        return redirect(_back(page_id))
    flash(f"Conflict on page {page_id} settled: kept the {'first' if keep == 'old' else 'later'} scan.", "ok")
    return redirect(_back(page_id))


def _actor() -> str:
    from formkit.web.security import current

    s = current()
    return (s.user if s else None) or "web"


def _back(page_id: int) -> str:
    """Back to the queue when the action came from it, else to the page (never an arbitrary URL)."""
    return url_for("review.queue") if request.form.get("next") == "queue" else url_for("pages.page", page_id=page_id)


__all__ = ["bp", "page_view"]
