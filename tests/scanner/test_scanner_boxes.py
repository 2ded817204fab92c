"""Box classification on synthetic marks drawn into a printed 5 mm box, read through the full pipeline."""

import dataclasses

import numpy as np
import pytest

import scanner
from scanner.decide import classify_box
from scanner.measure import measure_box

BLUE = (170, 60, 20)  # BGR ballpoint blue
PENCIL = (200, 200, 200)  # faint pencil, grey ~200/255


def _read_box(synth, blank_form, mark, colour=(25, 25, 25), width=0.5, effect=None, field="setting",
              value="ward"):
    page = blank_form.copy()
    rect = synth.option_rect(field, value)
    if mark:
        page.mark(mark, rect, colour=colour, width_mm=width)
    img = page.img
    if effect == "noise":
        img = synth.noise(img, 8)
    elif effect == "jpeg":
        img = synth.jpeg(img, 30)
    elif effect == "grey150":
        img = synth.resample_dpi(page.grey(), 300, 150)
    loc = scanner.locate(img, synth.FURNITURE)
    neighbours = [o["rect_mm"] for f in synth.GEOMETRY["fields"] for o in f.get("options", [])
                  if o["rect_mm"] != rect]
    m = measure_box(img, loc.registration.H, rect, neighbours)
    return classify_box(m), m, (img, loc)


def _scanned(synth, img: np.ndarray, effect: str | None) -> np.ndarray:
    """The page as a moderately noisy or compressed scan would give it (None: as drawn)."""
    if effect == "noise":
        return synth.noise(img, 6)
    if effect == "jpeg":
        return synth.jpeg(img, 40)
    return img


@pytest.mark.parametrize("mark,colour,width,effect,state,why", [
    (None, (0, 0, 0), 0.5, None, "empty", "no_ink"),
    ("tick", (25, 25, 25), 0.5, None, "marked", "ink_in_box"),
    ("cross", (25, 25, 25), 0.5, None, "marked", "ink_in_box"),
    ("slash", (25, 25, 25), 0.4, None, "marked", "ink_in_box"),
    ("big_cross", (25, 25, 25), 0.5, None, "marked", "ink_in_box"),
    ("dot", (25, 25, 25), 0.5, None, "uncertain", "little_ink"),
    ("fill", (25, 25, 25), 0.5, None, "filled", "solid_fill"),
    ("hatch_fill", (40, 40, 40), 0.6, None, "filled", "solid_fill"),
    ("circle", (25, 25, 25), 0.5, None, "marked", "circled"),
    ("tight_circle", (25, 25, 25), 0.5, None, "marked", "circled"),
    ("tight_circle", BLUE, 0.4, "grey150", "marked", "circled"),
    ("stray", (25, 25, 25), 0.5, None, "empty", "no_ink"),
    ("tick", PENCIL, 0.35, None, "marked", "ink_in_box"),
    ("cross", BLUE, 0.4, None, "marked", "ink_in_box"),
    ("tick", (226, 226, 226), 0.4, None, "uncertain", "faint_ink"),  # erased-pencil residue
    ("tick", (242, 242, 242), 0.4, None, "uncertain", "faint_trace"),  # a trace a person should see
    ("tick", (250, 250, 250), 0.4, None, "empty", "no_ink"),  # invisible
    (None, (0, 0, 0), 0.5, "noise", "empty", "no_ink"),
    ("tick", (25, 25, 25), 0.5, "noise", "marked", "ink_in_box"),
    (None, (0, 0, 0), 0.5, "jpeg", "empty", "no_ink"),
    ("tick", BLUE, 0.4, "jpeg", "marked", "ink_in_box"),
    ("cross", PENCIL, 0.35, "grey150", "marked", "ink_in_box"),
    ("fill", BLUE, 0.5, "grey150", "filled", "solid_fill"),
])
def test_box_states(synth, blank_form, mark, colour, width, effect, state, why):
    (got, conf, reason), m, _ = _read_box(synth, blank_form, mark, colour, width, effect)
    assert (got, reason) == (state, why), m.to_dict()
    if state == "uncertain":
        assert conf < 0.5
    else:
        assert 0.5 <= conf <= 1.0


@pytest.mark.parametrize("effect", [None, "jpeg", "grey150"])
@pytest.mark.parametrize("mark,width,states", [
    ("cross", 0.9, {"marked"}),  # felt tip: the pockets between the arms close up
    ("cross", 1.1, {"marked"}),
    ("cross", 1.4, {"marked", "uncertain"}),  # a marker pen: a person may be asked, never "cancelled"
    ("big_dot", 0.5, {"marked"}),
    ("zigzag_fill", 0.9, {"uncertain", "filled"}),  # a hasty cancel is never a mark
    ("zigzag_fill", 0.6, {"uncertain", "filled"}),
    ("cross_hatch", 0.7, {"uncertain", "filled"}),
    ("hatch_fill", 0.6, {"filled"}),
    ("tick", 1.0, {"marked"}),  # a felt-tip tick: at 150 dpi the pocket under its long arm closes
    ("half_fill", 0.5, {"uncertain"}),  # half a block is neither a mark nor a cancel
    ("scribble", 0.5, {"marked", "uncertain"}),  # strokes, never "cancelled"
    ("scribble", 0.9, {"marked", "uncertain"}),
])
def test_heavy_marks_and_hasty_fills(synth, blank_form, mark, width, states, effect):
    """Thick-pen marks land between the mark and fill bands; they are read by shape (two arms crossing
    over clear paper, one blob clear of the outline), and the hasty fills that share their ink
    coverage never are."""
    (got, conf, why), m, _ = _read_box(synth, blank_form, mark, (20, 20, 20), width, effect)
    assert got in states, (why, {k: v for k, v in m.to_dict().items() if k in ("coverage", "solid", "x_between", "edge_paper")})
    if got == "marked":
        assert 0.5 <= conf <= 0.7 or why == "ink_in_box", (why, conf)


def test_clear_marks_are_confident(synth, blank_form):
    (state, conf, _), m, _ = _read_box(synth, blank_form, "cross")
    assert state == "marked" and conf >= 0.9
    (state, conf, _), m, _ = _read_box(synth, blank_form, None)
    assert state == "empty" and conf == 1.0


def test_overshoot_does_not_mark_neighbour(synth, blank_form):
    page = blank_form.copy()
    page.mark("big_cross", synth.option_rect("rating", "5"))  # boxes 4 mm apart
    loc = scanner.locate(page.img, synth.FURNITURE)
    reading = scanner.read(page.img, loc, synth.GEOMETRY["fields"])
    states = {b.value: b.state for b in reading.fields["rating"].boxes}
    assert states == {**{str(i): "empty" for i in range(1, 10)}, "na": "empty", "5": "marked"}
    assert reading.fields["rating"].value == "5" and reading.fields["rating"].status == "accepted"


