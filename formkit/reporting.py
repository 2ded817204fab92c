"""Exports and reports for a workspace: the one place formkit feeds `outputs/` (CLI, web, demo).

Gathers the records (export contract), the layout descriptions, the issued-forms list and the
delmål titles, points `outputs` at the fonts formkit ships, and checks what only formkit can know
(is this trainee in the roster? was this form scanned?).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import outputs
from formkit.catalogues import subgoal_titles
from formkit.errors import InputDataError, NotFound
from formkit.outputs_glue import use_bundled_fonts
from formkit.qrpayload import normalise_form_id
from formkit.records import layout_descriptions, records
from formkit.workspace import Workspace

EXPORT_FORMATS = ("json", "csv", "xlsx", "fhir")


def issued_forms(ws: Workspace, trainee: str | None = None) -> list[dict[str, Any]]:
    """Issued forms in the contract of `formkit forms list --json` (docs/contracts.md §4)."""
    out = []
    for r in ws.store.forms(trainee):
        out.append({
            "form_id": r["form_id"], "layout": r["layout"], "layout_version": r["version"],
            "trainee_id": r["trainee_id"], "trainee_name": r["trainee_name"], "encounter": r["encounter"],
            "batch": r["batch_id"], "issued_at": r["issued_at"], "planned_date": r["planned_date"],
            "setting": r["setting"], "assessor": r["assessor"], "department": r["department"],
            "subgoals": json.loads(r["subgoals_json"]), "returned": r["status"] != "issued",
            "status": r["status"],
        })
    return out


def _known_trainee(ws: Workspace, trainee: str | None) -> None:
    if trainee and ws.store.trainee(trainee) is None:
        raise NotFound(f"unknown trainee '{trainee}'")


def export(ws: Workspace, fmt: str, out: Path, trainee: str | None = None, date_from: date | None = None,
           date_to: date | None = None, include_handwriting: bool = True) -> list[Path]:
    """Write an export; returns the files written (CSV: tables then codebooks)."""
    if fmt not in EXPORT_FORMATS:
        raise InputDataError(f"unknown export format '{fmt}' (use {', '.join(EXPORT_FORMATS)})")
    use_bundled_fonts()
    _known_trainee(ws, trainee)
    recs = records(ws)
    kw: dict[str, Any] = {"trainee_id": trainee, "date_from": date_from, "date_to": date_to}
    if fmt == "json":
        return [outputs.export_json(recs, out, **kw)]
    lays = layout_descriptions(ws)
    if fmt == "csv":
        return outputs.export_csv(recs, lays, out, **kw)
    if fmt == "xlsx":
        return [outputs.export_xlsx(recs, lays, out, **kw)]
    return [outputs.export_fhir(recs, lays, out, crops_dir=ws.root, include_handwriting=include_handwriting, **kw)]


def trainee_report(ws: Workspace, trainee: str, out: Path, date_from: date | None = None,
                   date_to: date | None = None) -> Path:
    use_bundled_fonts()
    _known_trainee(ws, trainee)
    return outputs.trainee_report(records(ws, trainee), layout_descriptions(ws), trainee, out, crops_dir=ws.root,
                                  issued=issued_forms(ws, trainee) or None, date_from=date_from, date_to=date_to,
                                  subgoal_titles=subgoal_titles())


def cohort_report(ws: Workspace, out: Path, target: int | None = None, date_from: date | None = None,
                  date_to: date | None = None) -> Path:
    use_bundled_fonts()
    if target is None:
        target = int(ws.config().get("report", {}).get("target_encounters", 8))
    return outputs.cohort_report(records(ws), layout_descriptions(ws), issued_forms(ws), out, target=target,
                                 date_from=date_from, date_to=date_to)


def encounter_report(ws: Workspace, form_id: str, out: Path) -> Path:
    use_bundled_fonts()
    fid = normalise_form_id(form_id)
    rec = next((r for r in records(ws) if r["form_id"] == fid), None)
    if rec is None:
        raise NotFound(f"form {fid} has not been scanned (or was never issued)")
    return outputs.encounter_summary(rec, layout_descriptions(ws), out, crops_dir=ws.root,
                                     subgoal_titles=subgoal_titles())
