"""scanner: page images + geometry in; page identity, box measurements and decisions out.

Knows nothing about mini-CEX and never imports formkit. Typical use per page::

    for page in iter_pages(path):
        loc = locate(page.image, furniture)          # markers, orientation, QR text, blank
        if loc.registered:
            reading = read(page.image, loc, fields)   # boxes, field decisions, text crops

`furniture` = {"markers": [...], "qr": {"rect_mm": [...]}, "page_size_mm": [w, h]};
`fields` = the geometry's fields for that page (mm, origin top-left).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scanner.decide import EMPTY_MAX, BoxDecision, FieldDecision, classify_box, decide_field
from scanner.errors import InputError, ScannerError
from scanner.fingerprint import Comparison, compare_readings, content_fingerprint
from scanner.frames import frame_visible
from scanner.geometry import warp_rect
from scanner.handwriting import ABSENT_MM2, LABEL_BAND_MM, TextArea, read_text_area
from scanner.identify import BLANK_INK_FRACTION, QrResult, blank_verdict, ink_fraction, read_qr
from scanner.imageops import is_bilevel
from scanner.measure import BoxMeasure, measure_box, measure_boxes
from scanner.registration import Registration, register
from scanner.sources import SourcePage, count_pages, iter_pages, sniff
from scanner.streaks import find_streaks

__all__ = [
    "BoxDecision", "BoxMeasure", "Comparison", "FieldDecision", "InputError", "PageLocation", "PageReading",
    "QrResult", "Registration", "ScannerError", "SourcePage", "TextArea", "compare_readings",
    "content_fingerprint", "count_pages", "iter_pages", "locate", "read", "rectify", "sniff",
    "NotRegisteredError", "doubt_for_writer",
]

NEIGHBOUR_MM = 12.0  # boxes closer than this are masked out of each other's ring analysis
LONE_TRACE_MIN = 0.10  # share of a box interior a faint trace must cover to be a stroke (= decide.MARK_MIN) ...
LONE_TRACE_SMOOTH = (0.06, 0.10)  # ... or: this share per pixel, and the stroke's worth in the averaged look
# (a 0.25 mm pencil tick at 150-200 dpi: only parts of it clear the per-pixel threshold; averaging joins it up)
LONE_TRACE_WRITER = 0.6  # ... and its ink strength, as a share of the writer's clear marks on the page
FAINT_WRITER = 0.18  # median ink strength of a page's marks below which empty text areas are doubted
FAINT_WRITER_TEXT = 0.25  # ... and of its handwriting (measured on the text areas; faint pencil ~0.17-0.20,
# ballpoint ~0.65-0.85): a page without boxes (the back of a form) shows its writer here
WRITER_SEEN = 2.0  # a look whose threshold is below half the writer's ink strength would have seen that ink
VANISHED_WRITER = 1e-3  # `faint_writer` of a page whose pen the scan dropped: fainter than any look sees
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
                "streaks": self.streaks}


@dataclass
class PageReading:
    fields: dict[str, FieldDecision] = field(default_factory=dict)
    texts: dict[str, TextArea] = field(default_factory=dict)
    registration_quality: str = ""
    fingerprint: str = ""
    print_verified: bool = False  # a poor marker fit, but every printed box was found where it maps to
    writer_seen: bool = False  # the page shows its writer's pen: an inked box or writing in a text area
    faint_writer: float = 0.0  # ... and that pen is faint: its ink strength (0: not a faint writer)

    @property
    def review(self) -> dict[str, str]:
        """{field_id: reason} for everything a person must look at."""
        out = {k: v.reason or "review" for k, v in self.fields.items() if v.status == "review"}
        out.update({k: v.reason or "review" for k, v in self.texts.items() if v.status == "review"})
        return out

    @property
    def values(self) -> dict[str, object]:
        out: dict[str, object] = {k: v.value for k, v in self.fields.items()}
        out.update({k: v.value for k, v in self.texts.items()})
        return out

    def to_dict(self) -> dict:
        """JSON-able audit record (text crops are not included: save them with `texts[id].crop`)."""
        return {"registration_quality": self.registration_quality, "print_verified": self.print_verified,
                "fingerprint": self.fingerprint, "writer_seen": self.writer_seen, "faint_writer": self.faint_writer,
                "fields": {k: v.to_dict() for k, v in self.fields.items()},
                "texts": {k: v.to_dict() for k, v in self.texts.items()}}


def locate(image: np.ndarray, furniture: dict) -> PageLocation:
    """Register the page (markers), read its QR text and tell whether it is a blank back."""
    if image is None or image.size == 0:
        raise InputError("Empty page image.")
    ink: list[float] = []

    def looks_blank() -> bool:
        # asked only when the fast marker pass found nothing. Four printed markers alone are ~18x the
        # blank limit of dark ink (one marker ~4x, the QR ~10x): a page below it cannot hold a marker
        # or a QR code, so the thorough retries and the whole-page QR search would be wasted.
        ink.append(ink_fraction(image))
        return ink[0] < BLANK_INK_FRACTION

    reg = register(image, furniture, give_up=looks_blank)
    size = tuple(float(v) for v in (furniture.get("page_size_mm") or (210.0, 297.0)))
    if reg.method == "gave_up":
        return PageLocation(reg, QrResult(), True, ink[0], size, {})  # type: ignore[arg-type]
    qr = read_qr(image, reg, (furniture.get("qr") or {}).get("rect_mm"))
    bv = blank_verdict(image, reg, qr, ink[0] if ink else None)
    streaks = find_streaks(image) if reg.ok else {}
    return PageLocation(reg, qr, bv.blank, bv.ink_fraction, size, streaks)  # type: ignore[arg-type]


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


def _mask_neighbour_overshoot(image: np.ndarray, H: np.ndarray, opts: list[dict], boxes: list[BoxDecision],
                              neighbours: list[list], streaks: dict | None) -> None:
    """A partial ring next to a clearly marked sibling: measure it again with the mark's overshoot masked.

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
        if b.state != "uncertain" or b.why != "partial_ring":
            continue
        grown = {tuple(float(v) for v in opts[j]["rect_mm"]) for j in marked}
        nbs = [_grow(r, OVERSHOOT_MM) if tuple(float(v) for v in r) in grown else r for r in neighbours[i]]
        m = measure_box(image, H, opts[i]["rect_mm"], nbs, streaks or None)
        state, conf, why = classify_box(m)
        if state == "empty":
            boxes[i] = BoxDecision(b.value, "empty", min(conf, 0.75), "ring_is_siblings_mark", m.to_dict())


