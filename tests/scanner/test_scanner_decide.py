import pytest

from scanner.decide import BoxDecision, decide_field
from scanner.writer import (
    doubt_absence_for_faint_writer,
    doubt_breaking_pen,
    doubt_mostly_blank_page,
    doubt_pale_marks,
    promote_lone_traces,
    quiet_tint_rings,
)


def boxes(*states, conf=0.9):
    return [BoxDecision(f"v{i}", s, 0.3 if s == "uncertain" else conf, "") for i, s in enumerate(states)]


@pytest.mark.parametrize("kind,required,states,value,status,reason", [
    ("single", True, ["empty", "marked", "empty"], "v1", "accepted", None),
    ("single", True, ["filled", "marked", "empty"], "v1", "accepted", None),  # cancelled box ignored
    ("single", True, ["empty", "empty", "empty"], None, "review", "no_mark"),
    ("single", False, ["empty", "empty", "empty"], None, "accepted", None),
    ("single", False, ["empty", "uncertain", "empty"], None, "review", "uncertain_mark"),
    ("single", True, ["marked", "marked", "empty"], None, "review", "multiple_marks"),
    ("single", True, ["marked", "uncertain", "empty"], "v0", "review", "uncertain_mark"),
    ("single", True, ["filled", "empty", "empty"], None, "review", "all_cancelled"),
    ("single", False, ["filled", "filled", "empty"], None, "review", "all_cancelled"),
    ("multi", False, ["marked", "empty", "marked"], ["v0", "v2"], "accepted", None),
    ("multi", False, ["empty", "empty", "empty"], [], "accepted", None),
    ("multi", True, ["empty", "empty", "empty"], [], "review", "no_mark"),
    ("multi", False, ["marked", "uncertain", "empty"], ["v0"], "review", "uncertain_mark"),
    ("multi", False, ["filled", "empty", "empty"], [], "review", "all_cancelled"),
    ("multi", False, ["filled", "marked", "empty"], ["v1"], "accepted", None),
])
def test_field_rules(kind, required, states, value, status, reason):
    fd = decide_field("f", kind, required, boxes(*states))
    assert (fd.value, fd.status, fd.reason) == (value, status, reason)


def test_confidence_is_weakest_box_and_capped_on_review():
    b = boxes("empty", "marked", "empty")
    b[0].confidence = 0.62
    assert decide_field("f", "single", True, b).confidence == 0.62
    assert decide_field("f", "single", True, boxes("marked", "uncertain")).confidence <= 0.5


def _interior(draw):
    """Inside a 5.2 mm box's outline at 8 px/mm (32 x 32), ink drawn by `draw(img)`."""
    import cv2
    import numpy as np

    img = np.zeros((32, 32), np.uint8)
    draw(img, cv2)
    return img > 0


def test_clear_areas_tell_heavy_strokes_from_fill():
    from scanner.measure import clear_areas

    # 0.75 mm felt-tip strokes (6 px); with 1 mm strokes (8 px) the cross's pockets close: left for review
    thick_x = _interior(lambda m, cv2: (cv2.line(m, (0, 0), (31, 31), 1, 6), cv2.line(m, (31, 0), (0, 31), 1, 6)))
    thick_tick = _interior(lambda m, cv2: (cv2.line(m, (2, 16), (12, 31), 1, 8), cv2.line(m, (12, 31), (31, 0), 1, 8)))
    very_thick_x = _interior(lambda m, cv2: (cv2.line(m, (0, 0), (31, 31), 1, 8), cv2.line(m, (31, 0), (0, 31), 1, 8)))
    solid = _interior(lambda m, cv2: m.fill(1))
    short_fill = _interior(lambda m, cv2: m[:, :21].fill(1))  # the scribble fell short of one edge
    fill_two_corners = _interior(lambda m, cv2: (m.fill(1), m[:6, :6].fill(0), m[-6:, -6:].fill(0)))
    assert clear_areas(thick_x) == 4
    assert clear_areas(thick_tick) == 2  # above the arms and below the long arm (the short one's is < 1 mm)
    assert clear_areas(very_thick_x) == 0
    assert clear_areas(solid) == 0
    assert clear_areas(short_fill) == 1
    assert clear_areas(fill_two_corners) == 0  # pockets < 1 mm across are scribble gaps, not between strokes


def _measure(coverage, solid, gaps, strength=0.8):
    from scanner.measure import BoxMeasure

    return BoxMeasure(coverage=coverage, faint=coverage, faint_smooth=coverage, darkness=coverage * strength, strength=strength, solid=solid,
                      ring_sectors=-1, ring_ink=-1.0, background=230.0, noise=0.02, t_ink=0.1, snap_mm=(0.0, 0.0),
                      outline=0.6, gaps=gaps)


@pytest.mark.parametrize("ring_strength,state,why", [(0.0, "uncertain", "faint_ring"), (0.1, "uncertain", "faint_ring"),
                                                     (0.35, "marked", "circled")])
def test_a_ring_with_no_stroke_measured_is_not_a_confident_circle(ring_strength, state, why):
    """A ring seen all round but with no stroke to measure (strength 0: an inkjet tint's droplets joined to the
    outline once made one) has nothing to vouch for it: it is doubted like a faint loop, never read circled."""
    from scanner.decide import classify_box

    m = _measure(0.0, 0.0, -1)
    m.ring_sectors, m.ring_ink, m.ring_strength = 8, 0.06, ring_strength
    assert classify_box(m)[0::2] == (state, why)


@pytest.mark.parametrize("pieces,state,why", [(-1, "marked", "circled"), (8, "marked", "circled"),
                                              (4, "marked", "circled"), (3, "uncertain", "ring_of_nubs"),
                                              (0, "uncertain", "ring_of_nubs")])
def test_a_ring_whose_strokes_do_not_run_round_the_box_is_not_a_circle(pieces, state, why):
    """A ring seen all round whose pieces run round the box in under 4 directions (`ring_pieces`: nubs of a tint's
    texture on the outline, or a loop cut to dots) is a maybe-circle for a person; -1 (not measured: an older
    reading) leaves the decision as it was."""
    from scanner.decide import classify_box

    m = _measure(0.0, 0.0, -1)
    m.ring_sectors, m.ring_ink, m.ring_strength, m.ring_pieces = 8, 0.06, 0.4, pieces
    assert classify_box(m)[0::2] == (state, why)


@pytest.mark.parametrize("coverage,solid,gaps,state,why", [
    (0.55, 0.40, 2, "marked", "heavy_strokes"),  # felt-tip tick
    (0.65, 0.45, 4, "marked", "heavy_strokes"),  # felt-tip cross
    (0.78, 0.60, 3, "marked", "heavy_strokes"),  # very heavy cross: three pockets left
    (0.78, 0.60, 2, "uncertain", "between_mark_and_fill"),  # dense with two pockets: could be a sloppy fill
    (0.60, 0.45, 1, "uncertain", "between_mark_and_fill"),  # one clear strip: a fill that fell short, or a blob
    (0.60, 0.80, 4, "uncertain", "between_mark_and_fill"),  # solid as a fill
    (0.90, 0.70, 4, "uncertain", "between_mark_and_fill"),  # covered as a fill
    (1.00, 1.00, 0, "filled", "solid_fill"),
    (0.40, 0.10, -1, "marked", "ink_in_box"),  # ordinary pen: unchanged, gaps not measured
])
def test_heavy_strokes_with_clear_pockets_are_marks(coverage, solid, gaps, state, why):
    from scanner.decide import classify_box

    st, conf, w = classify_box(_measure(coverage, solid, gaps))
    assert (st, w) == (state, why)
    if st == "marked" and w == "heavy_strokes":
        assert 0.5 < conf <= 0.75


@pytest.mark.parametrize("strength,state,why", [(0.17, "uncertain", "between_mark_and_fill"),
                                                (0.80, "marked", "crossed_arms")])
