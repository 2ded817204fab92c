"""Old-style records without the added keys, missing crop files and unknown layouts."""
from __future__ import annotations

import csv
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from outputs import UnknownLayoutError, build_bundle, export_csv, export_xlsx
from outputs.cohort_report import cohort_report
from outputs.encounter_pdf import encounter_summary
from outputs.trainee_report import trainee_report

MINIMAL = {"form_id": "7K2Q-9XDM", "layout": "minicex-ntnu-nb", "layout_version": 1, "trainee_id": "S009",
           "encounter": 3, "status": "needs_review", "pages_expected": 1, "page_count_read": 1,
           "values": {"setting": "outpatient", "focus": ["history", "diagnosis"], "went_well": "present",
                      "improve": None, "overall": "6"},
           "review": ["overall"], "crops": {"went_well": "crops/7K2Q-9XDM/went_well.png"}}


def test_minimal_record_everywhere(layouts, tmp_path):
    recs = [json.loads(json.dumps(MINIMAL))]
    export_csv(recs, layouts, tmp_path / "m.csv")
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["date"] == "" and row["trainee_name"] == "" and row["overall"] == "?6"
    assert row["improve"] == "" and row["went_well"] == "present"
    export_xlsx(recs, layouts, tmp_path / "m.xlsx")
    Bundle.model_validate(build_bundle(recs, layouts, crops_dir=tmp_path))  # crop file missing → omitted
    enc = encounter_summary(recs[0], layouts, tmp_path / "e.pdf", crops_dir=tmp_path)
    assert "(bildet mangler)" in " ".join(p.extract_text() for p in PdfReader(str(enc)).pages)
    tr = trainee_report(recs, layouts, "S009", tmp_path / "t.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(str(tr)).pages)
    assert "FORELØPIG" in text and "S009" in text
    cohort_report(recs, layouts, [], tmp_path / "c.pdf")


def test_unknown_layout_is_a_clear_error(layouts, tmp_path):
    rec = dict(MINIMAL, layout="minicex-other")
    with pytest.raises(UnknownLayoutError) as exc:
        export_csv([rec], layouts, tmp_path / "x.csv")
    assert "minicex-other" in str(exc.value) and "7K2Q-9XDM" in str(exc.value)


def test_newer_record_version_falls_back_to_known_layout(layouts, tmp_path):
    rec = dict(MINIMAL, layout_version=2)
    paths = export_csv([rec], layouts, tmp_path / "v.csv")
    assert paths[0].read_text(encoding="utf-8-sig").splitlines()[1].startswith("7K2Q-9XDM,minicex-ntnu-nb,2,")


def _real_contracts():
    """Layout descriptions from formkit itself, when its layout engine is importable (skip otherwise)."""
    geometry = pytest.importorskip("formkit.geometry")
    layouts_mod = pytest.importorskip("formkit.layouts")
    if not hasattr(geometry, "build_geometry") or not hasattr(layouts_mod, "load_layout"):
        pytest.skip("formkit layout engine API not available")
    return [geometry.build_geometry(layouts_mod.load_layout(n)).contract()
            for n in ("minicex-ntnu-nb", "minicex-st-sv")]


def test_real_formkit_contract_works_with_outputs(records, crops_dir, tmp_path):
    real = _real_contracts()
    paths = export_csv(records, real, tmp_path / "r.csv")
    with paths[0].open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert {"overall", "went_well", "date_field", "review_pending"} <= set(header)
    Bundle.model_validate(build_bundle(records, real, crops_dir=crops_dir))
    out = trainee_report(records, real, "S001", tmp_path / "t.pdf", crops_dir=crops_dir)
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "Helhetsvurdering (samlet klinisk kompetanse)" in text
