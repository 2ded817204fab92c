"""Light and paper, not pen: a hard shadow's edge on a phone photo, a coffee ring on the sheet.

A stress profile with hard shadows (`formkit.simulate.effects.shadow`: a hand or the phone under one lamp)
found 45 silent errors in 1,280 fields: a box at the edge read as ticked, a box in the shade as filled,
a shaded band in an empty comment box as writing (`uneven_light` now). One with coffee rings (`stain`)
found 23: a ring's rim crossing an empty comment or signature area read as writing (`round_stain` now).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import scanner


def shade(img: np.ndarray, poly_mm: list[tuple[float, float]], depth: float, dpi: float = 300,
          penumbra_mm: float = 1.0) -> np.ndarray:
    """The page with the polygon (mm) darkened by `depth`, its edge blurred over `penumbra_mm`."""
    s = dpi / 25.4
    mask = np.zeros(img.shape[:2], np.float32)
    cv2.fillPoly(mask, [np.round(np.array(poly_mm) * s).astype(np.int32)], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, penumbra_mm * s / 2))
    out = img.astype(np.float32) * (1.0 - depth * mask)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _read(synth, img: np.ndarray, noise: float = 2):  # type: ignore[no-untyped-def]
    img = synth.noise(synth.jpeg(img, 85), noise)
    loc = scanner.locate(img, synth.FURNITURE)
    return scanner.read(img, loc, synth.GEOMETRY["fields"])


SHADOWS = {  # shaded polygons (mm) reaching into box "b" (60-65 x 130-135) of the optional row
    "corner": [(62.5, 132.5), (250, 132.5), (250, 300), (62.5, 300)],
    "spike": [(40, 190), (63.5, 131.5), (90, 190)],
    "slant": [(58, 140), (68, 125), (250, 125), (250, 140)],
}


@pytest.mark.parametrize("shape", sorted(SHADOWS))
def test_a_shadow_edge_across_a_box_of_an_empty_row_is_not_a_mark(synth, blank_form, shape):
    """Against the lit paper the shaded part of box "b" is ink, and the empty optional row was read as
    "b", accepted. Against the shaded paper the box is empty: the readings disagree, so a person decides."""
    img = shade(blank_form.img.copy(), SHADOWS[shape], 0.45)
    fd = _read(synth, img).fields["optional"]
    b = next(x for x in fd.boxes if x.value == "b")
    assert fd.status == "review" and fd.reason == "uneven_light", (fd.value, [(x.value, x.state, x.why) for x in fd.boxes])
    assert b.why == "uneven_light" and b.measures["paper_step"] >= 0.3


def test_a_tick_in_the_shade_is_still_read_when_both_lights_agree(synth, blank_form):
    """A tick drawn in a box wholly in the shade, far from the shadow's edge, reads as a tick."""
    page = blank_form.copy()
    page.mark("tick", synth.option_rect("optional", "c"), width_mm=0.5)
    img = shade(page.img, [(40, 120), (250, 120), (250, 150), (40, 150)], 0.45)
    fd = _read(synth, img).fields["optional"]
    assert fd.status == "accepted" and fd.value == "c", [(x.value, x.state, x.why) for x in fd.boxes]


def test_a_shadow_spike_in_an_empty_comment_box_is_not_writing(synth, blank_form):
    """A finger's shadow reaching into an empty comment box: against the brightest paper within 3 mm the
    shade along its edge is a broad dark band the line rules keep; it was accepted as writing."""
    img = shade(blank_form.img.copy(), [(60, 140), (140, 140), (95, 185)], 0.45)
    ta = _read(synth, img).texts["went_well"]
    assert ta.status == "review" and ta.reason == "uneven_light", ta.to_dict()


def test_writing_in_and_out_of_a_shadow_is_still_present(synth, blank_form):
    page = blank_form.copy()
    page.write(synth.GEOMETRY["fields"][4]["rect_mm"], words=6)
    img = shade(page.img, [(60, 140), (140, 140), (95, 185)], 0.45)
    ta = _read(synth, img).texts["went_well"]
    assert ta.status == "accepted" and ta.value == "present", ta.to_dict()


