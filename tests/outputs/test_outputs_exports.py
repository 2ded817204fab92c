"""CSV, XLSX, JSON and FHIR exports: exact columns, codebook rows, pending convention, filters."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from outputs import (
    NothingSelectedError,
    OutputPathError,
    UnknownTraineeError,
    export_csv,
    export_json,
    export_xlsx,
)
from outputs.table import FIXED_COLUMNS


def _field_ids(layouts, name: str) -> list[str]:
    """Expected field columns: field ids in order; ids equal to a fixed column get `_field`."""
    ids = [f["id"] for f in next(d for d in layouts if d["layout"] == name)["fields"]]
    return [f"{i}_field" if i in FIXED_COLUMNS else i for i in ids]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_one_file_per_layout_with_exact_columns(records, layouts, tmp_path):
    paths = export_csv(records, layouts, tmp_path / "minicex.csv")
    names = sorted(p.name for p in paths)
    assert names == ["minicex-minicex-ntnu-nb-codebook.csv", "minicex-minicex-ntnu-nb.csv",
                     "minicex-minicex-st-sv-codebook.csv", "minicex-minicex-st-sv.csv"]
    nb = tmp_path / "minicex-minicex-ntnu-nb.csv"
    with nb.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    nb_fields = _field_ids(layouts, "minicex-ntnu-nb")
    assert header == list(FIXED_COLUMNS) + nb_fields + ["review_pending", "fields_missing"]
    assert {"setting", "focus", "overall", "went_well", "agreed_actions"} <= set(nb_fields)
    rows = _read(nb)
    assert len(rows) == 11
    assert [r["form_id"] for r in rows][:2] == ["N101-AAAA", "N102-AAAA"]  # chronological
    first = rows[0]
    assert first["focus"] == "history;diagnosis" and rows[1]["focus"] == "examination"
    assert first["went_well"] == "present" and first["signature_trainee"] == ""
    assert first["overall"] == "4" and first["status"] == "complete" and first["review_pending"] == ""
    # the printed date is the fixed `date` column; the handwritten date line is `date_field`
    assert first["date"] == "2026-08-17" and first["date_field"] == ""
    assert [r["date_field"] for r in rows if r["form_id"] == "N106-AAAA"] == ["present"]


def test_csv_pending_cells_are_marked(records, layouts, tmp_path):
    export_csv(records, layouts, tmp_path / "s.csv", trainee_id="S002")
    rows = _read(tmp_path / "s.csv")
    assert len(rows) == 2
    pending = rows[1]
    assert pending["status"] == "needs_review"
    assert pending["setting"] == "?outpatient"
    assert pending["focus"] == "?examination"
    assert pending["review_pending"] == "setting;focus"
    assert rows[0]["setting"] == "outpatient"


def test_csv_single_layout_writes_exact_path_and_codebook(records, layouts, tmp_path):
    paths = export_csv(records, layouts, tmp_path / "t.csv", trainee_id="T001")
    assert paths == [tmp_path / "t.csv", tmp_path / "t-codebook.csv"]
    book = _read(tmp_path / "t-codebook.csv")
    assert list(book[0]) == ["column", "label", "type", "allowed_values", "language"]
    by = {r["column"]: r for r in book}
    assert by["form_id"]["label"] == "Blankett-ID"
    assert by["overall"] == {"column": "overall", "label": "Sammantagen bedömning av aktiviteten",
                             "type": "ordinal",
                             "allowed_values": "proactive: Behöver proaktiv handledning | reactive: Behöver "
                             "reactive handledning".replace("reactive handledning", "reaktiv handledning")
                             + " | independent: Kan utföra aktiviteten självständigt | supervises: Kan själv "
                             "handleda | not_assessed: Ej bedömt", "language": "sv"}
    assert by["subgoals"]["type"] == "multi"
    assert by["subgoals"]["allowed_values"] == "codes printed on the form (plan.subgoals)"
    assert by["action_plan"]["type"] == "text"
    assert by["difficulty"]["type"] == "ordinal"
    assert by["review_pending"]["type"] == "field ids"
    rows = _read(tmp_path / "t.csv")
    assert [r["subgoals"] for r in rows] == ["STb1", "STb1", "STb1;STc3", "STb1", "STb1"]
    assert rows[3]["counselling"] == "?independent"
    assert [r["column"] for r in book] == (list(FIXED_COLUMNS) + _field_ids(layouts, "minicex-st-sv")
                                            + ["review_pending", "fields_missing"])


def test_date_filter_inclusive(records, layouts, tmp_path):
    out = export_json(records, tmp_path / "r.json", date_from="2026-08-17", date_to="2026-08-26")
    got = json.loads(out.read_text(encoding="utf-8"))
    assert [r["form_id"] for r in got] == ["N101-AAAA", "N102-AAAA"]
    assert got[0] == records[0]  # as-is


def test_filters_that_exclude_everything_raise(records, layouts, tmp_path):
    with pytest.raises(NothingSelectedError) as exc:
        export_csv(records, layouts, tmp_path / "x.csv", trainee_id="S001", date_from="2030-01-01")
    assert "trainee S001" in str(exc.value)
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(UnknownTraineeError):
        export_xlsx(records, layouts, tmp_path / "x.xlsx", trainee_id="NOPE")


def test_unwritable_path(records, layouts, tmp_path):
    with pytest.raises(OutputPathError) as exc:
        export_json(records, tmp_path / "missing" / "r.json")
    assert "does not exist" in str(exc.value)
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    with pytest.raises(OutputPathError) as exc:
        export_csv(records, layouts, a_file / "r.csv")
    assert "is not a folder" in str(exc.value)
    with pytest.raises(OutputPathError) as exc:
        export_xlsx(records, layouts, tmp_path)
    assert "is a folder" in str(exc.value)


def test_xlsx_sheets_pending_fill_and_codebook(records, layouts, tmp_path):
    out = export_xlsx(records, layouts, tmp_path / "all.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["minicex-ntnu-nb", "minicex-st-sv", "Codebook"]
    ws = wb["minicex-ntnu-nb"]
    header = [c.value for c in ws[1]]
    assert header == (list(FIXED_COLUMNS) + _field_ids(layouts, "minicex-ntnu-nb")
                      + ["review_pending", "fields_missing"])
    assert ws.freeze_panes == "B2"
    col = header.index("overall") + 1
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)}
    assert cells["N108-AAAA"].value == "?6"
    assert cells["N108-AAAA"].fill.fgColor.rgb.endswith("FFE08A")
    assert cells["N107-AAAA"].value == "7"
    assert cells["N107-AAAA"].fill.fill_type is None
    assert ws.cell(row=2, column=header.index("encounter") + 1).value == 1
    book = wb["Codebook"]
    rows = [[c.value for c in r] for r in book.iter_rows()]
    assert rows[0] == ["layout", "column", "label", "type", "allowed_values", "language"]
    assert ["minicex-ntnu-nb", "setting", "Setting", "nominal",
            "outpatient: Poliklinikk | ward: Sengepost | emergency: Akuttmottak | other: Annet", "nb"] in rows
    n_nb, n_sv = (len(_field_ids(layouts, n)) for n in ("minicex-ntnu-nb", "minicex-st-sv"))
    assert len(rows) == 1 + (len(FIXED_COLUMNS) + n_nb + 2) + (len(FIXED_COLUMNS) + n_sv + 2)  # + the 2 trailing
    assert ws.column_dimensions["A"].width >= 10


def test_fields_on_a_page_not_scanned_are_listed_not_passed_off_as_unanswered(records, layouts, tmp_path):
    """A two-page form whose second page was never scanned: its empty cells are unknown, and say so."""
    rec = next(r for r in records if r["layout"] == "minicex-st-sv")
    gone = ["went_well", "improve", "action_plan"]
    part = {**rec, "status": "incomplete", "page_count_read": 1, "missing": gone,
            "values": {**rec["values"], **dict.fromkeys(gone)}}
    export_csv([part], layouts, tmp_path / "p.csv")
    row = _read(tmp_path / "p.csv")[0]
    assert row["fields_missing"] == "went_well;improve;action_plan" and row["status"] == "incomplete"
    assert [row[k] for k in gone] == ["", "", ""]
    export_csv([rec], layouts, tmp_path / "f.csv")
    assert _read(tmp_path / "f.csv")[0]["fields_missing"] == ""
    wb = load_workbook(export_xlsx([part], layouts, tmp_path / "p.xlsx"))
    ws = wb["minicex-st-sv"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("fields_missing") + 1).value == "went_well;improve;action_plan"