def _move_box(img: np.ndarray, rect, s: float, dx_mm: float, dy_mm: float) -> tuple[int, int, int, int]:
    """Move the printed box at `rect` (mm) by (dx, dy) mm in place; returns the moved patch (x, y, w, h) px."""
    x0, y0 = int(rect[0] * s) - 20, int(rect[1] * s) - 20
    n = int(5 * s) + 40
    dx, dy = int(round(dx_mm * s)), int(round(dy_mm * s))
    patch = img[y0:y0 + n, x0:x0 + n].copy()
    img[y0:y0 + n, x0:x0 + n] = 255
    img[y0 + dy:y0 + dy + n, x0 + dx:x0 + dx + n] = patch
    return x0 + dx, y0 + dy, n, n


def test_snap_recovers_local_shift(synth, blank_form):
    """A box printed 1 mm away from where the mapping expects it is still measured on its outline."""
    img = blank_form.img.copy()
    rect = synth.option_rect("setting", "ward")
    _move_box(img, rect, blank_form.s, 1.0, 1.0)
    loc = scanner.locate(img, synth.FURNITURE)
    m = measure_box(img, loc.registration.H, rect)
    assert np.allclose(m.snap_mm, (1.0, 1.0), atol=0.15)
    assert classify_box(m)[0] == "empty"


@pytest.mark.parametrize("wash", [0.0, 0.8])
def test_a_washed_out_box_off_its_mapping_is_not_its_own_mark(synth, blank_form, wash):
    """Glare on a phone photo washed a box's outline out to ~0.2 darkness where the curled sheet put it
    0.7 mm off the mapping: measured unsnapped, the outline fell inside the interior and read as a mark
    (a glare stress run accepted an extra answer so). A faint outline well above the noise is snapped to."""
    img = blank_form.grey().copy()
    rect = synth.option_rect("setting", "ward")
    x, y, w, h = _move_box(img, rect, blank_form.s, 0.0, -0.7)  # 0.7 mm above where the mapping expects it
    if wash:  # glare: everything around the box lifted towards white
        sl = np.s_[y - 40:y + h + 40, x - 40:x + w + 40]
        img[sl] = np.clip(img[sl] + (255.0 - img[sl]) * wash, 0, 255).astype(np.uint8)
    loc = scanner.locate(img, synth.FURNITURE)
    m = measure_box(img, loc.registration.H, rect)
    assert 0.15 < m.outline < 0.2 if wash else m.outline > 0.5
    assert np.allclose(m.snap_mm, (0.0, -0.7), atol=0.15)
    assert classify_box(m)[0] == "empty"


def test_weak_outline_unsnapped_with_ink_is_uncertain():
    """A box measured where the mapping put it (outline too faint to be found by) with ink near its edge
    is not decided: the ink may be its own outline."""
    from scanner.measure import BoxMeasure

    m = BoxMeasure(coverage=0.12, faint=0.12, faint_smooth=0.15, darkness=0.03, strength=0.25, solid=0.0,
                   ring_sectors=-1, ring_ink=-1.0, background=230.0, noise=0.02, t_ink=0.1, snap_mm=(0.0, 0.0),
                   outline=0.17)
    assert classify_box(m) == ("uncertain", 0.3, "outline_weak")
    m.outline = 0.6
    assert classify_box(m)[0] == "marked"


def test_scanner_streak_through_boxes_is_not_a_mark(synth, blank_form):
    img = blank_form.grey().copy()
    s = blank_form.s
    for x_mm, level in ((62.5, 120), (104.0, 60)):  # through the 'ward' and 'emergency' boxes
        c = int(round(x_mm * s))
        img[:, c:c + 2] = np.minimum(img[:, c:c + 2], level)
    loc = scanner.locate(img, synth.FURNITURE)
    assert len(loc.streaks["cols"]) == 2 and loc.streaks["rows"] == []
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    assert [b.state for b in r.fields["setting"].boxes] == ["empty"] * 4
    assert r.review == {"setting": "no_mark", "rating": "no_mark"}


def test_box_without_printed_outline_is_uncertain(synth, blank_form):
    """If the mapping points at paper with no printed box, nothing is decided there."""
    img = blank_form.img
    loc = scanner.locate(img, synth.FURNITURE)
    m = measure_box(img, loc.registration.H, [100, 140, 5, 5])  # blank paper
    assert classify_box(m)[:1] == ("uncertain",) and classify_box(m)[2] == "outline_not_found"


def test_field_band_measures_match_single_box_warps(synth, blank_form):
    """`measure_boxes` (one warp of the field band) reads every box as `measure_box` does."""
    from scanner.measure import measure_boxes

    page = blank_form.copy()
    field = next(f for f in synth.GEOMETRY["fields"] if f["id"] == "setting")
    rects = [o["rect_mm"] for o in field["options"]]
    page.mark("cross", rects[1], colour=(25, 25, 25), width_mm=0.5)
    page.mark("fill", rects[2], colour=(25, 25, 25), width_mm=0.5)
    img = synth.phone_photo(page.img, seed=3)  # perspective: the band warp must keep it
    loc = scanner.locate(img, synth.FURNITURE)
    nbs = [[q for q in rects if q != r] for r in rects]
    band = measure_boxes(img, loc.registration.H, rects, nbs)
    single = [measure_box(img, loc.registration.H, r, nb) for r, nb in zip(rects, nbs, strict=True)]
    assert [classify_box(m)[0] for m in band] == [classify_box(m)[0] for m in single]
    assert [classify_box(m)[0] for m in band][1:3] == ["marked", "filled"]
    for a, b in zip(band, single, strict=True):
        assert abs(a.coverage - b.coverage) < 0.03 and abs(a.outline - b.outline) < 0.05


@pytest.mark.parametrize("effect,colour", [(None, 25), ("noise", 25), ("jpeg", 25), (None, 205), ("jpeg", 205)])
def test_mark_in_a_shaded_row_is_not_wiped_out(synth, blank_form, effect, colour):
    """Rating rows sit on a light grey band (print grey 0.94) around white boxes. The band runs out of
    both sides of every box like a very wide line; it must not be mistaken for a fold through the box
    (that once wiped a clear tick out of its box: 'no mark' on a required row, a silent miss on an
    optional one)."""
    page = blank_form.copy()
    img = page.img
    s = blank_form.s
    y0, y1 = int(78.5 * s), int(86.5 * s)
    band = img[y0:y1, int(15 * s):int(200 * s)]
    band[band == 255] = 240
    for o in next(f for f in synth.GEOMETRY["fields"] if f["id"] == "rating")["options"]:
        x, y, w, h = o["rect_mm"]
        sl = (slice(int(y * s), int((y + h) * s) + 1), slice(int(x * s), int((x + w) * s) + 1))
        img[sl] = blank_form.img[sl]
    page.mark("tick", synth.option_rect("rating", "6"), colour=(colour,) * 3, width_mm=0.4)
    img = _scanned(synth, page.img, effect)
    loc = scanner.locate(img, synth.FURNITURE)
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    fd = r.fields["rating"]
    assert (fd.value, fd.status) == ("6", "accepted"), [b.to_dict() for b in fd.boxes]  # pen and pencil alike
    assert [b.state for b in fd.boxes].count("empty") == 9


