"""Issue personalised forms: check the whole request, then write the PDF and the records together.

Nothing is written unless everything is valid: the PDF goes to a temporary file beside the target,
the form records go in one transaction, and the file is renamed into place only after the commit.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from formkit.catalogues import catalogues
from formkit.errors import InputDataError, LayoutError, NotFound, OutputError
from formkit.geometry import Geometry, build_geometry, geometry_hash
from formkit.layouts import Layout, load_layout, parse_layout
from formkit.qrpayload import make_payload, new_form_id
from formkit.render import FormToPrint, render_pdf
from formkit.store import now_iso
from formkit.workspace import Workspace


@dataclass
class FormRequest:
    trainee_id: str
    setting: str | None = None
    assessor: str | None = None
    date: str | None = None
    department: str | None = None
    subgoals: list[str] = field(default_factory=list)
    line: int | None = None  # plan line, for error messages

    def where(self) -> str:
        return f"plan line {self.line}: " if self.line else ""


@dataclass
class IssueResult:
    form_ids: list[str]
    outputs: list[Path]
    pages: int
    batch_id: int


def format_date(iso: str | None, language: str) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return d.strftime("%d.%m.%Y") if language in ("nb", "nn", "no", "se") else d.isoformat()


def layout_for_workspace(ws: Workspace, name: str) -> tuple[Layout, Geometry, dict[str, Any], str]:
    """Load a layout and make sure its version still means the geometry stored in this workspace."""
    layout = load_layout(name, [ws.layouts_dir])
    geom = build_geometry(layout)
    contract = geom.contract()
    h = contract["geometry_hash"]
    stored = ws.store.layout_version(layout.id, layout.version)
    if stored and stored["geometry_hash"] != h:
        raise LayoutError(layout.source, f"version {layout.version} was used for forms already issued, but its "
                          "geometry has changed since. Raise 'version' in the layout file so old forms stay "
                          "readable with their own geometry.")
    return layout, geom, contract, h


def stored_layout(ws: Workspace, layout_id: str, version: int) -> tuple[Layout, Geometry]:
    """Rebuild a layout version exactly as it was when forms were issued (from the stored YAML)."""
    row = ws.store.layout_version(layout_id, version)
    if not row:
        raise NotFound(f"layout {layout_id} version {version} was never used in this workspace")
    layout = parse_layout(yaml.safe_load(row["source_yaml"]), f"{layout_id} v{version} (stored)")
    geom = build_geometry(layout)
    if geometry_hash(geom.core()) != row["geometry_hash"]:
        raise LayoutError(layout.source, "this formkit version lays the stored layout out differently; reprint "
                          "with the formkit version that issued the form")
    return layout, geom


def check_subgoals(layout: Layout, trainee: Any, req: FormRequest) -> list[tuple[str, str]]:
    if not req.subgoals:
        return []
    slot_fields = [f for f in layout.fields if f.options_from == "plan.subgoals"]
    if not slot_fields:
        raise InputDataError(f"{req.where()}layout {layout.id} has no delmål field, but subgoals were given "
                             f"for {req.trainee_id}")
    slots = slot_fields[0].slots
    if len(req.subgoals) > slots:
        raise InputDataError(f"{req.where()}{len(req.subgoals)} delmål for {req.trainee_id}; the form has room "
                             f"for {slots}")
    reg = trainee["regulation"]
    if not reg:
        raise InputDataError(f"{req.where()}trainee {req.trainee_id} has no regulation in the roster "
                             "(SOSFS 2015:8 or HSLF-FS 2021:8), so delmål codes cannot be checked")
    cat = catalogues().get(reg)
    if cat is None:
        raise InputDataError(f"{req.where()}no delmål catalogue for regulation '{reg}'")
    out = []
    for code in req.subgoals:
        title = cat.title(code)
        if title is None:
            known = ", ".join(list(cat.codes)[:12])
            raise InputDataError(f"{req.where()}unknown delmål code '{code}' for {reg} (known: {known}, "
                                 f"{cat.specialty_prefix}1…)")
        out.append((code, title))
    if len(set(req.subgoals)) != len(req.subgoals):
        raise InputDataError(f"{req.where()}the same delmål code is listed twice for {req.trainee_id}")
    return out


def _check_writable(path: Path) -> None:
    parent = path.parent if path.parent != Path("") else Path(".")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name such as {path / 'forms.pdf'}")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: no permission to write in {parent}")


def _safe_name(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("_") or "trainee"


def issue_forms(ws: Workspace, layout_name: str, requests: list[FormRequest], out: Path,
                duplex: bool = False, per_trainee: bool = False, source: str = "",
                progress: Callable[[int], None] | None = None) -> IssueResult:
    store = ws.store
    layout, geom, contract, ghash = layout_for_workspace(ws, layout_name)
    if not requests:
        raise InputDataError("nothing to generate: the plan is empty")
    # 1. validate everything before writing anything
    planned: list[tuple[FormRequest, Any, list[tuple[str, str]]]] = []
    for req in requests:
        tr = store.trainee(req.trainee_id)
        if tr is None:
            raise InputDataError(f"{req.where()}unknown trainee '{req.trainee_id}': import the roster first "
                                 "('formkit trainees import roster.csv')")
        planned.append((req, tr, check_subgoals(layout, tr, req)))
    if per_trainee:
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out} exists and is not a folder; with --per-trainee --out names a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the folder {out}: {e.strerror}") from None
        if not os.access(out, os.W_OK):
            raise OutputError(f"cannot write in {out}: permission denied")
    else:
        _check_writable(out)

    # 2. assign ids and encounter numbers, build what gets printed
    wid, secret = ws.workspace_id, ws.secret
    next_enc: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    jobs: list[tuple[str, FormToPrint]] = []
    used_ids: set[str] = set()
    issued_at = now_iso()
    for req, tr, subgoals in planned:
        enc = next_enc.get(req.trainee_id) or store.next_encounter(req.trainee_id)
        next_enc[req.trainee_id] = enc + 1
        fid = new_form_id()
        while fid in used_ids or store.form_exists(fid):
            fid = new_form_id()
        used_ids.add(fid)
        values = {
            "trainee.name": tr["name"], "trainee.id": tr["id"], "trainee.programme": tr["programme"] or "",
            "trainee.regulation": tr["regulation"] or "", "plan.assessor": req.assessor or "",
            "plan.date": format_date(req.date, layout.language), "plan.department": req.department or "",
            "plan.setting": req.setting or "", "form.encounter": str(enc),
        }
        qr = [make_payload(layout.id, layout.version, fid, p, geom.page_count, wid, secret)
              for p in range(1, geom.page_count + 1)]
        form = FormToPrint(fid, qr, values, subgoals)
        jobs.append((req.trainee_id, form))
        rows.append({
            "form_id": fid, "layout": layout.id, "version": layout.version, "geometry_hash": ghash,
            "trainee_id": req.trainee_id, "encounter": enc, "setting": req.setting, "assessor": req.assessor,
            "planned_date": req.date, "department": req.department,
            "subgoals_json": json.dumps([c for c, _ in subgoals]), "issued_at": issued_at,
            "print_json": json.dumps({"values": values, "qr": qr, "subgoals": subgoals}, ensure_ascii=False),
        })

    # 3. render to temporary files (fit errors abort here, before anything is visible)
    groups: dict[Path, list[FormToPrint]] = {}
    for tid, form in jobs:
        target = out / f"forms-{_safe_name(tid)}.pdf" if per_trainee else out
        groups.setdefault(target, []).append(form)
    temps: list[tuple[Path, Path]] = []
    pages = 0
    try:
        for target, forms in groups.items():
            fd, tmp = tempfile.mkstemp(prefix=".formkit-", suffix=".pdf", dir=target.parent)
            os.close(fd)
            temps.append((Path(tmp), target))
            pages += render_pdf(((geom, f) for f in forms), Path(tmp), duplex=duplex, progress=progress,
                                title=f"{layout.title} – {layout.id} v{layout.version}")
        # 4. records in one transaction, then move files into place
        with store.transaction():
            store.register_layout_version(layout.id, layout.version, ghash, contract,
                                          Path(layout.source).read_text(encoding="utf-8"))
            batch = store.add_batch(layout.id, layout.version, source, len(rows), str(out))
            for row in rows:
                store.add_form({**row, "batch_id": batch})
            for tmp, target in temps:
                os.replace(tmp, target)
    except OSError as e:
        raise OutputError(f"cannot write the forms: {e.strerror or e}") from None
    finally:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
    _warm_print_cache(ws, layout)
    return IssueResult([r["form_id"] for r in rows], list(groups), pages, batch)


def _warm_print_cache(ws: Workspace, layout: Layout) -> None:
    """Render the reader's print references of this layout version now, once, rather than in every scan worker
    (`print_reference.warm_cache`). The forms are issued by now: a failure here only leaves the scan slower."""
    from formkit.print_reference import warm_cache  # the rasteriser and the reader: only once forms are issued

    row = ws.store.layout_version(layout.id, layout.version)
    if row is not None:
        with contextlib.suppress(Exception):
            warm_cache(row["source_yaml"], row["geometry_hash"], ws.cache_dir)


def reprint(ws: Workspace, form_id: str, out: Path, duplex: bool = False) -> int:
    row = ws.store.form(form_id)
    if row is None:
        raise NotFound(f"no form {form_id} was issued by this workspace")
    _check_writable(out)
    layout, geom = stored_layout(ws, row["layout"], row["version"])
    pj = json.loads(row["print_json"])
    form = FormToPrint(form_id, pj["qr"], pj["values"], [tuple(s) for s in pj["subgoals"]])
    try:
        return render_pdf([(geom, form)], out, duplex=duplex,
                          title=f"{layout.title} – {layout.id} v{layout.version}")
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror}") from None
