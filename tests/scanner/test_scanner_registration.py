import cv2
import numpy as np
import pytest

from scanner.registration import register


def _check_mapping(reg, synth, img_mapper, tol_mm=0.3):
    """Mapped box centres agree with where the synthetic transform put them."""
    assert reg.ok
    from scanner.geometry import map_points
    for rect in ([20, 50, 5, 5], [156, 130, 5, 5], [150, 14, 22, 22]):
        c_mm = np.array([[rect[0] + rect[2] / 2, rect[1] + rect[3] / 2]])
        got = map_points(reg.H, c_mm)[0]
        want = img_mapper(c_mm * 300 / 25.4 - 0.5)[0]
        assert np.hypot(*(got - want)) / reg.px_per_mm < tol_mm


@pytest.mark.parametrize("quarter", [0, 1, 2, 3])
def test_rotations(blank_form, synth, quarter):
    img = synth.rot90(blank_form.img, quarter)
    reg = register(img, synth.FURNITURE)
    assert reg.markers_found == [0, 1, 2, 3]
    assert reg.orientation == 90 * quarter
    assert reg.quality == "good" and reg.model == "homography"
    assert reg.residual_mm < 0.1
    assert reg.px_per_mm == pytest.approx(300 / 25.4, rel=0.01)


def test_skew_scale_shift(blank_form, synth):
    img = synth.transform(blank_form.grey(), angle_deg=3.5, scale=0.94, shift_px=(60, -45))
    reg = register(img, synth.FURNITURE)
    h, w = img.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), 3.5, 0.94)
    M[:, 2] += (60, -45)
    _check_mapping(reg, synth, lambda p: p @ M[:, :2].T + M[:, 2])
    assert reg.orientation == 0 and reg.quality == "good"
    assert reg.px_per_mm == pytest.approx(0.94 * 300 / 25.4, rel=0.01)


def test_phone_perspective(blank_form, synth):
    img = synth.phone_photo(blank_form.img, seed=3)
    reg = register(img, synth.FURNITURE)
    assert reg.markers_found == [0, 1, 2, 3] and reg.model == "homography"
    assert reg.residual_mm < 0.3 and reg.quality == "good"


def test_low_dpi_and_bilevel(blank_form, synth):
    img = synth.bilevel(synth.resample_dpi(blank_form.grey(), 300, 150))
    reg = register(img, synth.FURNITURE)
    assert reg.markers_found == [0, 1, 2, 3]
    assert reg.px_per_mm == pytest.approx(150 / 25.4, rel=0.01)


def test_two_markers_similarity(blank_form, synth):
    img = blank_form.grey().copy()
    s = 300 / 25.4
    for x, y in ((190, 10), (10, 277)):  # TR and BL torn off
        img[int(y * s) - 5:int((y + 10) * s) + 5, int(x * s) - 5:int((x + 10) * s) + 5] = 255
    reg = register(img, synth.FURNITURE)
    assert reg.markers_found == [0, 2]
    assert reg.model == "similarity" and reg.quality == "poor" and reg.ok


def test_no_markers_fails(synth):
    img = np.full((3508, 2480), 250, np.uint8)
    reg = register(img, synth.FURNITURE)
    assert not reg.ok and reg.quality == "failed" and reg.markers_found == []


def test_printer_streak_across_markers(blank_form, synth):
    img = blank_form.grey().copy()
    s = 300 / 25.4
    # white toner-dropout streaks through the two left markers, a dark streak through the right ones
    for y in (14.0, 281.0):
        img[int(y * s):int(y * s) + 2, :int(25 * s)] = 255
    img[:, int(194.5 * s):int(194.5 * s) + 2] = 0
    reg = register(img, synth.FURNITURE)
    assert reg.markers_found == [0, 1, 2, 3]
    assert reg.quality == "good"