@pytest.mark.parametrize("mark", [None, "tick"])
def test_wide_crease_through_a_row(synth, blank_form, mark):
    """A fold leaves a broad shadow with a darker crest, slightly slanted, through a whole row of boxes.

    It is erased up to its own darkness (measured where it runs outside the boxes): empty boxes stay
    empty, and a pen tick lying on the fold stays a mark."""
    page = blank_form.copy()
    y = 82.5
    page.line((12, y - 0.4), (205, y + 0.6), 2.2, (212, 212, 212))  # shadow
    page.line((12, y - 0.4), (205, y + 0.6), 0.3, (165, 165, 165))  # crest
    if mark:
        page.mark("tick", synth.option_rect("rating", "3"), colour=(25, 25, 25), width_mm=0.4)
    img = synth.jpeg(page.img, 60)
    loc = scanner.locate(img, synth.FURNITURE)
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    states = [b.state for b in r.fields["rating"].boxes]
    if mark:
        assert r.fields["rating"].value == "3" and r.fields["rating"].status == "accepted", states
    else:
        assert states == ["empty"] * 10, [b.to_dict() for b in r.fields["rating"].boxes if b.state != "empty"]


@pytest.mark.parametrize("mark", [None, "tick", "faint"])
def test_thin_slanted_crease_through_a_label(synth, blank_form, mark):
    """A thin crease at ~4 deg runs through a box and on through its printed label.

    The label stands in the rows beside the box where a level line would run, so the line must be
    fitted to where the crease runs all the way to the box, and its darkness taken where it runs over
    bare paper (the label adds to it). Read as ink, the crease once made an unticked box 'marked'
    with nothing else in the row to send it to review: a silent error. A tick on it stays a mark;
    faint pencil on it is at least never read as empty."""
    page = blank_form.copy()
    x, y, w, h = synth.option_rect("focus", "exam")
    sc = blank_form.s
    page.img[int((y - 1) * sc):int((y + h + 1) * sc), int((x + w + 1) * sc):int((x + w + 30) * sc)] = 255
    page.text("PROF", x + w + 2, y + h + 0.5, 4.0)  # a big bold label, right where the crease runs on
    a, b = (x - 20, y + 1.6), (x + 30, y + 1.6 + 50 * 0.07)
    page.line(a, b, 0.3, (180, 180, 180))
    if mark == "tick":
        page.mark("tick", synth.option_rect("focus", "exam"), colour=(25, 25, 25), width_mm=0.4)
    elif mark == "faint":
        page.mark("tick", synth.option_rect("focus", "exam"), colour=(170, 170, 170), width_mm=0.3)
    img = synth.noise(synth.jpeg(page.img, 70), 4)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["focus"]
    exam = next(b for b in fd.boxes if b.value == "exam")
    if mark is None:
        assert exam.state == "empty", exam.to_dict()
    elif mark == "tick":
        assert exam.state == "marked", exam.to_dict()
    else:
        assert exam.state != "empty" or fd.status == "review", exam.to_dict()


def _shaded_rating_row(synth, blank_form, grey: int = 225):
    """A copy of the blank form whose rating row sits on a grey band around white boxes."""
    page = blank_form.copy()
    img, s = page.img, blank_form.s
    band = img[int(78.5 * s):int(86.5 * s), int(15 * s):int(200 * s)]
    band[band == 255] = grey
    for o in next(f for f in synth.GEOMETRY["fields"] if f["id"] == "rating")["options"]:
        x, y, w, h = o["rect_mm"]
        sl = (slice(int(y * s), int((y + h) * s) + 1), slice(int(x * s), int((x + w) * s) + 1))
        img[sl] = blank_form.img[sl]
    return page


@pytest.mark.parametrize("off,slope", [(0.9, 0.05), (1.2, 0.035), (1.8, 0.035), (1.8, 0.05), (2.5, 0.05)])
def test_a_crease_across_an_empty_shaded_row_is_never_a_mark(synth, blank_form, off, slope):
    """A pencil-dark crease runs slightly slanted along a shaded rating row on a noisy scan and
    crosses one of its boxes; a second one runs down between two boxes. The row is empty.

    The crease was once taken as a lone faint trace - the only 'ink' in the row, on a page with no
    clear marks to judge a writer by - and accepted as the answer 'na': a silent error. It runs on
    straight well beyond the box on both sides, which a pen stroke does not (`trace_runs_out`)."""
    page = _shaded_rating_row(synth, blank_form)
    x, y, w, h = synth.option_rect("rating", "1")
    page.line((x - 10, y - off), (x + 100, y - off + 110 * slope), 0.4, (140, 140, 140))
    page.line((x + 31.5, y - 20), (x + 32.5, y + 25), 0.4, (150, 150, 150))
    img = synth.noise(synth.jpeg(page.img, 60), 8)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["rating"]
    assert fd.value is None and fd.status == "review", [(b.value, b.state, b.why) for b in fd.boxes]
    assert all(b.measures["ring_sectors"] < 4 for b in fd.boxes)


@pytest.mark.parametrize("kind", ["slash", "tick"])
def test_a_faint_pencil_stroke_does_not_run_out_of_its_box(synth, blank_form, kind):
    """The other side of `trace_runs_out`: a faint pencil slash or tick with its overshoot stays a
    candidate lone trace (it ends within ~2 mm of the box)."""
    page = _shaded_rating_row(synth, blank_form)
    page.mark(kind, synth.option_rect("rating", "4"), colour=(175, 175, 175), width_mm=0.35)
    img = synth.jpeg(page.img, 70)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["rating"]
    box = next(b for b in fd.boxes if b.value == "4")
    assert box.state != "empty" and not box.measures["trace_runs_out"], box.to_dict()


@pytest.mark.parametrize("margin,gap", [(0.9, 1.6), (1.2, 1.6), (1.5, 2.2), (1.2, 1.0)])
def test_loop_around_a_box_above_a_printed_rule(synth, blank_form, margin, gap):
    """A felt-tip loop standing `margin` mm off a box, a printed frame line `gap` mm below the row.

    The rule must be taken out before the loop is judged, and only the rule: the loop's arcs were once
    removed with it as 'straight runs longer than 7 mm' and the row read as empty (a silent miss on an
    optional row). Where the loop runs into the rule it may go to review, never to 'empty'."""
    import cv2

    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    page.line((12, y + h + gap), (200, y + h + gap), 0.3, (0, 0, 0))
    c = (page.px(x + w / 2), page.px(y + h / 2))
    cv2.ellipse(page.img, c, (page.px(w / 2 + margin), page.px(h / 2 + 0.9 * margin)), 0, 0, 360, (20, 20, 20),
                round(1.0 * page.s), cv2.LINE_AA, 4)
    img = synth.phone_photo(page.img, seed=4)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    got = (fd.value, fd.status)
    assert got == ("b", "accepted") or (gap < 1.5 and fd.status == "review"), [b.to_dict() for b in fd.boxes]


