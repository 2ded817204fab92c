"""simulate_stack end to end: the truth JSON matches the files, pages and marks."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from formkit.simulate.fill import Answers, Styles
from formkit.simulate.ward import FormToFill, simulate_stack

from .conftest import DPI, draw_page


def _forms(geometry: dict, ids: list[str]) -> list[FormToFill]:
    return [
        FormToFill(fid, geometry["fields"], pages=[draw_page(geometry, p, fid) for p in (1, 2)], dpi=DPI)
        for fid in ids
    ]


def _pdf_pages(path: Path) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(path)
    out = [
        np.squeeze(next(iter(doc[i].get_objects())).get_bitmap(render=False).to_numpy())
        for i in range(len(doc))
    ]
    doc.close()
    return out


def _qr_form_id(img: np.ndarray) -> str | None:
    codes = [c for c in zxingcpp.read_barcodes(img) if c.text.startswith("FK1/")]
    return codes[0].text.split("/")[3] if codes else None


def test_stack_truth_matches_pages(geometry: dict, tmp_path: Path) -> None:
    forms = _forms(geometry, ["AAAA-1111", "BBBB-2222"])
    stack = simulate_stack(
        forms,
        "dpi150",
        np.random.default_rng(7),
        tmp_path,
        blank_backs=True,
        foreign_pages=1,
        duplicates=1,
        shuffle=True,
        answer_options={"cancel_share": 0.3},
    )
    truth = json.loads(stack.truth_path.read_text())
    assert truth == json.loads(json.dumps(stack.truth))
    pages = truth["pages"]
    states = [p["state"] for p in pages]
    assert len(pages) == 4 + 4 + 1 + 1
    assert states.count("recognised") == 4 and states.count("blank") == 4
    assert states.count("unidentified") == 1 and states.count("duplicate") == 1
    first = {}
    for p in pages:
        if p["form_id"]:
            key = (p["form_id"], p["page_no"])
            assert p["state"] == ("duplicate" if key in first else "recognised")
            first.setdefault(key, p["index"])
    # the pixels in the file agree with the truth about each page
    images = _pdf_pages(tmp_path / truth["files"][0])
    assert len(images) == len(pages)
    for p, img in zip(pages, images, strict=True):
        assert p["file_page"] == p["index"]
        assert _qr_form_id(img) == p["form_id"]
        if p["state"] == "blank":
            assert np.percentile(img, 1) > 180
    for fid in ("AAAA-1111", "BBBB-2222"):
        t = truth["forms"][fid]
        assert set(t["values"]) == {f["id"] for f in geometry["fields"]}
        assert t["expected"] == t["values"]  # grey scans: every mark is visible
        drawn = sorted((m["field_id"], m["value"]) for m in t["marks"] if m["role"] == "answer")
        want = sorted(
            (k, x)
            for k, v in t["values"].items()
            if v not in (None, "present")
            for x in ([v] if isinstance(v, str) else v)
        )
        assert drawn == want


def test_bilevel_truth_says_which_marks_vanished(geometry: dict, tmp_path: Path) -> None:
    answers = Answers(
        values={
            "setting": "ward",
            "patient_type": None,
            "focus": ["history"],
            "problem": "present",
            "history_taking": "3",
            "physical_exam": "4",
            "overall": "5",
            "went_well": None,
            "improve": None,
        }
    )
    form = _forms(geometry, ["CCCC-3333"])[0]
    form.answers = answers
    faint = Styles(pen_weights={"faint_pencil": 1.0}, mark_weights={"slash": 1.0})
    stack = simulate_stack(
        [form], "bilevel", np.random.default_rng(1), tmp_path, container="g4_pdf", styles=faint, rotation=0
    )
    t = stack.truth["forms"]["CCCC-3333"]
    assert t["values"]["setting"] == "ward"
    hidden = [m for m in t["marks"] if not m["visible"] and m["role"] != "stray"]
    assert hidden, "faint pencil slashes should not survive a 1-bit scan"
    for m in hidden:
        v = t["expected"][m["field_id"]]
        assert v is None or v == [] or (isinstance(v, list) and m["value"] not in v)


def test_dithered_truth_keeps_dotted_pencil_visible(geometry: dict, tmp_path: Path) -> None:
    """A halftone scan keeps a pencil slash as dots a person sees: the truth must not call it gone."""
    form = _forms(geometry, ["EEEE-5555"])[0]
    form.answers = Answers(values={"setting": "ward", "patient_type": None, "focus": ["history"], "problem": None,
                                   "history_taking": "3", "physical_exam": "4", "overall": "5",
                                   "went_well": None, "improve": None})
    pencil = Styles(pen_weights={"pencil": 1.0}, mark_weights={"slash": 1.0})
    stack = simulate_stack([form], "dither", np.random.default_rng(1), tmp_path, container="g4_pdf",
                           styles=pencil, rotation=0)
    t = stack.truth["forms"]["EEEE-5555"]
    answers = [m for m in t["marks"] if m["role"] == "answer"]
    assert answers and all(m["visible"] for m in answers)
    assert t["expected"]["setting"] == "ward"


def test_same_seed_same_stack(geometry: dict, tmp_path: Path) -> None:
    forms = _forms(geometry, ["DDDD-4444"])
    a = simulate_stack(forms, "office200", np.random.default_rng(3), tmp_path / "a", container="png_dir")
    b = simulate_stack(forms, "office200", np.random.default_rng(3), tmp_path / "b", container="png_dir")
    assert a.truth == b.truth
    assert all(
        (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
        for f in {p["file"] for p in a.truth["pages"]}
    )


CONTAINER_FOR = {
    "office300": "jpeg_pdf",
    "colour300": "jpeg_pdf",
    "office200": "tiff",
    "bilevel": "jbig2_pdf",
    "dpi150": "png_dir",
    "rough": "g4_pdf",
    "phone": "jpeg_dir",
}


def _read_back(path: Path, index: int) -> np.ndarray:
    if path.suffix == ".pdf":
        return _pdf_pages(path)[index]
    if path.suffix == ".tif":
        return cv2.imreadmulti(str(path), flags=cv2.IMREAD_GRAYSCALE)[1][index]
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("profile", sorted(CONTAINER_FOR))
def test_every_profile_and_container_gives_readable_pages(
    profile: str, geometry: dict, tmp_path: Path
) -> None:
    form = _forms(geometry, ["EEEE-5555"])[0]
    form.pages = form.pages[:1]
    stack = simulate_stack(
        [form], profile, np.random.default_rng(0), tmp_path, container=CONTAINER_FOR[profile], foreign_pages=1
    )
    assert len(stack.truth["pages"]) == 2
    for p in stack.truth["pages"]:
        img = _read_back(tmp_path / p["file"], p["file_page"])
        assert _qr_form_id(img) == p["form_id"], (profile, p)


def _truth_in_one_pen(geometry: dict, out: Path, answers: dict, pen: str, profile: str, container: str) -> dict:
    """The truth of one form answered in one pen and scanned with `profile` (seed 3, upright)."""
    form = _forms(geometry, ["FFFF-6666"])[0]
    form.answers = Answers(values=dict(answers))
    stack = simulate_stack([form], profile, np.random.default_rng(3), out, container=container,
                           styles=Styles(pen_weights={pen: 1.0}), rotation=0)
    return stack.truth["forms"]["FFFF-6666"]


def test_one_bit_truth_at_150_dpi_is_what_the_scan_shows(geometry: dict, tmp_path: Path) -> None:
    """At 150 dpi the scanner's blur thins a stroke before its threshold: the truth judges each mark on the
    scan itself (against the same scan of the unfilled page), not on the page at the render resolution.
    Seed 3 scans at a fixed cut of 155: the setting and focus pencil ticks pass it at the render resolution
    but leave < 1 mm2 of black in the scan - not expected to be read; a felt tip's marks all come through."""
    answers = {"setting": "ward", "patient_type": None, "focus": ["history"], "problem": "present",
               "history_taking": "3", "physical_exam": "4", "overall": "5", "went_well": "present", "improve": None}
    hidden = {}
    for pen in ("felt_tip", "pencil"):
        t = _truth_in_one_pen(geometry, tmp_path / pen, answers, pen, "bilevel150", "g4_pdf")
        hidden[pen] = {m["field_id"] for m in t["marks"] if not m["visible"] and m["role"] != "stray"}
        assert all(t["expected"][f] in (None, []) for f in hidden[pen] if f in ("setting", "focus"))
    assert hidden["felt_tip"] == set() and {"setting", "focus"} <= hidden["pencil"]


