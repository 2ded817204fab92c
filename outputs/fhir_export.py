"""FHIR R4 export: a `collection` Bundle of Questionnaires (one per layout version) and responses.

Choices (documented in outputs/README.md):
- item linkId = field id, flat item list (section ids can equal field ids, e.g. sv `action_plan`).
- choice answers are `valueCoding` with system `<base>/CodeSystem/<layout>/<field>` (scale items share
  `<base>/CodeSystem/<layout>/scale/<scale>`); displays in the form's language.
- `itemWeight` extension only on options of scales that allow averaging (the nb 1–9 scale).
- text areas are `attachment` items; answers are the handwriting crops as base64 PNG, or omitted with
  `include_handwriting=False`. `subgoals` (codes bound per form) is `open-choice`.
- pending values (listed in `review`) are left out of the response: they are not final. The response
  status is then `in-progress`.
- `subject` is an identifier-only reference of type Practitioner (trainees are clinicians, not patients).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from outputs.filters import Filters
from outputs.layouts import Field, Layout, LayoutIndex, as_index
from outputs.paths import writable_path, write_text
from outputs.records import Record, chronological, is_pending, record_date, value

DEFAULT_BASE = "https://formkit.invalid/fhir"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
STATUS_MAP = {"complete": "completed", "needs_review": "in-progress", "incomplete": "in-progress"}


def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def questionnaire_url(base: str, layout: str) -> str:
    return f"{base}/Questionnaire/{layout}"


def _system(base: str, lay: Layout, f: Field) -> str:
    if f.scale is not None:
        return f"{base}/CodeSystem/{lay.layout}/scale/{f.scale.name}"
    return f"{base}/CodeSystem/{lay.layout}/{f.id}"


def _subgoal_system(base: str, record: Record) -> str:
    reg = str(record.get("regulation") or "unspecified")
    return f"{base}/CodeSystem/delmal/{_fhir_id(reg.lower().replace(' ', '-'))}"


def _answer_options(base: str, lay: Layout, f: Field) -> list[dict[str, Any]]:
    opts = []
    weighted = f.scale is not None and f.scale.may_average
    for o in f.options:
        v = str(o["value"])
        opt: dict[str, Any] = {"valueCoding": {"system": _system(base, lay, f), "code": v,
                                               "display": str(o.get("label", v))}}
        if weighted and v in f.scale.order:  # type: ignore[union-attr]
            opt["extension"] = [{"url": ITEM_WEIGHT, "valueDecimal": float(v)}]
        opts.append(opt)
    return opts


def questionnaire(lay: Layout, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """A Questionnaire resource for one layout version."""
    items = []
    for f in lay.fields:
        item: dict[str, Any] = {"linkId": f.id, "text": f.label}
        if f.kind == "text":
            item["type"] = "attachment"
        elif f.options_from:
            item["type"] = "open-choice"
            item["repeats"] = f.kind == "multi"
        else:
            item["type"] = "choice"
            item["repeats"] = f.kind == "multi"
            item["answerOption"] = _answer_options(base, lay, f)
        if f.section_title:
            item["prefix"] = f.section_title
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": _fhir_id(f"{lay.layout}-v{lay.version}"),
        "url": questionnaire_url(base, lay.layout),
        "version": str(lay.version),
        "name": re.sub(r"[^A-Za-z0-9]", "", lay.layout.title()),
        "title": f"{lay.title} ({lay.layout} v{lay.version})",
        "status": "active",
        "language": lay.language,
        "subjectType": ["Practitioner"],
        "item": items,
    }


def _attachment(record: Record, f: Field, crops_dir: Path) -> dict[str, Any] | None:
    rel = (record.get("crops") or {}).get(f.id)
    if not rel:
        return None
    p = crops_dir / rel
    if not p.is_file():
        return None
    return {"contentType": "image/png", "data": base64.b64encode(p.read_bytes()).decode("ascii"),
            "title": f.label}


def _answers(record: Record, lay: Layout, f: Field, base: str, crops_dir: Path | None,
             include_handwriting: bool) -> list[dict[str, Any]]:
    v = value(record, f.id)
    if f.kind == "text":
        if not v or not include_handwriting or crops_dir is None:
            return []
        att = _attachment(record, f, crops_dir)
        return [{"valueAttachment": att}] if att else []
    vals = v if isinstance(v, list) else ([] if v is None else [v])
    out = []
    for x in vals:
        if f.options_from:
            coding = {"system": _subgoal_system(base, record), "code": str(x)}
        else:
            coding = {"system": _system(base, lay, f), "code": str(x), "display": f.option_label(x)}
        out.append({"valueCoding": coding})
    return out


def questionnaire_response(record: Record, lay: Layout, base: str = DEFAULT_BASE,
                           crops_dir: Path | None = None, include_handwriting: bool = True) -> dict[str, Any]:
    """A QuestionnaireResponse for one record; pending values are omitted."""
    items = []
    for f in lay.fields:
        if is_pending(record, f.id):
            continue
        answers = _answers(record, lay, f, base, crops_dir, include_handwriting)
        if answers:
            items.append({"linkId": f.id, "text": f.label, "answer": answers})
    ident = {"system": f"{base}/trainee", "value": str(record.get("trainee_id"))}
    subject: dict[str, Any] = {"type": "Practitioner", "identifier": ident}
    if record.get("trainee_name"):
        subject["display"] = str(record["trainee_name"])
    status = STATUS_MAP.get(str(record.get("status")), "in-progress")
    if record.get("review"):
        status = "in-progress"
    qr: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _fhir_id(str(record.get("form_id"))),
        "identifier": {"system": f"{base}/form", "value": str(record.get("form_id"))},
        "questionnaire": f"{questionnaire_url(base, lay.layout)}|{lay.version}",
        "status": status,
        "subject": subject,
        "item": items,
    }
    d = record_date(record)
    if d is not None and record.get("date"):
        qr["authored"] = d.isoformat()
    if record.get("assessor"):
        qr["author"] = {"type": "Practitioner", "display": str(record["assessor"])}
    if not items:
        del qr["item"]
    return qr


def build_bundle(records: list[Record], layouts, *, crops_dir: Path | str | None = None,
                 include_handwriting: bool = True, base_url: str = DEFAULT_BASE,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """The Bundle as a dict (unfiltered: pass already selected records)."""
    index: LayoutIndex = as_index(layouts)
    crops = Path(crops_dir) if crops_dir is not None else None
    pairs = [(r, index.for_record(r)) for r in chronological(records)]
    used: dict[tuple[str, int], Layout] = {}
    for _, lay in pairs:
        used[lay.key] = lay
    entries = []
    for key in sorted(used):
        q = questionnaire(used[key], base_url)
        entries.append({"fullUrl": f"{base_url}/Questionnaire/{q['id']}", "resource": q})
    for r, lay in pairs:
        qr = questionnaire_response(r, lay, base_url, crops, include_handwriting)
        entries.append({"fullUrl": f"{base_url}/QuestionnaireResponse/{qr['id']}", "resource": qr})
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    return {"resourceType": "Bundle", "type": "collection", "timestamp": stamp, "entry": entries}


def export_fhir(records: list[Record], layouts, out_path: Path | str, *, crops_dir: Path | str | None = None,
                include_handwriting: bool = True, base_url: str = DEFAULT_BASE, trainee_id: str | None = None,
                date_from: dt.date | str | None = None, date_to: dt.date | str | None = None) -> Path:
    """Write the FHIR R4 Bundle (JSON) for the selected records."""
    out = writable_path(out_path)
    selected = Filters.of(trainee_id, date_from, date_to).select_for_export(records)
    bundle = build_bundle(selected, layouts, crops_dir=crops_dir, include_handwriting=include_handwriting,
                          base_url=base_url)
    return write_text(out, json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
