"""Decisions: box states from measurements, and field values from box states.

Thresholds keep a margin band between every pair of states; a box inside a band is `uncertain`
and its field goes to review. Confidence is the distance from the nearest decision boundary,
scaled by the width of the band: 0.5 at a boundary, 1.0 far from it. A wrong value that is not
flagged is the worst outcome, so everything ambiguous is sent to a person.

Coverage is measured on the box interior (box shrunk 15 % per side). Reference points, from the
field (SDAPS: <5 % empty, 5-50 % ticked, >50 % filled; AMC: ticked >= 15 %, filled ~60 %) and our
synthetic measurements at 8 px/mm (pen 0.3-1.0 mm): tick 0.25-0.45, cross 0.39-0.66, slash 0.2-0.37,
1 mm dot ~0.08, fill and hatched fill 1.0 with solid 1.0; ticks and crosses up to 0.7 mm leave solid
< 0.15. Thicker felt-tip marks land between the bands; they are marks when their strokes leave
separate clear pockets of paper (`gaps`: >= 2, or >= 3 above MARK_COVERAGE_MAX), which no fill does;
when the pen is so thick that the pockets close up, two further shapes are recognised: two straight
arms crossing with clear paper between them (`x_arms` / `x_between`: a cross), one solid blob
that leaves the whole strip inside the outline clear (`edge_paper`: a dot), and lines no wider than
a felt tip (`stroke_mm`) that leave half of that strip clear and enclose no paper (`holes`: a
scribble's loops do) - a thick tick, where the small pocket
under its long arm closed up in a 150-200 dpi scan). A fill, cross-hatching
or a zig-zag covers the lines between the arms and reaches the outline. Anything else: review, never
a silent "cancelled".

Every pen mark worth an answer leaves a quarter of the strip inside the outline clear, and most of it
unless it passes through the middle of the box. Ink along the outline nearly all round, or most of the
way round a clear middle, is a fill that did not come through as one (a 1-bit scanner's local threshold
keeps only a blot's edges and some of what lies under it), or the box traced over -
`ink_along_outline`, for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scanner.measure import BoxMeasure, snap_trust

EMPTY_MAX = 0.035  # interior ink below this: empty
MARK_MIN = 0.10  # at or above this: a mark (between: uncertain - a 1 mm dot ~0.08, a stray, residue)
FAINT_TRACE = 0.04  # interior with any trace above noise: a faint pencil stroke - review, never "empty"
FAINT_STRENGTH = 0.14  # ink fainter than this (erased pencil, bleed-through) is never trusted as a mark
FAINT_FILL_SMOOTH = 0.85  # averaged, a faint trace over this much of the interior is a tone, not strokes ...
FAINT_FILL_INK_SHARE = 0.70  # ... when the ink covers less than this share of it (pen strokes: >= 0.74) ...
FAINT_FILL_STRENGTH = 0.30  # ... and the ink is pencil-faint: a fill in faint pencil, its dark streaks above
# the ink threshold (a noisy scan raises it); read as a tick, it was the answer the assessor cancelled
TONE_UNDER_MARK = 0.06  # the paper inside a marked box this much darker than around it: a faint fill over a
# tick (a cancelled answer) or a shadow; clean boxes measure <= 0.01 on office scans, <= 0.06 on photos
PALE_RUNS_ON_MM = 3.5  # pale ink of a mark running on this far beyond the outline in one stroke: a stain's rim,
# not a tick or a cross (they overshoot by 1-2 mm)
FILL_COVERAGE = 0.88  # a cancelled (filled) box: nearly all interior inked (1.4 mm felt-tip cross: 0.79)
FILL_SOLID = 0.75  # ... in solid blobs, not strokes
FILL_BETWEEN = 0.85  # ... and inked across: a very thick cross keeps paper on the lines between its arms
FILL_EVEN = 0.70  # ... and inked evenly: the interior's paler fifth at least this dark against its darker fifth
# (`fill_light`). Strokes with paper between them, blurred above the ink threshold by a phone or a soft scan,
# read as a solid blot (a zig-zag answer: 0.39-0.65); scribbled fills measure >= 0.68 (pencil grain)
FILL_SURE = 0.75  # a fill within half a band of those bounds (confidence below this) is between mark and fill:
# a felt-tip zig-zag or heavy cross answering a box came through at 0.50-0.69 (the ward's cancelling fills:
# 8 of 2,302 below 0.75, none between 0.7 and 0.8)
MARK_COVERAGE_MAX = 0.70  # a tick/cross with a 0.3-1 mm pen covers 0.2-0.66 of the interior
STROKE_SOLID_MAX = 0.30  # a tick/cross leaves little solid area; between this and FILL_SOLID: uncertain
HEAVY_MIN_STRENGTH = 0.25  # marks read by their heavy shape are pressed in ink (kept stacks: >= 0.32); a pale blot
# shaped like a cross - a highlighter's cancelling fill over its cross - read as the answer it cancelled
HEAVY_GAPS = 2  # a heavy mark (thick pen) with >= 2 separate clear areas between its strokes is a mark ...
HEAVY_GAPS_DENSE = 3  # ... above MARK_COVERAGE_MAX it takes >= 3 (the four pockets of a cross)
SHADE_EDGE_SHARE = 0.25  # pale ink whose sharpest edge against the paper right around it (`local_peak`) is under
# this share of its darkness has no edge: shade (soft shadows: 0.07-0.15; pencil marks, dots' rims included: >= 0.38)
CIRCLE_SECTORS = 7  # a circle drawn around the box reaches >= 7 of 8 directions
CIRCLE_MAYBE = 4  # 4-6: maybe a circle, maybe a label plus a stray: uncertain (unmarked boxes measured <= 3)
RING_PIECES_MIN = 4  # a circle's strokes run round the box in at least this many directions (`measure.ring_pieces`;
# fewer: a tint's nubs on the outline, or a loop cut to dots - uncertain)
MAYBE_RING_WHY = ("partial_ring", "ring_of_nubs")  # maybe a circle: what a neighbour's marks or a tint's texture make

OUTLINE_INKED = 0.25  # ink over >= 75 % of the strip inside the outline (`edge_paper` <= this): not a mark ...
RING_CENTRE_MAX = 0.15  # ... nor, around a clear middle of the box (ticks and slashes pass close by) ...
RING_EDGE_PAPER_MAX = 0.35  # ... ink over >= 65 % of that strip (marks read in 6,268 boxes of every profile
# and pen: edge_paper >= 0.35, and >= 0.56 with a clear middle; fills a local 1-bit threshold hollowed: 0-0.31)
SIDE_INK_MM = 1.5  # ink between the outline and the interior along this much of a side (`side_ink_mm`): a stroke
OUTLINE_MIN = 0.15  # mean darkness on the printed outline; below it we may be measuring the wrong place
SNAP_LIMIT_MM = 1.4  # an outline found at the edge of the search window is not trusted either

CROSS_ARMS_MIN = 0.85  # both arms of a felt-tip cross are inked (nearly) end to end through the crossing point;
# a small X stops short of the corners (0.85-0.94: 151 answers of the kept stacks went to a person at 0.95), while of
# 3,045 cancelling fills the dark one nearest a cross's shape reaches 0.76 (docs/benchmarks.md, thirty-first session)
CROSS_BETWEEN_MAX = 0.70  # ... the lines between them are paper but for the crossing blob (fills: >= 0.8)
CROSS_CONTRAST = 0.28  # arms minus between (cross-hatching and zig-zag fills: < 0.2)
DOT_COVERAGE_MAX = 0.66  # a pressed felt-tip dot: a blob well inside the box ...
DOT_EDGE_PAPER = 0.75  # ... that leaves the strip inside the outline clear (a fill reaches the outline)
HEAVY_LINE_MM = 1.7  # a felt-tip stroke (blur included) is at most this wide; a fill or a dot is a block
HEAVY_LINE_COVERAGE = 0.62  # ... a tick of such strokes leaves much of the box and ...
HEAVY_LINE_EDGE_PAPER = 0.50  # ... of the strip inside the outline clear (hasty fills: <= 0.4)
DOT_SOLIDITY = 0.92  # ... and is one solid blob, not strokes (solid >= 0.92 x coverage; scribbles ~0.7-0.9)

STATES = ("empty", "marked", "filled", "uncertain")


@dataclass
class BoxDecision:
    value: str
    state: str
    confidence: float
    why: str
    measures: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"value": self.value, "state": self.state, "confidence": round(self.confidence, 3),
                "why": self.why, "measures": self.measures}


def _margin(dist: float, band: float) -> float:
    """0.5 at a boundary, rising to 1.0 at one band width away."""
    return 0.5 + 0.5 * max(0.0, min(1.0, dist / band))


def _heavy_shape(m: BoxMeasure) -> tuple[str, float, str] | None:
    """A heavy mark whose pockets closed up, recognised by shape: a cross, a dot or thick lines (else None)."""
    c, s = m.coverage, m.solid
    if m.strength < HEAVY_MIN_STRENGTH:
        return None  # a pale blot (a highlighter, a faint fill over a tick) is not read by its shape
    # the lines through the ink's centre, or through where the arms cross (a felt-tip X with one arm longer)
    for arms, between in sorted(((m.x_arms, m.x_between), (m.x_arms_at, m.x_between_at)), key=lambda p: p[1] - p[0]):
        contrast = arms - between
        if arms >= CROSS_ARMS_MIN and between <= CROSS_BETWEEN_MAX and contrast >= CROSS_CONTRAST:
            conf = min(0.7, _margin(contrast - CROSS_CONTRAST, 0.2), _margin(FILL_SOLID - s, 0.3),
                       _margin(m.strength - FAINT_STRENGTH, 0.08))
            return "marked", conf, "crossed_arms"
    if s >= FILL_SOLID:
        return None
    if s >= DOT_SOLIDITY * c and c <= DOT_COVERAGE_MAX and m.edge_paper >= DOT_EDGE_PAPER:
        conf = min(0.65, _margin(m.edge_paper - DOT_EDGE_PAPER, 0.1), _margin(DOT_COVERAGE_MAX - c, 0.15))
        return "marked", conf, "dot"
    if (c <= HEAVY_LINE_COVERAGE and m.edge_paper >= HEAVY_LINE_EDGE_PAPER
            and 0 < m.stroke_mm <= HEAVY_LINE_MM and m.holes == 0):
        conf = min(0.65, _margin(HEAVY_LINE_MM - m.stroke_mm, 0.4), _margin(m.edge_paper - HEAVY_LINE_EDGE_PAPER, 0.2))
        return "marked", conf, "thick_lines"
    return None


def classify_box(m: BoxMeasure) -> tuple[str, float, str]:
    """(state, confidence, why) for one measured box.

    A box at a hard shadow's edge was also measured against the shaded paper (`m.in_shade`): what
    reads as ink against the lit paper may be the shade itself (a box in shadow looks filled, one
    half-shaded looks ticked). When the two readings disagree, the light, not the pen, decided it.
    """
    state, conf, why = _classify(m)
    if m.in_shade is not None and _classify(m.in_shade)[0] != state:
        return "uncertain", 0.3, "uneven_light"
    return state, conf, why


def _shade(m: BoxMeasure) -> bool:
    """Ink without an edge: the shade of a soft shadow across the box, darker than the ring's lit paper, not a pen.

    A phone photo's shadow ran past an empty box's corner; against the ring's paper, lit where the labels are (and
    left out of the sides compared for a step), the shaded part was ink and the optional row read as that answer,
    accepted. A pen's stroke, or a dot's rim, stands out from the paper right beside it (`local_peak`).
    """
    return 0 <= m.local_peak < SHADE_EDGE_SHARE * m.strength


def _classify(m: BoxMeasure) -> tuple[str, float, str]:
    c, s = m.coverage, m.solid
    if m.outline < OUTLINE_MIN:
        return "uncertain", 0.2, "outline_not_found"
    if max(abs(m.snap_mm[0]), abs(m.snap_mm[1])) >= SNAP_LIMIT_MM:
        return "uncertain", 0.2, "outline_far"
    if m.outline < snap_trust(m.noise) and c >= EMPTY_MAX:
        # measured where the mapping put the box, its outline too faint to find it by: ink near the
        # interior's edge may be the outline itself (~0.7 mm off on a curled phone photo)
        return "uncertain", 0.3, "outline_weak"
    circled = m.ring_sectors >= CIRCLE_SECTORS
    maybe_circled = CIRCLE_MAYBE <= m.ring_sectors < CIRCLE_SECTORS
    if c >= FILL_COVERAGE and s >= FILL_SOLID:
        if 0 <= m.x_between < FILL_BETWEEN:
            return "uncertain", 0.3, "between_mark_and_fill"  # a blot with a cross's shape: ask
        conf = min(_margin(c - FILL_COVERAGE, 0.1), _margin(s - FILL_SOLID, 0.2),
                   _margin(m.x_between - FILL_BETWEEN, 0.1) if m.x_between >= 0 else 1.0)
        if conf < FILL_SURE:
            return "uncertain", 0.3, "between_mark_and_fill"
        if 0 <= m.fill_light < FILL_EVEN:
            return "uncertain", 0.3, "uneven_fill"  # strokes with paper between them, run together in the scan
        if _shade(m):
            return "uncertain", 0.3, "uneven_light"
        return "filled", conf, "solid_fill"
    if c >= MARK_MIN and 0 <= m.edge_paper <= RING_EDGE_PAPER_MAX and (
            m.edge_paper <= OUTLINE_INKED or 0 <= m.centre_ink <= RING_CENTRE_MAX):
        return "uncertain", 0.3, "ink_along_outline"
    if c >= MARK_MIN:
        if m.strength < FAINT_STRENGTH:
            return "uncertain", 0.3, "faint_ink"
        if (m.faint_smooth >= FAINT_FILL_SMOOTH and c < FAINT_FILL_INK_SHARE * m.faint_smooth
                and m.strength < FAINT_FILL_STRENGTH):
            return "uncertain", 0.3, "faint_fill"
        if m.tone >= TONE_UNDER_MARK:
            return "uncertain", 0.3, "mark_on_tone"
        if m.reach_mm >= PALE_RUNS_ON_MM:
            return "uncertain", 0.3, "pale_ink_runs_on"
        if _shade(m):
            return "uncertain", 0.3, "uneven_light"
        if s >= STROKE_SOLID_MAX or c >= MARK_COVERAGE_MAX:
            # a felt-tip tick or cross is heavy, but its arms leave separate pockets of paper between
            # them; a cancelling fill blots the box out (at most one strip where the scribble fell short)
            need = HEAVY_GAPS if c < MARK_COVERAGE_MAX else HEAVY_GAPS_DENSE
            if s < FILL_SOLID and c < FILL_COVERAGE and m.gaps >= need and m.strength >= HEAVY_MIN_STRENGTH:
                conf = min(0.75, _margin(m.gaps - need + 0.5, 2.0), _margin(FILL_SOLID - s, 0.3),
                           _margin(FILL_COVERAGE - c, 0.15), _margin(m.strength - FAINT_STRENGTH, 0.08))
                return "marked", conf, "heavy_strokes"
            return (_heavy_shape(m) if c < FILL_COVERAGE else None) or ("uncertain", 0.3, "between_mark_and_fill")
        conf = min(_margin(c - MARK_MIN, 0.06), _margin(STROKE_SOLID_MAX - s, 0.15),
                   _margin(MARK_COVERAGE_MAX - c, 0.15), _margin(m.strength - FAINT_STRENGTH, 0.08))
        return "marked", conf, "ink_in_box"
    if m.pen_line_ink >= EMPTY_MAX:
        return "uncertain", 0.3, "pen_line_through"  # a stroke through the box and on: the answer, or a strike?
    if circled:
        if m.ring_strength < FAINT_STRENGTH:  # (0: no stroke was measured - no loop to vouch for)
            return "uncertain", 0.3, "faint_ring"  # as faint as an erased loop: judged against the writer
        if 0 <= m.ring_pieces < RING_PIECES_MIN:
            return "uncertain", 0.3, "ring_of_nubs"  # nubs on the outline all round (a tint's texture), or dots
        conf = _margin(m.ring_sectors - CIRCLE_SECTORS + 0.5, 1.5)
        return "marked", min(conf, _margin(MARK_MIN - c, 0.05)), "circled"
    if c >= EMPTY_MAX:
        return "uncertain", 0.3, "little_ink"
    if m.faint >= FAINT_TRACE or m.faint_smooth >= FAINT_TRACE:
        return "uncertain", 0.3, "faint_trace"
    if maybe_circled:
        return "uncertain", 0.3, "partial_ring"
    if m.side_ink_mm >= SIDE_INK_MM:
        return "uncertain", 0.3, "ink_inside_outline"  # a stroke along a side, where the interior does not look
    conf = min(_margin(EMPTY_MAX - c, 0.025), _margin(CIRCLE_MAYBE - m.ring_sectors - 0.5, 2.0),
               _margin(FAINT_TRACE - max(m.faint, m.faint_smooth), 0.03))
    return "empty", conf, "no_ink"


@dataclass
class FieldDecision:
    """A field's value and whether a person must look at it."""

    field_id: str
    kind: str
    value: str | list[str] | None
    status: str  # accepted | review
    reason: str | None
    confidence: float
    boxes: list[BoxDecision] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return self.status == "review"

    def to_dict(self) -> dict:
        return {"field_id": self.field_id, "kind": self.kind, "value": self.value, "status": self.status,
                "reason": self.reason, "confidence": round(self.confidence, 3),
                "boxes": [b.to_dict() for b in self.boxes]}