def test_a_pale_blot_shaped_like_a_cross_is_not_read_by_its_shape(strength, state, why):
    """Two arms inked end to end over a blot: a felt-tip cross whose pockets closed up - or, in a pale pen,
    a highlighter's cancelling fill over its own cross, which read as the answer it cancelled (the answer
    beside it lost to the same pale pen). Marks read by a heavy shape are pressed in ink."""
    from scanner.decide import classify_box

    m = _measure(0.84, 0.84, 0, strength=strength)
    m.x_arms, m.x_between = 1.0, 0.70
    assert classify_box(m)[::2] == (state, why)


@pytest.mark.parametrize("centre,crossing,state,why", [
    ((0.84, 0.625), (0.956, 0.615), "marked", "crossed_arms"),  # a felt-tip X of the ward's office300 stack
    ((0.821, 0.78), (1.0, 0.5), "marked", "crossed_arms"),  # ... and of its office200 stack
    ((0.84, 0.625), (-1.0, -1.0), "uncertain", "between_mark_and_fill"),  # not measured: as before
    ((0.84, 0.625), (0.80, 0.60), "uncertain", "between_mark_and_fill"),  # an arm well short of the far side
    ((0.84, 0.625), (1.0, 0.74), "uncertain", "between_mark_and_fill"),  # inked between the arms: a blot
])
def test_a_cross_is_seen_through_where_its_arms_cross(centre, crossing, state, why):
    """A heavy mark is a cross when its two arms are inked end to end with paper between them, whether the lines
    are laid through the centre of its ink or through where its arms cross (`measure.crossing_profile`); the bounds
    are the same for both."""
    from scanner.decide import classify_box

    m = _measure(0.64, 0.45, 1)
    (m.x_arms, m.x_between), (m.x_arms_at, m.x_between_at) = centre, crossing
    assert classify_box(m)[::2] == (state, why)


@pytest.mark.parametrize("arms,between,coverage,solid,state,why", [
    (0.854, 0.5385, 0.59, 0.33, "marked", "crossed_arms"),  # a felt-tip X at 200 dpi, arms short of the corners
    (0.9375, 0.55, 0.69, 0.51, "marked", "crossed_arms"),  # another, heavier
    (0.7568, 0.40, 0.52, 0.40, "uncertain", "between_mark_and_fill"),  # the crossiest dark cancelling fill surveyed
])
def test_a_felt_tip_x_whose_arms_stop_short_of_the_corners_is_a_cross(arms, between, coverage, solid, state, why):
    """A felt-tip X drawn small leaves its arms short of the box's corners: inked along 0.85-0.94 of the lines
    through them, not end to end, and 151 such answers in the kept stacks (two in a 100-form office 200-dpi run)
    went to a person as between a mark and a fill. Of 3,045 cancelling fills in the same stacks, the dark one
    closest to a cross's shape has arms inked along 0.76 (docs/benchmarks.md, thirty-first session)."""
    from scanner.decide import classify_box

    m = _measure(coverage, solid, 1)
    m.x_arms, m.x_between = arms, between
    assert classify_box(m)[::2] == (state, why)


@pytest.mark.parametrize("coverage,solid,x_between,fill_light,state,why", [
    (1.00, 1.00, 1.00, 0.95, "filled", "solid_fill"),
    (0.89, 0.90, 1.00, 0.95, "uncertain", "between_mark_and_fill"),  # just over the coverage bound
    (0.96, 0.76, 1.00, 0.95, "uncertain", "between_mark_and_fill"),  # just over the solidity bound
    (0.96, 1.00, 0.87, 0.95, "uncertain", "between_mark_and_fill"),  # just over the bound between the arms
    (0.93, 0.85, 0.90, 0.95, "filled", "solid_fill"),  # half a band beyond all three
    (0.97, 1.00, 0.95, 0.45, "uncertain", "uneven_fill"),  # inked all over, but light between strokes
    (0.97, 1.00, 0.95, -1.0, "filled", "solid_fill"),  # unmeasured (never, for a box inked like this)
])
def test_a_cancelling_fill_is_only_taken_well_clear_of_the_mark_band(coverage, solid, x_between, fill_light,
                                                                    state, why):
    """A "cancelled" box drops an answer without a word, so a fill must be one beyond doubt: a felt-tip
    zig-zag answer came through at the very bounds (confidence 0.50-0.69), and blurred strokes with paper
    between them as a blot that is light between the strokes."""
    from scanner.decide import classify_box

    m = _measure(coverage, solid, 0)
    m.x_between, m.fill_light = x_between, fill_light
    assert classify_box(m)[::2] == (state, why)


@pytest.mark.parametrize("coverage,smooth,strength,state", [
    (0.19, 0.95, 0.25, "uncertain"),  # faint-pencil fill on a noisy scan: a tone over the box, streaks inked
    (0.58, 1.00, 0.17, "uncertain"),
    (0.65, 0.88, 0.36, "marked"),  # a blue ballpoint cross on a phone photo: darker ink
    (0.66, 0.92, 0.25, "marked"),  # strokes carry most of the averaged trace
    (0.40, 0.60, 0.20, "marked"),  # a pencil tick: paper between the strokes even when averaged
])
def test_a_faint_tone_over_the_whole_box_is_not_taken_for_a_tick(coverage, smooth, strength, state):
    """Two stress-test silent errors: a box cancelled with a faint-pencil fill read as the answer (its darker
    streaks crossed the ink threshold; the new answer, a faint slash, vanished)."""
    from scanner.decide import classify_box

    m = _measure(coverage, 0.1, -1, strength)
    m.faint_smooth = smooth
    st, _, why = classify_box(m)
    assert st == state
    if st == "uncertain":
        assert why == "faint_fill"


def test_partial_ring_beside_marked_sibling_is_remeasured_with_overshoot_masked(monkeypatch):
    import scanner as sc

    opts = [{"value": "a", "rect_mm": [10, 10, 5, 5]}, {"value": "b", "rect_mm": [19, 10, 5, 5]},
            {"value": "c", "rect_mm": [28, 10, 5, 5]}]
    rects = [o["rect_mm"] for o in opts]
    neighbours = [[r for r in rects if r != own] for own in rects]
    seen = []

    def fake_measure(image, H, rect, nbs, streaks=None, pen_dark=None):
        seen.append((rect, nbs))
        return _measure(0.0, 0.0, -1)  # nothing left in the ring once the sibling's strokes are masked

    monkeypatch.setattr(sc, "measure_box", fake_measure)
    boxes = [BoxDecision("a", "marked", 0.9, "ink_in_box"), BoxDecision("b", "uncertain", 0.3, "partial_ring"),
             BoxDecision("c", "empty", 0.9, "no_ink")]
    sc._mask_neighbour_overshoot(None, None, opts, boxes, neighbours, None)
    assert seen == [([19, 10, 5, 5], [[8.0, 8.0, 9.0, 9.0], [28, 10, 5, 5]])]  # only the marked sibling grown 2 mm
    assert (boxes[1].state, boxes[1].why) == ("empty", "ring_is_siblings_mark")

    seen.clear()  # no clear mark in the row: the partial ring stays for review, nothing re-measured
    boxes = [BoxDecision("a", "uncertain", 0.3, "little_ink"), BoxDecision("b", "uncertain", 0.3, "partial_ring"),
             BoxDecision("c", "empty", 0.9, "no_ink")]
    sc._mask_neighbour_overshoot(None, None, opts, boxes, neighbours, None)
    assert seen == [] and boxes[1].state == "uncertain"

    monkeypatch.setattr(sc, "measure_box", lambda *a, **k: _measure(0.0, 0.0, -1).__class__(
        **{**_measure(0.0, 0.0, -1).__dict__, "ring_sectors": 5}))  # a real circle keeps >= 5 directions
    boxes = [BoxDecision("a", "marked", 0.9, "ink_in_box"), BoxDecision("b", "uncertain", 0.3, "partial_ring"),
             BoxDecision("c", "empty", 0.9, "no_ink")]
    sc._mask_neighbour_overshoot(None, None, opts, boxes, neighbours, None)
    assert (boxes[1].state, boxes[1].why) == ("uncertain", "partial_ring")


