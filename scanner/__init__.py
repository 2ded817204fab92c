"""scanner: page images + geometry in; page identity, box measurements and decisions out.

Knows nothing about mini-CEX and never imports formkit. Typical use per page::

    for page in iter_pages(path):
        image, halftone = prepare(page.image)        # a dithered 1-bit page back to grey
        loc = locate(image, furniture)               # markers, orientation, QR text, blank
        if loc.registered:
            reading = read(image, loc, fields, halftone=halftone)  # boxes, fields, text crops

`furniture` = {"markers": [...], "qr": {"rect_mm": [...]}, "page_size_mm": [w, h]};
`fields` = the geometry's fields for that page (mm, origin top-left).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scanner.back_notes import NOTE_INK_MAX, NOTE_MM2, note_mm2
from scanner.beside import doubt_ink_beside_boxes, faint_ink_beside
from scanner.decide import (
    MAYBE_RING_WHY,
    RING_PIECES_MIN,
    BoxDecision,
    FieldDecision,
    classify_box,
    decide_field,
    doubt_trace_taken_for_a_band,
)
from scanner.errors import InputError, ScannerError
from scanner.fingerprint import Comparison, compare_readings, content_fingerprint
from scanner.geometry import local_scale, warp_rect
from scanner.handwriting import LABEL_BAND_MM, TextArea, read_text_area
from scanner.holes import find_holes, paint_holes
from scanner.hollow import blots_hollowed
from scanner.identify import (
    BLANK_INK_FRACTION,
    QrResult,
    blank_verdict,
    ink_fraction,
    read_mirrored,
    read_qr,
    read_qr_page,
)
from scanner.imageops import descreen, halved, is_bilevel, is_halftone
from scanner.measure import (
    CREASE_MAX_DARK,
    HALFTONE_PEN_DARK,
    BoxMeasure,
    measure_box,
    measure_boxes,
    ring_darkest,
)
from scanner.on_labels import PRINT_REF_RES, doubt_ink_on_labels
from scanner.page_trust import (
    doubt_near_missing_corners,
    doubt_washed_out_print,
    near_missing_corner,
    print_confirms_mapping,
)
from scanner.reading import PageReading
from scanner.registration import Registration, register
from scanner.sources import SourcePage, count_pages, iter_pages, skipped_in_folder, sniff
from scanner.streaks import find_streaks
from scanner.writer import (
    could_hide,
    doubt_absence_for_faint_writer,
    doubt_breaking_pen,
    doubt_for_writer,
    doubt_mostly_blank_page,
    doubt_pale_marks,
    doubt_washed_out_writing,
    page_pen,
    paper_whitened,
    promote_lone_traces,
    quiet_tint_rings,
)

__all__ = [
    "BoxDecision", "BoxMeasure", "Comparison", "FieldDecision", "InputError", "PageLocation", "PageReading",
    "QrResult", "Registration", "ScannerError", "SourcePage", "TextArea", "compare_readings",
    "content_fingerprint", "count_pages", "iter_pages", "locate", "read", "rectify", "skipped_in_folder", "sniff",
    "NotRegisteredError", "could_hide", "prepare", "doubt_for_writer", "near_missing_corner", "NOTE_MM2",
    "PRINT_REF_RES",
]

NEIGHBOUR_MM = 12.0  # boxes closer than this are masked out of each other's ring analysis
OVERSHOOT_MM = 2.0  # how far a tick or cross runs past its box (the synthetic ward draws up to 2 mm)


class NotRegisteredError(ScannerError):
    reason = "not_registered"
    default_message = ("The corner marks of this page were not found, so its boxes cannot be read. "
                       "Check the page is a formkit form and scan it again, flat and complete.")


@dataclass
class PageLocation:
    """Where the page is in the image and who it is: registration, QR text, blank verdict."""

    registration: Registration
    qr: QrResult
    blank: bool
    ink_fraction: float | None = None
    page_size_mm: tuple[float, float] = (210.0, 297.0)
    streaks: dict = field(default_factory=dict)  # scanner streaks in image px, painted out of boxes
    holes: list = field(default_factory=list)  # filing holes [x_mm, y_mm, r_mm], painted out before reading
    blots_hollowed: bool = False  # a 1-bit page thresholded locally: its fills may come through hollow
    note_mm2: float = 0.0  # pen strokes grouped like writing on a page with no code (`back_notes`): not blank
    show_through: bool = False  # the QR code read was mirrored: a form seen through the back of its sheet

    @property
    def registered(self) -> bool:
        return self.registration.ok

    @property
    def qr_text(self) -> str | None:
        return self.qr.text

    def to_dict(self) -> dict:
        return {"registration": self.registration.to_dict(), "qr_text": self.qr.text,
                "qr_decoder": self.qr.decoder, "qr_where": self.qr.where, "blank": self.blank,
                "ink_fraction": None if self.ink_fraction is None else round(self.ink_fraction, 6),
                "streaks": self.streaks, "holes": self.holes, "blots_hollowed": self.blots_hollowed,
                "note_mm2": round(self.note_mm2, 2), "show_through": self.show_through}



def prepare(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """The image to locate and read, and whether it was a halftone page (give that to `read`).

    A scanner in halftone mode turns paper noise, pencil and light ink into scattered dots; read as
    1-bit, an empty text area full of noise dots looked written in. Such a page becomes the grey it
    was dithered from (`descreen`); other pages are returned as they are.
    """
    if image is not None and image.size and is_halftone(image):
        return descreen(image), True
    return image, False


def locate(image: np.ndarray, furniture: dict, try_hard: bool = False) -> PageLocation:
    """Register the page (markers), read its QR text and tell whether it is a blank back.

    A page that shows no marker to the fast passes and no QR code anywhere is not searched further
    (a stranger in the stack: a letter, a referral); `try_hard` searches it anyway, for a page a
    person has said is one of ours.
    """
    if image is None or image.size == 0:
        raise InputError("Empty page image.")
    ink: list[float] = []
    page_qr: list[QrResult] = []

    def looks_blank() -> bool:
        # asked only when the fast marker pass found nothing. Four printed markers alone are ~18x the
        # blank limit of dark ink (one marker ~4x, the QR ~10x): a page below it cannot hold a marker
        # or a QR code, so the thorough retries and the whole-page QR search would be wasted.
        ink.append(ink_fraction(image))
        return ink[0] < BLANK_INK_FRACTION

    def without_qr() -> bool:
        # asked only when neither the corners nor the whole quarter-size page show a marker. Every
        # page of ours that needed the slower passes had its QR code readable on the whole page
        # (691 such pages in the benchmark's rough, phone and 200-dpi stacks): no QR, no form.
        page_qr.append(read_qr_page(image))
        return not page_qr[0].text

    reg = register(image, furniture, give_up=looks_blank, not_a_form=None if try_hard else without_qr)
    size = tuple(float(v) for v in (furniture.get("page_size_mm") or (210.0, 297.0)))
    if reg.method == "gave_up":
        notes = note_mm2(image)
        return PageLocation(reg, QrResult(), notes < NOTE_MM2, ink[0], size, {},  # type: ignore[arg-type]
                            note_mm2=notes)
    if page_qr and not reg.ok:
        qr = page_qr[0]  # the whole page was searched already
    else:
        qr = read_qr(image, reg, (furniture.get("qr") or {}).get("rect_mm"))
    show_through = not reg.ok and read_mirrored(qr, image.shape, (furniture.get("qr") or {}).get("rect_mm"))
    if show_through:
        qr = QrResult()  # the front's code seen through the back: this page is not that form page
    bv = blank_verdict(image, reg, qr, ink[0] if ink else None)
    # a page with no code and little ink: a short note on a back is even below the blank test's dark-ink limit
    notes = note_mm2(image) if 0.0 <= bv.ink_fraction < NOTE_INK_MAX else 0.0
    streaks = find_streaks(image) if reg.ok else {}
    markers = [m["rect_mm"] for m in furniture.get("markers") or []]
    holes = find_holes(image, reg.H, size, markers) if reg.ok and reg.H is not None else []  # type: ignore[arg-type]
    hollow = bool(reg.ok and reg.H is not None and is_bilevel(image)
                  and blots_hollowed(image, reg.H, furniture.get("markers") or []))
    return PageLocation(reg, qr, bv.blank and notes < NOTE_MM2, bv.ink_fraction, size,  # type: ignore[arg-type]
                        streaks, holes, blots_hollowed=hollow, note_mm2=notes, show_through=show_through)


def _neighbour_lists(all_rects: list, printed: list | tuple = ()) -> list[list]:
    """For each box, the other boxes and printed text close enough to show up in its ring.

    Vectorised, once per page. `printed` are rects of printed labels and rules (from the geometry):
    like neighbouring boxes, they are print, not pen, and are kept out of the ring analysis.
    """
    if not all_rects:
        return []
    others = list(all_rects) + [list(r) for r in printed]
    a = np.asarray(all_rects, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(others, dtype=np.float64).reshape(-1, 4)
    ca, cb = a[:, :2] + a[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2
    near = np.all(np.abs(ca[:, None, :] - cb[None, :, :]) < NEIGHBOUR_MM + a[:, None, 2:] / 2 + b[None, :, 2:] / 2,
                  axis=2)
    near[np.arange(len(all_rects)), np.arange(len(all_rects))] = False
    return [[others[j] for j in np.flatnonzero(row)] for row in near]


def _grow(rect, mm: float) -> list[float]:
    x, y, w, h = (float(v) for v in rect)
    return [x - mm, y - mm, w + 2 * mm, h + 2 * mm]


def _maybe_ring(b: BoxDecision) -> bool:
    """A maybe-circle, or a faint ring whose strokes do not run round the box (`ring_pieces`: nubs, or a sibling's
    overshoot poking into the ring) - what a marked neighbour's strokes can make."""
    return b.why in MAYBE_RING_WHY or (
        b.why == "faint_ring" and 0 <= int(b.measures.get("ring_pieces", -1)) < RING_PIECES_MIN)


