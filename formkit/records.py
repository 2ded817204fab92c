"""Records in the JSON export contract (docs/contracts.md §3), built from the store.

This is the seam to `outputs/` and to outside tools: everything downstream reads these dicts.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from formkit.form_geometry import form_geometry
from formkit.store import Store
from formkit.workspace import Workspace


def form_record(store: Store, form: Any, geometry: dict[str, Any]) -> dict[str, Any]:
    fid = form["form_id"]
    rows = {r["field_id"]: r for r in store.db.execute("SELECT * FROM field_values WHERE form_id=?", (fid,))}
    pages = store.db.execute(
        "SELECT page_id, page_no, state, image_path, created_at FROM pages WHERE form_id=? "
        "AND state IN ('recognised','needs_review','conflict') ORDER BY page_no, page_id", (fid,)).fetchall()
    values: dict[str, Any] = {}
    review: list[str] = []
    reasons: dict[str, str] = {}
    confidence: dict[str, float] = {}
    verified: dict[str, dict[str, str]] = {}
    crops: dict[str, str] = {}
    read_pages = {p["page_no"] for p in pages}
    missing: list[str] = []  # on a page not scanned (yet): unknown, not empty
    for f in geometry["fields"]:
        r = rows.get(f["id"])
        if r is None:
            values[f["id"]] = [] if f["kind"] == "multi" and f["page"] in read_pages else None
            if f["page"] in read_pages:
                review.append(f["id"])
                reasons[f["id"]] = "not_read"
            else:
                missing.append(f["id"])
            continue
        values[f["id"]] = json.loads(r["value_json"]) if r["value_json"] is not None else None
        if r["status"] == "review":
            review.append(f["id"])
            reasons[f["id"]] = r["reason"] or "review"
        if r["status"] == "verified":
            verified[f["id"]] = {"by": r["decided_by"], "at": r["decided_at"]}
        if r["confidence"] is not None:
            confidence[f["id"]] = round(float(r["confidence"]), 3)
        if r["crop_path"]:
            crops[f["id"]] = r["crop_path"]
    scanned_at = pages[0]["created_at"] if pages else None
    # pages a person kept with this form without reading them into it (a note on the back of a sheet)
    kept = store.db.execute("SELECT page_id, image_path, reason FROM pages WHERE form_id=? AND state='rejected' "
                            "AND reason LIKE 'set_aside%' ORDER BY page_id", (fid,)).fetchall()
    planned = form["planned_date"]
    return {
        "form_id": fid, "layout": form["layout"], "layout_version": form["version"],
        "trainee_id": form["trainee_id"], "encounter": form["encounter"],
        "status": form["status"] if form["status"] != "issued" else "incomplete",
        "pages_expected": geometry["pages"], "page_count_read": len(read_pages),
        "values": values, "review": review, "crops": crops,
        # added keys (contract §3)
        "trainee_name": form["trainee_name"], "programme": form["programme"], "regulation": form["regulation"],
        "language": geometry.get("language"),
        "date": planned or (scanned_at[:10] if scanned_at else None),
        "date_source": "plan" if planned else "scan",
        "assessor": form["assessor"], "planned_setting": form["setting"], "department": form["department"],
        "subgoals_planned": json.loads(form["subgoals_json"]), "issued_at": form["issued_at"],
        "scanned_at": scanned_at, "review_reasons": reasons, "verified": verified, "confidence": confidence,
        "missing": missing,
        "pages": [{"page_no": p["page_no"], "page_id": p["page_id"], "state": p["state"], "image": p["image_path"]}
                  for p in pages],
        "attachments": [{"page_id": k["page_id"], "image": k["image_path"], "note": set_aside_words(k["reason"])}
                        for k in kept],
    }


def set_aside_reason(words: str, actor: str) -> str:
    """The page reason of a page a person set aside (`review.set_aside_page`; contract §5)."""
    return f"set_aside: {words} (by {actor})"


def set_aside_words(reason: str) -> str:
    """The person's words of a `set_aside_reason`."""
    words = reason.removeprefix("set_aside:").strip()
    cut = words.rfind(" (by ")
    return words[:cut] if cut >= 0 and words.endswith(")") else words


def records(ws: Workspace, trainee: str | None = None, date_from: date | None = None,
            date_to: date | None = None) -> list[dict[str, Any]]:
    """One record per form with at least one scanned page, in trainee/encounter order."""

    store = ws.store
    out = []
    geoms: dict[tuple[str, int], dict[str, Any]] = {}
    for form in store.forms(trainee):
        if form["status"] == "issued":
            continue
        key = (form["layout"], form["version"])
        if key not in geoms:
            geoms[key] = store.geometry(*key) or {"fields": [], "pages": 1}
        geom = form_geometry(geoms[key], json.loads(form["print_json"])["subgoals"])
        rec = form_record(store, form, geom)
        d = date.fromisoformat(rec["date"]) if rec["date"] else None
        if date_from and (d is None or d < date_from):
            continue
        if date_to and (d is None or d > date_to):
            continue
        out.append(rec)
    return out


def layout_descriptions(ws: Workspace) -> dict[str, dict[str, Any]]:
    """Geometry contracts of every layout version used, keyed "layout@version" (for outputs/)."""
    out = {}
    for r in ws.store.db.execute("SELECT layout, version, geometry_json FROM layout_versions"):
        out[f"{r['layout']}@{r['version']}"] = json.loads(r["geometry_json"])
    return out
