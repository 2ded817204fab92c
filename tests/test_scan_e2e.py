"""End to end through the CLI: generated forms, a synthetic ward, `formkit scan`, review, export.

The stack is made the way an office delivers it: shuffled, blank duplex backs, a stranger's page,
one sheet scanned twice. Every page must end in the state the ward's truth says, and no value may
be accepted that differs from what is on the paper (a silent error).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from formkit.accuracy import compare
from formkit.demo import per_form_geometry
from formkit.records import records
from formkit.simulate import Answers, Styles, forms_from_pdf, simulate_stack
from formkit.workspace import Workspace
from tests.conftest import ROSTER, Cli

pytestmark = pytest.mark.xdist_group("scan-e2e")


def dump(ws: Workspace) -> dict[str, list[tuple]]:
    db = sqlite3.connect(ws.db_path)
    out = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
           for t in ("files", "pages", "field_values", "forms", "audit", "scan_runs")}
    db.close()
    return out


def _ward(tmp: Path, styles: Styles | None = None, seed: int = 11, profile: str = "office300",  # type: ignore[no-untyped-def]
          container: str = "jpeg_pdf", **stack_options):
    """3 Norwegian + 2 Swedish forms issued through the CLI, filled by the ward, scanned at 300 dpi."""
    from formkit.workspace import init_workspace

    ws = init_workspace(tmp / "ws")
    fk = Cli(ws)
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    fk("trainees", "import", str(tmp / "roster.csv"))
    (tmp / "plan-nb.csv").write_text("trainee_id,setting,assessor,date\nS001,Poliklinikk,Dr A,2026-10-01\n"
                                     "S002,Sengepost,Dr B,2026-10-02\nS001,Akuttmottak,Dr C,2026-10-03\n",
                                     encoding="utf-8")
    (tmp / "plan-sv.csv").write_text("trainee_id,setting,subgoals\nST01,Astma,STb1;STa4\nST02,Sepsis,b1\n",
                                     encoding="utf-8")
    fk("generate", "-l", "minicex-ntnu-nb", "--plan", str(tmp / "plan-nb.csv"), "--out", str(tmp / "nb.pdf"))
    fk("generate", "-l", "minicex-st-sv", "--plan", str(tmp / "plan-sv.csv"), "--out", str(tmp / "sv.pdf"))
    ids = [r["form_id"] for r in json.loads(fk("forms", "list", "--json").output)]
    nb_ids = [i for i in ids if ws.store.form(i)["layout"] == "minicex-ntnu-nb"]
    sv_ids = [i for i in ids if ws.store.form(i)["layout"] == "minicex-st-sv"]
    rng = np.random.default_rng(seed)
    forms = (forms_from_pdf(tmp / "nb.pdf", per_form_geometry(ws, _in_pdf_order(ws, nb_ids)))
             + forms_from_pdf(tmp / "sv.pdf", per_form_geometry(ws, _in_pdf_order(ws, sv_ids))))
    stack = simulate_stack(forms, profile, rng, tmp / "stack", container=container, styles=styles,
                           **stack_options)
    res = fk("scan", *map(str, stack.files), expect=None)
    return ws, fk, stack, res


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The office stack: shuffled, blank backs, a stranger's page, one sheet scanned twice."""
    return _ward(tmp_path_factory.mktemp("office"), blank_backs=True, foreign_pages=1, duplicates=1, shuffle=True)


def test_answers_marked_beside_their_boxes_go_to_review(tmp_path: Path) -> None:
    """A circled or underlined label, a tick next to the box: the boxes read empty, the row goes to a person."""
    ws, _fk, stack, _ = _ward(tmp_path, Styles(beside_marks=0.3), seed=5)
    beside = {(fid, m["field_id"]) for fid, t in stack.truth["forms"].items() for m in t["marks"]
              if m["kind"] in ("label_circle", "label_underline", "tick_beside")}
    assert len(beside) >= 10
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.silent_errors == []
    recs = {r["form_id"]: r for r in records(ws)}
    for form_id, field_id in beside:
        assert field_id in recs[form_id]["review"], (form_id, field_id)
    reasons = [recs[f]["review_reasons"][k] for f, k in beside]
    assert reasons.count("ink_beside_boxes") >= 0.7 * len(reasons)  # the rest: a required row read empty