@pytest.mark.parametrize("seed,noise", [(0, 6), (2, 6), (0, 8), (3, 8)])
def test_faint_pencil_under_scan_noise_is_never_empty(synth, blank_form, seed, noise):
    """A grainy faint pencil tick (half its pixels skipped, blurred, 200 dpi) about as dark as 4-5
    sigma of the scan noise: no single pixel stands out, the stroke does. Averaged over 3x3 it shows
    as a trace, so an optional row goes to a person instead of reading as empty (it did); the empty
    rows of the same noisy page stay empty."""
    import cv2

    page = blank_form.copy()
    page.mark("tick", synth.option_rect("optional", "b"), colour=(232, 232, 232), width_mm=0.3)
    drawn = (page.img != blank_form.img).any(axis=2)
    skipped = drawn & (np.random.default_rng(seed).random(drawn.shape) > 0.5)  # pencil grain
    page.img[skipped] = blank_form.img[skipped]
    grey = cv2.cvtColor(cv2.GaussianBlur(page.img, (0, 0), 1.2), cv2.COLOR_BGR2GRAY)
    img = synth.jpeg(synth.noise(synth.resample_dpi(grey, 300, 200), noise, seed=seed), 50)
    loc = scanner.locate(img, synth.FURNITURE)
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    fd = r.fields["optional"]
    assert fd.status == "review" or fd.value == "b", [b.to_dict() for b in fd.boxes]
    for other in ("rating", "focus", "setting"):
        assert {b.state for b in r.fields[other].boxes} == {"empty"}, other


@pytest.mark.parametrize("wash,expect", [(0.0, ("accepted", None)), (0.8, ("review", "washed_out"))])
def test_a_row_whose_print_is_washed_out_cannot_vouch_for_an_empty_box(synth, blank_form, wash, expect):
    """Glare lifts print and pencil alike: a pencil tick beside a box under it faded below every look
    (a glare stress run read that row without it). Where the boxes' own outlines are washed out to
    under 0.25 of the paper's tone, an empty box proves little: the row goes to a person."""
    img = blank_form.grey().copy()
    s = blank_form.s
    x, y, w, h = synth.option_rect("optional", "b")
    if wash:  # a bright spot over the row
        yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]].astype(np.float32)
        cx, cy, r = (x + w / 2) * s, (y + h / 2) * s, 15 * s
        spot = wash * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img = np.clip(img + (255.0 - img) * spot, 0, 255).astype(np.uint8)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"], blank_form.printed).fields["optional"]
    assert (fd.status, fd.reason) == expect
    assert fd.value is None


def test_a_trace_running_to_the_edge_of_its_window_is_looked_at_inside_it():
    """`trace_runs_out` looks 2.2-4.5 mm beyond the box along the trace; a point 1.4 px from the
    window's edge passed the bounds test, then rounded onto the edge, and its neighbour was read off
    the window: an IndexError that stopped the whole scan (a shadow stress run found it)."""
    from scanner.measure import trace_runs_out

    D = np.zeros((120, 120), np.uint8)
    D[60, :] = 200  # a line right across the window: it runs out on both sides
    trace = np.zeros((120, 120), bool)
    trace[60, 61:86] = True
    assert trace_runs_out(trace, D, (0, 0), (60.0, 50.0, 86.0, 70.0), 100)


@pytest.mark.parametrize("grey,blur", [(226, 1.0), (232, 0.8)])
def test_a_loop_in_faint_pencil_around_an_empty_box_is_seen(synth, blank_form, grey, blur):
    """A faint-pencil loop (0.09-0.11 dark, blurred by the scan) around a box of an otherwise empty row.

    At the ink threshold it broke into pieces shorter than an arc and the row read as empty (a
    required row went to review as `no_mark` with the answer plain to see). Strokes between the ring
    and the ink threshold now send the ring look to the local paper level, averaged along the stroke:
    the loop is seen all around (`faint_ring`, a person or the writer's scale decides), the empty
    boxes of the same row stay empty."""
    import cv2

    page = blank_form.copy()
    x, y, w, h = synth.option_rect("setting", "ward")
    c = (page.px(x + w / 2), page.px(y + h / 2))
    cv2.ellipse(page.img, c, (page.px(w / 2 + 1.3), page.px(h / 2 + 1.1)), 0, 20, 400, (grey, grey, grey),
                round(0.4 * page.s), cv2.LINE_AA, 4)
    img = synth.jpeg(synth.noise(cv2.GaussianBlur(page.grey(), (0, 0), blur), 3), 80)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["setting"]
    boxes = {b.value: b for b in fd.boxes}
    assert boxes["ward"].measures["ring_sectors"] >= 7, boxes["ward"].to_dict()
    assert (boxes["ward"].state, boxes["ward"].why) in (("uncertain", "faint_ring"), ("marked", "lone_trace"))
    assert boxes["ward"].measures["ring_tone"] < 0.5  # drawn on paper: the writer's scale may promote it
    assert {boxes[v].state for v in ("outpatient", "emergency", "other")} == {"empty"}
    assert fd.value in (None, "ward") and (fd.status == "review" or fd.value == "ward")


def _dark_screened_row(synth, blank_form, cover: float):
    """The rating row's shaded band as a laser printer with dark toner prints a light tint: a 45-degree dot
    screen (0.24 mm, 106 lpi) covering `cover` of the paper, the boxes' insides white."""
    page = _shaded_rating_row(synth, blank_form, grey=254)
    img, s = page.img, blank_form.s
    y0, y1, x0, x1 = int(78.5 * s), int(86.5 * s), int(15 * s), int(200 * s)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    k = 2 * np.pi / (25.4 / 106 * s) / np.sqrt(2.0)
    dot = (np.cos((xx + yy) * k) + np.cos((xx - yy) * k)) * 0.25 + 0.5  # 1 at a dot's centre
    band = img[y0:y1, x0:x1]
    band[(band[..., 0] == 254) & (dot > 1 - cover)] = 40
    band[band == 254] = 255
    return page


@pytest.mark.parametrize("cover,effect", [(0.12, "noise"), (0.15, "jpeg"), (0.16, "noise"), (0.2, "jpeg"),
                                          (0.3, "jpeg"), (0.3, "noise")])
def test_a_dark_printed_tint_around_empty_boxes_is_paper(synth, blank_form, cover, effect):
    """A light tint printed as dots with a dark toner's dot gain reaches the ink threshold against the white
    paper above and below the row: every box of the empty row saw ink all around it and read as maybe
    circled (other-printer stress runs: 155 of 855 fields to a person), or its speckle joined a box's outline
    all round like a tight loop: circled. Against the paper right around it a tint is no ink: the row reads
    empty (a required row: `no_mark`; on a noisy scan a box may still be a maybe). A ballpoint loop drawn
    round a box in the same row was lost with the tint (taken out whole as print): it goes to a person."""
    import cv2

    page = _dark_screened_row(synth, blank_form, cover)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.7), effect)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["rating"]
    seen = [(b.value, b.state, b.why, b.measures["ring_sectors"]) for b in fd.boxes]
    assert all(b.state != "marked" and b.measures["ring_sectors"] < 7 for b in fd.boxes), seen
    assert effect == "noise" or all(b.state == "empty" and b.measures["ring_sectors"] < 4 for b in fd.boxes), seen
    page = _dark_screened_row(synth, blank_form, cover)
    x, y, w, h = synth.option_rect("rating", "3")
    cv2.ellipse(page.img, (page.px(x + w / 2), page.px(y + h / 2)), (page.px(w / 2 + 1.4), page.px(h / 2 + 1.2)),
                0, 20, 400, (90, 90, 90), round(0.35 * page.s), cv2.LINE_AA, 4)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.7), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    boxes = {b.value: b for b in fd.boxes}
    assert boxes["3"].measures["ring_sectors"] >= 4 and boxes["3"].state != "empty", boxes["3"].to_dict()
    assert fd.value in (None, "3") and (fd.status == "review" or fd.value == "3")