def _bd(value, state, why, faint=0.0, strength=0.0, sectors=0):
    return BoxDecision(value, state, 0.3 if state == "uncertain" else 0.9, why,
                       {"faint": faint, "strength": strength, "t_ink": 0.1, "ring_sectors": sectors})


def _fields(rows, kind="single"):
    return {fid: decide_field(fid, kind, True, boxes) for fid, boxes in rows.items()}


def test_lone_faint_trace_in_clean_row_is_a_mark():

    faint_row = [_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "little_ink", 0.16, 0.11), _bd("3", "empty", "no_ink")]
    other = [_bd("a", "uncertain", "faint_ink", 0.2, 0.12), _bd("b", "empty", "no_ink")]  # the writer's next mark
    fields = _fields({"r": faint_row, "o": other})
    promote_lone_traces(fields, {"r": True, "o": True})
    fd = fields["r"]
    assert (fd.value, fd.status, fd.reason, fd.confidence) == ("2", "accepted", None, 0.6)
    assert (fd.boxes[1].state, fd.boxes[1].why) == ("marked", "lone_trace")
    assert fields["o"].value == "a"


def test_a_single_faint_trace_on_a_page_without_clear_marks_is_no_mark():
    """With no clear marks to judge a writer by, one trace alone on the page could be a smudge or a crease
    (one once was, and was accepted): the page's faint traces must set the scale, so there must be two."""

    row = [_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "little_ink", 0.16, 0.11), _bd("3", "empty", "no_ink")]
    fields = _fields({"r": row, "e": [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")]})
    promote_lone_traces(fields, {"r": True, "e": False})
    assert fields["r"].status == "review" and fields["r"].value is None


@pytest.mark.parametrize("row,writer", [
    # a speck-sized trace: below a stroke's worth of interior
    ([_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "faint_trace", 0.06, 0.10), _bd("3", "empty", "no_ink")], []),
    # another box has ink too: two candidates, a person decides
    ([_bd("1", "uncertain", "faint_trace", 0.05), _bd("2", "uncertain", "little_ink", 0.16, 0.11),
      _bd("3", "empty", "no_ink")], []),
    ([_bd("1", "marked", "ink_in_box", 0.3, 0.5), _bd("2", "uncertain", "little_ink", 0.16, 0.11)], []),
    # the writer's clear marks are far darker: an erased mark's ghost, not this writer's mark
    ([_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "little_ink", 0.16, 0.11)], [0.45, 0.5]),
    # partial ring around it as well
    ([_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "little_ink", 0.16, 0.11, sectors=4)], []),
    # not a faintness question
    ([_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "between_mark_and_fill", 0.8, 0.8)], []),
])
def test_lone_trace_rule_leaves_doubtful_rows_for_review(row, writer):

    rows = {"r": row, "f": [_bd("a", "uncertain", "faint_ink", 0.2, 0.11), _bd("b", "empty", "no_ink")]}  # more faint
    for i, st in enumerate(writer):  # the writer's clear marks elsewhere on the page
        rows[f"w{i}"] = [_bd("a", "marked", "ink_in_box", 0.3, st), _bd("b", "empty", "no_ink")]
    fields = _fields(rows)
    before = (fields["r"].value, fields["r"].status, fields["r"].reason)
    promote_lone_traces(fields, {k: True for k in rows})
    assert (fields["r"].value, fields["r"].status, fields["r"].reason) == before
    assert fields["r"].status == "review"


def test_a_faint_tone_over_a_box_is_not_promoted_as_a_lone_mark():
    """A highlighter's cancelling fill is a faint tone over the whole box (ink at the ink threshold over
    0.8 of it, the averaged trace over all of it); beside the writer's equally faint ticks it stood as a
    lone trace and was read as the answer it cancelled. The promoted traces of the kept stacks (11,834)
    cover <= 0.31 at the ink threshold and <= 0.62 averaged: a tone that wide is a fill, for a person."""
    def tone(cov, smooth):
        return BoxDecision("2", "uncertain", 0.3, "faint_ink",
                           {"faint": 1.0, "faint_smooth": smooth, "coverage": cov, "strength": 0.13, "t_ink": 0.1,
                            "ring_sectors": -1})

    for cov, smooth, promoted in ((0.8, 1.0, False), (0.3, 0.9, False), (0.3, 0.6, True)):
        rows = {"r": [BoxDecision("1", "marked", 0.9, "ink_in_box", {"strength": 0.14, "faint": 0.2}),
                      tone(cov, smooth), _bd("3", "empty", "no_ink")],
                "w0": [_bd("a", "marked", "ink_in_box", 0.2, 0.14), _bd("b", "empty", "no_ink")],
                "w1": [_bd("a", "marked", "ink_in_box", 0.2, 0.15), _bd("b", "empty", "no_ink")]}
        fields = {fid: decide_field(fid, "multi", False, boxes) for fid, boxes in rows.items()}
        promote_lone_traces(fields, {k: False for k in rows})
        assert (fields["r"].status == "accepted") == promoted, (cov, smooth, fields["r"].to_dict())


def test_lone_trace_writer_scale_accepts_an_equally_faint_writer():

    rows = {"r": [_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "faint_ink", 0.2, 0.12)],
            "w0": [_bd("a", "marked", "ink_in_box", 0.2, 0.15), _bd("b", "empty", "no_ink")],
            "w1": [_bd("a", "marked", "ink_in_box", 0.2, 0.17), _bd("b", "empty", "no_ink")]}
    fields = _fields(rows)
    promote_lone_traces(fields, {k: True for k in rows})
    assert (fields["r"].value, fields["r"].status) == ("2", "accepted")


def _ring(value, state, why, ring_strength):
    return BoxDecision(value, state, 0.3 if state == "uncertain" else 0.9, why,
                       {"faint": 0.0, "strength": 0.0, "t_ink": 0.1, "ring_sectors": 8, "ring_strength": ring_strength})


@pytest.mark.parametrize("ring_tone,status", [(-1.0, "accepted"), (0.0, "accepted"), (0.3, "accepted"),
                                              (0.6, "review"), (1.0, "review")])
def test_a_lone_faint_ring_on_a_tinted_row_is_not_promoted(ring_tone, status):
    """A faint-pencil writer's page, a required row left empty: an inkjet's droplets in the row's tint joined into
    a faint ring round one box, the row's only doubt, as dark as the writer's faint marks - promoted and accepted
    as an answer nobody gave (inkjet stress run, office 300 dpi). A ring drawn on a tint cannot be told from the
    tint's texture by its darkness: it is promoted only where its strokes lie on paper (`ring_tone`)."""
    ring = _ring("2", "uncertain", "faint_ring", 0.11)
    ring.measures["ring_tone"] = ring_tone
    rows = {"r": [_bd("1", "empty", "no_ink"), ring, _bd("3", "empty", "no_ink")],
            "f0": [_bd("a", "uncertain", "faint_ink", 0.2, 0.12), _bd("b", "empty", "no_ink")],
            "f1": [_bd("a", "empty", "no_ink"), _bd("b", "uncertain", "little_ink", 0.16, 0.11)]}
    fields = _fields(rows)
    promote_lone_traces(fields, {k: True for k in rows})
    assert fields["r"].status == status and fields["r"].value == ("2" if status == "accepted" else None)
    assert fields["f0"].value == "a"  # the writer's faint ticks on paper still stand


@pytest.mark.parametrize("whitened,status", [(False, "accepted"), (True, "review")])
def test_a_lone_faint_ring_on_a_whitened_page_is_not_promoted(whitened, status):
    """A dark toner's tint on a scan whose driver whitened the paper: the tint went white with it, its texture
    stayed as specks, and a ring of them round an empty box of the rating row (0.05 dark, on no tone any more) was
    as dark as the faint-pencil writer's whitened traces - promoted and accepted as "1", the answer "4" lost
    (hunt s1596). On a whitened page a faint ring is never promoted; faint traces in the boxes still are."""
    ring = _ring("1", "uncertain", "faint_ring", 0.051)
    ring.measures["ring_tone"] = 0.08
    rows = {"r": [ring, _bd("2", "empty", "no_ink"), _bd("3", "empty", "no_ink")],
            "f0": [_bd("a", "uncertain", "faint_ink", 0.2, 0.07), _bd("b", "empty", "no_ink")],
            "f1": [_bd("a", "empty", "no_ink"), _bd("b", "uncertain", "little_ink", 0.16, 0.06)]}
    fields = _fields(rows)
    promote_lone_traces(fields, {k: True for k in rows}, whitened=whitened)
    assert fields["r"].status == status and fields["r"].value == ("1" if status == "accepted" else None)
    assert fields["f0"].value == "a" and fields["f1"].value == "b"