def test_a_halftone_scan_is_read_without_silent_errors(tmp_path: Path) -> None:
    """A scanner left in halftone mode: every grey, the paper's grain included, dithered into 1-bit dots.

    Read as 1-bit, empty comment boxes sprinkled with noise dots were accepted as written in."""
    ws, _fk, stack, _ = _ward(tmp_path, Styles(pen_weights={"ballpoint_blue": 1, "pencil": 1}), seed=3,
                              profile="dither", container="g4_pdf")
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.silent_errors == [] and acc.pages_lost == 0
    assert acc.forms_identified == acc.forms_expected == 5
    recs = records(ws)
    empty_texts = [(r["form_id"], k) for r in recs for k, v in stack.truth["forms"][r["form_id"]]["expected"].items()
                   if v is None and k in r["crops"]]
    assert len(empty_texts) >= 5
    assert all(next(r for r in recs if r["form_id"] == f)["values"][k] is None for f, k in empty_texts)
    assert acc.accepted >= 0.6 * acc.fields  # read, not all handed to a person


def test_punched_sheets_on_a_dark_backed_feeder(tmp_path: Path) -> None:
    """Filing holes show as dark discs by the edge: the blank backs stay blank, nothing is misread."""
    ws, _fk, stack, _ = _ward(tmp_path, seed=7, blank_backs=True, punched=1.0)
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.pages_expected["blank"] >= 7 and acc.pages_got["blank"] == acc.pages_expected["blank"]
    assert acc.page_mismatches == [] and acc.silent_errors == [] and acc.pages_lost == 0


def _in_pdf_order(ws: Workspace, ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: ws.store.db.execute("SELECT rowid FROM forms WHERE form_id=?", (i,)).fetchone()[0])


def test_every_page_ends_in_its_true_state(office) -> None:  # type: ignore[no-untyped-def]
    ws, _fk, stack, res = office
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.pages_lost == 0
    assert acc.page_mismatches == []
    assert acc.forms_identified == acc.forms_expected == 5
    assert acc.pages_got["blank"] == acc.pages_expected["blank"] > 0
    assert acc.pages_got["unidentified"] == 1 and acc.pages_got["duplicate"] == 1
    assert res.exit_code in (0, 10)
    assert "Pages:" in res.output and "Forms:" in res.output


def test_no_silent_errors_and_little_review(office) -> None:  # type: ignore[no-untyped-def]
    ws, _fk, stack, _ = office
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.silent_errors == []
    assert acc.fields > 100
    assert acc.review_share < 0.35
    # reviews a perfect reader needs too: a required row left empty on paper, or an answer not visible
    recs = {r["form_id"]: r for r in records(ws)}
    needed = sum(1 for fid_form, t in stack.truth["forms"].items() for fid in recs[fid_form]["review"]
                 if fid in t["expected"] and fid not in t.get("preprinted", [])
                 and ((recs[fid_form]["review_reasons"].get(fid) == "no_mark" and not t["expected"][fid])
                      or t["expected"][fid] != t["values"].get(fid, t["expected"][fid])))
    assert acc.review_needed == needed <= acc.review
    assert 0.0 <= acc.reader_review_share <= acc.review_share


def test_rescanning_the_same_file_changes_nothing(office) -> None:  # type: ignore[no-untyped-def]
    ws, fk, stack, _ = office
    before = dump(ws)
    res = fk("scan", *map(str, stack.files), expect=None)
    assert "0 new, 1 already scanned" in res.output
    assert dump(ws) == before