@pytest.mark.parametrize("band,loop", [(240, 212), (236, 206)])
def test_a_faint_loop_on_a_tinted_row_is_measured_as_lying_on_the_tone(synth, blank_form, band, loop):
    """A faint-pencil loop round a box of a shaded rating row is seen all round like one on paper, and its
    strokes are measured as lying on the row's tone (`ring_tone`): there a printer's texture makes such rings
    too, so the writer's scale does not promote it (`writer.LONE_RING_ON_TONE`)."""
    import cv2

    page = _shaded_rating_row(synth, blank_form, grey=band)
    x, y, w, h = synth.option_rect("rating", "3")
    cv2.ellipse(page.img, (page.px(x + w / 2), page.px(y + h / 2)), (page.px(w / 2 + 1.3), page.px(h / 2 + 1.1)),
                0, 20, 400, (loop, loop, loop), round(0.4 * page.s), cv2.LINE_AA, 4)
    img = synth.jpeg(synth.noise(cv2.GaussianBlur(page.grey(), (0, 0), 0.8), 3), 80)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    boxes = {b.value: b for b in fd.boxes}
    assert boxes["3"].measures["ring_sectors"] >= 7 and boxes["3"].state != "empty", boxes["3"].to_dict()
    assert boxes["3"].measures["ring_tone"] >= 0.9, boxes["3"].to_dict()


def _droplet_row(synth, blank_form, cover: float, dark: int, seed: int):
    """The rating row's shaded band as an inkjet prints a light tint: scattered droplets (`cover` of the
    paper, `dark` grey levels each) that stand out from the tint around them, the boxes' insides white."""
    page = _shaded_rating_row(synth, blank_form, grey=254)
    img, s = page.img, blank_form.s
    band = img[int(78.5 * s):int(86.5 * s), int(15 * s):int(200 * s)]
    drops = (band[..., 0] == 254) & (np.random.default_rng(seed).random(band.shape[:2]) < cover)
    band[band == 254] = 255
    band[drops] = 255 - dark
    return page


@pytest.mark.parametrize("cover,dark,effect,seed", [(0.15, 100, "jpeg", 1), (0.15, 100, "noise", 1),
                                                    (0.2, 80, None, 2), (0.3, 60, "jpeg", 1)])
def test_an_inkjet_tint_joined_to_an_empty_box_outline_is_no_loop(synth, blank_form, cover, dark, effect, seed):
    """An inkjet's droplets in a tinted row stand out from the tint, as pencil would, and some touch a box's
    outline on every side: the outline's component then reached 0.5 mm past the box all round, which is
    what a loop drawn tight round the box does, and the box was read circled - with no stroke in the ring
    at all, so with no strength to doubt it by (inkjet stress runs: 69 empty boxes read circled; in a row
    the assessor left empty that is an accepted answer nobody gave). A loop shows in the ring: the row
    reads empty, at most a box or two in doubt. A ballpoint loop drawn tight round a box there is found."""
    import cv2

    page = _droplet_row(synth, blank_form, cover, dark, seed)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.8), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    seen = [(b.value, b.state, b.why, b.measures["ring_sectors"], b.measures["ring_strength"]) for b in fd.boxes]
    assert fd.value is None and all(b.state != "marked" for b in fd.boxes), seen
    assert sum(b.state != "empty" for b in fd.boxes) <= 2, seen
    page = _droplet_row(synth, blank_form, cover, dark, seed)
    page.mark("tight_circle", synth.option_rect("rating", "3"), colour=(60, 60, 60), width_mm=0.35)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.8), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    boxes = {b.value: b for b in fd.boxes}
    assert boxes["3"].state != "empty" and boxes["3"].measures["ring_sectors"] >= 7, boxes["3"].to_dict()
    assert fd.value in (None, "3") and (fd.status == "review" or fd.value == "3")


@pytest.mark.parametrize("effect", [None, "noise", "jpeg"])
def test_a_tick_under_a_faint_pencil_fill_is_not_read_as_the_answer(synth, blank_form, effect):
    """A box ticked, then filled in faint pencil to cancel it: the fill (0.09 dark, 1 mm past the outline)
    stays below the ink threshold and only the tick counts as ink. It read as a tick - the cancelled
    answer accepted (a phone photo of a faint-pencil page). The paper inside the box, away from the
    tick, is as dark as the fill (`tone`): a person decides. A plain tick's box stays clean."""
    x, y, w, h = synth.option_rect("setting", "ward")
    for filled in (True, False):
        page = blank_form.copy()
        if filled:
            tone = page.img[int((y - 1) * page.s):int((y + h + 1) * page.s), int((x - 1) * page.s):int((x + w + 1) * page.s)]
            np.minimum(tone, 232, out=tone)
        page.mark("tick", [x, y, w, h], colour=(160, 160, 160), width_mm=0.35)
        img = _scanned(synth, page.img, effect)
        loc = scanner.locate(img, synth.FURNITURE)
        fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["setting"]
        ward = next(b for b in fd.boxes if b.value == "ward")
        if filled:
            assert ward.state == "uncertain" and fd.status == "review" and fd.value is None, ward.to_dict()
            assert ward.why == "mark_on_tone" or effect == "noise"  # (on noise the tick itself may read faint)
        else:
            assert (ward.state, fd.value, fd.status) == ("marked", "ward", "accepted"), ward.to_dict()
            assert ward.measures["tone"] < 0.03