def _mask_neighbour_overshoot(image: np.ndarray, H: np.ndarray, opts: list[dict], boxes: list[BoxDecision],
                              neighbours: list[list], streaks: dict | None,
                              pen_dark: float = CREASE_MAX_DARK) -> None:
    """A maybe-ring (`_maybe_ring`) next to a clearly marked sibling: measure it again with the mark's overshoot masked.

    A tick or cross overshoots its box by up to ~2 mm, often into the ring of the next box, where
    its strokes look like arcs of a circle. A stroke belongs to the box whose interior it crosses:
    the marked sibling's area is grown by OVERSHOOT_MM in the second measurement. A real circle
    around the box keeps its arcs on the other sides (>= 5 of 8 directions) and stays uncertain;
    only a ring made of the sibling's strokes drops to empty. Single-choice fields only, where a
    circle beside a clear mark would be a second answer anyway.
    """
    marked = [i for i, b in enumerate(boxes) if b.state == "marked" and b.why in ("ink_in_box", "heavy_strokes")]
    if not marked:
        return
    for i, b in enumerate(boxes):
        if b.state != "uncertain" or not _maybe_ring(b):
            continue
        grown = {tuple(float(v) for v in opts[j]["rect_mm"]) for j in marked}
        again = _empty_without(image, H, b, opts[i]["rect_mm"], neighbours[i], grown, OVERSHOOT_MM, streaks, pen_dark,
                               "ring_is_siblings_mark")
        boxes[i] = again or b


