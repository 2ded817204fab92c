"""Fixtures for outputs tests: layout descriptions built from the YAML layouts, records, crops, issued forms.

`layout_description` mirrors the geometry contract (contracts.md §1) with the added keys outputs use;
rects are dummies. It stands in for `formkit layouts show --json` until that exists.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[2]
# pytest puts tests/ first on sys.path (tests/conftest.py has no package), which makes this folder
# shadow the real `outputs` package as a namespace package. Put the repository root first.
if sys.path[:1] != [str(REPO)]:
    sys.path.insert(0, str(REPO))
if "outputs" in sys.modules and getattr(sys.modules["outputs"], "__file__", None) is None:
    del sys.modules["outputs"]
LAYOUT_DIR = REPO / "layouts"
TODAY = dt.date(2026, 11, 22)
RECT = [10.0, 10.0, 5.0, 5.0]


def layout_description(name: str) -> dict[str, Any]:
    """Geometry-contract dict for a built-in layout (fields with options, dummy rects)."""
    src = yaml.safe_load((LAYOUT_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    scales = src.get("scales") or {}
    fields: list[dict[str, Any]] = []
    for sec in src["sections"]:
        common = {
            "page": 2 if sec.get("new_page") else 1,
            "section": sec["id"],
            "section_title": sec.get("title"),
        }
        if sec.get("kind") == "grid":
            scale = scales[sec["scale"]]
            for it in sec["items"]:
                fields.append(
                    {
                        "id": it["id"],
                        "kind": "single",
                        "label": it["label"],
                        "required": sec.get("required", False),
                        "scale": sec["scale"],
                        "scale_type": scale["type"],
                        **common,
                        "options": [
                            {"value": o["value"], "label": o["label"], "rect_mm": RECT}
                            for o in scale["options"]
                        ],
                    }
                )
            continue
        for f in sec["fields"]:
            if "kind" not in f and not f.get("writable"):
                continue  # printed-only header items are not fields of the geometry
            kind = f.get("kind", "text")  # writable header lines are handwriting areas, as in formkit
            out = {"id": f["id"], "kind": kind, "label": f["label"], **common}
            f = {**f, "kind": kind}
            if f["kind"] == "text":
                out["rect_mm"] = RECT
                for k in ("role", "source"):
                    if k in f:
                        out[k] = f[k]
            else:
                out["required"] = f.get("required", False)
                if "scale_type" in f:
                    out["scale_type"] = f["scale_type"]
                if f.get("options_from"):
                    out["options_from"] = f["options_from"]
                    out["options"] = [
                        {"value": f"slot{i}", "label": "", "rect_mm": RECT}
                        for i in range(1, f.get("slots", 6) + 1)
                    ]
                else:
                    out["options"] = [
                        {"value": o["value"], "label": o["label"], "rect_mm": RECT} for o in f["options"]
                    ]
            fields.append(out)
    return {
        "layout": src["layout"],
        "version": src["version"],
        "page_size_mm": [210, 297],
        "pages": src.get("max_pages", 1),
        "fields": fields,
        "markers": [],
        "qr": {"rect_mm": [163, 10, 22, 22]},
        "geometry_hash": "0" * 64,
        "language": src["language"],
        "title": src["title"],
        "subtitle": src.get("subtitle", ""),
        "scales": scales,
        "strings": src.get("strings", {}),
    }


@pytest.fixture(scope="session")
def layouts() -> list[dict[str, Any]]:
    return [layout_description("minicex-ntnu-nb"), layout_description("minicex-st-sv")]


def _crop(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("L", (420, 70), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf", 20)
    d.text((8, 8), text, fill=20, font=font)
    d.line((8, 50, 400, 52), fill=120, width=2)
    img.save(path)


NB_ITEMS = [
    "history_taking",
    "physical_exam",
    "professionalism",
    "clinical_judgement",
    "counselling",
    "organisation",
    "overall",
]
SV_ITEMS = [
    "history_taking",
    "physical_exam",
    "counselling",
    "organisation",
    "clinical_judgement",
    "professionalism",
    "overall",
]

# S001: 9 nb encounters, 3 assessors. overall over time; encounter 8's value is pending (review).
S001_OVERALL = ["4", "5", "not_observed", "5", "6", "6", "7", "6", "7"]
S001_SETTINGS = [
    ("Håndleddsbrudd, poliklinikk", "outpatient"),
    ("Brystsmerter", "emergency"),
    ("Pneumoni", "ward"),
    ("Håndleddsbrudd, poliklinikk", "outpatient"),
    ("Hjertesvikt", "ward"),
    ("", "emergency"),
    ("Diabetes kontroll", "outpatient"),
    ("Pneumoni", "ward"),
    ("Brystsmerter", "emergency"),
]
S001_ASSESSORS = [
    "Dr. Berg",
    "Dr. Dahl",
    "Dr. Berg",
    "Dr. Eide",
    "Dr. Berg",
    "Dr. Dahl",
    "Dr. Berg",
    "Dr. Eide",
    "Dr. Dahl",
]
# T001: 5 sv encounters, 3 assessors. history_taking is "supervises" at its first observation (flag).
T001_OVERALL = ["reactive", "reactive", "independent", "independent", "supervises"]
T001_HISTORY = ["not_assessed", "supervises", "independent", "reactive", "independent"]


def _nb_record(
    tid: str,
    name: str,
    enc: int,
    date: dt.date,
    assessor: str,
    planned: str,
    setting: str,
    overall: str,
    crops_dir: Path,
    pending: list[str] | None = None,
) -> dict[str, Any]:
    fid = f"N{tid[-1]}{enc:02d}-AAAA"
    base = int(overall) if overall.isdigit() else 5
    vals: dict[str, Any] = {
        "assessor_role": "consultant",
        "setting": setting,
        "patient_type": "new",
        "patient_sex": "female",
        "patient_age": "40-64",
        "complexity": ["low", "moderate", "high"][enc % 3],
        "focus": ["history", "diagnosis"] if enc % 2 else ["examination"],
        "problem": "present",
        "observation_minutes": "11-15",
        "feedback_minutes": "<=5",
        "went_well": "present",
        "improve": "present",
        "agreed_actions": "present",
        "date": "present" if enc == 6 else None,
        "signature_assessor": "present",
        "signature_trainee": None,
    }
    for i, item in enumerate(NB_ITEMS):
        vals[item] = overall if item == "overall" else str(max(1, min(9, base - 1 + (i % 3))))
    vals["physical_exam"] = "not_observed" if enc == 2 else vals["physical_exam"]
    crops = {}
    handwritten = {"went_well": f"Bra struktur i anamnesen ({enc})", "improve": "Oppsummer for pasienten",
                   "agreed_actions": "Øve på klinisk undersøkelse", "problem": "Smerter, håndledd",
                   "signature_assessor": "B. Berg", "date": "01.10.2026"}
    for f, text in handwritten.items():
        if vals.get(f):
            rel = f"crops/{fid}/{f}.png"
            _crop(crops_dir / rel, text)
            crops[f] = rel
    pending = pending or []
    return {
        "form_id": fid,
        "layout": "minicex-ntnu-nb",
        "layout_version": 1,
        "trainee_id": tid,
        "trainee_name": name,
        "encounter": enc,
        "status": "needs_review" if pending else "complete",
        "pages_expected": 1,
        "page_count_read": 1,
        "values": vals,
        "review": pending,
        "crops": crops,
        "programme": "Medisin 5. år",
        "language": "nb",
        "date": date.isoformat(),
        "date_source": "plan",
        "assessor": assessor,
        "planned_setting": planned or None,
        "department": "Ortopedi",
        "review_reasons": {p: "ambiguous" for p in pending},
    }


def _sv_record(enc: int, date: dt.date, assessor: str, crops_dir: Path) -> dict[str, Any]:
    fid = f"S1{enc:02d}-BBBB"
    i = enc - 1
    vals: dict[str, Any] = {
        "clinical_context": "present",
        "difficulty": "complex" if enc % 2 else "simple",
        "focus": ["history", "counselling"] if enc % 2 else ["clinical_judgement"],
        "subgoals": ["STb1"] if enc != 3 else ["STb1", "STc3"],
        "observation_minutes": "11-15",
        "feedback_minutes": "<=5",
        "went_well": "present",
        "improve": "present",
        "action_plan": "present" if enc != 2 else None,
        "signature_assessor": "present",
        "signature_trainee": "present",
    }
    for item in SV_ITEMS:
        vals[item] = "reactive" if enc < 3 else "independent"
    vals["overall"] = T001_OVERALL[i]
    vals["history_taking"] = T001_HISTORY[i]
    vals["physical_exam"] = "not_assessed"
    crops = {}
    handwritten = {"went_well": f"Strukturerad anamnes ({enc})", "improve": "Sammanfatta för patienten",
                   "action_plan": "Läsa på om astma-riktlinjer", "clinical_context": "Astma, uppföljning",
                   "signature_assessor": "E. Ek", "signature_trainee": "S. Lind"}
    for f, text in handwritten.items():
        if vals.get(f):
            rel = f"crops/{fid}/{f}.png"
            _crop(crops_dir / rel, text)
            crops[f] = rel
    pending = ["counselling"] if enc == 4 else []
    return {
        "form_id": fid,
        "layout": "minicex-st-sv",
        "layout_version": 1,
        "trainee_id": "T001",
        "trainee_name": "Sara Lind",
        "encounter": enc,
        "status": "needs_review" if pending else "complete",
        "pages_expected": 2,
        "page_count_read": 2,
        "values": vals,
        "review": pending,
        "crops": crops,
        "programme": "Allmänmedicin",
        "regulation": "HSLF-FS 2021:8",
        "language": "sv",
        "date": date.isoformat(),
        "date_source": "plan",
        "assessor": assessor,
        "planned_setting": ["Astma", "Diabetes typ 2", "Astma", "Hypertoni", "Diabetes typ 2"][i],
        "department": "VC Centrum",
        "subgoals_planned": ["STb1", "STa4"] if enc != 3 else ["STb1", "STc3"],
    }


@pytest.fixture(scope="session")
def crops_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ws")


@pytest.fixture(scope="session")
def records(crops_dir: Path) -> list[dict[str, Any]]:
    out = []
    start = dt.date(2026, 8, 17)
    for k in range(9):
        planned, setting = S001_SETTINGS[k]
        out.append(
            _nb_record(
                "S001",
                "Kari Nordmann",
                k + 1,
                start + dt.timedelta(days=9 * k),
                S001_ASSESSORS[k],
                planned,
                setting,
                S001_OVERALL[k],
                crops_dir,
                pending=["overall"] if k == 7 else None,
            )
        )
    out.append(
        _nb_record(
            "S002", "Ola Hansen", 1, dt.date(2026, 9, 1), "Dr. Berg", "Astma", "outpatient", "3", crops_dir
        )
    )
    out.append(
        _nb_record(
            "S002",
            "Ola Hansen",
            2,
            dt.date(2026, 10, 5),
            "Dr. Berg",
            "Astma",
            "outpatient",
            "5",
            crops_dir,
            pending=["setting", "focus"],
        )
    )
    sv_assessors = ["Dr. Ek", "Dr. Ek", "Dr. Holm", "Dr. Ek", "Dr. Ström"]
    for k in range(5):
        out.append(
            _sv_record(k + 1, dt.date(2026, 3, 2) + dt.timedelta(days=30 * k), sv_assessors[k], crops_dir)
        )
    return out


@pytest.fixture(scope="session")
def issued(records) -> list[dict[str, Any]]:
    out = []
    for r in records:
        out.append(
            {
                "form_id": r["form_id"],
                "layout": r["layout"],
                "layout_version": 1,
                "trainee_id": r["trainee_id"],
                "trainee_name": r["trainee_name"],
                "encounter": r["encounter"],
                "batch": "B1",
                "issued_at": "2026-01-10T09:00:00Z",
                "planned_date": r["date"],
                "setting": r.get("planned_setting"),
                "assessor": r["assessor"],
                "department": r["department"],
                "subgoals": r.get("subgoals_planned", []),
                "returned": True,
                "status": r["status"],
            }
        )
    out.append(
        {
            "form_id": "X001-CCCC",
            "layout": "minicex-st-sv",
            "layout_version": 1,
            "trainee_id": "T002",
            "trainee_name": "Johan Berg",
            "encounter": 1,
            "batch": "B2",
            "issued_at": "2026-10-20T08:00:00Z",
            "planned_date": "2026-11-01",
            "setting": "KOL",
            "assessor": "Dr. Ek",
            "department": "VC Centrum",
            "subgoals": ["STb1"],
            "returned": False,
            "status": "issued",
        }
    )
    out.append(
        {
            "form_id": "X002-CCCC",
            "layout": "minicex-ntnu-nb",
            "layout_version": 1,
            "trainee_id": "S002",
            "trainee_name": "Ola Hansen",
            "encounter": 3,
            "batch": "B2",
            "issued_at": "2026-11-15T08:00:00Z",
            "planned_date": "2026-12-01",
            "setting": "Astma",
            "assessor": "Dr. Berg",
            "department": "Ortopedi",
            "subgoals": [],
            "returned": False,
            "status": "issued",
        }
    )
    out.append(
        {
            "form_id": "X003-CCCC",
            "layout": "minicex-ntnu-nb",
            "layout_version": 1,
            "trainee_id": "S002",
            "trainee_name": "Ola Hansen",
            "encounter": 4,
            "batch": "B2",
            "issued_at": "2026-11-02T08:00:00Z",
            "planned_date": None,
            "setting": None,
            "assessor": None,
            "department": "Ortopedi",
            "subgoals": [],
            "returned": False,
            "status": "issued",
        }
    )
    return out