@pytest.mark.parametrize("threshold", ["local41", "local31", "fixed"])
def test_a_fill_hollowed_by_a_local_1bit_threshold_is_not_read_as_an_answer(synth, blank_form, threshold):
    """A scanner's "dynamic" 1-bit threshold compares each pixel with the mean around it: inside a blot
    wider than half its window that mean is the blot, so a cancelling fill comes through as a ring of
    ink inside the outline around a clear middle. In a multiple-choice row it read as one more answer,
    silently (window 3.5 mm). No tick, cross or slash leaves the middle clear with the strip inside the
    outline inked. With a window of 2.6 mm the fill is a thick frame around an empty box, read as a loop
    drawn round it: there the page's markers, whose widest black parts came out white too, tell that
    the page's blots are hollow. A fixed threshold keeps the fill solid: cancelled, and the row is read."""
    import cv2

    page = blank_form.copy()
    x, y, w, h = synth.option_rect("focus", "history")
    o = 0.6  # a hasty fill runs over the outline
    pts = np.array([[page.px(x - o), page.px(y - o)], [page.px(x + w + o), page.px(y - o * 0.5)],
                    [page.px(x + w + o * 0.7), page.px(y + h + o)], [page.px(x - o * 0.8), page.px(y + h + o * 0.6)]],
                   np.int32)
    cv2.fillPoly(page.img, [pts], (25, 25, 25), cv2.LINE_AA, 4)
    page.mark("tick", synth.option_rect("focus", "diagnosis"), width_mm=0.4)
    page.mark("tick", synth.option_rect("optional", "a"), width_mm=0.4)
    local = {"local41": 41, "local31": 31}.get(threshold)
    img = synth.adaptive_bilevel(page.img, block=local, c=12) if local else synth.bilevel(page.img)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.blots_hollowed == bool(local)  # the markers show it either way
    fields = scanner.read(img, loc, synth.GEOMETRY["fields"], page.printed).fields
    fd = fields["focus"]
    box = next(b for b in fd.boxes if b.value == "history")
    if local == 41:
        assert (box.state, box.why) == ("uncertain", "ink_along_outline"), box.measures
        assert fd.status == "review"
    elif local == 31:  # a thick frame: to the ring measures a loop drawn round the box; the page tells
        assert (box.state, box.why) == ("marked", "circled"), box.measures
        assert (fd.status, fd.reason) == ("review", "blots_hollowed")
    if local:
        # a clean tick elsewhere: on a page whose fills cannot be told from marks, no row is vouched for
        assert (fields["optional"].value, fields["optional"].status, fields["optional"].reason) == (
            "a", "review", "blots_hollowed")
    else:
        assert box.state == "filled"
        assert (fd.value, fd.status) == (["diagnosis"], "accepted")


def _crease_under_a_streak_roi():  # type: ignore[no-untyped-def]
    """A 5 mm box ROI at RES (15 x 15 mm): a crease 0.16 dark at -4 deg through the box's upper interior,
    its stretch in the left side strip under a scanner streak row that was painted out (as `paint_out`
    does: the row's neighbours put in its place). What remains of the crease in the box is a stroke."""
    import cv2

    g = np.full((120, 120), 210.0)
    over = np.zeros((120 * 16, 120 * 16), np.uint8)
    cv2.line(over, (0, 52 * 16), (120 * 16 - 1, 44 * 16), 255, 6 * 16, cv2.LINE_AA)
    g *= 1 - 0.16 * cv2.resize(over, (120, 120), interpolation=cv2.INTER_AREA) / 255.0
    cv2.rectangle(g, (40, 40), (80, 80), 70.0, 3)
    g += np.random.default_rng(0).normal(0, 1.5, g.shape)
    g[41:47, :] = np.maximum(g[40, :], g[47, :])
    gaps = np.zeros((120, 120), bool)
    gaps[41:47, :] = True
    return np.clip(g, 0, 255).astype(np.uint8), gaps


def test_a_crease_along_a_painted_out_streak_is_still_a_line_through_the_box():
    """Rough scan, faint-pencil stress: a crease running along a scanner streak row read as a tick
    (silently: as dark as the writer's pencil). Painted out, the streak had cut the crease's stretch
    in a side strip, so it no longer crossed the ROI. Painted-out pixels are unknown, not paper."""
    from scanner.measure import _measure_roi

    g, gaps = _crease_under_a_streak_roi()
    blind = _measure_roi(g, 0.0, 0.0, [5.0, 5.0, 5.0, 5.0], [])
    assert blind.coverage > 0.15  # as before: the crease's remains read as ink in the box
    m = _measure_roi(g, 0.0, 0.0, [5.0, 5.0, 5.0, 5.0], [], painted=gaps)
    assert m.coverage < 0.02 and m.faint < 0.02


def test_the_warp_reports_where_a_streak_was_painted_out(synth, blank_form):
    """`warp_rect_grey_painted`: the painted-out rows, warped with the grey (None without streaks)."""
    from scanner.geometry import warp_rect_grey_painted

    img = blank_form.grey().copy()
    r = int(round(132.0 * blank_form.s))
    img[r:r + 3, :] = (img[r:r + 3, :] * 0.6).astype(np.uint8)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.streaks["rows"]
    g, painted = warp_rect_grey_painted(img, loc.registration.H, [15.0, 125.0, 15.0, 15.0], 8.0, streaks=loc.streaks)
    assert painted is not None and g.shape == painted.shape
    rows = np.flatnonzero(painted.any(axis=1))
    assert rows.min() >= 6.5 * 8 and rows.max() <= 7.9 * 8  # 131.5-132.9 mm
    assert np.median(g[rows]) > 200  # painted out: paper there (the streak darkened it to ~150)
    assert warp_rect_grey_painted(blank_form.grey(), loc.registration.H, [15.0, 125.0, 15.0, 15.0], 8.0)[1] is None


def test_a_half_filled_box_at_a_shadows_edge_with_a_crease_is_measured_twice():
    """A box half filled (its paper pockets counted), under a hard shadow's edge, a crease through it:
    measured again against the darker paper (`in_shade`). That second measure was once handed the
    pocket count where the painted-out streaks belong, and the page went to a person whole
    (`reader_error`, a duplex phone stack)."""
    import cv2

    from scanner.measure import _measure_roi

    g = np.full((120, 120), 215.0)
    g[:, 70:] = 150.0  # a hard shadow over the right part of the ROI
    over = np.zeros((120 * 16, 120 * 16), np.uint8)
    cv2.line(over, (0, 50 * 16), (120 * 16 - 1, 53 * 16), 255, 3 * 16, cv2.LINE_AA)
    g *= 1 - 0.2 * cv2.resize(over, (120, 120), interpolation=cv2.INTER_AREA) / 255.0
    cv2.rectangle(g, (40, 40), (80, 80), 60.0, 3)
    cv2.rectangle(g, (43, 43), (62, 77), 40.0, -1)
    g += np.random.default_rng(0).normal(0, 1.5, g.shape)
    m = _measure_roi(np.clip(g, 0, 255).astype(np.uint8), 0.0, 0.0, [5.0, 5.0, 5.0, 5.0], [])
    assert m.gaps >= 1 and m.paper_step >= 0.18 and m.in_shade is not None


RED = (40, 30, 190)  # BGR red ballpoint


@pytest.mark.parametrize("colour,effect", [((25, 25, 25), None), (BLUE, "jpeg"), ((25, 25, 25), "bilevel"),
                                          (RED, "soft150")])
