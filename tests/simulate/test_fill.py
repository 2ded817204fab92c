"""Truth drawing and page filling: the truth must match what ends up on the page."""

from __future__ import annotations

import numpy as np

from formkit.simulate.fill import Answers, Styles, fill_page, page_fields, random_answers
from formkit.simulate.render import rect_mm_to_px

from .conftest import DPI

SOLID = Styles(
    pen_weights={"ballpoint_black": 1, "ballpoint_blue": 1, "gel_blue_light": 1},
    mark_weights={"tick": 1, "cross": 1, "slash": 1},
)


def _box_ink(img: np.ndarray, rect_mm: list[float], shrink: float = 0.15) -> float:
    """Dark-pixel share inside the box, excluding its printed outline (box shrunk to 70 %)."""
    x0, y0, x1, y1 = rect_mm_to_px(rect_mm, DPI)
    dx, dy = shrink * (x1 - x0), shrink * (y1 - y0)
    g = img if img.ndim == 2 else img.mean(axis=2)
    return float((g[int(y0 + dx) : int(y1 - dy), int(x0 + dx) : int(x1 - dx)] < 170).mean())


def test_random_answers_are_valid(geometry: dict) -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        a = random_answers(geometry["fields"], rng, cancel_share=0.3)
        for f in geometry["fields"]:
            v = a.values[f["id"]]
            if f["kind"] == "text":
                assert v in ("present", None)
                continue
            opts = [o["value"] for o in f["options"]]
            if f["kind"] == "single":
                assert v is None or v in opts
            else:
                assert isinstance(v, list) and len(v) <= 3 and set(v) <= set(opts)
            chosen = [v] if isinstance(v, str) else (v or [])
            for c in a.cancelled.get(f["id"], []):
                assert c in opts and c not in chosen  # a cancelled box is never the value


def test_random_answers_mix() -> None:
    fields = [
        {"id": f"q{i}", "kind": "single", "required": False, "options": [{"value": "a"}, {"value": "b"}]}
        for i in range(400)
    ]
    a = random_answers(fields, np.random.default_rng(1), blank_optional=0.2, cancel_share=0.1)
    blanks = sum(v is None for v in a.values.values())
    assert 40 < blanks < 130
    assert 15 < len(a.cancelled) < 70


def test_filled_page_matches_truth(geometry: dict, pages: list[np.ndarray]) -> None:
    rng = np.random.default_rng(11)
    fields = page_fields(geometry["fields"], 1)
    for _ in range(3):
        answers = random_answers(geometry["fields"], rng, cancel_share=0.4)
        img = fill_page(pages[0], DPI, fields, answers, rng, SOLID)
        for f in fields:
            if f["kind"] == "text":
                continue
            v = answers.values[f["id"]]
            chosen = {v} if isinstance(v, str) else set(v or [])
            cancelled = set(answers.cancelled.get(f["id"], []))
            for o in f["options"]:
                ink = _box_ink(img, o["rect_mm"])
                if o["value"] in cancelled:
                    assert ink > 0.45, (f["id"], o["value"], ink)
                elif o["value"] in chosen:
                    assert 0.03 < ink < 0.6, (f["id"], o["value"], ink)
                else:
                    assert ink < 0.01, (f["id"], o["value"], ink)


def test_text_present_means_writing(geometry: dict, pages: list[np.ndarray]) -> None:
    rng = np.random.default_rng(2)
    fields = page_fields(geometry["fields"], 2)
    answers = Answers(values={"went_well": "present", "improve": None})
    img = fill_page(pages[1], DPI, fields, answers, rng, SOLID)
    assert _box_ink(img, fields[0]["rect_mm"], 0.02) > 0.01
    assert _box_ink(img, fields[1]["rect_mm"], 0.02) == 0.0


def test_fill_page_is_deterministic_and_does_not_modify_input(
    geometry: dict, pages: list[np.ndarray]
) -> None:
    fields = page_fields(geometry["fields"], 1)
    before = pages[0].copy()
    answers = random_answers(geometry["fields"], np.random.default_rng(3))
    a = fill_page(pages[0], DPI, fields, answers, np.random.default_rng(4))
    b = fill_page(pages[0], DPI, fields, answers, np.random.default_rng(4))
    assert np.array_equal(a, b)
    assert np.array_equal(pages[0], before)
    assert not np.array_equal(a, before)


