"""Reports and exports: the files of the outputs package, made on request and sent as downloads.

Files are built in a private temporary folder and streamed back; nothing is written into the
workspace, and no file name or path comes from the request.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

import outputs
from formkit.cli.forms import form_rows
from formkit.fonts import FONT_DIR
from formkit.records import layout_descriptions, records
from formkit.web.security import valid_form_id
from outputs.errors import OutputError

bp = Blueprint("outputs", __name__)
EXPORTS = {  # format → (label, mimetype, extension)
    "csv": ("CSV table + codebook (zip)", "application/zip", "zip"),
    "xlsx": ("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("JSON records (export contract)", "application/json", "json"),
    "fhir": ("FHIR R4 bundle (JSON)", "application/fhir+json", "json"),
}


@bp.get("/outputs")
def index() -> Any:
    trainees = g.ws.store.trainees()
    return render_template("outputs.html", exports=EXPORTS, trainees=trainees,
                           n_records=len(records(g.ws)))


def _dates() -> tuple[date | None, date | None]:
    out = []
    for k in ("from", "to"):
        v = request.args.get(k, "").strip()
        try:
            out.append(date.fromisoformat(v) if v else None)
        except ValueError:
            abort(400, description=f"'{v}' is not a date (YYYY-MM-DD).")
    return out[0], out[1]


def _trainee() -> str | None:
    t = request.args.get("trainee", "").strip()
    if t and g.ws.store.trainee(t) is None:
        abort(404, description="No such trainee.")
    return t or None


def _send(path: Path, mimetype: str, name: str) -> Response:
    data = path.read_bytes()
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/outputs/export")
def export() -> Any:
    fmt = request.args.get("format", "")
    if fmt not in EXPORTS:
        abort(400, description="Unknown export format.")
    trainee, (d0, d1) = _trainee(), _dates()
    recs, layouts = records(g.ws), layout_descriptions(g.ws)
    stem = f"formkit-export-{date.today().isoformat()}" + (f"-{trainee}" if trainee else "")
    filters = {"trainee_id": trainee, "date_from": d0, "date_to": d1}
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = Path(tmp) / f"{stem}.{EXPORTS[fmt][2] if fmt != 'csv' else 'csv'}"
            if fmt == "csv":
                paths = outputs.export_csv(recs, layouts, out, **filters)
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    for p in paths:
                        z.write(p, p.name)
                zpath = Path(tmp) / f"{stem}.zip"
                zpath.write_bytes(buf.getvalue())
                out = zpath
            elif fmt == "xlsx":
                out = outputs.export_xlsx(recs, layouts, out, **filters)
            elif fmt == "json":
                out = outputs.export_json(recs, out, **filters)
            else:
                out = outputs.export_fhir(recs, layouts, out, crops_dir=g.ws.root, **filters)
            return _send(out, EXPORTS[fmt][1], out.name)
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("outputs.index"))


@bp.get("/outputs/report/trainee")
def trainee_report() -> Any:
    trainee, (d0, d1) = _trainee(), _dates()
    if not trainee:
        abort(400, description="Choose a trainee.")
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = outputs.trainee_report(records(g.ws), layout_descriptions(g.ws), trainee,
                                         Path(tmp) / f"report-{trainee}.pdf", crops_dir=g.ws.root, font_dir=FONT_DIR,
                                         date_from=d0, date_to=d1, issued=form_rows(g.ws))
            return _send(out, "application/pdf", f"trainee-report-{trainee}.pdf")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("outputs.index"))


@bp.get("/outputs/report/cohort")
def cohort_report() -> Any:
    d0, d1 = _dates()
    target = int(g.ws.config().get("report", {}).get("target_encounters", 8))
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = outputs.cohort_report(records(g.ws), layout_descriptions(g.ws), form_rows(g.ws),
                                        Path(tmp) / "cohort.pdf", target=target, font_dir=FONT_DIR,
                                        date_from=d0, date_to=d1)
            return _send(out, "application/pdf", f"cohort-report-{date.today().isoformat()}.pdf")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("outputs.index"))


@bp.get("/forms/<form_id>/summary.pdf")
def encounter_summary(form_id: str) -> Any:
    form_id = valid_form_id(form_id)
    rec = next((r for r in records(g.ws) if r["form_id"] == form_id), None)
    if rec is None:
        abort(404, description="This form has not been scanned yet.")
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = outputs.encounter_summary(rec, layout_descriptions(g.ws), Path(tmp) / "summary.pdf",
                                            crops_dir=g.ws.root, font_dir=FONT_DIR)
            return _send(out, "application/pdf", f"encounter-{form_id}.pdf")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("forms.record", form_id=form_id))