BAND_ROW_DARKER = 0.05  # a box this much darker inside (mean darkness) than the median of its row's other boxes ...
BAND_ROW_TIMES = 3.0  # ... and this many times as dark held a trace of its own, not the band's


def doubt_trace_taken_for_a_band(boxes: list[BoxDecision]) -> None:
    """A box-wide trace that the through-line erase took for a band's (`band_erased`) is doubted where the row's
    other boxes are clear inside (`trace_in_band`).

    A fold's shadow or a shaded band of the scan darkens every box it crosses alike; a row's printed tint stops at
    every box's outline. A box darker inside than its row-mates holds a trace of its own: on a dark laser-printed
    tint, a faint-pencil fill cancelling a circled box was erased with the tint (which filled the side strips
    like a fold's shadow) and the circle read as the answer - a silent error on an office scan.
    """
    if len(boxes) < 2:
        return
    dark = [float(b.measures.get("darkness", 0.0)) for b in boxes]
    for i, b in enumerate(boxes):
        if float(b.measures.get("band_erased", -1.0)) < 0 or b.state == "uncertain":
            continue
        base = float(np.median(dark[:i] + dark[i + 1:]))
        if dark[i] >= base + BAND_ROW_DARKER and dark[i] >= BAND_ROW_TIMES * base:
            boxes[i] = BoxDecision(b.value, "uncertain", 0.3, "trace_in_band", b.measures)