def read(image: np.ndarray, location: PageLocation, page_fields: list[dict],
         printed_mm: list | tuple = ()) -> PageReading:
    """Measure every box, decide every field, crop and judge every text area of a located page.

    `printed_mm`: optional rects (mm) of printed text and rules on this page, masked like neighbours.
    """
    reg = location.registration
    if not reg.ok or reg.H is None:
        raise NotRegisteredError()
    H = reg.H
    all_rects = [o["rect_mm"] for f in page_fields if f.get("kind") in ("single", "multi")
                 for o in f.get("options", [])]
    neighbours = _neighbour_lists(all_rects, printed_mm)
    k = 0
    out = PageReading(registration_quality=reg.quality)
    poor = reg.quality == "poor"
    required: dict[str, bool] = {}
    for f in page_fields:
        kind = f.get("kind")
        fid = str(f.get("id"))
        if kind in ("single", "multi"):
            boxes = []
            opts = f.get("options", [])
            measures = measure_boxes(image, H, [o["rect_mm"] for o in opts], neighbours[k:k + len(opts)],
                                     location.streaks or None)
            k += len(opts)
            for o, m in zip(opts, measures, strict=True):
                state, conf, why = classify_box(m)
                boxes.append(BoxDecision(str(o["value"]), state, conf, why, m.to_dict()))
            if kind == "single":
                _mask_neighbour_overshoot(image, H, opts, boxes, neighbours[k - len(opts):k], location.streaks)
            required[fid] = bool(f.get("required", False))
            out.fields[fid] = decide_field(fid, kind, required[fid], boxes)
        elif kind == "text" and f.get("rect_mm"):
            ta = read_text_area(image, H, fid, f["rect_mm"], preprinted=bool(f.get("preprinted")),
                                label_band_mm=float(f.get("label_band_mm", LABEL_BAND_MM)),
                                streaks=location.streaks or None)
            out.texts[fid] = ta
    if poor and print_confirms_mapping(out.fields):
        poor, out.print_verified = False, True
    if poor:
        for ta in out.texts.values():
            if ta.status == "accepted":
                ta.status, ta.reason = "review", "poor_registration"
    _promote_lone_traces(out.fields, required)
    _doubt_absence_for_faint_writer(out)
    if is_bilevel(image):
        _doubt_mostly_blank_page(out, required)
    _doubt_near_missing_corners(out, page_fields, reg.markers_found, location.page_size_mm, image, H)
    for fd in out.fields.values():
        if poor and fd.status == "accepted":
            fd.status, fd.reason, fd.confidence = "review", "poor_registration", min(fd.confidence, 0.5)
    out.fingerprint = content_fingerprint(out)
    return out