def star(centre_mm: tuple[float, float], r_out: float, r_in: float, turn: float, points: int = 6) -> list:
    """A star-shaped shadow's outline (mm): a hand's fingers, a lamp's arm - long straight edges, deep notches."""
    t = np.linspace(0, 2 * np.pi, 2 * points, endpoint=False) + turn
    r = np.where(np.arange(2 * points) % 2 == 0, r_out, r_in)
    return [(centre_mm[0] + rr * np.cos(a), centre_mm[1] + 0.8 * rr * np.sin(a)) for rr, a in zip(r, t, strict=True)]


@pytest.mark.parametrize("centre,r_out,r_in,turn,depth,noise", [
    ((90, 185), 40, 24, 0.3, 0.10, 8), ((90, 185), 40, 24, 0.3, 0.12, 8),
    ((60, 200), 45, 25, 0.0, 0.12, 12), ((60, 200), 45, 25, 0.0, 0.17, 12)])
def test_a_faint_star_shadow_on_a_noisy_photo_is_not_writing(synth, blank_form, centre, r_out, r_in, turn, depth,
                                                             noise):
    """A shallow hard shadow on a noisy photo: along its edges the shade is about as dark as the ink threshold,
    and the cleaning's median fills in the pixels just under it. Those were never tested against the shadiest
    paper nearby, so 70-160 mm2 of edge stayed "writing" and the empty area was accepted as written (hunt
    s1528, a phone photo with a star-shaped shadow across two empty comment areas)."""
    img = shade(blank_form.img.copy(), star(centre, r_out, r_in, turn), depth, penumbra_mm=0.4)
    ta = _read(synth, img, noise).texts["went_well"]
    assert ta.status == "review" and ta.reason == "uneven_light", ta.to_dict()


@pytest.mark.parametrize("depth,noise", [(0.12, 8), (0.17, 12)])
def test_writing_under_a_faint_star_shadow_on_a_noisy_photo_is_present(synth, blank_form, depth, noise):
    page = blank_form.copy()
    page.write(synth.GEOMETRY["fields"][4]["rect_mm"], words=6)
    img = shade(page.img, star((90, 185), 40, 24, 0.3), depth, penumbra_mm=0.4)
    ta = _read(synth, img, noise).texts["went_well"]
    assert ta.status == "accepted" and ta.value == "present", ta.to_dict()