def test_export_json_is_the_contract(office) -> None:  # type: ignore[no-untyped-def]
    ws, fk, stack, _ = office
    recs = json.loads(fk("export", "--format", "json").output)
    assert len(recs) == 5
    keys = {"form_id", "layout", "layout_version", "trainee_id", "encounter", "status", "pages_expected",
            "page_count_read", "values", "review", "crops"}
    for r in recs:
        assert keys <= set(r)
        assert r["status"] in ("complete", "needs_review", "incomplete")
        assert r["page_count_read"] == r["pages_expected"]
        assert (r["status"] == "complete") == (not r["review"])
        for fid, v in r["values"].items():
            assert v is None or isinstance(v, (str, list)), fid
        for fid, path in r["crops"].items():
            assert (ws.root / path).is_file(), fid
        truth = stack.truth["forms"][r["form_id"]]["expected"]
        for fid, v in r["values"].items():
            if fid not in r["review"] and fid in truth and fid not in stack.truth["forms"][r["form_id"]]["preprinted"]:
                assert (sorted(v) if isinstance(v, list) else v) == (
                    sorted(truth[fid]) if isinstance(truth[fid], list) else truth[fid]), fid
    pages = json.loads(fk("pages", "--json").output)
    assert len(pages) == len(stack.truth["pages"])
    assert {p["state"] for p in pages} <= {"recognised", "needs_review", "blank", "duplicate", "unidentified"}
    assert all(p["image"] and (ws.root / p["image"]).is_file() for p in pages)


def test_review_set_is_verified_audited_and_kept(office) -> None:  # type: ignore[no-untyped-def]
    ws, fk, stack, _ = office
    recs = json.loads(fk("export", "--format", "json").output)
    rec = next(r for r in recs if r["layout"] == "minicex-ntnu-nb")
    fk("review", "set", rec["form_id"], "overall", "7", "--by", "Dr. Test", "--reason", "checked the paper")
    fk("review", "set", rec["form_id"], "focus", "history,management", "--by", "Dr. Test")
    res = fk("review", "set", rec["form_id"], "overall", "12", expect=3)
    assert "not an option" in res.output
    fk("review", "set", rec["form_id"], "nope", "1", expect=7)
    after = {r["form_id"]: r for r in json.loads(fk("export", "--format", "json").output)}[rec["form_id"]]
    assert after["values"]["overall"] == "7" and after["values"]["focus"] == ["history", "management"]
    assert "overall" not in after["review"] and after["verified"]["overall"]["by"] == "Dr. Test"
    hist = fk("review", "history", rec["form_id"]).output
    assert "Dr. Test" in hist and "overall" in hist and '"7"' in hist and "checked the paper" in hist
    # a re-scan of the same sheet (other file) never overwrites what a person verified
    from formkit.ingest import scan

    other = stack.truth_path.parent / "again.pdf"
    other.write_bytes(stack.files[0].read_bytes() + b"\n%rescan\n")
    scan(ws, [other])
    again = {r["form_id"]: r for r in json.loads(fk("export", "--format", "json").output)}[rec["form_id"]]
    assert again["values"]["overall"] == "7" and again["verified"]["overall"]["by"] == "Dr. Test"
    states = {p["state"] for p in json.loads(fk("pages", "--json").output) if p["source_file"] == "again.pdf"}
    assert states <= {"duplicate", "conflict", "blank", "unidentified"}


