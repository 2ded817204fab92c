"""A faint writer's empty boxes: trusted where nothing at all is there, doubted where a faint pen may be.

On a page written in faint pencil an empty optional row, or an empty box in a multiple-choice row,
used to go to a person always (`faint_writer`): a faint mark there might have vanished. Where the box
and its ring show nothing a third as dark as the writer's faintest mark, the row now stands; a faint
loop round a box in a shaded row, which the ring's own measures miss, keeps the row for a person
(`measure.ring_darkest`, looked at only for such boxes).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import scanner

FAINT = (226, 226, 226)  # faint pencil: ~0.11 dark on white paper


def _faint_page(synth, blank_form):  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    page.mark("cross", synth.option_rect("setting", "ward"), FAINT, 0.35)
    page.mark("tick", synth.option_rect("rating", "6"), FAINT, 0.35)
    page.mark("cross", synth.option_rect("focus", "history"), FAINT, 0.35)
    return page


def _scan(page, synth, noise: float = 2.0):  # type: ignore[no-untyped-def]
    # paper ~245 with grain, as a grey scan gives it (white paper with no noise is a whitened scan)
    img = synth.jpeg(synth.noise((page.grey() * 0.96).astype(np.uint8), noise), 85)
    loc = scanner.locate(img, synth.FURNITURE)
    return scanner.read(img, loc, synth.GEOMETRY["fields"], page.printed)


def test_quiet_empty_boxes_of_a_faint_writer_vouch_for_themselves(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """A clean scan of a faint-pencil page: the multiple-choice row with one cross and the empty
    optional row stand (they went to a person before); each empty box has its ring looked at."""
    out = _scan(_faint_page(synth, blank_form), synth)
    assert 0 < out.faint_writer < 0.18
    focus, optional = out.fields["focus"], out.fields["optional"]
    assert (focus.value, focus.status) == (["history"], "accepted"), focus.to_dict()
    assert (optional.value, optional.status) == (None, "accepted"), optional.to_dict()
    for b in optional.boxes:
        assert 0 <= b.measures["ring_peak"] < 0.04 and 0 <= b.measures["peak"] < 0.04


def _shaded_row_box(loop_dark: float, seed: int = 0, dpi: float = 200):  # type: ignore[no-untyped-def]
    """A 5 mm box in a printed grey row (0.07 dark, 9 mm tall: half the ring is shaded, half not), with
    a thin faint loop of `loop_dark` drawn round it, scanned at `dpi` (blur, grain). The office 200 dpi
    faint-pencil stress run had such a loop (professionalism '6')."""
    s = dpi / 25.4
    side = int(40 * s)
    img = np.full((side, side), 246.0)
    img[int(15.5 * s):int(24.5 * s), :] = 229.0
    if loop_dark:
        over = np.zeros((side * 4, side * 4), np.uint8)
        cv2.ellipse(over, (int(80 * s), int(80 * s)), (int(18.4 * s), int(17.6 * s)), 10, 0, 350, 255,
                    max(1, int(1.2 * s)), cv2.LINE_AA)
        img *= 1 - loop_dark * cv2.resize(over, (side, side), interpolation=cv2.INTER_AREA) / 255.0
    cv2.rectangle(img, (int(17.5 * s), int(17.5 * s)), (int(22.5 * s), int(22.5 * s)), 60.0, max(1, int(0.35 * s)))
    img = cv2.GaussianBlur(img, (0, 0), 0.7) + np.random.default_rng(seed).normal(0, 2.0, img.shape)
    H = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1.0]])
    return np.clip(img, 0, 255).astype(np.uint8), H, [17.5, 17.5, 5.0, 5.0]


@pytest.mark.parametrize("loop_dark", [0.06, 0.08, 0.10])
def test_the_ring_look_sees_a_faint_loop_the_rings_measures_miss(loop_dark: float) -> None:
    """Half the ring shaded: its noise estimate is the step between the two papers, the ink threshold
    rises above the loop, and the thin-stroke hint leaves the shaded area out. Against the paper right
    around it the loop stands out: several times the darkness of the same ring without it."""
    from scanner.measure import measure_box, ring_darkest

    img, H, rect = _shaded_row_box(loop_dark)
    m = measure_box(img, H, rect)
    assert (m.ring_sectors, m.coverage, m.faint) == (0, 0.0, 0.0)  # the ring's own measures: nothing
    bare, H0, _ = _shaded_row_box(0.0)
    quiet = ring_darkest(bare, H0, rect, [], measure_box(bare, H0, rect).snap_mm)
    seen = ring_darkest(img, H, rect, [], m.snap_mm)
    assert quiet < 0.02 and seen > 0.6 * loop_dark and seen > 3 * quiet


def _box(peak: float = 0.01, **kw):  # type: ignore[no-untyped-def]
    from scanner.decide import BoxDecision

    m = {"coverage": 0.0, "faint": 0.0, "faint_smooth": 0.0, "peak": peak, "ring_sectors": 0} | kw
    return BoxDecision("a", "empty", 0.9, "no_ink", m)


@pytest.mark.parametrize("faintest,peak,ring,extra,quiet", [
    (0.11, 0.01, 0.01, {}, True),
    (0.11, 0.01, 0.05, {}, False),  # a faint loop round the box (the ring look above)
    (0.11, 0.05, 0.01, {}, False),  # something in the box, half as dark as the writer's faintest mark
    (0.11, 0.01, 0.01, {"faint": 0.01}, False),  # a faint trace inside
    (0.11, 0.01, 0.01, {"ring_sectors": 3}, False),  # strokes round it at the ink threshold
    (0.11, -1.0, 0.01, {}, False),  # not measured: never vouches
    (0.0, 0.01, 0.01, {}, False),  # a mark too faint to measure on the page (or a 1-bit page)
])
def test_an_empty_box_vouches_for_itself_only_when_nothing_is_there(faintest, peak, ring, extra, quiet) -> None:  # type: ignore[no-untyped-def]
    """The ring look costs a warp and a median filter: it is taken last, only for a box that passed the rest."""
    from scanner.writer import quiet_box

    looked: list[bool] = []

    def look() -> float:
        looked.append(True)
        return ring

    b = _box(peak, **extra)
    assert quiet_box(b, faintest, look) is quiet
    if quiet:
        assert b.measures["ring_peak"] == ring  # kept with the box's measures for audit
    assert looked == ([True] if quiet or ring > 0.04 else [])


@pytest.mark.parametrize("how", ["circle_label", "underline_label"])
@pytest.mark.parametrize("value", ["diagnosis", "management"])
def test_an_answer_marked_beside_the_boxes_in_faint_pencil_keeps_the_row_for_a_person(
        synth, blank_form, how: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """A long label circled or underlined in faint pencil, out of reach of the ring look: below the
    beside check's ink threshold (a faint-pencil stress run with answers marked beside the boxes lost
    12 in 8,540 fields so, before the look beside the row at the writer's scale)."""
    from scanner.beside import label_of

    page = _faint_page(synth, blank_form)
    lx, ly, lw, lh = label_of(synth.option_rect("focus", value), page.printed)
    pale = (232, 232, 232)  # a little lighter than the writer's marks in the boxes (pressure varies)
    if how == "circle_label":  # round the end of the label, 5 mm and more from the box
        cv2.ellipse(page.img, (page.px(lx + 0.75 * lw), page.px(ly + lh / 2)), (page.px(0.25 * lw + 1.0), page.px(lh / 2 + 1.0)),
                    -3, 15, 345, pale, max(1, round(0.3 * page.s)), cv2.LINE_AA, 4)
    else:
        page.line((lx + 0.45 * lw, ly + lh + 0.9), (lx + lw + 1.0, ly + lh + 1.1), 0.3, pale)
    fd = _scan(page, synth).fields["focus"]
    assert fd.status == "review" and value not in fd.value, fd.to_dict()


def test_a_noisy_scan_of_a_faint_writer_still_doubts_its_empty_rows(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """Grain as dark as a third of the writer's pen: an empty box cannot show that nothing is there
    (the same page with less grain, 12 grey levels, still vouches for it)."""
    out = _scan(_faint_page(synth, blank_form), synth, noise=16.0)
    assert out.faint_writer > 0
    assert (out.fields["optional"].status, out.fields["optional"].reason) == ("review", "faint_writer")
