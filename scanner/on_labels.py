"""Pen on a printed label: ink the beside check cannot see, because it lies where the print is.

The beside check (`beside`) leaves every printed rect out, grown by half a millimetre: print is not
a pen. A mark drawn over an option's label - a tick, a cross or a dash on the words instead of in the
box - lies almost all inside that rect, and the row read empty, accepted (other-hands stress runs with
answers marked beside the boxes: 5 rows in 1,710 fields). Given the page's print as designed
(`print_ref`: the form rendered without pen, at RES px per mm), the label's own strokes are known: what
is dark between and around them is a pen.

Each label of a row read empty is warped from the scan, matched to the print (within half a millimetre:
registration and the box's snap leave less), and the print's strokes are grown by what the scan's
blur added to them (a soft scan or photo widens every letter; the row's median, so that a pen on one
label does not hide itself), plus a quarter of a millimetre. Ink darker than the page's ink threshold
outside that, in pieces that are neither specks nor lines crossing the whole patch (a crease, a streak),
is pen. A single-choice row with a mark in a box is left to the box; in a multiple-choice row the labels
of its empty boxes are looked at, the marked boxes' overshoot left out.

A pen struck along the letters stays within that grown print (stress runs: "≤10" and "40-64" scribbled
over, 9 rows accepted empty in 2,565 fields). So the print is also subtracted rather than masked: modelled
as the scan shows it (`print_model`: aligned tile by tile, blurred and toned like the row's labels), what
the scan holds beyond the model is pen, by `OVER_PRINT_MM2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from scanner.beside import MARK_MASK_MM, label_of
from scanner.decide import FieldDecision
from scanner.geometry import warp_rect_grey
from scanner.imageops import component_stats
from scanner.measure import CREASE_MAX_DARK, RES, LocalPaper, ink_threshold
from scanner.print_model import ToneFit, aligned_print, print_error

PRINT_REF_RES = RES  # px per mm of the print reference the caller renders
PATCH_MM = (2.0, 1.0)  # pen is looked for on a label and this much paper around its rect (x, y): a stroke
# struck through it runs on past its ends; the rows above and below (3.5 mm apart) stay out
FOLD_LOOK_MM = 3.0  # ... and this much further sideways for whether a pale line carries on (a fold does)
ALIGN_PX = 4  # the print is matched to the scan within this many pixels (0.5 mm) each way
PRINT_INK = 96  # reference darkness (0-255) from which a pixel is print
GROW_PX = 2  # print strokes are grown by this (0.25 mm: the print's own edge, JPEG ringing) ...
MAX_BLUR_PX = 4  # ... plus the blur the scan added to them, measured, up to this
NEAR_PX = 6  # scan ink within this of the print counts towards that blur
SPECK_PX = 8  # pieces of ink smaller than this (0.12 mm2) are noise ...
CHAIN_MIN = 3  # ... unless this many of them (of >= CHAIN_PIECE_PX) lie on one line (within FOLD_BAND_PX) ...
CHAIN_PIECE_PX = 2
CHAIN_MAX_SPECKS = 60  # the largest this many specks are looked at (pairs of them make the candidate lines)
CHAIN_SPAN_MM = 2.0  # ... spread along this much of it: a pale pen struck through the letters, seen in the gaps
FOLD_BAND_PX = 3  # a fold across a label: its ink within this of one straight line (0.4 mm) ...
FOLD_SHARE = 0.9  # ... this much of it ...
FOLD_MAX_SLOPE = 0.2  # ... no steeper than this (~11 degrees), from one side of the patch to the other ...
FOLD_SPAN_MM = 15.0  # ... or along this much of it (no pen stroke struck through a label runs on so far)
FOLD_PRINT_SHARE = 0.75  # a fold's line is paler than this share of the label's print (a pen's is about as dark)
FOLD_CARRY_LEVEL = 0.3  # a line along FOLD_SPAN_MM that reaches neither margin still carries on into both: darker
FOLD_CARRY_SHARE = 0.3  # on its way than this share of its own level, in this share of each margin's columns
LABEL_INK_MM2 = 0.25  # pen ink on a label from this much (clean labels of the ward's six scan profiles: 0;
# of photos at a grow of 1 px: <= 0.22)
PRINT_PAPER_MM = 3.0  # the paper under a label for the print's model: median over this (its letters are a minority)
OVER_PRINT_DARK = 55  # darker than the print's model by this (0-255) is pen (`_over_print`; at 70, pencil struck
# through a label's letters on office scans stayed under it: 9 rows accepted wrong in 25 kept stacks, and 1 correct
# row more to a person at 55 - docs/benchmarks.md, twenty-sixth session) ...
OVER_PRINT_ERRORS = 5.0  # ... or by this many times the model's mean error, where that is higher ...
OVER_PRINT_ON_PRINT = 4.0  # ... unless this many times its mean error on the print's own pixels is lower
# (`print_model.print_error`): the fit's own error, over the paper around the letters too, rose with a fold across
# the row and hid a pen struck along a label (hunt s1510; label looks of 140 kept stacks: 67 rows with a pen on a
# label more to a person, and 15 of 10,036 clean rows - docs/benchmarks.md, twenty-eighth session)
OVER_PRINT_MM2 = 0.35  # ... from this much of it on one label (see docs/benchmarks.md, nineteenth session) ...
EMPTY_ROW_OVER_PRINT_MM2 = 0.2  # ... or this much in a single-choice row with no mark at all on a grey page: there a
# label is the only place its answer can be. Pencil ticked or struck on "Mann", "≤5", "65-79" showed 0.20-0.33 mm2
# in the gaps between the letters and the rows were accepted empty (hunts s903, s1208, s1420); on the 1,115 such
# rows of 70 kept stress stacks the lower bar sent those 3 to a person and 1 right row (a rough scan's, 0.22), while
# empty multiple-choice rows, whose labels are long words, had 5 right rows over it (docs/benchmarks.md, thirtieth
# session). Not on 1-bit pages: their threshold's specks stand over the print in pieces of up to 0.33 mm2.
PEN_FLOOR_SHARE = 0.6  # ... and the floor of that bar (OVER_PRINT_DARK) comes down to this share of the page's pen
# where that is lower: pencil (the page's marks 0.32 strong) struck through "Annen" stood 51 over the model on an
# office scan (hunt s1551; A/B on 29 kept stacks: 2 rows lost that way to a person, 17 right rows fewer to a person -
# their look now sees their pen, `pale_pen` - nothing else changed: docs/benchmarks.md, twenty-ninth session)
PEN_OVER_BAR = 1.25  # the look over the print sees the page's pen (the median strength of its marks, 0-255) only where
# that pen is this many times its bar: a pencil struck through "Mann" at 56 against a bar of 55 showed in the gaps
# between the letters in pieces of 0.16 mm2, and its row was accepted empty (docs/benchmarks.md, twenty-ninth session)

Rect = Sequence[float]


def doubt_ink_on_labels(fields: dict[str, FieldDecision], page_fields: list[dict], image: np.ndarray,
                        H: np.ndarray, printed: Sequence[Rect], print_ref: np.ndarray,
                        streaks: dict | None = None, pen: float | None = None) -> None:
    """Send accepted rows with pen ink on the label of a box read empty to review (`ink_beside_boxes`).

    Single-choice rows are looked at when every box is empty (a mark in a box is the answer; ink on
    another label beside it is its overshoot or a second thought the box rules already weigh); multiple-
    choice rows at the labels of their empty boxes (one answer ticked, another marked on its label, read
    as one answer: a stress run), with each marked box's overshoot (MARK_MASK_MM) left out.
    `print_ref`: the page's print as designed, grey (255 paper), PRINT_REF_RES px per mm from the page's
    top-left corner.
    `pen`: how dark the page's writer's pen is (the median ink strength of its marks, 0-1; None: not known, or a
    1-bit page). The look over the print comes down to PEN_FLOOR_SHARE of it where that is under its floor (a
    pencil), and where it is known a single-choice row with no mark at all is doubted from a smaller piece of pen
    over its labels' print (EMPTY_ROW_OVER_PRINT_MM2): its answer, if any, can only be there.
    A row read with no mark at all whose look over the print could not have seen that pen - its bar above
    1 / PEN_OVER_BAR of it - cannot vouch for its labels either, and goes to a person (`pale_pen`): a pencil stroke
    struck along a label shows only between the letters, at the pen's own darkness (pencil, faint pencil, a light
    scan of either). A multiple-choice row with an answer in a box is left alone: its writer answered it in the
    boxes (A/B on 29 kept stacks: 21 rows with no mark lost that way go to a person, and 102 right ones; doubting
    the rows with an answer in a box too caught 3 more - a second subgoal on a label - for 122 right rows more).
    """
    for f in page_fields:
        fd = fields.get(str(f.get("id")))
        if fd is None or f.get("kind") not in ("single", "multi") or fd.status != "accepted":
            continue
        inked = [b for b in fd.boxes if b.state != "empty"]
        if inked and f.get("kind") == "single":
            continue
        boxes = {b.value: b for b in fd.boxes}
        places, masks = [], []
        for o in f.get("options", []):
            b = boxes.get(str(o["value"]))
            dx, dy = (float(v) for v in (b.measures.get("snap_mm", (0.0, 0.0)) if b is not None else (0.0, 0.0)))
            if b is not None and b.state != "empty":
                x, y, w, h = (float(v) for v in o["rect_mm"])
                masks.append((x + dx - MARK_MASK_MM, y + dy - MARK_MASK_MM, w + 2 * MARK_MASK_MM,
                              h + 2 * MARK_MASK_MM))
                continue
            lab = label_of(o["rect_mm"], printed)
            if lab is not None:
                places.append(((lab[0] + dx, lab[1] + dy, lab[2], lab[3]), lab))
        floor = OVER_PRINT_DARK if pen is None else min(OVER_PRINT_DARK, PEN_FLOOR_SHARE * 255.0 * pen)
        inks, bar = row_label_look(image, H, places, print_ref, streaks, masks, floor)
        empty_single = pen is not None and not inked and f.get("kind") == "single"
        over_bar = EMPTY_ROW_OVER_PRINT_MM2 if empty_single else OVER_PRINT_MM2
        if any(outside >= LABEL_INK_MM2 or over >= over_bar for outside, over in inks):
            fd.status, fd.reason, fd.confidence = "review", "ink_beside_boxes", min(fd.confidence, 0.5)
        elif pen is not None and not inked and PEN_OVER_BAR * bar > 255.0 * pen:
            fd.status, fd.reason, fd.confidence = "review", "pale_pen", min(fd.confidence, 0.5)


def row_label_look(image: np.ndarray, H: np.ndarray, places: Sequence[tuple[Rect, Rect]],
                   print_ref: np.ndarray, streaks: dict | None = None,
                   masks: Sequence[Rect] = (),
                   floor: float = OVER_PRINT_DARK) -> tuple[list[tuple[float, float]], float]:
    """(pen ink (mm2) on each label of a row, as (outside the grown print, over the print's modelled tone); the bar
    of the look over the print: 0-255 darker than the model, 0 with no label seen).

    `places` holds (rect on the scan, rect in `print_ref`) per label; ink within `masks` (mm, on the scan) is left
    out; `floor`: the lowest that bar may be (`_over_print`).

    Outside the print, the scan's blur is the row's: the median of what it added to each label's strokes (a
    pen on one label widens that label's print to the measure, not the row's). Over the print, the tone
    model is the row's too (`print_model.ToneFit`).
    """
    looks = [_look(image, H, where, designed, print_ref, streaks, masks) for where, designed in places]
    seen = [lk for lk in looks if lk is not None]
    if not seen:
        return [], 0.0
    blur = int(np.median([_blur_px(lk.drawn, lk.ink) for lk in seen]))
    outside = [_pen_mm2(lk.drawn, lk.ink, lk.dark, blur, lk.print_dark) for lk in seen]
    over, bar = _over_print(seen, floor)
    return list(zip(outside, over, strict=True)), bar


@dataclass
class _Look:
    """One label's patch: the print's strokes matched onto it, the scan's ink and darkness there, the
    scan's unfiltered darkness and the print's darkness (with ALIGN_PX margins) for the tone model, and
    where the masks (a marked box's overshoot) lie."""

    drawn: np.ndarray
    ink: np.ndarray
    dark: np.ndarray
    raw: np.ndarray
    ref: np.ndarray
    masked: np.ndarray
    print_dark: float  # the darkness of the label's print strokes' cores on the scan (0-255, `dark`) ...
    print_raw: float  # ... and in `raw`


def _look(image: np.ndarray, H: np.ndarray, where: Rect, designed: Rect, print_ref: np.ndarray,
          streaks: dict | None, masks: Sequence[Rect] = ()) -> _Look | None:
    """One label's patch (`_Look`), or None."""
    mx, my = PATCH_MM[0] + FOLD_LOOK_MM, PATCH_MM[1]
    g = warp_rect_grey(image, H, [where[0] - mx, where[1] - my, where[2] + 2 * mx, where[3] + 2 * my], RES,
                       streaks=streaks or None, perspective=True)
    L8, sigma = LocalPaper(g).maps()
    ref = _reference(print_ref, designed, g.shape)
    scan_f = L8.astype(np.float32)
    if ref is None or not scan_f.any():
        return None
    match = cv2.matchTemplate(ref, scan_f, cv2.TM_CCORR_NORMED)
    _, _, _, (ox, oy) = cv2.minMaxLoc(match)
    drawn = ref[oy:oy + g.shape[0], ox:ox + g.shape[1]] >= PRINT_INK
    if not drawn.any():
        return None
    ink = np.greater(L8, int(255 * ink_threshold(sigma)))
    masked = np.zeros(g.shape, bool)
    ox_mm, oy_mm = where[0] - mx, where[1] - my
    for x, y, w, h in masks:
        c0, r0 = max(0, int((x - ox_mm) * RES)), max(0, int((y - oy_mm) * RES))
        masked[r0:max(r0, int(np.ceil((y + h - oy_mm) * RES))), c0:max(c0, int(np.ceil((x + w - ox_mm) * RES)))] = True
    ink[masked] = False
    raw = LocalPaper(g, PRINT_PAPER_MM).darkness().astype(np.float32)
    core = cv2.erode(drawn.astype(np.uint8), _K3).astype(bool)
    core = core if core.any() else drawn
    return _Look(drawn, ink, L8, raw, ref, masked, float(np.median(L8[core])), float(np.median(raw[core])))


def _over_print(looks: Sequence[_Look], floor: float = OVER_PRINT_DARK) -> tuple[list[float], float]:
    """(pen ink (mm2) on each label beyond what its print, modelled as the scan shows print, explains; the bar).

    The model is fitted over the row (`ToneFit`); a pixel is pen where the scan is darker than the model by
    `floor` (OVER_PRINT_DARK, or less for a pencil writer), or by OVER_PRINT_ERRORS times the fit's mean error (a
    soft or noisy scan fits worse) - or OVER_PRINT_ON_PRINT times its error on the print's own pixels where that is
    lower (a fold on the paper raises the first, not the second).
    The pieces are counted as outside the print (`_pen_pieces_mm2`: no specks, no fold across the patch).
    """
    pairs = [(lk.raw, aligned_print(lk.ref, lk.raw, ALIGN_PX)) for lk in looks]
    fit = ToneFit(pairs)
    models = [fit.modelled(printed) for _, printed in pairs]
    bar = max(floor, min(OVER_PRINT_ERRORS * fit.error,
                         OVER_PRINT_ON_PRINT * print_error([raw for raw, _ in pairs], models)))
    out = []
    for lk, (raw, _), model in zip(looks, pairs, models, strict=True):
        pen = ((raw - model) > bar) & ~lk.masked
        out.append(_pen_pieces_mm2(cv2.medianBlur(pen.astype(np.uint8) * 255, 3), raw, lk.print_raw))
    return out, bar


def _pen_mm2(drawn: np.ndarray, ink: np.ndarray, dark: np.ndarray, blur: int, print_dark: float = 255.0) -> float:
    """Ink outside the print's strokes grown by GROW_PX + `blur`, in pieces that are neither specks nor lines
    crossing the patch (a crease, a streak; `_a_fold_across`)."""
    grown = cv2.dilate(drawn.astype(np.uint8), _disc(GROW_PX + blur)).astype(bool)
    return _pen_pieces_mm2(cv2.medianBlur((ink & ~grown).astype(np.uint8) * 255, 3), dark, print_dark)


def _pen_pieces_mm2(pen: np.ndarray, dark: np.ndarray, print_dark: float = 255.0) -> float:
    """mm2 of the pieces of a pen mask (uint8 0/255) on the label's own patch that are neither specks nor
    lines crossing the patch (a crease, a streak)."""
    if not cv2.countNonZero(pen):
        return 0.0
    if _a_fold_across(pen > 0, dark, print_dark):
        return 0.0
    side = int(round(FOLD_LOOK_MM * RES))
    pen = np.ascontiguousarray(pen[:, side:pen.shape[1] - side])  # the fold look's margins hold no label
    n, _, stats = component_stats(pen // 255)
    h, w = pen.shape
    area = 0
    specks = []
    for x, y, bw, bh, a in stats[1:n]:
        if (x == 0 and x + bw >= w) or (y == 0 and y + bh >= h):
            continue
        if a >= SPECK_PX:
            area += int(a)
        elif a >= CHAIN_PIECE_PX:
            specks.append((x + bw / 2.0, y + bh / 2.0, float(a)))
    return (area + _chained_px(specks)) / (RES * RES)


def _chained_px(specks: list[tuple[float, float, float]]) -> float:
    """Pixels of the specks (centre x, centre y, pixels) that line up: >= CHAIN_MIN of them within FOLD_BAND_PX of
    one line, spread along >= CHAIN_SPAN_MM of it (the most such a line holds).

    A pale pen struck through a label's letters shows only in the gaps between them, each piece smaller than a
    speck: six pieces of 2-8 px in a row, 0.44 mm2 together, were dropped one by one and the row was accepted
    empty (a synthetic gel line along "management"; the nineteenth session's open case). Clean labels leave no
    such chain (ward scans at 300 and 200 dpi, rough, inkjet and dark-toner prints, phone photos, sharpened
    and grey-paper scans: 0 in 895 label looks), and a crease's dashes across the patch are a fold first.
    """
    if len(specks) < CHAIN_MIN:
        return 0.0
    p = np.asarray(specks, dtype=np.float64)
    if len(p) > CHAIN_MAX_SPECKS:  # a patch speckled all over (never seen: <= 9 on the kept stacks) stays cheap
        p = p[np.argsort(-p[:, 2], kind="stable")[:CHAIN_MAX_SPECKS]]
    xy = p[:, :2]
    best = 0.0
    for i in range(len(p) - 1):
        for j in range(i + 1, len(p)):
            d = xy[j] - xy[i]
            length = float(np.hypot(*d))
            if length < 1.0:
                continue
            u = d / length
            rel = xy - xy[i]
            on = np.abs(rel @ np.array([-u[1], u[0]])) <= FOLD_BAND_PX
            if np.count_nonzero(on) < CHAIN_MIN:
                continue
            along = rel[on] @ u
            if along.max() - along.min() >= CHAIN_SPAN_MM * RES:
                best = max(best, float(p[on, 2].sum()))
    return best


def _a_fold_across(pen: np.ndarray, dark: np.ndarray, print_dark: float = 255.0) -> bool:
    """Whether all of a patch's pen ink is one pale straight line running on into both of its side margins.

    A crease across a label is cut into pieces by the print it crosses, and pieces between letters do not
    touch the patch's edges; along a subgoal's long label slot a faint one comes through in dashes that
    reach neither edge but run on for FOLD_SPAN_MM (a rough scan's crease through "STa4" sent its row to a
    person). A fold's line is paler than a pen's (CREASE_MAX_DARK): a ruler line struck through a label is
    not one. A pencil stroke through a label ends within 5 mm of it (FOLD_LOOK_MM beyond PATCH_MM), as in
    the boxes' through-line rule (`measure._breaks_off`). Pale is also against the label's own print
    (`print_dark`, FOLD_PRINT_SHARE): on a low-contrast scan a blue ballpoint struck along "Klinisk undersøkelse"
    came out under CREASE_MAX_DARK, as dark as the letters, and was taken for a fold (its row accepted empty).
    """
    ys, xs = np.nonzero(pen)
    w = pen.shape[1]
    side = FOLD_LOOK_MM * RES
    across = xs.min() < side and xs.max() >= w - side  # on in both margins beyond the label's own patch
    if xs.size < 2 * FOLD_BAND_PX or not (across or xs.max() - xs.min() >= FOLD_SPAN_MM * RES):
        return False
    slope, icept = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)
    if abs(slope) > FOLD_MAX_SLOPE:
        return False
    on = np.abs(ys - (slope * xs + icept)) <= FOLD_BAND_PX
    level = float(np.median(dark[ys, xs]))
    if not (on.mean() >= FOLD_SHARE and level < CREASE_MAX_DARK * 255 and level < FOLD_PRINT_SHARE * print_dark):
        return False
    s = int(side)
    return across or all(_carries_on(dark, slope, icept, c0, c0 + s, level) for c0 in (0, w - s))


def _carries_on(dark: np.ndarray, slope: float, icept: float, c0: int, c1: int, level: float) -> bool:
    """Whether the line y = slope x + icept shows on its way through columns c0..c1 (a margin of the patch):
    darker than FOLD_CARRY_LEVEL of its `level`, within FOLD_BAND_PX of it, in FOLD_CARRY_SHARE of them.

    A fold runs on across the sheet, in dashes where it is faint; a pen struck along a long label stops
    at its ends (light gel along "Klinisk undersøkelse", 0.44 dark on a rough scan, 16.6 mm: taken for a fold
    across the labels, its row accepted empty in a stress run).
    """
    cols = np.arange(c0, c1)
    rows = np.rint(slope * cols + icept).astype(np.int64)[:, None] + np.arange(-FOLD_BAND_PX, FOLD_BAND_PX + 1)
    inside = (rows >= 0) & (rows < dark.shape[0])
    seen = np.where(inside, dark[np.clip(rows, 0, dark.shape[0] - 1), cols[:, None]], 0).max(axis=1)
    return bool(np.count_nonzero(seen > FOLD_CARRY_LEVEL * level) >= FOLD_CARRY_SHARE * cols.size)


def _reference(print_ref: np.ndarray, rect: Rect, shape: tuple[int, ...]) -> np.ndarray | None:
    """The print's darkness (float32) around `rect`, ALIGN_PX larger each way than a patch of `shape`."""
    r0 = int(round((float(rect[1]) - PATCH_MM[1]) * PRINT_REF_RES)) - ALIGN_PX
    c0 = int(round((float(rect[0]) - PATCH_MM[0] - FOLD_LOOK_MM) * PRINT_REF_RES)) - ALIGN_PX
    hh, ww = shape[0] + 2 * ALIGN_PX, shape[1] + 2 * ALIGN_PX
    if r0 < 0 or c0 < 0 or r0 + hh > print_ref.shape[0] or c0 + ww > print_ref.shape[1]:
        return None
    return (255.0 - print_ref[r0:r0 + hh, c0:c0 + ww]).astype(np.float32)


def _blur_px(drawn: np.ndarray, ink: np.ndarray) -> int:
    """How many pixels the scan widened the print's strokes by: the extra ink near them over their outline."""
    near = cv2.dilate(drawn.astype(np.uint8), _disc(NEAR_PX)).astype(bool)
    outline = np.count_nonzero(drawn & ~cv2.erode(drawn.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool))
    extra = np.count_nonzero(ink & near) - np.count_nonzero(drawn)
    if outline == 0 or extra <= 0:
        return 0
    return int(min(MAX_BLUR_PX, np.ceil(extra / outline)))


_K3 = np.ones((3, 3), np.uint8)


def _disc(r: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