def test_a_pen_stroke_struck_through_a_box_and_on_is_not_erased_like_a_crease(synth, blank_form, colour, effect):
    """A ballpoint dash drawn through an optional row's box and on past its label, as some people answer.

    It fills both side strips like a fold does, so the through-line erase took it - up to its own
    darkness, which is all of it - and the box read empty: an answer lost without a word. A line as dark
    as a pen (>= CREASE_MAX_DARK of the paper at its core) is not a fold: the box goes to a person. A soft
    150-dpi scan spreads a red dash into a pale fringe whose median darkness is a fold's: its core is not."""
    import cv2

    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    page.line((x - 6, y + h / 2), (x + w + 7, y + h / 2 + 0.3), 0.3 if effect == "soft150" else 0.4, colour)
    img = (synth.jpeg(page.img, 60) if effect == "jpeg" else synth.bilevel(page.img) if effect == "bilevel"
           else synth.jpeg(synth.resample_dpi(cv2.GaussianBlur(page.grey(), (0, 0), 1.5), 300, 150), 70)
           if effect == "soft150" else page.img)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    b = next(b for b in fd.boxes if b.value == "b")
    assert (b.state, b.why, fd.status) == ("uncertain", "pen_line_through", "review"), b.to_dict()


def test_a_crease_as_long_as_that_stroke_still_reads_as_nothing(synth, blank_form):
    """The same line in a fold's grey (~0.25 of the paper) is erased as before: the box stays empty."""
    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    page.line((x - 6, y + h / 2), (x + w + 7, y + h / 2 + 0.3), 0.3, (185, 185, 185))
    img = synth.jpeg(page.img, 60)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    b = next(b for b in fd.boxes if b.value == "b")
    assert (b.state, fd.status, fd.value) == ("empty", "accepted", None), b.to_dict()


@pytest.mark.parametrize("effect", [None, "office200"])
def test_a_pencil_stroke_through_a_box_between_two_labels_is_not_a_crease(synth, blank_form, effect):
    """A faint pencil line struck through a box, 2 mm out of both sides, between the word before the
    box and the option's label (an all-pencil stress run: "Observation [-] <=10").

    The labels fill the rest of both side strips, so the line covered them like a crease that runs on
    across the sheet: it was erased and the box read empty, accepted. The clear paper between the
    stroke's ends and the labels says it ends: the box is not read empty without a person.
    """
    import cv2

    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    scale = 2.5 * page.s / 22.0  # as Page.text sizes its letters
    word_mm = cv2.getTextSize("Obs", cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, round(scale * 2)))[0][0] / page.s
    page.text("Obs", x - 2.45 - word_mm, y + h - 1, 2.5)  # the row's word, ending 0.75 mm before the stroke
    page.text("min", x + w + 4.0, y + h - 1, 2.5)  # on after the option's own label "b"
    page.line((x - 1.7, y + h / 2 + 0.1), (x + w + 2.0, y + h / 2 - 0.1), 0.3, (165, 165, 165))
    img = (synth.jpeg(synth.resample_dpi(cv2.GaussianBlur(page.grey(), (0, 0), 0.8), 300, 200), 80)
           if effect == "office200" else synth.jpeg(page.img, 80))
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    b = next(b for b in fd.boxes if b.value == "b")
    assert b.state != "empty" and (fd.value, fd.status) != (None, "accepted"), b.to_dict()


@pytest.mark.parametrize("colour", [BLUE, (25, 25, 25)])
def test_a_zigzag_blurred_into_a_blot_is_not_taken_for_a_cancelling_fill(synth, blank_form, colour):
    """A zig-zag with paper between its strokes, as some people answer, comes through a soft scan or a phone
    photo inked all over at the ink threshold: read as a solid fill, a multiple-choice answer was dropped as
    cancelled, confidently. The form says to fill a box completely to cancel it, and a blurred zig-zag is
    still light between its strokes (`fill_light`): a person decides. The same blur on a filled box keeps it
    a fill."""
    import cv2

    rect = synth.option_rect("focus", "exam")
    x, y, w, h = rect
    got = {}
    for kind in ("zigzag", "fill"):
        page = blank_form.copy()
        page.mark("tick", synth.option_rect("focus", "history"), colour=colour, width_mm=0.4)
        if kind == "fill":
            page.mark("fill", rect, colour=colour)
        else:
            pts = [(x + (0.9 if i % 2 == 0 else w - 0.9), y + 1.0 + 0.6 * i) for i in range(6)]
            for a, b in zip(pts, pts[1:], strict=False):
                page.line(a, b, 0.4, colour)
        # only the box's own surroundings are blurred: a whole page this soft leaves the empty boxes'
        # outlines as faint traces inside them, and the row would go to a person anyway
        sl = tuple(slice(round((a - 2) * page.s), round((b + 2) * page.s)) for a, b in ((y, y + h), (x, x + w)))
        page.img[sl] = cv2.GaussianBlur(page.img[sl], (0, 0), 0.22 * page.s)
        img = synth.jpeg(page.img, 70)
        loc = scanner.locate(img, synth.FURNITURE)
        fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["focus"]
        b = next(b for b in fd.boxes if b.value == "exam")
        got[kind] = (b.state, b.why, fd.status, fd.value)
    assert got == {"zigzag": ("uncertain", "uneven_fill", "review", ["history"]),
                   "fill": ("filled", "solid_fill", "accepted", ["history"])}, got


@pytest.mark.parametrize("side", ["floor", "wall"])
@pytest.mark.parametrize("colour,effect", [((150, 150, 150), None), ((150, 150, 150), "jpeg"),
                                           ((190, 190, 190), "noise"), ((25, 25, 25), "grey150")])
def test_a_stroke_between_the_outline_and_the_interior_is_not_nothing(synth, blank_form, side, colour, effect):
    """A pencil stroke drawn along a box's floor, just inside its outline, lies where the interior (the box less
    15 % each side, so the outline is never ink) does not look: the row read empty, accepted (a third-hands
    stress run). Ink between the outline and the interior sends the box to a person."""
    x, y, w, h = synth.option_rect("optional", "b")
    page = blank_form.copy()
    if side == "floor":
        page.line((x + 0.9, y + h - 0.56), (x + w - 1.2, y + h - 0.52), 0.3, colour)
    else:
        page.line((x + 0.55, y + 1.0), (x + 0.55, y + h - 1.4), 0.3, colour)
    img = page.img if effect in (None, "grey150") else _scanned(synth, page.img, effect)
    if effect == "grey150":
        img = synth.resample_dpi(page.grey(), 300, 150)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    b = next(b for b in fd.boxes if b.value == "b")
    assert (b.state, fd.status) == ("uncertain", "review"), (b.state, b.why, b.measures["side_ink_mm"])


@pytest.mark.parametrize("effect", [None, "noise", "jpeg", "grey150", "blur", "shift"])
def test_the_outline_itself_is_not_ink_inside_it(synth, blank_form, effect):
    """An empty row stays empty however the scan treats the outlines: blurred, at 150 dpi, the page shifted
    half a pixel (the strips between outline and interior take the outline's own edge alike on every side)."""
    import cv2

    img = blank_form.copy().img
    if effect == "grey150":
        img = synth.resample_dpi(blank_form.grey(), 300, 150)
    elif effect == "blur":
        img = cv2.GaussianBlur(img, (0, 0), 1.6)
    elif effect == "shift":
        img = synth.transform(img, 0.3, 0.985, (7, -5))
    else:
        img = _scanned(synth, img, effect)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    assert (fd.status, fd.value) == ("accepted", None), [(b.state, b.why, b.measures["side_ink_mm"]) for b in fd.boxes]
    assert all(b.measures["side_ink_mm"] < 0.5 for b in fd.boxes), [b.measures["side_ink_mm"] for b in fd.boxes]