def test_grey_truth_hides_only_a_mark_the_scan_kept_no_trace_of(geometry: dict, tmp_path: Path, monkeypatch) -> None:
    """A grey scan's truth asks the scan itself, against the same scan of the unfilled page (as a 1-bit scan's
    does): a mark the scan kept no trace of is not an answer anyone could read. A pen that leaves nothing is
    hidden; a ballpoint's marks all stay."""
    from formkit.simulate.marks import PENS, Pen

    monkeypatch.setitem(PENS, "ghost", Pen("ghost", (252, 252, 252), (0.2, 0.25), (0.2, 0.3), 0.5))
    answers = {"setting": "ward", "patient_type": None, "focus": ["history"], "problem": None,
               "history_taking": "3", "physical_exam": "4", "overall": "5", "went_well": None, "improve": None}
    seen = {}
    for pen in ("ballpoint_black", "ghost"):
        t = _truth_in_one_pen(geometry, tmp_path / pen, answers, pen, "dpi150", "jpeg_pdf")
        seen[pen] = [m["visible"] for m in t["marks"] if m["role"] == "answer"]
        if pen == "ghost":
            assert t["expected"]["setting"] is None and t["expected"]["focus"] == []
    assert seen["ballpoint_black"] and all(seen["ballpoint_black"])
    assert seen["ghost"] and not any(seen["ghost"])


def test_grey_truth_hides_a_mark_that_only_makes_the_print_bolder() -> None:
    """Another hand's pencil "1" over the "1" of "<=10", a dot in the "y" of "Ny": on a 150-dpi scan all the mark
    left lay on the letters, and no reader tells it from print. A pale stroke on the paper beside them stays."""
    from formkit.simulate.effects import Scan
    from formkit.simulate.fill import DrawnMark
    from formkit.simulate.ward import _visible_grey

    clean = np.full((300, 300), 240, np.uint8)
    clean[100:112, 50:250] = 40  # a printed stroke
    eye = np.eye(3).tolist()
    mark = DrawnMark("f", "a", "answer", "label_circle", "pencil", (50.0, 95.0, 250.0, 160.0))
    on_print = clean.copy()
    on_print[99:113, 60:200] = np.minimum(on_print[99:113, 60:200], 25)  # darker letters, a pixel of fringe
    beside = clean.copy()
    beside[140:143, 60:200] = 215  # a pale pencil line, 25 levels, on the paper
    scan = lambda img: Scan(img, 300.0, {"matrix": eye})  # noqa: E731
    assert not _visible_grey(mark, scan(on_print), scan(clean), 300.0)
    assert _visible_grey(mark, scan(beside), scan(clean), 300.0)