def _tint_ring(value, why, ring_strength, ring_tone):
    b = _ring(value, "uncertain", why, ring_strength)
    b.measures["ring_tone"] = ring_tone
    return b


@pytest.mark.parametrize("rings,kind,status", [
    ([_tint_ring("2", "partial_ring", 0.1, 0.9)], "single", "accepted"),  # the tint's texture beside a tick
    ([_tint_ring("2", "faint_ring", 0.1, 0.9), _tint_ring("4", "partial_ring", 0.12, 1.0)], "single", "accepted"),
    ([_tint_ring("2", "partial_ring", 0.1, 0.2)], "single", "review"),  # a ring on paper: maybe a second answer
    ([_tint_ring("2", "partial_ring", 0.3, 0.9)], "single", "review"),  # as dark as a pen: a second answer?
    ([_tint_ring("2", "partial_ring", 0.1, 0.9), _bd("4", "uncertain", "little_ink", 0.16, 0.11)], "single", "review"),
    ([_tint_ring("2", "partial_ring", 0.1, 0.9)], "multi", "review"),  # in a multiple-choice row it may be one more
    ([_tint_ring("2", "ring_of_nubs", 0.1, 0.9)], "single", "accepted"),  # the texture's nubs on the outline all round
    ([_tint_ring("2", "ring_of_nubs", 0.1, 0.2)], "single", "review"),  # ... not on the tint: dots of a loop, maybe
])
def test_a_faint_ring_on_a_tinted_row_beside_a_clear_mark_is_the_tint(rings, kind, status):
    """A dark toner's dot screen and an inkjet's droplets make faint and partial rings round empty boxes of the
    tinted rows; beside the row's one clear tick they sent it to a person (dark-toner office scans: 87 -> 60
    fields to a person, 92 kept stacks: no value changed but to the truth). A ring fainter than 0.4 of the tick
    on the tint is read empty; any other doubt keeps the row with a person."""
    row = [_bd("1", "marked", "ink_in_box", 0.3, 0.6)] + [r.__class__(**r.__dict__) for r in rings]
    fields = {"r": decide_field("r", kind, True, row)}
    quiet_tint_rings(fields, {"r": True})
    fd = fields["r"]
    assert fd.status == status, fd.to_dict()
    if status == "accepted":
        assert fd.value == "1" and fd.confidence <= 0.7
        assert {b.why for b in fd.boxes if b.value != "1"} == {"tint_ring"}


@pytest.mark.parametrize("writer,status", [(0.15, "accepted"), (0.5, "review")])
def test_faint_marks_in_a_multiple_choice_row_are_judged_against_the_writer(writer, status):
    """In a multiple-choice row each faint mark (a trace in the box, a loop around it) stands when it is
    about as dark as the writer's clear marks - a faint pencil writer's page; beside a ballpoint writer's
    marks the same trace is a rubbed-out mark and goes to a person. A clear mark in the row does not stop it."""

    rows = {"m": [_bd("1", "marked", "ink_in_box", 0.3, writer), _bd("2", "uncertain", "faint_ink", 0.2, 0.12),
                  _ring("3", "uncertain", "faint_ring", 0.11), _bd("4", "empty", "no_ink")],
            "w": [_bd("a", "marked", "ink_in_box", 0.2, writer), _bd("b", "empty", "no_ink")]}
    fields = _fields(rows, "multi")
    promote_lone_traces(fields, {k: False for k in rows})
    assert fields["m"].status == status
    if status == "accepted":
        assert fields["m"].value == ["1", "2", "3"] and fields["m"].confidence <= 0.6
    # one doubtful box that is no faint stroke (a partial ring) keeps the whole row for a person
    rows["m"][3] = BoxDecision("4", "uncertain", 0.3, "partial_ring", {"ring_sectors": 4})
    fields = _fields(rows, "multi")
    promote_lone_traces(fields, {k: False for k in rows})
    assert fields["m"].status == "review"


def _text(state, faint_t=0.0):
    import numpy as np

    from scanner.handwriting import TextArea

    value = "present" if state == "present" else None
    return TextArea("t", state, value, "accepted", None, 0.9, 0.0, np.zeros((2, 2), np.uint8), faint_t=faint_t)


@pytest.mark.parametrize("strengths,noise,status", [
    ([0.12, 0.14, 0.15], 0.03, "review"),  # a faint pen on a noisy scan: its absence cannot be trusted
    ([0.12, 0.14, 0.15], 0.006, "text accepted"),  # on a clean scan the text area's close look would have
    # shown that pen; an empty row is still doubted (a faint loop around a box is outside the close look)
    ([0.12, 0.5, 0.55], 0.03, "accepted"),  # not a faint writer
    ([0.12], 0.03, "accepted"),  # too little to judge the writer
])
def test_faint_writer_empty_text_and_optional_rows_go_to_review(strengths, noise, status):
    import scanner as sc

    def empty(v):
        b = _bd(v, "empty", "no_ink")
        b.measures["noise"] = noise
        return b

    page = sc.PageReading()
    for i, st in enumerate(strengths):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("a", "marked", "ink_in_box", 0.2, st),
                                                                       empty("b")])
    page.fields["opt"] = decide_field("opt", "single", False, [empty("a"), empty("b")])
    # a multiple-choice row with one mark seen: a second, fainter one may have vanished in an empty box
    page.fields["multi"] = decide_field("multi", "multi", False, [_bd("a", "marked", "ink_in_box", 0.2, 0.5),
                                                                   empty("b")])
    page.texts["t"], page.texts["w"] = _text("absent", faint_t=max(0.05, 5 * noise)), _text("present")
    doubt_absence_for_faint_writer(page)
    assert page.fields["multi"].status == ("accepted" if status == "accepted" else "review")
    if status == "text accepted":
        assert page.texts["t"].status == "accepted" and page.fields["opt"].status == "review"
        return
    assert page.texts["t"].status == status and page.fields["opt"].status == status
    assert page.texts["w"].status == "accepted" and page.fields["r0"].status == "accepted"  # what was seen stands
    if status == "review":
        assert page.texts["t"].reason == page.fields["opt"].reason == "faint_writer"
        assert page.texts["t"].state == "absent"  # the reading itself (and the fingerprint) is unchanged


@pytest.mark.parametrize("kept_mm2,status", [(0.9, "review"), (0.06, "review"), (0.0, "accepted")])
def test_an_empty_area_that_kept_a_little_ink_on_a_faint_writers_page_goes_to_review(kept_mm2, status):
    """A faint pencil's initials in a one-line signature area are thin straight strokes, which the cleaning
    mostly takes for lines: 0.9 mm2 was left, under the absent bar, on a clean scan whose close look would
    have seen that pen - accepted as no signature (an all-pencil stress run). On a faint writer's page any
    ink the area's most sensitive look kept is doubted; an area that kept none is still trusted."""
    from scanner import could_hide, doubt_for_writer

    page = _faint_pencil_page()
    page.texts["t"] = _text("absent", faint_t=0.05)
    page.texts["t"].faint_mm2 = page.texts["t"].ink_mm2 = kept_mm2
    doubt_absence_for_faint_writer(page)
    assert page.texts["t"].status == status
    assert could_hide(kept_mm2, 0.05, 0.13) == (status == "review")
    # the form's other page, which showed no writer of its own, is judged by the same rule
    other = {"sig": {"state": "absent", "status": "accepted", "faint_t": 0.05, "faint_mm2": kept_mm2}}
    assert doubt_for_writer(other, page.faint_writer) == (["sig"] if status == "review" else [])