def test_exact_values_for_known_marks(fk: Cli, tmp_path: Path) -> None:
    """Chosen answers in a clean black ballpoint, each mark kind in turn: read back exactly."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--count", "3", "--out", str(tmp_path / "f.pdf"))
    ws = fk.ws
    ids = _in_pdf_order(ws, [r["form_id"] for r in json.loads(fk("forms", "list", "--json").output)])
    geoms = per_form_geometry(ws, ids)
    forms = forms_from_pdf(tmp_path / "f.pdf", geoms)
    wanted = []
    for k, (form, kind) in enumerate(zip(forms, ["tick", "cross", "slash"], strict=True)):
        vals = {"setting": "ward", "patient_type": "known", "complexity": "high", "overall": str(3 + k),
                "history_taking": "not_observed", "focus": ["history", "management"], "went_well": "present",
                "improve": None}
        form.answers = Answers(values=vals)
        wanted.append((form.form_id, vals, kind))
    rng = np.random.default_rng(5)
    for form, (_, _, kind) in zip(forms, wanted, strict=True):
        styles = Styles(pen_weights={"ballpoint_black": 1.0}, mark_weights={kind: 1.0}, favourite_share=1.0,
                        stray_marks=0.0)
        st = simulate_stack([form], "office300", rng, tmp_path / f"s-{form.form_id}", styles=styles, rotation=180)
        fk("scan", *map(str, st.files), expect=None)
    recs = {r["form_id"]: r for r in json.loads(fk("export", "--format", "json").output)}
    for fid, vals, kind in wanted:
        r = recs[fid]
        for field, v in vals.items():
            assert field not in r["review"], (kind, field, r["review_reasons"].get(field))
            got = r["values"][field]
            assert (sorted(got) if isinstance(got, list) else got) == (sorted(v) if isinstance(v, list) else v), \
                (kind, field)


# --------------------------------------------------------------------------- exports and reports (issue 4)
def _text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)


def test_exports_from_scanned_records(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import csv

    import openpyxl
    from fhir.resources.R4B.bundle import Bundle

    ws, fk, _stack, _ = office
    recs = {r["form_id"]: r for r in json.loads(fk("export", "--format", "json").output)}
    fk("export", "--format", "csv", "--out", str(tmp_path / "r.csv"))
    nb = list(csv.DictReader((tmp_path / "r-minicex-ntnu-nb.csv").open(encoding="utf-8-sig")))
    sv = list(csv.DictReader((tmp_path / "r-minicex-st-sv.csv").open(encoding="utf-8-sig")))
    assert len(nb) == 3 and len(sv) == 2
    head = list(nb[0])[:10]
    assert head == ["form_id", "layout", "layout_version", "trainee_id", "trainee_name", "encounter", "date",
                    "assessor", "planned_setting", "status"]
    for row in nb + sv:
        rec = recs[row["form_id"]]
        for fid in rec["review"]:
            col = f"{fid}_field" if f"{fid}_field" in row else fid
            assert row[col].startswith("?"), (fid, row[col])
        assert row["review_pending"] == ";".join(rec["review"]) or set(row["review_pending"].split(";")) == set(rec["review"])
    book = list(csv.DictReader((tmp_path / "r-minicex-st-sv-codebook.csv").open(encoding="utf-8-sig")))
    overall = next(b for b in book if b["column"] == "overall")
    assert overall["language"] == "sv" and "supervises" in overall["allowed_values"]
    fk("export", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert set(wb.sheetnames) == {"minicex-ntnu-nb", "minicex-st-sv", "Codebook"}
    assert wb["minicex-ntnu-nb"].max_row == 4
    fk("export", "--format", "fhir", "--out", str(tmp_path / "b.json"))
    bundle = Bundle.model_validate_json((tmp_path / "b.json").read_text(encoding="utf-8"))
    kinds = sorted(e.resource.get_resource_type() for e in bundle.entry)
    assert kinds.count("Questionnaire") == 2 and kinds.count("QuestionnaireResponse") == 5
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    for e in data["entry"]:
        r = e["resource"]
        if r["resourceType"] == "QuestionnaireResponse":
            assert r["subject"]["type"] == "Practitioner"
    # filters
    only = json.loads(fk("export", "--format", "json", "--trainee", "S001").output)
    assert {r["trainee_id"] for r in only} == {"S001"} and len(only) == 2
    res = fk("export", "--format", "csv", "--from", "2030-01-01", "--out", str(tmp_path / "none.csv"), expect=7)
    assert not (tmp_path / "none.csv").exists() and "Traceback" not in res.output
    fk("export", "--format", "csv", "--trainee", "NOBODY", "--out", str(tmp_path / "x.csv"), expect=7)
    fk("export", "--format", "xlsx", "--out", str(tmp_path / "missing" / "x.xlsx"), expect=6)
    fk("export", "--format", "json", "--from", "2026-13-01", expect=3)


def test_reports_from_scanned_records(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re

    _ws, fk, _stack, _ = office
    fk("report", "trainee", "S001", "--out", str(tmp_path / "s001.pdf"))
    t = _text(tmp_path / "s001.pdf")
    for s in ("Mini-CEX – samlet oversikt", "Tidslinje", "Dekning", "FORELØPIG", "Áile Ŋuvttis Čđŧ"):
        assert s in t, s
    fk("report", "trainee", "ST01", "--out", str(tmp_path / "st01.pdf"))
    sv = _text(tmp_path / "st01.pdf")
    assert "Åsa Öberg" in sv and "STb1" in sv
    # the report may say that no mean is ever computed; apart from that sentence, no averaging anywhere
    flat = re.sub(r"[^.]*aldrig fram\.", "", sv.replace("\n", " "))
    assert not re.search(r"(?i)medel|median|genomsnitt|snitt", flat), "levels must never be averaged"
    no_dates = re.sub(r"\d{4}-\d{2}-\d{2}|HSLF-FS 2021:8|SOSFS 2015:8", "", flat)
    assert not re.search(r"\d[.,]\d", no_dates), "no decimal number derived from levels"
    fk("report", "cohort", "--out", str(tmp_path / "cohort.pdf"))
    c = _text(tmp_path / "cohort.pdf")
    assert "S001" in c and "ST02" in c
    roster = tmp_path / "more.csv"
    roster.write_text("id,name\nZ9,Zara Ny\n", encoding="utf-8")
    fk("trainees", "import", str(roster))
    fk("report", "trainee", "Z9", "--out", str(tmp_path / "z9.pdf"))
    assert "Ingen" in _text(tmp_path / "z9.pdf") or "Inga" in _text(tmp_path / "z9.pdf")
    fk("report", "trainee", "NOBODY", "--out", str(tmp_path / "n.pdf"), expect=7)
    fk("report", "cohort", "--out", str(tmp_path / "nope" / "c.pdf"), expect=6)
    fk("report", "trainee", "S001", "--from", "2030-01-01", "--out", str(tmp_path / "later.pdf"))
    assert (tmp_path / "later.pdf").exists()
    rec = json.loads(fk("export", "--format", "json").output)[0]
    fk("report", "encounter", rec["form_id"], "--out", str(tmp_path / "enc.pdf"))
    assert rec["form_id"] in _text(tmp_path / "enc.pdf")
    # outstanding forms: everything came back; a new form is outstanding
    assert "No outstanding forms." in fk("forms", "list", "--outstanding").output
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--date", "2026-01-05", "--out",
       str(tmp_path / "new.pdf"))
    out = fk("forms", "list", "--outstanding").output
    assert "S002" in out and "overdue" in out


# --------------------------------------------------------------------------- every way a stack arrives
@pytest.mark.parametrize("profile, container, rotation", [
    ("bilevel", "g4_pdf", 90),
    ("bilevel", "jbig2_pdf", 0),
    ("bilevel", "jpeg_pdf", 0),  # a black-and-white mode saved as JPEG (scanning apps, some MFPs): not 1-bit any more
    ("bilevel200", "g4_pdf", 0),
    ("office200", "tiff", 270),
    ("dpi150", "png_dir", 180),
    ("phone", "jpeg_dir", None),
    ("rough", "jpeg_pdf", None),
])
def test_stack_formats_profiles_and_rotations(fk: Cli, tmp_path: Path, profile: str, container: str,
                                              rotation: int | None) -> None:
    fk("generate", "-l", "minicex-st-sv", "--trainee", "ST01", "--subgoals", "STb1;STa2", "--out",
       str(tmp_path / "f.pdf"))
    ws = fk.ws
    ids = _in_pdf_order(ws, [r["form_id"] for r in json.loads(fk("forms", "list", "--json").output)])
    forms = forms_from_pdf(tmp_path / "f.pdf", per_form_geometry(ws, ids))
    st = simulate_stack(forms, profile, np.random.default_rng(3), tmp_path / "stack", container=container,
                        rotation=rotation, blank_backs=container == "tiff")
    said = fk("scan", str(tmp_path / "stack"), expect=None).output
    # a black-and-white scanner loses pencil without a trace: the clerk is told to scan in grey; saved as JPEG the
    # page is grey again, its paper still clipped to white: told too
    bw = profile.startswith("bilevel")
    assert ("scanned in black and white" in said) == (bw and container != "jpeg_pdf"), said
    assert ("paper turned pure white" in said) == (bw and container == "jpeg_pdf"), said
    acc = compare(ws, st.truth, st.truth_path.parent)
    assert acc.pages_lost == 0 and acc.forms_identified == 1, acc.lines()
    assert acc.page_mismatches == [], acc.page_mismatches
    assert acc.silent_errors == [], acc.silent_errors


def test_a_note_on_the_back_of_a_sheet_goes_to_a_person(tmp_path: Path) -> None:
    """Backs with a note written on them are `unidentified` (with where they sit), the empty ones `blank`."""
    ws, fk, stack, res = _ward(tmp_path, seed=3, blank_backs=True, back_notes=0.6)
    notes = [p for p in stack.truth["pages"] if p["state"] == "unidentified"]
    assert len(notes) >= 2 and any(p["state"] == "blank" for p in stack.truth["pages"])
    acc = compare(ws, stack.truth, stack.truth_path.parent)
    assert acc.page_mismatches == [] and acc.pages_lost == 0 and acc.silent_errors == []
    assert res.exit_code == 10  # a person must look
    pages = json.loads(fk("pages", "--json").output)
    unknown = [p for p in pages if p["state"] == "unidentified"]
    assert len(unknown) == len(notes)
    for p in unknown:
        # the front's QR code seen mirrored through a back (it reads on some form ids) says so instead:
        # `show_through`, which asks a person to look for writing on the page just the same
        assert p["reason"].startswith(("writing_no_code:", "show_through:")), p
        before = next(q for q in pages if q["source_file"] == p["source_file"] and q["page_index"] == p["page_index"] - 1)
        assert f"follows page {before['page_no']} of form {before['form_id']}" in p["reason"]
    listed = json.loads(fk("review", "list", "--json").output)["pages"]
    assert {p["page_id"] for p in unknown} <= {p["page_id"] for p in listed}
    # a person reads the note with its form and sets the page aside: off the list, image kept
    p = unknown[0]
    form_id = p["reason"].split(" of form ")[1].split(" ")[0]
    status = ws.store.form(form_id)["status"]
    fk("pages", "set-aside", str(p["page_id"]), "--form", form_id, "--reason", "note on the back, read")
    row = next(q for q in json.loads(fk("pages", "--json").output) if q["page_id"] == p["page_id"])
    assert row["state"] == "rejected" and row["reason"].startswith("set_aside: note on the back, read (by ")
    assert row["form_id"] == form_id and row["page_no"] is None and row["image"] == p["image"]
    assert p["page_id"] not in {q["page_id"] for q in json.loads(fk("review", "list", "--json").output)["pages"]}
    assert ws.store.form(form_id)["status"] == status
    # the export carries the note with its form (its image, the person's words), and only there
    records = {r["form_id"]: r for r in json.loads(fk("export", "--format", "json").output)}
    assert records[form_id]["attachments"] == [{"page_id": p["page_id"], "image": p["image"],
                                                "note": "note on the back, read"}]
    assert all(r["attachments"] == [] for k, r in records.items() if k != form_id)
    again = fk("pages", "set-aside", str(p["page_id"]), "--reason", "twice", expect=None)
    assert again.exit_code != 0 and "not unidentified" in again.output


def test_a_form_seen_through_the_back_of_its_sheet_is_not_read_as_that_form(fk, tmp_path: Path) -> None:
    """The mirrored page (as a 1-bit scan can make of the show-through on a back) goes to a person; the form
    page itself, scanned after it, is read as the form's page, not as a duplicate of the ghost."""
    from PIL import Image

    from formkit.simulate.render import rasterise_pdf

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "1", "--out", str(tmp_path / "f.pdf"))
    page = rasterise_pdf(tmp_path / "f.pdf", 200, pages=[0])[0]
    Image.fromarray(np.ascontiguousarray(page[:, ::-1])).save(tmp_path / "a-back.png", dpi=(200, 200))
    Image.fromarray(page).save(tmp_path / "b-front.png", dpi=(200, 200))
    fk("scan", str(tmp_path / "a-back.png"), str(tmp_path / "b-front.png"), expect=None)
    pages = {p["source_file"]: p for p in json.loads(fk("pages", "--json").output)}
    assert pages["a-back.png"]["state"] == "unidentified" and pages["a-back.png"]["form_id"] is None
    assert pages["a-back.png"]["reason"].startswith("show_through:")
    assert pages["b-front.png"]["state"] in ("recognised", "needs_review") and pages["b-front.png"]["page_no"] == 1