PRINT_CHECK_MIN_BOXES = 12  # a page needs this many printed boxes to vouch for its own mapping ...
PRINT_CHECK_SHARE = 0.95  # ... this share of them found ...
PRINT_CHECK_SNAP_MM = 0.75  # ... within this of where the mapping puts them (box pitch >= 8 mm) ...
PRINT_CHECK_OUTLINE = 0.30  # ... with a clearly printed outline


def print_confirms_mapping(fields: dict[str, FieldDecision]) -> bool:
    """True when the printed boxes themselves show the page mapping is right to well under a box pitch.

    A poor marker fit (a marker torn, folded or misread; a curled page) makes every value doubtful:
    a box could be measured in its neighbour's place. But each box's outline is searched for
    (+-1.5 mm) before it is measured; when nearly all boxes of the page are found where the mapping
    says, with a clear outline, the mapping is locally right everywhere they are - a shift of a
    whole box pitch would leave the end boxes of a row or grid on bare paper or labels.
    """
    ms = [b.measures for fd in fields.values() for b in fd.boxes]
    if len(ms) < PRINT_CHECK_MIN_BOXES:
        return False
    ok = sum(1 for m in ms if float(m.get("outline", 0.0)) >= PRINT_CHECK_OUTLINE
             and max(abs(float(v)) for v in m.get("snap_mm", (9.0, 9.0))) <= PRINT_CHECK_SNAP_MM)
    return ok >= PRINT_CHECK_SHARE * len(ms)


CORNER_MM = 45.0  # a corner whose marker is missing is folded, torn or covered: distrust what lies this close