def _faint_pencil_page():  # type: ignore[no-untyped-def]
    """A clean scan of a page whose three clear marks are faint pencil (strength 0.12-0.15)."""
    import scanner as sc

    page = sc.PageReading()
    for i, st in enumerate([0.12, 0.14, 0.15]):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("a", "marked", "ink_in_box", 0.2, st),
                                                                       _bd("b", "empty", "no_ink")])
    return page


def test_faint_writer_whose_strokes_show_only_when_averaged_is_still_a_faint_writer():
    """A faint-pencil page whose every stroke fell below the per-pixel threshold (traces seen only after
    averaging, strength 0) once showed no writer at all: its empty rows were trusted and two slashes lost."""
    import scanner as sc

    page = sc.PageReading()
    for i in range(2):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("a", "uncertain", "faint_trace"),
                                                                       _bd("b", "empty", "no_ink")])
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    page.fields["multi"] = decide_field("multi", "multi", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    doubt_absence_for_faint_writer(page)
    assert page.fields["opt"].reason == page.fields["multi"].reason == "faint_writer"
    assert page.writer_seen and page.faint_writer > 0  # passed on to the form's other pages
    # one such trace beside clear pen marks does not make a faint writer
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    for i in range(2, 5):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("a", "marked", "ink_in_box", 0.3, 0.6),
                                                                       _bd("b", "empty", "no_ink")])
    doubt_absence_for_faint_writer(page)
    assert page.fields["opt"].status == "accepted"


def _page_of_required_rows(blank: int):  # type: ignore[no-untyped-def]
    """A page of eight required rows, the first `blank` of them read blank, the rest marked; and an optional
    row "ctx" marked."""
    import scanner as sc

    page = sc.PageReading()
    required = {}
    for i in range(8):
        row = [_bd("1", "empty", "no_ink"), _bd("2", "empty", "no_ink") if i < blank
               else _bd("2", "marked", "ink_in_box", 0.3, 0.6)]
        page.fields[f"r{i}"], required[f"r{i}"] = decide_field(f"r{i}", "single", True, row), True
    page.fields["ctx"] = decide_field("ctx", "single", False, [_bd("a", "marked", "ink_in_box", 0.2, 0.9),
                                                               _bd("b", "empty", "no_ink")])
    return page, required


@pytest.mark.parametrize("blank,status", [(5, "review"), (4, "review"), (3, "accepted"), (0, "accepted")])
def test_a_page_whose_required_rows_are_mostly_blank_goes_to_a_person(blank, status):
    """Most required rows blank: the pen was probably lost in the scan (faint pencil, bilevel). What came
    through - here the tick under a cancelling fill that vanished - is not trusted either."""
    page, required = _page_of_required_rows(blank)
    page.texts["t"], page.texts["w"] = _text("absent"), _text("present")
    doubt_mostly_blank_page(page, required)
    assert page.fields["ctx"].status == status and page.texts["t"].status == status
    assert page.texts["w"].status == "accepted"  # writing that was seen stands
    assert (page.faint_writer > 0) == (status == "review")  # the form's other pages are doubted too
    if status == "review":
        assert page.fields["ctx"].reason == page.texts["t"].reason == "mostly_blank_page"
        assert page.fields["ctx"].value == "a"  # the reading is kept for the reviewer
        assert page.fields["r0"].reason == "no_mark"


@pytest.mark.parametrize("broken,status", [(2, "review"), (1, "accepted"), (0, "accepted")])
def test_a_multiple_choice_row_on_a_page_of_broken_marks_is_doubted(broken, status):
    """A 1-bit page whose pencil the threshold is breaking up: rows in doubt over pieces of strokes. A
    multiple-choice row read with one box marked and others empty may have lost a second answer, an
    optional row read empty its only one."""
    import scanner as sc

    page = sc.PageReading()
    for i in range(broken):  # a cross cut into pieces: too little ink to call
        page.fields[f"b{i}"] = decide_field(f"b{i}", "single", True, [_bd("1", "uncertain", "little_ink", 0.06),
                                                                       _bd("2", "empty", "no_ink")])
    page.fields["ok"] = decide_field("ok", "single", True, [_bd("1", "marked", "ink_in_box", 0.3, 0.9),
                                                             _bd("2", "empty", "no_ink")])
    page.fields["multi"] = decide_field("multi", "multi", False, [_bd("a", "empty", "no_ink"),
                                                                  _bd("b", "marked", "ink_in_box", 0.12, 0.5),
                                                                  _bd("c", "empty", "no_ink")])
    page.fields["all"] = decide_field("all", "multi", False, [_bd("a", "marked", "ink_in_box", 0.3, 0.9),
                                                              _bd("b", "marked", "ink_in_box", 0.3, 0.9)])
    page.fields["none"] = decide_field("none", "multi", False, [_bd("a", "empty", "no_ink"),
                                                                _bd("b", "empty", "no_ink")])
    # an optional single-choice row read empty: a pencil loop around a box came through as two arcs
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink", sectors=2),
                                                               _bd("b", "empty", "no_ink")])
    assert page.fields["multi"].status == page.fields["opt"].status == "accepted"
    doubt_breaking_pen(page)
    assert page.fields["multi"].status == status
    assert page.fields["none"].status == page.fields["opt"].status == status  # the pen may have vanished there
    if status == "review":
        assert page.fields["multi"].reason == "faint_writer" and page.fields["multi"].value == ["b"]
        assert page.fields["opt"].reason == "faint_writer" and page.fields["opt"].value is None
    # a single-choice answer that came through, a row all marked: kept
    assert page.fields["ok"].status == page.fields["all"].status == "accepted"


@pytest.mark.parametrize("broken,one_bit,status", [(4, True, "review"), (2, True, "review"), (1, True, "accepted"),
                                                   (4, False, "review"), (3, False, "accepted")])
def test_empty_text_areas_on_a_page_whose_pen_breaks_up_all_over_are_doubted(broken, one_bit, status):
    """Rows in doubt over pieces of strokes: the pencil is breaking up on the page, and a signature in it
    may have come through as a few pairs of dots, or as nothing, read as absent (an office run, 1-bit;
    1-bit scans at 150-200 dpi with two such rows). Empty text areas go to a person, writing that was
    seen stands, the form's other pages are told. On a grey page it takes four rows, and there its empty
    optional rows go too (a shaded phone photo: a shadow read as filled boxes made a faint-pencil writer
    look dark, and a circled label read as no answer)."""
    import scanner as sc

    page = sc.PageReading()
    for i in range(broken):
        page.fields[f"b{i}"] = decide_field(f"b{i}", "single", True, [_bd("1", "uncertain", "faint_trace", 0.06),
                                                                       _bd("2", "empty", "no_ink")])
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"),
                                                               _bd("b", "empty", "no_ink")])
    page.texts["sig"], page.texts["w"] = _text("absent"), _text("present")
    doubt_breaking_pen(page, one_bit=one_bit)
    assert page.texts["sig"].status == status
    assert page.fields["opt"].status == ("review" if broken >= (2 if one_bit else 4) else "accepted")
    assert page.texts["w"].status == "accepted"
    assert (page.faint_writer > 0) == (status == "review")
    if status == "review":
        assert page.texts["sig"].reason == "faint_writer"


@pytest.mark.parametrize("reason,one_bit,status", [("faint_writing", True, "review"),
                                                   ("uncertain_writing", True, "review"),
                                                   ("faint_writing", False, "accepted"),
                                                   ("uneven_light", True, "accepted")])