def test_a_dash_struck_through_an_options_label_goes_to_review(fk: Cli, tmp_path: Path) -> None:
    """The answer struck through its label instead of ticked in its box: the reader is given the page's print
    as designed (rendered from the stored layout) and sees the pen between and past the letters."""
    import cv2
    import pypdfium2 as pdfium

    from scanner.beside import label_of

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--out", str(tmp_path / "f.pdf"))
    form_id = json.loads(fk("forms", "list", "--json").output)[0]["form_id"]
    geom = json.loads(fk("forms", "show", form_id, "--json").output)
    page = pdfium.PdfDocument(str(tmp_path / "f.pdf"))[0].render(scale=300 / 72, grayscale=True).to_numpy()
    img = np.ascontiguousarray(page[:, :, 0] if page.ndim == 3 else page)
    printed = [p["rect_mm"] for p in geom["printed_text"] if p["page"] == 1]
    field = next(f for f in geom["fields"] if f["id"] == "feedback_minutes")
    x, y, w, h = label_of(next(o for o in field["options"] if o["value"] == "6-10")["rect_mm"], printed)
    px = 300 / 25.4
    cv2.line(img, (round((x - 0.8) * px), round((y + 0.55 * h) * px)), (round((x + w + 0.6) * px),
             round((y + 0.5 * h) * px)), 30, round(0.4 * px), cv2.LINE_AA)
    cv2.imwrite(str(tmp_path / "scan.png"), img)
    fk("scan", str(tmp_path / "scan.png"), expect=None)
    rec = json.loads(fk("export", "--format", "json").output)[0]
    assert rec["values"]["feedback_minutes"] is None
    assert rec["review_reasons"]["feedback_minutes"] == "ink_beside_boxes"
    # (the rest of this unfilled, pure-white page is doubted as a page whose pen may have vanished)
    assert rec["review_reasons"]["observation_minutes"] == "mostly_blank_page"


