"""The review queue: one item at a time, decided with one key (or plain buttons without JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from formkit.review import form_geom, set_value
from formkit.web import security
from formkit.web.queue import field_view, item_key_field, items
from formkit.web.security import valid_field_id, valid_form_id
from formkit.web.views_pages import page_view

bp = Blueprint("review", __name__)
MAX_SKIPPED = 500


def _session() -> security.WebSession:
    s = security.current()
    assert s is not None
    return s


@bp.get("/review")
def queue() -> Any:
    """The next item; after the last one, a short 'all done' page."""
    s = _session()
    queue_items = items(g.ws, s.skipped)
    if not queue_items:
        s.skipped.clear()
        return render_template("review_done.html")
    return _render_item(queue_items, queue_items[0])


@bp.get("/review/field/<form_id>/<field_id>")
def field(form_id: str, field_id: str) -> Any:
    form_id, field_id = valid_form_id(form_id), valid_field_id(field_id)
    queue_items = items(g.ws, _session().skipped)
    key = item_key_field(form_id, field_id)
    it = next((i for i in queue_items if i.key == key), None)
    if it is None:
        flash(f"{form_id} · {field_id} no longer needs a person.", "info")
        return redirect(url_for("forms.record", form_id=form_id))
    return _render_item(queue_items, it)


def _render_item(queue_items: list, it: Any) -> Any:
    pos = queue_items.index(it) + 1
    skipped = it.key in _session().skipped
    counts = {"total": len(queue_items), "position": pos,
              "pages": sum(1 for i in queue_items if i.kind == "page"),
              "fields": sum(1 for i in queue_items if i.kind == "field")}
    if it.kind == "page":
        return render_template("page.html", in_queue=True, counts=counts, skipped=skipped,
                               item_key=it.key, **page_view(g.ws, int(it.data["page_id"])))
    return render_template("review_field.html", counts=counts, skipped=skipped, item_key=it.key,
                           **field_view(g.ws, it.data))


@bp.post("/review/field/<form_id>/<field_id>")
def decide(form_id: str, field_id: str) -> Any:
    """Record the person's answer via formkit.review.set_value (audited, then verified for good)."""
    form_id, field_id = valid_form_id(form_id), valid_field_id(field_id)
    action = request.form.get("action", "decide")
    if action == "skip":
        _skip(item_key_field(form_id, field_id))
        return redirect(url_for("review.queue"))
    row = g.ws.store.db.execute("SELECT status, decided_by FROM field_values WHERE form_id=? AND field_id=?",
                                (form_id, field_id)).fetchone()
    if row is None or row["status"] != "review":
        who = f" by {row['decided_by']}" if row is not None and row["decided_by"] else ""
        flash(f"{form_id} · {field_id} was already decided{who}; nothing changed.", "info")
        return redirect(url_for("review.queue"))
    if action == "none":
        raw = "none"
    elif action == "decide":
        values = [v for v in request.form.getlist("value") if v]
        if not values and _kind(form_id, field_id) != "multi":
            flash("Pick a value first, or press 0 for “no answer”.", "error")
            return redirect(url_for("review.field", form_id=form_id, field_id=field_id))
        raw = ",".join(values) if values else "none"
    else:
        abort(400, description="Unknown action.")
    value = set_value(g.ws, form_id, field_id, raw, _session().user or "web")
    _unskip(item_key_field(form_id, field_id))
    field = _field(form_id, field_id) or {}
    labels = {o["value"]: o.get("label") or o["value"] for o in field.get("options", [])}
    vals = value if isinstance(value, list) else ([] if value is None else [value])
    shown = ", ".join(labels.get(v, v) for v in vals) or "no answer"
    flash(f"{form_id} · {field.get('label') or field_id}: {shown}", "ok")
    return redirect(url_for("review.queue"))


def _field(form_id: str, field_id: str) -> dict | None:
    return next((f for f in form_geom(g.ws, form_id)[1]["fields"] if f["id"] == field_id), None)


def _kind(form_id: str, field_id: str) -> str | None:
    return (_field(form_id, field_id) or {}).get("kind")


@bp.post("/review/skip")
def skip() -> Any:
    key = request.form.get("item", "")
    if not (key.startswith("page:") or key.startswith("field:")) or len(key) > 120:
        abort(400)
    _skip(key)
    return redirect(url_for("review.queue"))


def _skip(key: str) -> None:
    s = _session()
    if key in s.skipped:
        s.skipped.remove(key)
    s.skipped.append(key)
    del s.skipped[:-MAX_SKIPPED]


def _unskip(key: str) -> None:
    s = _session()
    if key in s.skipped:
        s.skipped.remove(key)