def test_writing_cut_to_specks_on_a_1_bit_page_doubts_its_empty_areas(reason, one_bit, status):
    """A 1-bit scan at 150 dpi: the action plan's pencil came through as a few specks (faint_writing,
    review), and the signatures in the same pencil as nothing at all - read as absent, silently. One area
    of writing cut up by the threshold shows the pen breaking up as broken rows do. On a grey page faint
    writing is the faint pen measured (`doubt_absence_for_faint_writer` judges it); a shadow's edge is
    not the pen."""
    import scanner as sc

    page = sc.PageReading()
    page.fields["ok"] = decide_field("ok", "single", True, [_bd("1", "marked", "ink_in_box", 0.3, 0.9),
                                                             _bd("2", "empty", "no_ink")])
    page.texts["plan"], page.texts["sig"], page.texts["w"] = _text("uncertain"), _text("absent"), _text("present")
    page.texts["plan"].status, page.texts["plan"].reason = "review", reason
    doubt_breaking_pen(page, one_bit=one_bit)
    assert page.texts["sig"].status == status
    assert page.texts["w"].status == page.fields["ok"].status == "accepted"
    assert (page.faint_writer > 0) == (status == "review")  # the form's other pages are told
    if status == "review":
        assert page.texts["sig"].reason == "faint_writer"


def test_a_1_bit_page_does_not_vouch_for_its_writer():
    """Every pixel a 1-bit threshold keeps is black: dark boxes and writing there do not show the pen is
    dark. Such a page is not one that saw its writer, so the form's other page, where the same pencil
    broke up, doubts its empty areas too (`doubt_for_writer`; a 200-dpi 1-bit scan lost a signature so)."""
    import scanner as sc

    for one_bit in (False, True):
        page = sc.PageReading()
        for i in range(2):
            page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("a", "marked", "ink_in_box", 0.3, 0.95),
                                                                           _bd("b", "empty", "no_ink")])
        page.texts["w"] = _text("present")
        doubt_absence_for_faint_writer(page, one_bit=one_bit)
        assert page.writer_seen is not one_bit
        assert page.faint_writer == 0.0  # and it reports no faint writer of its own


def test_fields_near_a_corner_whose_marker_is_missing_are_distrusted() -> None:
    from scanner import near_missing_corner

    all_found = [0, 1, 2, 3]
    assert not near_missing_corner([14, 260, 90, 10], all_found)
    assert near_missing_corner([14, 260, 90, 10], [0, 1, 2])        # BL missing: the signature row
    assert not near_missing_corner([14, 260, 90, 10], [0, 1, 3])    # BR missing: this rect stops at x=104
    assert near_missing_corner([110, 260, 86, 10], [0, 1, 3])
    assert not near_missing_corner([80, 120, 5, 5], [1, 2, 3])      # mid-page box, TL missing
    assert near_missing_corner([30, 36, 60, 8.5], [1, 2, 3])        # header cell near TL


@pytest.mark.parametrize("cover", ["none", "flap", "torn"])
def test_a_framed_area_near_a_missing_corner_is_trusted_only_if_its_frame_shows(synth, blank_form, cover):
    """The bottom-left marker is gone. Without anything covering the corner (the marker was just not
    found) the comment area next to it shows its whole frame and its reading stands; a folded-over
    flap or a torn-off corner reaching into the area hides part of the frame: the area goes to a person
    (the flap could hide writing, or its edge look like some)."""
    import cv2
    import numpy as np

    import scanner

    page = blank_form.copy()
    s = blank_form.s
    area = [15.0, 257.0, 80.0, 16.0]
    page.frame(area, 0.3)
    page.line((30, 266), (70, 264), 0.4, (30, 30, 30))  # some writing
    page.line((40, 268), (60, 262), 0.4, (30, 30, 30))
    img = page.img
    img[int(276 * s):int(288 * s), int(9 * s):int(21 * s)] = 255  # the marker is not there
    if cover != "none":
        legs = 48.0  # reaches the area's bottom-left corner (x + (297 - y) = 15 + 24 = 39 < 48)
        tri = np.array([[0, 297], [legs, 297], [0, 297 - legs]], np.float64) * s
        colour = (236, 236, 236) if cover == "flap" else (40, 40, 40)  # the blank back / the scanner lid
        cv2.fillPoly(img, [tri.astype(np.int32)], colour)
        if cover == "flap":
            cv2.line(img, (0, int((297 - legs) * s)), (int(legs * s), int(297 * s)), (150, 150, 150), 3)
    fields = [*synth.GEOMETRY["fields"], {"id": "notes", "kind": "text", "page": 1, "rect_mm": area}]
    loc = scanner.locate(img, synth.FURNITURE)
    assert 3 not in loc.registration.markers_found
    r = scanner.read(img, loc, fields)
    notes = r.texts["notes"]
    if cover == "none":
        assert (notes.value, notes.status) == ("present", "accepted"), notes.reason
    else:
        assert (notes.status, notes.reason) == ("review", "corner_not_found")
    assert r.texts["went_well"].status == "accepted"  # far from the corner: unaffected


@pytest.mark.parametrize("faint,smooth,promoted", [
    (0.07, 0.12, True),   # a thin pencil tick at 200 dpi: pieces per pixel, one stroke once averaged
    (0.07, 0.08, False),  # pieces that do not join up into a stroke's worth
    (0.05, 0.20, False),  # too little stands out per pixel: a diffuse smudge
    (0.11, 0.0, True),    # a stroke's worth per pixel alone
    (0.08, 0.14, False),  # not faint at all: a small dark dot (coverage 0.06), perhaps a pen rest
])
def test_a_thin_faint_stroke_counts_when_averaging_joins_its_pieces(faint, smooth, promoted):

    def trace(v):
        b = _bd(v, "uncertain", "faint_trace", faint, 0.07)
        b.measures.update(faint_smooth=smooth, coverage=0.0)
        return b

    dot = trace("2")
    if (faint, smooth) == (0.08, 0.14):
        dot = _bd("2", "uncertain", "little_ink", faint, 0.8)
        dot.measures.update(faint_smooth=smooth, coverage=0.06)
    rows = {"r": [_bd("1", "empty", "no_ink"), dot, _bd("3", "empty", "no_ink")],
            "o": [trace("a"), _bd("b", "empty", "no_ink")]}  # the writer's next faint mark
    fields = _fields(rows)
    promote_lone_traces(fields, {k: True for k in rows})
    assert (fields["r"].status == "accepted") == promoted
    assert fields["r"].value == ("2" if promoted else None)


def test_faint_marks_accepted_as_lone_traces_still_show_a_faint_writer():
    """Two faint slashes accepted as lone traces (no ink above the ink threshold, strength 0) once stopped
    counting as the writer's ink: the page showed no faint writer and its empty rows were trusted."""
    import scanner as sc

    def trace(v):
        b = _bd(v, "uncertain", "faint_trace", 0.09)
        b.measures.update(faint_smooth=0.25, trace_strength=0.07)
        return b

    page = sc.PageReading()
    page.fields["sub"] = decide_field("sub", "multi", False, [trace("a"), trace("b"), _bd("c", "empty", "no_ink")])
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    promote_lone_traces(page.fields, {"sub": False, "opt": False})
    assert page.fields["sub"].value == ["a", "b"] and page.fields["sub"].boxes[0].why == "lone_trace"
    doubt_absence_for_faint_writer(page)
    assert page.fields["opt"].reason == "faint_writer"
    assert 0 < page.faint_writer < 0.1


@pytest.mark.parametrize("frame,pen,status", [
    (0.2, 0.15, "review"),  # a faint pencil page: the signature under the glare fades below the look
    (0.2, 0.0, "review"),  # no pen seen on the page: nothing vouches for the area
    (0.2, 0.7, "accepted"),  # a ballpoint page: faded to 40 %, its pen still shows
    (0.35, 0.15, "accepted"),  # most of the print's contrast left: no glare there
])
def test_an_empty_area_under_glare_cannot_vouch_for_a_faint_pen(frame, pen, status):
    """A glare stress run accepted a pencil signature as absent: the spot lifted the writing below the
    area's looks. The area's frame kept 0.2 of contrast where the page's frames keep 0.45-0.6."""
    import scanner as sc
    from scanner.writer import doubt_washed_out_writing

    page = sc.PageReading()
    for i, f in enumerate((0.6, 0.55, 0.5, 0.45)):
        page.texts[f"t{i}"] = _text("present" if i == 0 else "absent", faint_t=0.057)
        page.texts[f"t{i}"].frame, page.texts[f"t{i}"].strength = f, pen
    page.texts["sig"] = _text("absent", faint_t=0.057)
    page.texts["sig"].frame = frame
    if not pen:
        page.texts["t0"].state = "absent"
    doubt_washed_out_writing(page)
    assert page.texts["sig"].status == status
    assert page.texts["sig"].reason == ("washed_out" if status == "review" else None)
    assert all(page.texts[f"t{i}"].status == "accepted" for i in range(4))