def _corner_squares(found: list[int], page_size_mm,
                    reach_mm: float = CORNER_MM) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) squares at the corners whose marker (0-3: TL, TR, BR, BL) was not found."""
    w, h = (float(v) for v in page_size_mm)
    r = reach_mm
    sq = {0: (0.0, 0.0, r, r), 1: (w - r, 0.0, w, r), 2: (w - r, h - r, w, h), 3: (0.0, h - r, r, h)}
    return [sq[m] for m in range(4) if m not in found]


def _touches(rect_mm, square) -> bool:
    x, y, rw, rh = (float(v) for v in rect_mm)
    return x < square[2] and x + rw > square[0] and y < square[3] and y + rh > square[1]


def near_missing_corner(rect_mm, found: list[int], page_size_mm=(210.0, 297.0), reach_mm: float = CORNER_MM) -> bool:
    """True if the rect reaches into the corner square of a marker that was not found.

    Markers 0-3 sit at the TL, TR, BR, BL corners. When one is missing although the others were
    found, that corner is usually folded over (a dog-ear), torn off or covered: a grey flap there
    looks like writing or a filled box, so nothing read near it may be accepted unseen.
    """
    return any(_touches(rect_mm, sq) for sq in _corner_squares(found, page_size_mm, reach_mm))


def _doubt_near_missing_corners(out: PageReading, page_fields: list[dict], found: list[int],
                                page_size_mm, image: np.ndarray, H: np.ndarray) -> None:
    """Fields near a corner whose marker is missing go to review - unless the print shows nothing covers them.

    Every printed outline of the field (a box's, a text area's frame) must then be seen along its whole
    length inside the corner square: a flap cannot reach into a framed area without hiding its frame.
    """
    if len(set(found) & {0, 1, 2, 3}) == 4:
        return
    squares = _corner_squares(found, page_size_mm)
    for f in page_fields:
        fid = str(f.get("id"))
        rects = [o["rect_mm"] for o in f.get("options", [])] or ([f["rect_mm"]] if f.get("rect_mm") else [])
        near = [(r, sq) for r in rects for sq in squares if _touches(r, sq)]
        if not near:
            continue
        item = out.fields.get(fid) or out.texts.get(fid)
        if item is None or item.status != "accepted":
            continue
        if all(frame_visible(image, H, r, sq) for r, sq in near):
            continue
        item.status, item.reason = "review", "corner_not_found"
        item.confidence = min(item.confidence, 0.5)


def _doubt_absence_for_faint_writer(out: PageReading) -> None:
    """Text areas and optional rows read as empty go to review when a faint pen could have vanished there.

    The writer's pen is seen in the boxes: the median ink strength of the inked boxes on the page
    (>= 2 of them; a trace too faint to measure counts as 0), or in the handwriting of the areas
    that hold some (a page without boxes). The result is kept on the reading (`writer_seen`,
    `faint_writer`) for the form's other pages (`doubt_for_writer`).
    Below FAINT_WRITER (FAINT_WRITER_TEXT for handwriting) the writer uses a faint pen. An empty text
    area on such a page is still trusted where the scan was clean enough to show that pen: the area's
    most sensitive look (its noise-only threshold) sits well below the writer's strength (WRITER_SEEN)
    and found nothing. On a noisy scan it does not, and the crop goes to a person instead. An empty
    optional row is always doubted: a faint loop around a box is outside the interior's close look;
    and so is a multiple-choice row with any box left empty (a faint-pencil stress run found one faint
    mark of two read and the other lost, silently).
    """
    inked = [_ink_strength(b) for fd in out.fields.values() for b in fd.boxes
             if b.state in ("marked", "uncertain") and (_ink_strength(b) > 0 or _is_faint_trace(b))]
    written = [ta.strength for ta in out.texts.values() if ta.state == "present" and ta.strength > 0]
    out.writer_seen = bool(inked or written)
    faint_marks = len(inked) >= 2 and float(np.median(inked)) < FAINT_WRITER
    faint_hand = len(written) >= 1 and float(np.median(written)) < FAINT_WRITER_TEXT
    if not (faint_marks or faint_hand):
        return
    writer = min(float(np.median(inked)) if faint_marks else 1.0, float(np.median(written)) if faint_hand else 1.0)
    out.faint_writer = max(writer, VANISHED_WRITER)
    for ta in out.texts.values():
        if ta.state == "absent" and ta.status == "accepted" and could_hide(ta.faint_mm2, ta.faint_t, writer):
            ta.status, ta.reason, ta.confidence = "review", "faint_writer", min(ta.confidence, 0.5)
    for fd in out.fields.values():  # an optional row left empty: always doubted (a faint loop drawn
        # around a box lies outside the interior's close look, and the ring is judged at the ink threshold);
        # so is a multiple-choice row with a box left empty: a second faint mark may have vanished there
        if fd.status != "accepted":
            continue
        empty_row = not fd.value and not any(b.state == "marked" for b in fd.boxes)
        if empty_row or (fd.kind == "multi" and any(b.state == "empty" for b in fd.boxes)):
            fd.status, fd.reason, fd.confidence = "review", "faint_writer", min(fd.confidence, 0.5)


def could_hide(faint_mm2: float, faint_t: float, writer: float) -> bool:
    """True when a text area read as empty could hold writing in a pen of ink strength `writer`.

    The area's most sensitive look (noise-only threshold `faint_t`) either found some ink after all,
    or sat above half the writer's strength (WRITER_SEEN) and would not have seen that pen.
    """
    return faint_mm2 >= ABSENT_MM2 or writer < WRITER_SEEN * faint_t


def doubt_for_writer(texts: dict[str, dict], faint_writer: float) -> list[str]:
    """Text areas of a page that showed no writer of its own, doubtful given the form's faint writer.

    `texts`: {field_id: TextArea.to_dict()} of that page; `faint_writer`: the faint pen's strength
    seen on another page of the same form (`PageReading.faint_writer`). A back page holding only
    text areas, all read as empty, cannot tell a faint pencil from no writing; the front page can
    (a stress test lost a faint pencil signature that way). Returns the areas to send to review.
    """
    return [fid for fid, t in texts.items()
            if t.get("state") == "absent" and t.get("status") == "accepted"
            and could_hide(float(t.get("faint_mm2", 0.0)), float(t.get("faint_t", 1.0)), faint_writer)]


def _ink_strength(b: BoxDecision) -> float:
    """How dark the pen of a box's mark is: its ink, else its faint trace (0: none measured in the box)."""
    m = b.measures
    return float(m.get("strength", 0.0)) or float(m.get("trace_strength", 0.0))


