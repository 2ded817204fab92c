"""The ward on forms made by the real generator (`formkit generate`), through the CLI fixture."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import zxingcpp

from formkit.simulate.effects import map_points
from formkit.simulate.fill import Styles
from formkit.simulate.render import rect_mm_to_px
from formkit.simulate.ward import forms_from_pdf, simulate_stack

BALLPOINTS = Styles(
    pen_weights={"ballpoint_black": 1, "ballpoint_blue": 1}, mark_weights={"tick": 1, "cross": 1, "slash": 1}
)


def _box_ink(scan_img: np.ndarray, matrix: list, rect_mm: list[float], dpi: float) -> float:
    x0, y0, x1, y1 = rect_mm_to_px(rect_mm, dpi)
    dx, dy = 0.22 * (x1 - x0), 0.22 * (y1 - y0)
    q = map_points(matrix, np.array([[x0 + dx, y0 + dy], [x1 - dx, y1 - dy]]))
    (xa, ya), (xb, yb) = np.sort(q, axis=0).astype(int)
    g = scan_img if scan_img.ndim == 2 else scan_img.mean(axis=2)
    return float((g[ya:yb, xa:xb] < 150).mean())


def test_fill_and_scan_generated_forms(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "trainee_id,setting,assessor,date,subgoals\nST01,Bröstsmärta,Dr Berg,2026-12-01,STb1;STa4\n",
        encoding="utf-8",
    )
    fk("generate", "--layout", "minicex-st-sv", "--plan", str(plan), "--out", str(tmp_path / "sv.pdf"))
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "nb.pdf"))
    rows = json.loads(fk("forms", "list", "--json").output)
    geoms = {r["form_id"]: json.loads(fk("forms", "show", r["form_id"], "--json").output) for r in rows}
    sv = [g for g in geoms.values() if g["layout"] == "minicex-st-sv"]
    nb = [g for g in geoms.values() if g["layout"] == "minicex-ntnu-nb"]
    forms = forms_from_pdf(tmp_path / "sv.pdf", sv) + forms_from_pdf(tmp_path / "nb.pdf", nb)
    assert [len(f.page_indices or []) for f in forms] == [2, 1]

    stack = simulate_stack(
        forms,
        "dpi150",
        np.random.default_rng(4),
        tmp_path / "out",
        styles=BALLPOINTS,
        rotation=0,
        keep_scans=True,
        answer_options={"cancel_share": 0.2, "text_present": 0.9},
    )
    truth = stack.truth
    sv_id, nb_id = sv[0]["form_id"], nb[0]["form_id"]
    # plan values printed into text frames are recognised as print, not handwriting
    assert {"assessor", "date", "clinical_context"} <= set(truth["forms"][sv_id]["preprinted"])
    assert truth["forms"][nb_id]["preprinted"] == []
    # bound sub-goal slots carry their codes
    sub = truth["forms"][sv_id]["values"]["subgoals"]
    assert set(sub) <= {"STb1", "STa4"}

    for page, scan in zip(truth["pages"], stack.scans, strict=True):
        codes = [c.text for c in zxingcpp.read_barcodes(scan.image) if c.text.startswith("FK1/")]
        assert len(codes) == 1 and codes[0].split("/")[3] == page["form_id"]
        t = truth["forms"][page["form_id"]]
        geom = geoms[page["form_id"]]
        for f in geom["fields"]:
            if f["page"] != page["page_no"] or f["kind"] == "text":
                continue
            v = t["values"][f["id"]]
            chosen = {v} if isinstance(v, str) else set(v or [])
            cancelled = set(t["cancelled"].get(f["id"], []))
            for o in f["options"]:
                ink = _box_ink(scan.image, page["meta"]["matrix"], o["rect_mm"], truth["render_dpi"])
                if o["value"] in cancelled:
                    assert ink > 0.4, (f["id"], o["value"], ink)
                elif o["value"] in chosen:
                    assert ink > 0.03, (f["id"], o["value"], ink)
                else:
                    assert ink < 0.02, (f["id"], o["value"], ink)