def test_loops_round_the_first_boxes_of_the_rows_above_and_below_are_not_this_rows_ring(fk: Cli, tmp_path: Path) -> None:
    """Rating rows sit ~8 mm apart: loops drawn round box 1 of the rows above and below reach into the ring of box 1
    between them, and two such arcs made that empty box a maybe-circled one - its row, ticked plainly elsewhere,
    went to a person (the ward's office stacks). Measured again with those boxes grown by their loops, it is empty."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--out", str(tmp_path / "f.pdf"))
    ws = fk.ws
    ids = [r["form_id"] for r in json.loads(fk("forms", "list", "--json").output)]
    (form,) = forms_from_pdf(tmp_path / "f.pdf", per_form_geometry(ws, ids))
    vals = {"history_taking": "1", "physical_exam": "6", "professionalism": "1", "overall": "5"}
    form.answers = Answers(values=vals)
    styles = Styles(pen_weights={"ballpoint_black": 1.0}, mark_weights={"circle": 1.0}, favourite_share=1.0,
                    stray_marks=0.0)
    st = simulate_stack([form], "office300", np.random.default_rng(3), tmp_path / "s", styles=styles)
    fk("scan", *map(str, st.files), expect=None)
    (rec,) = json.loads(fk("export", "--format", "json").output)
    reading = json.loads(sqlite3.connect(ws.db_path).execute(
        "SELECT reading_json FROM pages WHERE form_id=? AND page_no=1", (ids[0],)).fetchone()[0])
    first = reading["fields"]["physical_exam"]["boxes"][0]
    assert first["why"] == "ring_is_neighbours_loop", first  # the other rows' loops did reach into its ring
    assert "physical_exam" not in rec["review"] and rec["values"]["physical_exam"] == "6", rec["review_reasons"]