def _is_faint_trace(b: BoxDecision) -> bool:
    """A faint trace, doubtful or accepted as a lone trace: the writer's ink even where too faint to measure.

    A faint-pencil page whose strokes all fell below the per-pixel threshold showed no writer at
    all and had its empty rows trusted (a stress test lost two slashes silently that way; a second
    time after two faint marks were accepted as lone traces and no longer counted as faint ink).
    """
    return b.why in ("faint_trace", "lone_trace")


MOSTLY_BLANK_MIN = 3  # this many required rows read without any mark on one page ...
MOSTLY_BLANK_SHARE = 0.5  # ... and at least this share of the page's required rows: the ink may be lost


def _doubt_mostly_blank_page(out: PageReading, required: dict[str, bool]) -> None:
    """Everything read on a 1-bit page whose required rows are mostly blank goes to a person.

    Called for bilevel scans, where the scanner's threshold drops a faint pen before we see it: a
    page where most required rows read blank was more likely written with such a pen than left
    half empty. What did come through is then not to be trusted either: a stress test read a
    cancelled box as the answer, the faint fill over it and the new tick having both vanished
    (while the first tick, pressed harder, stayed). Text areas read as empty go too; writing that
    was seen stands. On a grey scan the faint pen itself is seen (`_doubt_absence_for_faint_writer`).
    The page then reports a writer too faint to measure (`faint_writer` = VANISHED_WRITER), so the
    empty text areas of the form's other pages are doubted as well (`doubt_for_writer`).
    """
    req = [fd for fid, fd in out.fields.items() if required.get(fid)]
    blank = [fd for fd in req if fd.reason == "no_mark" and all(b.state == "empty" for b in fd.boxes)]
    if len(blank) < max(MOSTLY_BLANK_MIN, MOSTLY_BLANK_SHARE * len(req)):
        return
    for fd in out.fields.values():
        if fd.status == "accepted":
            fd.status, fd.reason, fd.confidence = "review", "mostly_blank_page", min(fd.confidence, 0.5)
    for ta in out.texts.values():
        if ta.status == "accepted" and ta.state == "absent":
            ta.status, ta.reason, ta.confidence = "review", "mostly_blank_page", min(ta.confidence, 0.5)
    out.faint_writer = out.faint_writer or VANISHED_WRITER


