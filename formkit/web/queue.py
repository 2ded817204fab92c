"""The review queue as the clerk meets it: one item at a time, pages first, then fields least-confident first,
then pages refused when scanned (they want scanning again, not a decision here).

Pages come first because assigning an unidentified page or settling a conflict can add or change
field items. Skipped items go to the back of the queue (per session) rather than disappearing, so
nothing is lost by pressing `s`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from formkit.review import describe_reason, form_geom, pending
from formkit.workspace import Workspace

KEY_SEQUENCE = "123456789abcdefghijklmopqrtuvwxyz"  # n and s are reserved: no answer, skip
NO_ANSWER_KEYS = ("0", "n")


@dataclass
class Item:
    kind: str  # "field" | "page"
    key: str  # "field:FORM:FIELD" or "page:ID"
    data: dict[str, Any]


def item_key_field(form_id: str, field_id: str) -> str:
    return f"field:{form_id}:{field_id}"


def items(ws: Workspace, skipped: list[str]) -> list[Item]:
    """Everything waiting for a person, in the order the queue shows it."""
    p = pending(ws)
    out = [Item("page", f"page:{pg['page_id']}", pg) for pg in p["pages"]]
    out += [Item("field", item_key_field(f["form_id"], f["field_id"]), f) for f in p["fields"]]
    out += [Item("page", f"page:{pg['page_id']}", pg) for pg in p["refused"]]
    order = {k: i for i, k in enumerate(skipped)}
    return sorted(out, key=lambda it: (it.key in order, order.get(it.key, 0)))  # stable: keeps queue order


def option_keys(values: list[str]) -> dict[str, str]:
    """One key per option: a digit option keeps its own digit (scale 1–9), others get the next free key."""
    keys: dict[str, str] = {}
    for v in values:
        if len(v) == 1 and v in "123456789":
            keys[v] = v
    free = (k for k in KEY_SEQUENCE if k not in keys.values())
    for v in values:
        if v not in keys:
            keys[v] = next(free, "")
    return keys


def field_view(ws: Workspace, it: dict[str, Any]) -> dict[str, Any]:
    """Everything the field template shows: labels, keys, measured state per option, candidate."""
    form, geom = form_geom(ws, it["form_id"])
    field = next((f for f in geom["fields"] if f["id"] == it["field_id"]), None) or {}
    kind = field.get("kind", it.get("kind"))
    boxes = it.get("boxes") if isinstance(it.get("boxes"), list) else []
    measured = {b.get("value"): b for b in boxes}
    cand = it.get("candidate")
    if kind == "text":
        options = [{"key": "1", "value": "present", "label": "Writing present", "state": None, "coverage": None,
                    "checked": cand == "present"}]
    else:
        keys = option_keys([o["value"] for o in field.get("options", [])])
        options = []
        for o in field.get("options", []):
            b = measured.get(o["value"], {})
            cov = (b.get("measures") or {}).get("coverage")
            options.append({
                "key": keys[o["value"]], "value": o["value"], "label": o.get("label") or o["value"],
                "state": b.get("state"), "coverage": cov,
                "checked": (o["value"] in cand) if isinstance(cand, list) else (o["value"] == cand),
            })
    has_crop = bool(it.get("crop"))
    if not has_crop and it.get("page_id"):
        row = ws.store.db.execute("SELECT reading_json FROM pages WHERE page_id=?", (it["page_id"],)).fetchone()
        has_crop = bool(row and json.loads(row["reading_json"] or "{}").get("rectified"))
    return {
        "form": form, "field": field, "kind": kind, "options": options, "item": it, "has_crop": has_crop,
        "reason_text": describe_reason(it.get("reason")), "layout_title": geom.get("title"),
        "ink_mm2": it.get("boxes") if isinstance(it.get("boxes"), (int, float)) else None,
    }
