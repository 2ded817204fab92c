"""One issued form's geometry from its layout version's contract and its own delmål (no PDF code: the
review list, the web page and the scan's workers use it without loading the renderer)."""

from __future__ import annotations

from typing import Any


def form_geometry(contract: dict[str, Any], subgoals: list[list[str]] | list[tuple[str, str]]) -> dict[str, Any]:
    """The geometry of one issued form: per-form slots bound to their codes, unbound slots removed."""
    out = dict(contract)
    fields = []
    for f in contract["fields"]:
        if f.get("options_from"):
            opts = []
            for i, o in enumerate(f["options"]):
                if i < len(subgoals):
                    code, title = subgoals[i]
                    opts.append({**o, "value": code, "label": f"{code} {title}"})
            f = {**f, "options": opts}
        fields.append(f)
    out["fields"] = fields
    return out