@pytest.mark.parametrize("side,off_mm,grey", [("floor", 0.5, 150), ("floor", 0.55, 200), ("top", 0.55, 200)])
def test_a_crease_along_a_side_of_an_empty_box_is_not_ink_inside_it(synth, blank_form, side, off_mm, grey):
    """A crease running along a box's floor or top, just inside the outline, runs on past the box at both ends
    (rough scans: 12 of 273,632 empty boxes took one for a stroke inside the outline); a stroke drawn there
    stops inside the box."""
    x, y, w, h = synth.option_rect("optional", "b")
    yy = y + h - off_mm if side == "floor" else y + off_mm
    page = blank_form.copy()
    page.line((x - 12, yy - 0.1), (x + w + 12, yy + 0.1), 0.3, (grey,) * 3)
    img = synth.noise(page.img, 4, seed=2)
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.GEOMETRY["fields"]).fields["optional"]
    assert (fd.status, fd.value) == ("accepted", None), [(b.state, b.why, b.measures["side_ink_mm"]) for b in fd.boxes]


@pytest.mark.parametrize("arms,width", [
    (((0.3, 0.3, 4.7, 4.7), (4.7, 0.3, 0.3, 2.6)), 1.4),  # the second arm shallow, crossing the first high up
    (((0.3, 0.8, 4.7, 4.8), (4.5, 0.2, 0.4, 3.4)), 1.2),
])
@pytest.mark.parametrize("effect", [None, "jpeg"])
def test_a_felt_tip_x_whose_arms_cross_off_its_centre_is_a_cross(synth, blank_form, arms, width, effect):
    """A plain felt-tip X whose arms cross off the centre of its ink: the lines laid through that centre run off an
    arm or through the thick crossing, and the box went to a person as between a mark and a fill (four such X's on
    the ward's office stacks). Laid through where the arms cross, the lines see a cross."""
    x, y, _, _ = rect = synth.option_rect("setting", "ward")
    page = blank_form.copy()
    for x0, y0, x1, y1 in arms:
        page.line((x + x0, y + y0), (x + x1, y + y1), width, (30, 30, 30))
    img = _scanned(synth, page.img, effect)
    loc = scanner.locate(img, synth.FURNITURE)
    neighbours = [o["rect_mm"] for f in synth.GEOMETRY["fields"] for o in f.get("options", []) if o["rect_mm"] != rect]
    m = measure_box(img, loc.registration.H, rect, neighbours)
    centre_only = dataclasses.replace(m, x_arms_at=-1.0, x_between_at=-1.0)
    assert classify_box(centre_only)[0::2] == ("uncertain", "between_mark_and_fill")  # as it was
    assert classify_box(m)[0::2] == ("marked", "crossed_arms")


@pytest.mark.parametrize("cover,fill,effect", [(0.3, 214, "jpeg"), (0.3, 220, "noise"), (0.2, 214, "jpeg")])
def test_a_faint_fill_on_a_dark_printed_tint_is_not_erased_with_the_tint(synth, blank_form, cover, fill, effect):
    """A dark toner's tint fills the strips beside a box like a fold's shadow, and the through-line erase took a
    faint-pencil fill in the box (as dark as the tint) for the band and erased it: the box read empty, and with
    a circle drawn round it first (then cancelled by the fill), as the answer - a silent error on an office scan.
    The row's other boxes are white inside: the trace was the box's own, and the row goes to a person."""
    import cv2

    page = _dark_screened_row(synth, blank_form, cover)
    x, y, w, h = synth.option_rect("rating", "3")
    def pix(mm: float) -> int:
        return int(round(mm * page.s))

    page.img[pix(y + 0.3):pix(y + h - 0.3), pix(x + 0.3):pix(x + w - 0.3)] = fill
    cv2.ellipse(page.img, (page.px(x + w / 2), page.px(y + h / 2)), (page.px(w / 2 + 1.0), page.px(h / 2 + 1.0)),
                0, 0, 360, (150, 150, 150), round(0.3 * page.s), cv2.LINE_AA, 4)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.7), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    boxes = {b.value: b for b in fd.boxes}
    assert fd.status == "review" and boxes["3"].state not in ("empty", "marked"), (fd.value, boxes["3"].to_dict())


def _nubbed_box(synth, blank_form, value: str, nub_mm: float, grey: int = 240):
    """The shaded rating row with short spurs (`nub_mm` long, 0.3 mm wide) sticking out of box `value`'s outline
    in eight directions, as a dithered tint's texture joined to the outline leaves them."""
    import cv2

    page = _shaded_rating_row(synth, blank_form, grey=grey)
    x, y, w, h = synth.option_rect("rating", value)
    cx, cy = x + w / 2, y + h / 2
    for ux, uy in ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)):
        ex, ey = cx + ux * w / 2, cy + uy * h / 2  # on the outline (a side's middle or a corner)
        cv2.line(page.img, (page.px(ex), page.px(ey)), (page.px(ex + ux * nub_mm), page.px(ey + uy * nub_mm)),
                 (70, 70, 70), round(0.3 * page.s), cv2.LINE_AA, 4)
    return page


@pytest.mark.parametrize("nub_mm,effect", [(1.1, None), (1.1, "jpeg"), (1.8, None), (1.8, "noise")])
def test_nubs_on_an_empty_box_outline_all_round_are_no_loop(synth, blank_form, nub_mm, effect):
    """A dithered tint's texture joined to an empty box's outline pokes into the ring in short nubs on every side:
    the outline's component then reaches past the box all round, as a loop drawn tight round it does, and its
    nubs reached all 8 directions. The box read circled, the row's only answer, accepted (a third-hands stress
    run, dithered 1-bit page). A loop crosses the ring as strokes (`ring_pieces`); nubs go to a person. A tight
    loop drawn round a box of the same row is still read circled."""
    import cv2

    page = _nubbed_box(synth, blank_form, "3", nub_mm)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.6), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    box = next(b for b in fd.boxes if b.value == "3")
    assert box.measures["ring_sectors"] >= 7, box.to_dict()  # what the old reading took for a tight loop
    assert (box.state, box.why) == ("uncertain", "ring_of_nubs") and fd.status == "review", box.to_dict()
    assert fd.value is None and 0 <= box.measures["ring_pieces"] < 4, box.to_dict()
    page = _shaded_rating_row(synth, blank_form, grey=240)
    page.mark("tight_circle", synth.option_rect("rating", "3"), colour=(60, 60, 60), width_mm=0.35)
    img = _scanned(synth, cv2.GaussianBlur(page.grey(), (0, 0), 0.6), effect)
    fd = scanner.read(img, scanner.locate(img, synth.FURNITURE), synth.GEOMETRY["fields"]).fields["rating"]
    box = next(b for b in fd.boxes if b.value == "3")
    assert box.why == "circled" and box.measures["ring_pieces"] >= 4, box.to_dict()