@pytest.mark.parametrize("edge,centre,state", [
    (0.09, 0.23, "uncertain"),  # a fill half hollowed by a local 1-bit threshold: the outline inked all round
    (0.30, 0.05, "uncertain"),  # ... or hollowed to a ring around a clear middle
    (0.30, 0.40, "marked"),  # a heavy cross touching the outline at its corners, through the middle
    (0.60, 0.00, "marked"),  # a tick whose corner lies below the middle
])
def test_ink_along_the_outline_is_not_read_as_a_mark(edge, centre, state):
    from scanner.decide import classify_box
    from scanner.measure import BoxMeasure

    m = BoxMeasure(coverage=0.45, faint=0.45, faint_smooth=0.5, darkness=0.4, strength=0.8, solid=0.1,
                   ring_sectors=-1, ring_ink=-1.0, background=240.0, noise=0.01, t_ink=0.1, snap_mm=(0.0, 0.0),
                   outline=0.8, edge_paper=edge, centre_ink=centre)
    got = classify_box(m)
    assert got[0] == state and (state == "marked" or got[2] == "ink_along_outline"), got


@pytest.mark.parametrize("rings,cut,one_bit,status", [
    (2, False, True, "review"),  # two pencil loops that came through as a few arcs
    (1, True, True, "review"),  # one such loop and a signature cut to a few strokes
    (1, False, True, "accepted"),
    (2, False, False, "accepted"),  # on a grey page a partial ring is no sign of a breaking pen
])
def test_loops_broken_into_arcs_on_a_1_bit_page_doubt_its_empty_optional_rows(rings, cut, one_bit, status):
    """A 1-bit office mix (bilevel, seed 3011): a pencil writer who circles. Of three loops one came
    through as arcs (`partial_ring`, review), one as nothing on a required row (`no_mark`), one as nothing
    on an optional row - read as no answer, silently; the signature was cut to a few strokes beside
    them. Broken loops, and writing cut up, count as the pen breaking up as broken strokes in boxes do."""
    import scanner as sc

    page = sc.PageReading()
    for i in range(rings):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", False, [
            BoxDecision("1", "uncertain", 0.3, "partial_ring", {"ring_sectors": 3}), _bd("2", "empty", "no_ink")])
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"),
                                                               _bd("b", "empty", "no_ink")])
    page.texts["sig"] = _text("uncertain")
    if cut:
        page.texts["sig"].status, page.texts["sig"].reason = "review", "uncertain_writing"
    assert all(page.fields[f"r{i}"].reason == "uncertain_mark" for i in range(rings))
    doubt_breaking_pen(page, one_bit=one_bit)
    assert page.fields["opt"].status == status
    if status == "review":
        assert page.fields["opt"].reason == "faint_writer" and page.fields["opt"].value is None


def _clear_rows(strengths):
    return {f"q{i}": [_bd("1", "marked", "ink_in_box", strength=v), _bd("2", "empty", "no_ink")]
            for i, v in enumerate(strengths)}


def test_an_erased_mark_beside_the_answer_goes_to_a_person():
    """An erased pencil vee beside a zig-zag in a tick-all row, on a dark scan: its residue (strength 0.14)
    passed the absolute bar of a mark and was accepted as a second answer (an other-hands stress run). The
    writer's clear marks on the page are at ~0.6: a mark under 0.4 of that is in doubt."""
    rows = _clear_rows([0.6, 0.62, 0.58])
    rows["focus"] = [_bd("history", "marked", "ink_in_box", strength=0.604),
                     _bd("examination", "marked", "ink_in_box", strength=0.141), _bd("diagnosis", "empty", "no_ink")]
    fields = {fid: decide_field(fid, "multi" if fid == "focus" else "single", False, b) for fid, b in rows.items()}
    assert fields["focus"].status == "accepted"  # before the writer is looked at
    doubt_pale_marks(fields, {})
    fd = fields["focus"]
    assert (fd.status, fd.reason) == ("review", "uncertain_mark")
    assert (fd.boxes[1].state, fd.boxes[1].why) == ("uncertain", "pale_mark")
    assert fd.boxes[0].state == "marked" and all(f.status == "accepted" for k, f in fields.items() if k != "focus")


@pytest.mark.parametrize("strengths", [[0.6, 0.3, 0.45, 0.5], [0.141, 0.6]])
def test_marks_of_one_pen_and_pages_with_few_marks_stand(strengths):
    """Marks no paler than 0.4 of the page's median stand; with fewer than 3 clear marks there is no writer
    to judge by (the ward's marks reach >= 0.55 of their page's median)."""
    fields = _fields(_clear_rows(strengths))
    doubt_pale_marks(fields, {})
    assert all(f.status == "accepted" and f.boxes[0].state == "marked" for f in fields.values())


def test_an_empty_area_on_a_clipped_back_page_does_not_vouch_for_itself() -> None:
    """A whitened (or 1-bit) back page: the driver erased what was lighter than its level before the area's most
    sensitive look measured the noise that was left, so that look vouches for nothing. A whitened back lost a
    faint-pencil word, digits and a tick whole; its empty areas (noise-only look at 0.05, under the front's 0.10
    pen) were trusted. Given the form's faint writer, every empty area of a clipped page goes to a person."""
    from scanner import doubt_for_writer

    back = {"sig": {"state": "absent", "status": "accepted", "faint_t": 0.05, "faint_mm2": 0.0},
            "plan": {"state": "absent", "status": "accepted", "faint_t": 0.05, "faint_mm2": 0.0},
            "comment": {"state": "present", "status": "accepted", "faint_t": 0.0, "faint_mm2": 0.0}}
    assert doubt_for_writer(back, 0.104) == []  # a grey scan whose close look would have seen a 0.10 pen
    assert doubt_for_writer(back, 0.104, clipped=True) == ["sig", "plan"]


@pytest.mark.parametrize("local_peak,state,why", [
    (0.043, "uncertain", "uneven_light"),  # a soft shadow's shade across an empty box (phone photo, shadow profile)
    (0.02, "uncertain", "uneven_light"),
    (-1.0, "marked", "ink_in_box"),  # not measured (ink darker than PALE_MARK_STRENGTH): the box rules decide
    (0.15, "marked", "ink_in_box"),  # a pencil mark: its rim stands out from the paper beside it
])
def test_pale_ink_without_an_edge_is_shade_not_a_mark(local_peak, state, why):
    """A shadow profile found an empty optional row read as "21-30", accepted: a soft shadow's edge crossed the box,
    its shade 0.28 dark against the ring's lit paper (coverage 0.28, solid 0.27). A pen stands out from the paper
    right beside it; the shade did not (0.043)."""
    from scanner.decide import classify_box

    m = _measure(0.28, 0.27, -1, 0.28)
    m.edge_paper, m.centre_ink, m.local_peak = 0.73, 0.28, local_peak
    assert classify_box(m)[0::2] == (state, why)


@pytest.mark.parametrize("broken,blank,one_bit,status", [(1, 2, True, "review"), (1, 1, True, "review"),
                                                         (0, 2, True, "accepted"), (1, 0, True, "accepted"),
                                                         (1, 2, False, "accepted")])