def test_log_records_every_drawn_mark(geometry: dict, pages: list[np.ndarray]) -> None:
    fields = page_fields(geometry["fields"], 1)
    answers = random_answers(geometry["fields"], np.random.default_rng(5), cancel_share=0.5)
    log: list = []
    fill_page(pages[0], DPI, fields, answers, np.random.default_rng(6), log=log)
    answered = sorted((m.field_id, m.value) for m in log if m.role == "answer")
    expected = []
    for f in fields:
        v = answers.values[f["id"]]
        if f["kind"] != "text":
            expected += [(f["id"], x) for x in ([v] if isinstance(v, str) else (v or []))]
    assert answered == sorted(expected)
    assert sorted((m.field_id, m.value) for m in log if m.role in ("cancelled", "erased")) == sorted(
        (k, x) for k, xs in answers.cancelled.items() for x in xs
    )


def test_stray_marks_keep_clear_of_every_box(geometry: dict, pages: list[np.ndarray]) -> None:
    fields = page_fields(geometry["fields"], 1)
    answers = Answers(values={f["id"]: None for f in geometry["fields"]})
    styles = Styles(stray_marks=1.0)
    strays = 0
    for seed in range(6):
        log: list = []
        img = fill_page(pages[0], DPI, fields, answers, np.random.default_rng(seed), styles, log=log)
        strays += len(log)
        assert all(m.role == "stray" for m in log)
        for f in fields:  # nothing answered: every box and text frame (+3 mm) is as printed
            for r in [o["rect_mm"] for o in f.get("options", [])] + (
                [f["rect_mm"]] if "rect_mm" in f else []
            ):
                x0, y0, x1, y1 = (
                    round(v) for v in rect_mm_to_px([r[0] - 3, r[1] - 3, r[2] + 6, r[3] + 6], DPI)
                )
                assert np.array_equal(img[y0:y1, x0:x1], pages[0][y0:y1, x0:x1]), (seed, f["id"])
    assert strays >= 6


def test_pencil_corrections_are_rubbed_out_leaving_a_ghost(geometry: dict, pages: list[np.ndarray]) -> None:
    fields = page_fields(geometry["fields"], 1)
    answers = Answers(values={"setting": "ward"}, cancelled={"setting": ["outpatient"]})
    styles = Styles(
        pen_weights={"pencil": 1.0}, mark_weights={"cross": 1.0}, pencil_erase_share=1.0, stray_marks=0.0
    )
    log: list = []
    img = fill_page(pages[0], DPI, fields, answers, np.random.default_rng(0), styles, log=log)
    assert [m.role for m in log] == ["erased", "answer"]
    setting = next(f for f in fields if f["id"] == "setting")
    rects = {o["value"]: o["rect_mm"] for o in setting["options"]}
    assert _box_ink(img, rects["outpatient"]) < 0.01  # no longer a mark...
    x0, y0, x1, y1 = (round(v) for v in rect_mm_to_px(rects["outpatient"], DPI))
    ghost = img[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4].astype(float)
    assert ghost.min() < 250  # ...but not clean paper either
    assert _box_ink(img, rects["ward"]) > 0.03


def test_answers_marked_beside_their_boxes_leave_the_boxes_empty(geometry: dict, pages: list[np.ndarray]) -> None:
    """`beside_marks`: the label circled or underlined, or a tick next to the box - never ink inside a box."""
    fields = [f for f in page_fields(geometry["fields"], 1) if f["kind"] in ("single", "multi")]
    styles = Styles(pen_weights={"ballpoint_black": 1}, beside_marks=1.0, stray_marks=0.0, max_overshoot_mm=0.0)
    kinds: set[str] = set()
    for seed in range(6):
        rng = np.random.default_rng(seed)
        answers = random_answers(geometry["fields"], rng, blank_optional=0.0, blank_required=0.0, cancel_share=0.0)
        log: list = []
        img = fill_page(pages[0], DPI, fields, answers, rng, styles, log=log)
        beside = [m for m in log if m.kind in ("label_circle", "label_underline", "tick_beside")]
        kinds |= {m.kind for m in beside}
        # (an answer with no label and no free space beside its box is marked in the box after all)
        assert beside
        rects = {(f["id"], o["value"]): o["rect_mm"] for f in fields for o in f["options"]}
        for m in beside:
            r = rects[(m.field_id, m.value)]
            assert _box_ink(img, r) == _box_ink(pages[0], r), (seed, m)
    assert len(kinds) >= 2