def _promote_lone_traces(fields: dict[str, FieldDecision], required: dict[str, bool]) -> None:
    """A faint mark that is the only ink in its single-choice row, as dark as the writer's other marks.

    Faint pencil falls below the ink threshold and went to review as `little_ink` / `faint_ink` /
    `faint_trace` / `faint_ring`. Judged against its field and page instead of an absolute grey level,
    it is a mark when all of these hold:
    * it carries a stroke's worth of trace (>= LONE_TRACE_MIN of the interior above noise: a speck,
      dust or a pen rest stays below; or, for a trace with next to no ink at the ink threshold,
      >= 6 % per pixel where the averaged look joins the pieces into >= 10 %: a thin pencil stroke
      at 150-200 dpi), or a loop all around the box (`faint_ring`);
    * every other box of the row is clean (state empty): one candidate, no competing ink; in a
      multiple-choice row every other box is clean or clearly marked, and every faint one qualifies;
    * it is not much fainter than the writer: where the page holds >= 2 clear pen marks (ticks and
      crosses, loops), their median ink strength sets the writer's scale and the trace must reach
      LONE_TRACE_WRITER of it. An erased pencil mark keeps 10-30 % of its darkness and fails this; a
      faint-pencil writer's page has few clear marks, all of them about as faint. Without clear marks
      the page's faint traces set the scale, and there must be >= 2 of them: a single trace on a page
      (a smudge, a crease) is never promoted.
    Confidence stays low (0.6) so the record shows the mark was weak.
    """
    strengths = [float(b.measures.get("ring_strength" if b.why == "circled" else "strength", 0.0))
                 for fd in fields.values() for b in fd.boxes
                 if b.state == "marked" and b.why in ("ink_in_box", "circled")]
    writer = float(np.median(strengths)) if len(strengths) >= 2 else 0.0
    if not writer:
        # no clear marks to take the writer's scale from: a faint-pencil writer leaves several faint
        # traces, and those set the scale; one trace alone on the page (a smudge, a crease) stands for nothing
        faint = [v for fd in fields.values() for b in fd.boxes if b.state == "uncertain"
                 for v in [_trace_strength(b)] if v is not None]
        if len(faint) < 2:
            return
        writer = float(np.median(faint))
    for fid, fd in fields.items():
        if fd.status != "review" or fd.reason != "uncertain_mark":
            continue
        unsure = [b for b in fd.boxes if b.state == "uncertain"]
        others = {b.state for b in fd.boxes if b.state != "uncertain"}
        if not ((fd.kind == "single" and len(unsure) == 1 and others <= {"empty"})
                or (fd.kind == "multi" and unsure and others <= {"empty", "marked"})):
            continue
        ink = [_trace_strength(b) for b in unsure]
        if any(v is None or v < LONE_TRACE_WRITER * writer for v in ink):
            continue
        for b in unsure:
            b.state, b.confidence, b.why = "marked", 0.6, "lone_trace"
        nd = decide_field(fid, fd.kind, required.get(fid, False), fd.boxes)
        fd.value, fd.status, fd.reason, fd.confidence = nd.value, nd.status, nd.reason, min(nd.confidence, 0.6)


def _trace_strength(b: BoxDecision) -> float | None:
    """Ink strength of a faint mark that may stand as a lone trace, or None if it is not one."""
    m = b.measures
    if b.why == "faint_ring":
        return float(m.get("ring_strength", 0.0))
    if b.why not in ("little_ink", "faint_ink", "faint_trace"):
        return None
    f, fs = float(m.get("faint", 0.0)), float(m.get("faint_smooth", 0.0))
    thin_faint = float(m.get("coverage", 0.0)) < EMPTY_MAX  # next to nothing at the ink threshold: faint
    if f < LONE_TRACE_MIN and not (thin_faint and f >= LONE_TRACE_SMOOTH[0] and fs >= LONE_TRACE_SMOOTH[1]):
        return None  # (a small dark dot is not joined up by averaging: it may be a pen rest, a person decides)
    if int(m.get("ring_sectors", -1)) >= 4:
        return None  # something around the box too: not a lone trace
    if m.get("trace_runs_out"):
        return None  # a crease or a ruled line running through the box, not a pen stroke
    return _ink_strength(b)


def rectify(image: np.ndarray, location: PageLocation, px_per_mm: float = 4.0) -> np.ndarray:
    """The whole page warped upright at `px_per_mm` (for previews and review screens)."""
    reg = location.registration
    if not reg.ok or reg.H is None:
        raise NotRegisteredError()
    w, h = location.page_size_mm
    return warp_rect(image, reg.H, [0.0, 0.0, w, h], px_per_mm)