def test_required_rows_read_blank_beside_a_broken_stroke_are_the_pen_gone_whole(broken, blank, one_bit, status):
    """A 1-bit 200-dpi stress run: pencil slashes in two boxes of a multiple-choice row, one left as a fragment
    and read as the only answer (accepted), the other gone; beside it one row broken into a little ink and two
    required rows read blank, their marks gone whole. A blank required row counts with a broken one; blank rows
    alone are an assessor who left them (the mostly-blank rule judges those), and a grey page shows its pen."""
    import scanner as sc

    page = sc.PageReading()
    for i in range(broken):
        page.fields[f"b{i}"] = decide_field(f"b{i}", "single", True, [_bd("1", "uncertain", "little_ink", 0.06),
                                                                       _bd("2", "empty", "no_ink")])
    for i in range(blank):
        page.fields[f"r{i}"] = decide_field(f"r{i}", "single", True, [_bd("1", "empty", "no_ink"),
                                                                       _bd("2", "empty", "no_ink")])
    page.fields["multi"] = decide_field("multi", "multi", False, [_bd("a", "marked", "ink_in_box", 0.12, 1.0),
                                                                  _bd("b", "empty", "no_ink")])
    doubt_breaking_pen(page, one_bit=one_bit)
    assert page.fields["multi"].status == status
    if status == "review":
        assert page.fields["multi"].reason == "faint_writer" and page.fields["multi"].value == ["a"]


@pytest.mark.parametrize("blank,seen,status", [(8, False, "review"), (6, False, "review"), (5, False, "accepted"),
                                              (0, False, "accepted"), (6, True, "accepted")])
def test_a_grey_page_with_nearly_every_required_row_blank_doubts_its_empty_rows(blank, seen, status):
    """A glare photo of a faint-pencil writer: every required row read blank, so no writer was measured, and the
    optional rows and text areas were accepted empty with the pencil plain to see in them. On a grey page, from
    three quarters of the required rows blank, the empty rows and areas go to a person and the writer is reported
    vanished (the form's other pages doubt theirs); a mark that came through stands. A page that shows its writer's
    pen (`writer_seen`) had its rows skipped."""
    page, required = _page_of_required_rows(blank)
    page.writer_seen = seen
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    page.texts["t"], page.texts["w"] = _text("absent"), _text("present")
    doubt_mostly_blank_page(page, required, one_bit=False)
    assert page.fields["opt"].status == page.texts["t"].status == status
    assert page.fields["ctx"].status == page.texts["w"].status == "accepted"  # what came through stands
    assert (page.faint_writer > 0) == (status == "review")
    if status == "review":
        assert page.fields["opt"].reason == page.texts["t"].reason == "mostly_blank_page"


@pytest.mark.parametrize("areas,status", [(2, "review"), (1, "accepted")])
def test_two_areas_of_faint_writing_on_a_grey_page_doubt_its_empty_areas(areas, status):
    """A glare photo washed a faint-pencil writer's comments down to faint writing (two areas, review) and the
    trainee's signature in the same pencil down to nothing: read absent, accepted. Two such areas on a grey page
    doubt its empty ones; one area of faint writing is a faint pen measured, nothing more."""
    import scanner as sc

    page = sc.PageReading()
    page.fields["ok"] = decide_field("ok", "single", True, [_bd("1", "marked", "ink_in_box", 0.3, 0.9),
                                                             _bd("2", "empty", "no_ink")])
    page.texts["sig"], page.texts["w"] = _text("absent"), _text("present")
    for i in range(areas):
        page.texts[f"c{i}"] = _text("uncertain")
        page.texts[f"c{i}"].status, page.texts[f"c{i}"].reason = "review", "faint_writing"
    doubt_breaking_pen(page, one_bit=False)
    assert page.texts["sig"].status == status
    assert page.texts["w"].status == page.fields["ok"].status == "accepted"
    if status == "review":
        assert page.texts["sig"].reason == "faint_writer" and page.faint_writer > 0


def test_a_trace_taken_for_a_band_is_doubted_only_where_the_row_is_clear_inside() -> None:
    """`band_erased`: a box-wide trace the through-line erase took for a band's. Where the row's other boxes are as
    dark inside (a fold's shadow across them all), the band's it was; where they are clear (a printed tint stops at
    every outline), it was the box's own."""
    from scanner.decide import BoxDecision, doubt_trace_taken_for_a_band

    def row(darkness: list[float], erased: int) -> list[BoxDecision]:
        return [BoxDecision(str(i), "marked" if i == erased else "empty", 1.0, "circled" if i == erased else "no_ink",
                            {"darkness": d, "band_erased": 0.9 if i == erased else -1.0})
                for i, d in enumerate(darkness)]

    tinted = row([0.005, 0.004, 0.12, 0.006, 0.005], erased=2)
    doubt_trace_taken_for_a_band(tinted)
    assert [(b.state, b.why) for b in tinted][2] == ("uncertain", "trace_in_band")
    assert all(b.state == "empty" for i, b in enumerate(tinted) if i != 2)
    shadow = row([0.10, 0.11, 0.12, 0.10, 0.09], erased=2)
    doubt_trace_taken_for_a_band(shadow)
    assert shadow[2].state == "marked"
    untouched = row([0.005, 0.004, 0.12, 0.006, 0.005], erased=-1)
    doubt_trace_taken_for_a_band(untouched)
    assert [b.state for b in untouched] == ["empty"] * 5


@pytest.mark.parametrize("strength,status", [(0.11, "review"), (0.6, "accepted")])
def test_a_grey_page_that_shows_its_pen_only_as_a_faint_trace_doubts_its_empty_rows(strength, status):
    """A rough scan of a faint-pencil page: of fifteen marks one came through, a faint trace (0.11); seven required
    rows read blank went to a person, but the page counted as showing its writer (`writer_seen`: one mark is too few
    to measure a faint writer) and its optional rows, faint ticks plain to see in them, were accepted empty. A pen
    shown only fainter than FAINT_WRITER is a pen barely shown: the empty rows go to a person. A page whose one mark
    is pressed in ink had its rows skipped."""
    import scanner as sc

    page, required = sc.PageReading(), {}
    for i in range(8):
        row = [_bd("1", "empty", "no_ink"), _bd("2", "uncertain", "faint_trace", 0.06, strength) if i == 0
               else _bd("2", "empty", "no_ink")]
        page.fields[f"r{i}"], required[f"r{i}"] = decide_field(f"r{i}", "single", True, row), True
    page.fields["opt"] = decide_field("opt", "single", False, [_bd("a", "empty", "no_ink"), _bd("b", "empty", "no_ink")])
    page.writer_seen = True
    doubt_mostly_blank_page(page, required, one_bit=False)
    assert page.fields["opt"].status == status
    if status == "review":
        assert page.fields["opt"].reason == "mostly_blank_page"


@pytest.mark.parametrize("why,pieces,remeasured", [
    ("ring_of_nubs", 2, True),  # nubs all round beside a tick: maybe the tick's overshoot and a tint
    ("faint_ring", 2, True),  # a faint ring whose strokes do not run round the box: the same
    ("faint_ring", 6, False),  # a faint loop round the box: judged against the writer, never re-measured away
    ("faint_ring", -1, False),  # not measured (an older reading): as before
])
def test_a_ring_not_running_round_the_box_beside_a_marked_sibling_is_remeasured(monkeypatch, why, pieces,
                                                                              remeasured):
    """A faint or full ring whose strokes only poke into the ring (`ring_pieces` < 4) next to a clear mark may be
    that mark's overshoot: it is measured again with the sibling grown, as a partial ring is, and drops to empty
    if nothing is left (inkjet stress runs: 12 right rows, sent to a person before, then accepted)."""
    import scanner as sc

    opts = [{"value": "a", "rect_mm": [10, 10, 5, 5]}, {"value": "b", "rect_mm": [19, 10, 5, 5]}]
    neighbours = [[opts[1]["rect_mm"]], [opts[0]["rect_mm"]]]
    monkeypatch.setattr(sc, "measure_box", lambda *a, **k: _measure(0.0, 0.0, -1))
    ring = BoxDecision("b", "uncertain", 0.3, why, {"ring_pieces": pieces, "ring_sectors": 8})
    boxes = [BoxDecision("a", "marked", 0.9, "ink_in_box"), ring]
    sc._mask_neighbour_overshoot(None, None, opts, boxes, neighbours, None)
    assert (boxes[1].state, boxes[1].why) == (("empty", "ring_is_siblings_mark") if remeasured else ("uncertain", why))
