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

from formkit import reporting
from formkit.errors import NotFound
from formkit.records import records
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
    stem = f"formkit-export-{date.today().isoformat()}" + (f"-{trainee}" if trainee else "")
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = Path(tmp) / f"{stem}.{EXPORTS[fmt][2] if fmt != 'csv' else 'csv'}"
            paths = reporting.export(g.ws, fmt, out, trainee, d0, d1)
            if fmt == "csv":
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    for p in paths:
                        z.write(p, p.name)
                out = Path(tmp) / f"{stem}.zip"
                out.write_bytes(buf.getvalue())
            else:
                out = paths[0]
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
            out = reporting.trainee_report(g.ws, trainee, Path(tmp) / f"report-{trainee}.pdf", d0, d1)
            return _send(out, "application/pdf", f"trainee-report-{trainee}.pdf")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("outputs.index"))


@bp.get("/outputs/report/cohort")
def cohort_report() -> Any:
    d0, d1 = _dates()
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = reporting.cohort_report(g.ws, Path(tmp) / "cohort.pdf", None, d0, d1)
            return _send(out, "application/pdf", f"cohort-report-{date.today().isoformat()}.pdf")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("outputs.index"))


@bp.get("/forms/<form_id>/summary.pdf")
def encounter_summary(form_id: str) -> Any:
    form_id = valid_form_id(form_id)
    try:
        with tempfile.TemporaryDirectory(prefix="formkit-web-") as tmp:
            out = reporting.encounter_report(g.ws, form_id, Path(tmp) / "summary.pdf")
            return _send(out, "application/pdf", f"encounter-{form_id}.pdf")
    except NotFound:
        abort(404, description="This form has not been scanned yet.")
    except OutputError as e:
        flash(str(e), "error")
        return redirect(url_for("forms.record", form_id=form_id))