def _empty_without(image: np.ndarray, H: np.ndarray, b: BoxDecision, rect: list, neighbours: list, grown: set,
                   mm: float, streaks: dict | None, pen_dark: float, why: str) -> BoxDecision | None:
    """Box `b` measured again with the neighbouring boxes in `grown` (mm rects as tuples) grown by `mm`: the box
    empty, said so with `why`, if their marks made its ring (None if it is not empty then, or none is grown)."""
    nbs = [_grow(r, mm) if tuple(float(v) for v in r) in grown else r for r in neighbours]
    if nbs == list(neighbours):
        return None
    m = measure_box(image, H, rect, nbs, streaks or None, pen_dark)
    state, conf, _ = classify_box(m)
    return BoxDecision(b.value, "empty", min(conf, 0.75), why, m.to_dict()) if state == "empty" else None


LOOP_MASK_MM = 2.5  # a loop drawn round a box stands this far out from it at most (the ward's: <= 1.6 mm)


def _mask_loops_of_other_rows(image: np.ndarray, H: np.ndarray, page_fields: list[dict],
                              fields: dict[str, FieldDecision], places: dict[str, list[tuple]],
                              required: dict[str, bool], streaks: dict | None, pen_dark: float) -> None:
    """A partial ring made of the loop drawn round a box of the row above or below: measured again with that box
    grown by the loop, as `_mask_neighbour_overshoot` does for a sibling's overshoot.

    Rows sit ~8 mm apart: a loop round the first box of one rating row reaches into the rings of the first
    boxes of the rows above and below, and two such arcs made an empty box a maybe-circled one (4 sectors),
    its row off to a person (the ward's office stacks). A loop round the box itself keeps its arcs on the
    other sides and stays uncertain; only a ring made of the other rows' loops drops to empty.
    """
    circled = {fid: [tuple(float(v) for v in places[fid][i][0]) for i, b in enumerate(fd.boxes)
                     if b.state == "marked" and b.why == "circled"] for fid, fd in fields.items() if fid in places}
    for f in page_fields:
        fid = str(f.get("id"))
        fd = fields.get(fid)
        if fd is None or fid not in places or not any(b.why in MAYBE_RING_WHY for b in fd.boxes):
            continue
        loops = {r for other, rects in circled.items() if other != fid for r in rects}
        if not loops:
            continue
        boxes = list(fd.boxes)
        for i, b in enumerate(boxes):
            if b.why not in MAYBE_RING_WHY:
                continue
            rect, nbs = places[fid][i]
            boxes[i] = _empty_without(image, H, b, rect, nbs, loops, LOOP_MASK_MM, streaks, pen_dark,
                                      "ring_is_neighbours_loop") or b
        if boxes != fd.boxes:
            fields[fid] = decide_field(fid, fd.kind, required.get(fid, False), boxes)