def _unsure_reason(unsure: list[BoxDecision]) -> str:
    """uneven_light when a shadow's edge made a box unsure (the reviewer looks for the shade), else uncertain_mark."""
    return "uneven_light" if any(b.why == "uneven_light" for b in unsure) else "uncertain_mark"


def decide_field(field_id: str, kind: str, required: bool, boxes: list[BoxDecision]) -> FieldDecision:
    """Field rules: single -> exactly one clear mark; multi -> the marked set; anything unsure -> review."""
    marked = [b for b in boxes if b.state == "marked"]
    filled = [b for b in boxes if b.state == "filled"]
    unsure = [b for b in boxes if b.state == "uncertain"]
    conf = min((b.confidence for b in boxes), default=1.0)
    if kind == "multi":
        value: str | list[str] | None = [b.value for b in marked]
        if unsure:
            return FieldDecision(field_id, kind, value, "review", _unsure_reason(unsure), min(conf, 0.5), boxes)
        if filled and not marked:
            return FieldDecision(field_id, kind, value, "review", "all_cancelled", min(conf, 0.5), boxes)
        if required and not marked:
            return FieldDecision(field_id, kind, value, "review", "no_mark", conf, boxes)
        return FieldDecision(field_id, kind, value, "accepted", None, conf, boxes)
    best = marked[0].value if len(marked) == 1 else None
    if unsure:
        return FieldDecision(field_id, kind, best, "review", _unsure_reason(unsure), min(conf, 0.5), boxes)
    if len(marked) > 1:
        return FieldDecision(field_id, kind, None, "review", "multiple_marks", conf, boxes)
    if len(marked) == 1:
        return FieldDecision(field_id, kind, best, "accepted", None, conf, boxes)
    if filled:
        return FieldDecision(field_id, kind, None, "review", "all_cancelled", min(conf, 0.5), boxes)
    if required:
        return FieldDecision(field_id, kind, None, "review", "no_mark", conf, boxes)
    return FieldDecision(field_id, kind, None, "accepted", None, conf, boxes)