@pytest.mark.parametrize("quarter", [0, 1])
def test_corner_pass_finds_the_same_markers_as_the_whole_image(blank_form, synth, quarter):
    """The fast pass on the corner squares: same candidates, same corners as on the whole image."""
    from scanner.imageops import halve, pyramid_to
    from scanner.registration import _FAST, WORK_LONG_SIDE, _detect, _detect_corners

    small = halve(pyramid_to(synth.rot90(blank_form.grey(), quarter), WORK_LONG_SIDE)[0])
    whole, corners = _detect(_FAST, small, {0, 1, 2, 3}), _detect_corners(small, {0, 1, 2, 3})
    assert sorted(corners) == sorted(whole) == [0, 1, 2, 3]
    for i in whole:
        assert len(corners[i]) == len(whole[i]) == 1
        np.testing.assert_array_equal(corners[i][0], whole[i][0])


def test_markers_away_from_the_corners_still_found(blank_form, synth):
    """A page in the middle of a larger image (off the corner squares): the whole-image pass finds it."""
    g = blank_form.grey()
    canvas = np.full((g.shape[0] * 2, g.shape[1] * 2), 255, np.uint8)
    canvas[g.shape[0] // 2:g.shape[0] // 2 + g.shape[0], g.shape[1] // 2:g.shape[1] // 2 + g.shape[1]] = g
    reg = register(canvas, synth.FURNITURE)
    assert reg.markers_found == [0, 1, 2, 3] and reg.quality == "good"


@pytest.mark.parametrize("block,hollow", [(None, False), (31, True), (51, True), (81, False)])
def test_a_page_thresholded_locally_shows_it_in_its_markers(synth, blank_form, block, hollow):
    """A local 1-bit threshold whitens the middle of any blot wider than about half its window: the
    widest black parts of markers 0 and 2 (2-2.5 mm from white) come through white with a window up
    to ~4.3 mm (the detector then misses those two markers; the other two register the page). A fixed
    threshold, or a wide window, leaves them black."""
    import scanner
    from scanner.hollow import blots_hollowed

    img = synth.bilevel(blank_form.img) if block is None else synth.adaptive_bilevel(blank_form.img, block=block)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.registration.ok
    assert blots_hollowed(img, loc.registration.H, synth.FURNITURE["markers"]) == hollow
    assert loc.blots_hollowed == hollow


@pytest.mark.parametrize("layout", ["side_by_side", "one_above_the_other", "second_upside_down"])
def test_two_pages_in_one_image_are_counted(blank_form, synth, layout):
    """An A3 scan of two sheets, a photo of two forms on a desk: read as one page, the other form's page was lost.
    The corners hold one marker of each id - two pages' markers, a mapping fitted badly - so all are looked at."""
    a = blank_form.grey()
    b = np.ascontiguousarray(a[::-1, ::-1]) if layout == "second_upside_down" else a
    axis = 0 if layout == "one_above_the_other" else 1
    gap = np.full((60, a.shape[1]) if axis == 0 else (a.shape[0], 60), 255, np.uint8)
    img = np.concatenate([a, gap, b], axis=axis)
    assert register(img, synth.FURNITURE).pages_in_image == 2
    assert register(a, synth.FURNITURE).pages_in_image == 1


def test_one_page_with_a_false_marker_is_one_page(blank_form, synth):
    """A second candidate of one id (a marker-sized square in the handwriting decoding as a marker) is no page."""
    from scanner.registration import pages_in_image

    side = np.array([[0, 0], [40, 0], [40, 40], [0, 40]], float)
    one = {0: [side + (100, 100)], 1: [side + (2400, 100)], 2: [side + (2400, 3400)], 3: [side + (100, 3400)]}
    assert pages_in_image(one) == 1
    assert pages_in_image({**one, 2: [side + (2400, 3400), side + (1200, 1700)]}) == 1
    two = {i: [c[0], c[0] + (2600, 0)] for i, c in one.items()}
    assert pages_in_image(two) == 2
    assert pages_in_image({**two, 3: [side + (100, 3400), (side * 0.3) + (2700, 3400)]}) == 2  # a small one: no page