def read(image: np.ndarray, location: PageLocation, page_fields: list[dict],
         printed_mm: list | tuple = (), halftone: bool = False, back_print_mm: list | tuple = (),
         print_ref: np.ndarray | None = None) -> PageReading:
    """Measure every box, decide every field, crop and judge every text area of a located page.

    `printed_mm`: rects (mm) of printed text and rules on this page, masked like neighbours. Give
    them: only then can a row whose answer was marked beside its boxes (a circled label, a tick next
    to the box) be told from its labels and sent to review (`beside`); without them it reads empty.
    `halftone`: the image was descreened from a dithered 1-bit page (`prepare`): averaged over a
    screen cell, a thin stroke keeps only part of its darkness, and the scanner may have clipped a
    faint pen to white, as a threshold would.
    `back_print_mm`: the print on the other side of the sheet as it would show through, one list of rects (mm)
    per way the sheet may have been turned: writing in a text area lying on it may be its ghost (`read_text_area`).
    `print_ref`: the page's print as designed (grey, 255 paper, `PRINT_REF_RES` px per mm from the page's
    top-left corner). With it and `printed_mm`, a mark drawn over an option's label instead of in its box is
    seen (`on_labels`); without it that row reads empty.
    """
    reg = location.registration
    if not reg.ok or reg.H is None:
        raise NotRegisteredError()
    H = reg.H
    if location.holes:  # filing holes by the frames of the text areas: paper, not ink
        image = paint_holes(image, H, location.holes)
    all_rects = [o["rect_mm"] for f in page_fields if f.get("kind") in ("single", "multi")
                 for o in f.get("options", [])]
    neighbours = _neighbour_lists(all_rects, printed_mm)
    bilevel = is_bilevel(image)
    pen_dark = HALFTONE_PEN_DARK if halftone else CREASE_MAX_DARK  # a line through a box this dark is a pen's
    k = 0
    out = PageReading(registration_quality=reg.quality)
    poor = reg.quality == "poor"
    required: dict[str, bool] = {}
    box_places: dict[str, list[tuple]] = {}  # field id -> (rect_mm, neighbours_mm) per box, for `ring_look`
    for f in page_fields:
        kind = f.get("kind")
        fid = str(f.get("id"))
        if kind in ("single", "multi"):
            boxes = []
            opts = f.get("options", [])
            measures = measure_boxes(image, H, [o["rect_mm"] for o in opts], neighbours[k:k + len(opts)],
                                     location.streaks or None, pen_dark)
            box_places[fid] = list(zip([o["rect_mm"] for o in opts], neighbours[k:k + len(opts)], strict=True))
            k += len(opts)
            for o, m in zip(opts, measures, strict=True):
                state, conf, why = classify_box(m)
                boxes.append(BoxDecision(str(o["value"]), state, conf, why, m.to_dict()))
            if kind == "single":
                _mask_neighbour_overshoot(image, H, opts, boxes, neighbours[k - len(opts):k], location.streaks,
                                          pen_dark)
            doubt_trace_taken_for_a_band(boxes)
            required[fid] = bool(f.get("required", False))
            out.fields[fid] = decide_field(fid, kind, required[fid], boxes)
        elif kind == "text" and f.get("rect_mm"):
            ta = read_text_area(image, H, fid, f["rect_mm"], preprinted=bool(f.get("preprinted")), bilevel=bilevel,
                                label_band_mm=float(f.get("label_band_mm", LABEL_BAND_MM)),
                                streaks=location.streaks or None, halftone=halftone, back_print_mm=back_print_mm)
            out.texts[fid] = ta
    _mask_loops_of_other_rows(image, H, page_fields, out.fields, box_places, required, location.streaks, pen_dark)
    if poor and print_confirms_mapping(out.fields):
        poor, out.print_verified = False, True
    if poor:
        for ta in out.texts.values():
            if ta.status == "accepted":
                ta.status, ta.reason = "review", "poor_registration"
    doubt_pale_marks(out.fields, required)
    whitened = not bilevel and not halftone and paper_whitened(out.fields, out.texts)
    promote_lone_traces(out.fields, required, whitened=whitened)
    quiet_tint_rings(out.fields, required)
    if printed_mm:  # where the print is known, ink beside the boxes can be told from it
        doubt_ink_beside_boxes(out.fields, page_fields, image, H, printed_mm, location.streaks, bilevel)
        if print_ref is not None:
            doubt_ink_on_labels(out.fields, page_fields, image, H, printed_mm, print_ref, location.streaks,
                                pen=None if bilevel or halftone else page_pen(out))

    def ring_look(fid: str, i: int) -> float:
        rect, nb = box_places[fid][i]
        return ring_darkest(image, H, rect, nb, out.fields[fid].boxes[i].measures.get("snap_mm", (0.0, 0.0)),
                            location.streaks or None)

    clipped = bilevel or halftone or whitened  # a faint pen may be gone without a trace
    out.clipped = bool(clipped)
    doubt_absence_for_faint_writer(out, one_bit=clipped, ring_look=ring_look,
                                   beside_look=faint_ink_beside(out.fields, page_fields, image, H, printed_mm,
                                                                location.streaks))
    doubt_washed_out_writing(out)
    doubt_breaking_pen(out, one_bit=clipped)
    doubt_mostly_blank_page(out, required, one_bit=bool(clipped))
    doubt_near_missing_corners(out, page_fields, reg.markers_found, location.page_size_mm, image, H)
    doubt_washed_out_print(out.fields)
    for fd in out.fields.values():
        if poor and fd.status == "accepted":
            fd.status, fd.reason, fd.confidence = "review", "poor_registration", min(fd.confidence, 0.5)
        elif location.blots_hollowed and fd.status == "accepted":
            # the scanner's 1-bit mode hollows blots: a cancelling fill is no longer told from a mark (a
            # thick frame reads as a loop drawn round the box; a faint-pencil fill came through as a
            # ragged square and read as the answer), so no row of the page is vouched for. Every page
            # of such a scanner says so: rescan in grey.
            fd.status, fd.reason, fd.confidence = "review", "blots_hollowed", min(fd.confidence, 0.5)
    out.fingerprint = content_fingerprint(out)
    return out



def rectify(image: np.ndarray, location: PageLocation, px_per_mm: float = 4.0) -> np.ndarray:
    """The whole page warped upright at `px_per_mm` (for previews and review screens).

    Sampled from the smallest halving of the scan still at least as sharp as the output (locating
    the page made it already): half the work of sampling the full scan, and an area average where
    bilinear sampling of a 300-dpi scan at 100 dpi would skip pixels and alias thin strokes.
    """
    reg = location.registration
    if not reg.ok or reg.H is None:
        raise NotRegisteredError()
    w, h = location.page_size_mm
    n, H = 0, reg.H
    while local_scale(H, w / 2, h / 2) / 2 >= px_per_mm and min(image.shape[:2]) >> (n + 1) >= 64:
        H = _HALF_PIXELS @ H
        n += 1
    return warp_rect(halved(image, n), H, [0.0, 0.0, w, h], px_per_mm)


# image pixel (u, v) -> the same point in a `halve`d image: pixel centres sit at integers, and half-image
# pixel u covers full pixels 2u and 2u + 1, centred at 2u + 0.5
_HALF_PIXELS = np.array([[0.5, 0.0, -0.25], [0.0, 0.5, -0.25], [0.0, 0.0, 1.0]])