def ring(img: np.ndarray, centre_mm: tuple[float, float], radius_mm: float, dark: float = 0.25,
         width_mm: float = 1.0, dpi: float = 300) -> np.ndarray:
    """A coffee ring's rim drawn on the page: a soft round line, slightly out of round."""
    s = dpi / 25.4
    t = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    r = radius_mm * (1 + 0.03 * np.sin(2 * t + 0.4) + 0.02 * np.sin(3 * t + 1.1))
    pts = np.stack([centre_mm[0] + r * np.cos(t), centre_mm[1] + r * np.sin(t)], axis=1) * s
    rim = np.zeros(img.shape[:2], np.float32)
    cv2.polylines(rim, [np.round(pts).astype(np.int32)], True, 1.0, max(1, round(width_mm * s)), cv2.LINE_AA)
    rim = cv2.GaussianBlur(rim, (0, 0), width_mm * s / 3)
    out = img.astype(np.float32) * (1.0 - dark * rim / rim.max())[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("centre,radius", [((60, 175), 12.0), ((150, 205), 9.0), ((100, 158), 14.0)])
def test_a_coffee_ring_in_an_empty_comment_box_is_not_writing(synth, blank_form, centre, radius):
    """A cup's ring crossing an empty comment box (inside it, over its edge, over its label) was read as
    writing, accepted: a smooth round line is sent to a person instead (`round_stain`)."""
    img = ring(blank_form.img.copy(), centre, radius)
    ta = _read(synth, img).texts["went_well"]
    assert ta.status == "review" and ta.reason == "round_stain", ta.to_dict()


def test_a_coffee_ring_clipping_a_small_area_is_not_a_signature(synth, blank_form):
    """Only a short piece of the rim crosses a corner of the signature line: too short to show its
    circle, it comes in from outside the zone as one smooth stroke."""
    img = ring(blank_form.img.copy(), (20, 212), 9.0)
    ta = _read(synth, img).texts["signature"]
    assert ta.status == "review" and ta.reason == "round_stain", ta.to_dict()


def test_writing_beside_a_coffee_ring_is_present(synth, blank_form):
    page = blank_form.copy()
    page.write(synth.GEOMETRY["fields"][4]["rect_mm"], words=4)
    img = ring(page.img, (150, 180), 12.0)
    ta = _read(synth, img).texts["went_well"]
    assert ta.status == "accepted" and ta.value == "present", ta.to_dict()


def test_a_rim_is_one_pale_round_band_and_writing_is_not():
    """`rims.rim_residue` on masks at 4 px/mm: an arc of a 12 mm ring 1 mm wide is all rim; a zigzag
    line of pencil letters as pale, and a dark pen arc, are not."""
    from scanner.rims import rim_residue

    res = 4.0
    zone = np.zeros((100, 240), np.uint8)
    arc = cv2.ellipse(zone.copy(), (120, 110), (48, 48), 0, 200, 340, 1, 4)
    pale = np.full(zone.shape, 0.2, np.float32)
    assert rim_residue(arc, pale, res) >= 0.9 * np.count_nonzero(arc)
    assert rim_residue(arc, np.full(zone.shape, 0.7, np.float32), res) == 0  # a pen's darkness
    word = zone.copy()
    xs = np.arange(20, 200, 3)
    cv2.polylines(word, [np.stack([xs, 40 + 8 * (np.arange(xs.size) % 2)], axis=1).astype(np.int32)], False, 1, 1)
    assert rim_residue(word, pale, res) == 0


def test_a_pale_rim_broken_by_the_threshold_is_still_one_rim():
    """A faint ring (0.1 dark) breaks into arcs at the ink threshold: its curve ran through ink along only
    62-77 % of the way, under the 80 % a rim must show, and an empty comment area was read as written (a
    stain stress run). Between its pieces the rim's pale trace is still there (>= half the threshold):
    followed through it, the ring is one rim. Pieces of a circle with nothing between them are not."""
    from scanner.rims import rim_residue

    res = 4.0
    ring = cv2.circle(np.zeros((120, 240), np.uint8), (120, 60), 40, 1, 4)  # a 10 mm ring, 1 mm wide
    d = ring.astype(np.float32) * 0.11
    kept = ring.copy()
    for a0 in range(0, 360, 60):  # six gaps of ~3 mm each: 30 % of the way below the threshold
        t = np.radians(np.arange(a0, a0 + 18))
        for x, y in zip(120 + 40 * np.cos(t), 60 + 40 * np.sin(t), strict=True):
            cv2.circle(kept, (int(round(x)), int(round(y))), 3, 0, -1)
    d_pale = np.where(kept > 0, d, ring * 0.07).astype(np.float32)  # the gaps keep a pale trace
    assert rim_residue(kept, d_pale, res) >= 0.9 * np.count_nonzero(kept)
    d_bare = np.where(kept > 0, d, 0.0).astype(np.float32)  # nothing between the pieces
    assert rim_residue(kept, d_bare, res) < 0.5 * np.count_nonzero(kept)


def test_two_touching_rims_are_both_rims():
    """Two cups' rings overlapping make one piece of ink that no single circle fits: an empty comment area
    with two rings read as written (a stain hunt). Each ring is found in turn; pencil letters on a line
    beside them are still writing."""
    from scanner.rims import rim_residue

    res = 4.0
    zone = np.zeros((160, 320), np.uint8)
    rings = cv2.circle(cv2.circle(zone.copy(), (110, 80), 56, 1, 4), (175, 60), 30, 1, 4)
    pale = np.full(zone.shape, 0.2, np.float32)
    assert rim_residue(rings, pale, res) >= 0.9 * np.count_nonzero(rings)
    word = zone.copy()
    xs = np.arange(20, 300, 3)
    cv2.polylines(word, [np.stack([xs, 130 + 8 * (np.arange(xs.size) % 2)], axis=1).astype(np.int32)], False, 1, 1)
    both = rings | word
    assert rim_residue(both, pale, res) <= np.count_nonzero(rings) + 0.1 * np.count_nonzero(word)


@pytest.mark.parametrize("waver,centre", [(0.0, (178, 80)), (0.01, (176, 60)), (0.01, (180, 95)), (0.02, (178, 80))])
def test_two_touching_rims_leave_less_than_writing(waver, centre):
    """Two rings touching, out of round by up to `waver` of their radius, one cut by the zone's edge (a stain
    hunt: 151 mm2 of rim in an empty comment area read as writing, accepted). The circle most points lie on
    took in a few of the other ring's where the two meet and failed the rim's test, and the search gave up
    (the next circles are tried now); and a large ring's slivers off its circle are more than the present bar
    however well it is found. What is left must stay under the bar for writing beside rims: the present bar,
    or 5 % of the ink."""
    from scanner.handwriting import PRESENT_MM2, RIM_LEFT_SHARE
    from scanner.rims import rim_residue

    res = 4.0

    def wavy(img: np.ndarray, c: tuple[int, int], r: float, a: float, phase: float) -> np.ndarray:
        t = np.linspace(0, 2 * np.pi, 360, endpoint=False)
        rr = r * (1 + a * np.sin(2 * t + phase) + 0.6 * a * np.sin(3 * t + 1.1))
        pts = np.stack([c[0] + rr * np.cos(t), c[1] + rr * np.sin(t)], axis=1)
        return cv2.polylines(img, [np.round(pts).astype(np.int32)], True, 1, 4)

    zone = np.zeros((130, 360), np.uint8)
    rings = wavy(wavy(zone.copy(), (70, 75), 60, waver, 0.3), centre, 46, waver / 2, 2.0)
    ink = np.count_nonzero(rings)
    left = ink - rim_residue(rings, np.full(zone.shape, 0.2, np.float32), res)
    assert left / res ** 2 < max(PRESENT_MM2, RIM_LEFT_SHARE * ink / res ** 2), (left / res ** 2, ink / res ** 2)


def test_a_rim_clipping_the_corner_of_an_empty_box_is_not_a_slash(synth, blank_form):
    """A coffee ring's rim (pale, 1 mm wide, 20 mm radius) clipping the corner of an empty box in an optional
    row: inside the box it looks like a slash and the row read as that answer (a stain check, pencil
    writers). Its pale ink runs on for centimetres beyond the outline in one stroke: a person decides. A
    pencil slash overshooting its box by a millimetre is still a mark."""
    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    cx, cy, r = x + w + 12.0, y - 12.0, 20.0  # the rim cuts ~3 mm into the box at its top right corner
    cv2.circle(page.img, (page.px(cx), page.px(cy)), page.px(r), (200, 200, 200), round(1.0 * page.s), cv2.LINE_AA, 4)
    fx, fy, fw, fh = synth.option_rect("focus", "exam")
    page.line((fx - 0.8, fy + fh + 0.8), (fx + fw + 0.8, fy - 0.8), 0.35, (150, 150, 150))
    r_ = _read(synth, page.img)
    box = next(b for b in r_.fields["optional"].boxes if b.value == "b")
    assert (box.state, box.why) == ("uncertain", "pale_ink_runs_on"), box.to_dict()
    assert r_.fields["optional"].status == "review"
    exam = next(b for b in r_.fields["focus"].boxes if b.value == "exam")
    assert exam.state == "marked" and 0 < exam.measures["reach_mm"] < 2.0, exam.to_dict()


RES_ROI = 12.0  # px per mm of the synthetic patch below


def _soft_shadow_patch(past_corner_mm: float, soft_mm: float, pen: str = "") -> np.ndarray:
    """A 40 mm patch at 12 px/mm: a 5 mm box at (15, 15) between labels, a row's label above it, and a soft
    shadow's edge running diagonally past the box's upper-right corner (lit beyond it, 200 against 140)."""
    n = int(40 * RES_ROI)
    yy, xx = np.mgrid[0:n, 0:n] / RES_ROI
    d = ((xx - 20.0) - (yy - 15.0)) / np.sqrt(2) - past_corner_mm
    paper = 140.0 + 60.0 / (1 + np.exp(-d / (soft_mm / 4)))
    ink = np.zeros((n, n), np.uint8)
    px = int(round(0.25 * RES_ROI))
    cv2.rectangle(ink, (int(15 * RES_ROI), int(15 * RES_ROI)), (int(20 * RES_ROI), int(20 * RES_ROI)), 255, px)
    for x0, y0, w in ((21.5, 16.0, 9.0), (3.0, 16.0, 9.0), (14.0, 9.0, 13.0)):  # labels: letter-like strokes
        for k in range(int(w / 1.6)):
            cv2.putText(ink, "8", (int((x0 + 1.6 * k) * RES_ROI), int((y0 + 3) * RES_ROI)), cv2.FONT_HERSHEY_SIMPLEX,
                        RES_ROI / 30, 255, max(1, int(0.3 * RES_ROI)))
    img = paper * (1 - 0.85 * ink / 255.0)
    if pen:  # pencil, 0.4 mm, about 0.35 dark
        strokes = np.zeros((n, n), np.uint8)
        if pen == "tick":
            pts = np.array([[16.2, 17.4], [17.3, 19.0], [19.3, 15.8]]) * RES_ROI
            cv2.polylines(strokes, [pts.astype(np.int32)], False, 255, int(0.4 * RES_ROI), cv2.LINE_AA)
        else:  # a dot, 1.6 mm across
            cv2.circle(strokes, (int(17.5 * RES_ROI), int(17.5 * RES_ROI)), int(0.8 * RES_ROI), 255, -1, cv2.LINE_AA)
        img = img * (1 - 0.35 * strokes / 255.0)
    img = img + np.random.default_rng(1).normal(0, 3, (n, n))
    return np.clip(img, 0, 255).astype(np.uint8)


LABELS_MM = [[21.5, 15.5, 9.0, 4.0], [3.0, 15.5, 9.0, 4.0], [14.0, 8.5, 13.0, 4.0]]


@pytest.mark.parametrize("past_corner_mm,soft_mm", [(0.5, 1.0), (0.5, 2.0), (1.0, 2.0), (0.5, 3.0), (1.0, 3.0)])
def test_a_soft_shadow_edge_past_a_box_between_labels_is_not_a_mark(past_corner_mm, soft_mm):
    """A shadow profile found an empty optional row read as "21-30", accepted: a soft shadow's edge ran past the
    box's corner, its shade darker than the ring's lit paper, and the lit sides of the ring were the labels' (left
    out when the paper's sides are compared, so no step was seen). The shade has no edge against the paper right
    beside it; a pen's stroke does."""
    from scanner.decide import classify_box
    from scanner.measure import measure_box

    H = np.array([[RES_ROI, 0, 0], [0, RES_ROI, 0], [0, 0, 1.0]])
    m = measure_box(_soft_shadow_patch(past_corner_mm, soft_mm), H, [15, 15, 5, 5], LABELS_MM)
    assert m.coverage >= 0.1 and m.paper_step < 0.18  # ink against the ring's paper, and no step seen
    assert classify_box(m)[0] != "marked" and classify_box(m)[0] != "filled", m.to_dict()


@pytest.mark.parametrize("pen", ["tick", "dot"])
def test_a_pencil_mark_in_that_shade_is_still_read(pen):
    from scanner.decide import classify_box
    from scanner.measure import measure_box

    H = np.array([[RES_ROI, 0, 0], [0, RES_ROI, 0], [0, 0, 1.0]])
    m = measure_box(_soft_shadow_patch(6.0, 2.0, pen), H, [15, 15, 5, 5], LABELS_MM)  # the edge well past the box
    assert m.local_peak >= 0 and classify_box(m)[0] == "marked", m.to_dict()
