"""Scanner profiles: sizes, dpi and geometry stay coherent; bilevel loses faint pencil only."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formkit.simulate.effects import PROFILES, apply_profile, map_points, print_texture
from formkit.simulate.marks import draw_mark
from formkit.simulate.render import rect_mm_to_px

from .conftest import DPI, MARKERS


def _marker_centres(img: np.ndarray) -> dict[int, np.ndarray]:
    g = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    det = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    corners, ids, _ = det.detectMarkers(g)
    return (
        {}
        if ids is None
        else {int(i): c.reshape(4, 2).mean(axis=0) for i, c in zip(ids.ravel(), corners, strict=True)}
    )


@pytest.mark.parametrize("name", ["office200", "dpi150", "bilevel"])
def test_page_size_follows_dpi(name: str, pages: list[np.ndarray]) -> None:
    scan = apply_profile(name, pages[0], DPI, np.random.default_rng(0), rotation=0)
    h, w = scan.image.shape[:2]
    assert scan.image.dtype == np.uint8
    assert abs(w / scan.dpi * 25.4 - 210) < 1 and abs(h / scan.dpi * 25.4 - 297) < 1


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_and_matrix_put_markers_where_they_are(rotation: int, pages: list[np.ndarray]) -> None:
    scan = apply_profile("dpi150", pages[0], DPI, np.random.default_rng(rotation), rotation=rotation)
    assert scan.meta["rotation"] == rotation
    h, w = scan.image.shape[:2]
    assert (h > w) == (rotation in (0, 180))
    found = _marker_centres(scan.image)
    assert len(found) == 4
    for m in MARKERS:
        x0, y0, x1, y1 = rect_mm_to_px(m["rect_mm"], DPI)
        predicted = map_points(scan.meta["matrix"], np.array([[(x0 + x1) / 2, (y0 + y1) / 2]]))[0]
        assert np.linalg.norm(predicted - found[m["id"]]) < 3.0


def test_phone_page_fills_60_to_85_percent(pages: list[np.ndarray]) -> None:
    for seed in range(3):
        scan = apply_profile("phone", pages[0], DPI, np.random.default_rng(seed), rotation=0)
        assert scan.image.ndim == 3
        corners = np.array([[0, 0], [1239, 0], [1239, 1753], [0, 1753]], float)
        q = map_points(scan.meta["matrix"], corners)
        page_h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
        assert 0.55 < page_h / scan.image.shape[0] < 0.9
        assert 0.55 < scan.meta["page_fraction"] < 0.86


def test_bilevel_drops_faint_pencil_keeps_ink(pages: list[np.ndarray]) -> None:
    page = pages[0].copy()
    ink_box, faint_box = (300.0, 300.0, 336.0, 336.0), (500.0, 300.0, 536.0, 336.0)
    draw_mark(page, ink_box, DPI, "cross", np.random.default_rng(0), "ballpoint_blue")
    draw_mark(page, faint_box, DPI, "cross", np.random.default_rng(0), "faint_pencil")
    scan = apply_profile("bilevel", page, DPI, np.random.default_rng(2), rotation=0)
    assert set(np.unique(scan.image)) <= {0, 255}

    def black(box: tuple[float, ...]) -> int:
        q = map_points(scan.meta["matrix"], np.array([[box[0] + 6, box[1] + 6], [box[2] - 6, box[3] - 6]]))
        (xa, ya), (xb, yb) = q.astype(int)
        return int((scan.image[ya:yb, xa:xb] == 0).sum())

    assert black(ink_box) > 100
    assert black(faint_box) < min(black(ink_box) / 10, (300 / 25.4) ** 2)  # < 1 mm², mostly gone


def test_same_seed_same_scan(pages: list[np.ndarray]) -> None:
    a = apply_profile("rough", pages[0], DPI, np.random.default_rng(9))
    b = apply_profile("rough", pages[0], DPI, np.random.default_rng(9))
    assert np.array_equal(a.image, b.image) and a.meta == b.meta


def test_colour300_keeps_blue_ink_blue(pages: list[np.ndarray]) -> None:
    page = np.repeat(pages[0][:, :, None], 3, axis=2)
    draw_mark(page, (300.0, 300.0, 336.0, 336.0), DPI, "fill", np.random.default_rng(0), "ballpoint_blue")
    scan = apply_profile("colour300", page, DPI, np.random.default_rng(1), rotation=0)
    assert scan.image.ndim == 3 and scan.meta["colour"] and scan.dpi == 300
    q = map_points(scan.meta["matrix"], np.array([[306.0, 306.0], [330.0, 330.0]])).astype(int)
    inner = scan.image[q[0, 1] : q[1, 1], q[0, 0] : q[1, 0]].reshape(-1, 3).astype(int)
    assert (inner[:, 2] - inner[:, 0]).mean() > 25


def test_print_texture_greys_blacks_and_screens_tints() -> None:
    page = np.full((400, 400), 255, np.uint8)
    page[50:150, 50:350] = 0  # solid black
    page[200:300, 50:350] = 235  # a light grey band, as behind the rating rows
    out = print_texture(page, 300, np.random.default_rng(0))
    assert out.shape == page.shape and out.dtype == np.uint8
    assert 0 <= out[60:140, 60:340].mean() <= 40  # toner: black stays dark, maybe not pure black
    band = out[210:290, 60:340].astype(float)
    assert abs(band.mean() - 235 * 0.95) < 15 and band.std() > 1.0  # a screen, not flat grey
    assert out[5:40, 5:40].min() >= 250  # paper stays paper


def test_bilevel_threshold_is_recorded(pages: list[np.ndarray]) -> None:
    methods = set()
    for seed in range(20):
        scan = apply_profile("bilevel", pages[0], DPI, np.random.default_rng(seed), rotation=0)
        method = scan.meta["threshold_method"]
        if method.startswith("local"):  # against the mean around: paper less 8-20 levels
            assert 220 <= scan.meta["threshold"] <= 232 and 31 <= int(method[5:]) <= 101
            method = "local"
        else:
            assert 60 < scan.meta["threshold"] < 200
        methods.add(method)
    assert methods == {"fixed", "otsu", "local"}


def test_dog_ear_hides_a_marker_but_never_the_qr(pages: list[np.ndarray]) -> None:
    import zxingcpp

    from formkit.simulate.effects import _dog_ear

    corners = set()
    for seed in range(12):
        page = pages[0].copy()
        ear = _dog_ear(page, DPI, np.random.default_rng(seed), 30)
        corners.add(ear["corner"])
        found = _marker_centres(page)
        assert (
            len(found) == 3
            and {0: "TL", 1: "TR", 2: "BR", 3: "BL"}[({0, 1, 2, 3} - set(found)).pop()] == ear["corner"]
        )
        assert zxingcpp.read_barcodes(page), ear
    assert len(corners) >= 3


def test_every_profile_keeps_markers_and_never_modifies_its_input(pages: list[np.ndarray]) -> None:
    page = pages[0].copy()
    for name in PROFILES:
        scan = apply_profile(name, page, DPI, np.random.default_rng(0))
        assert np.array_equal(page, pages[0]), name
        assert scan.image.dtype == np.uint8 and scan.dpi > 100
        assert scan.meta["profile"] == name and scan.meta["rotation"] in (0, 90, 180, 270)
        assert len(_marker_centres(scan.image)) >= 3, name
        if name == "rough":
            assert scan.meta["dog_ear"]  # seed 0 folds a corner: the case that once painted the input


def _dots_in(scan, box: tuple[float, ...]) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Black pixels inside a box of the input page, and the share of them that are lone dots."""
    b = (scan.image == 0).astype(np.uint8)
    lonely = cv2.boxFilter(b, cv2.CV_8U, (3, 3), normalize=False) <= 3
    q = map_points(scan.meta["matrix"], np.array([[box[0] + 6, box[1] + 6], [box[2] - 6, box[3] - 6]]))
    (xa, ya), (xb, yb) = q.astype(int)
    blk = b[ya:yb, xa:xb].astype(bool)
    return int(blk.sum()), float((blk & lonely[ya:yb, xa:xb]).sum() / max(blk.sum(), 1))


def test_dither_turns_pencil_into_dots_and_keeps_ink_solid(pages: list[np.ndarray]) -> None:
    page = pages[0].copy()
    ink_box, pencil_box = (300.0, 300.0, 336.0, 336.0), (500.0, 300.0, 536.0, 336.0)
    draw_mark(page, ink_box, DPI, "cross", np.random.default_rng(0), "felt_tip")
    draw_mark(page, pencil_box, DPI, "cross", np.random.default_rng(0), "pencil")
    screens = set()
    for seed in range(6):
        scan = apply_profile("dither", page, DPI, np.random.default_rng(seed), rotation=0)
        assert set(np.unique(scan.image)) <= {0, 255} and scan.meta["bilevel"]
        screens.add(scan.meta["dither"])
        n_ink, lonely_ink = _dots_in(scan, ink_box)
        n_pencil, lonely_pencil = _dots_in(scan, pencil_box)
        assert n_ink > 100 and n_pencil > 30  # the pencil is still there ...
        assert lonely_pencil > 2 * lonely_ink  # ... as a scatter of dots, the felt tip as strokes
    assert screens == {"bayer8", "random"}


def test_glare_washes_out_one_spot_of_a_phone_photo(pages: list[np.ndarray]) -> None:
    page = pages[0].copy()
    plain = apply_profile("phone", page, DPI, np.random.default_rng(3), rotation=0)
    lit = apply_profile("glare", page, DPI, np.random.default_rng(3), rotation=0)
    a, b = plain.image.astype(np.int16), lit.image.astype(np.int16)
    assert a.shape == b.shape and (b >= a - 1).all()  # the same photo beneath, only ever lighter
    cx, cy, r, peak = lit.meta["glare"]
    assert 0.4 <= peak <= 0.75
    gap = np.maximum(255 - a[cy, cx], 1)
    assert ((b - a)[cy, cx] / gap).min() >= 0.35  # ~peak of the way to white at the centre ...
    far = (b - a)[:, : max(1, cx - 4 * r)] if cx - 4 * r > 0 else (b - a)[:, cx + 4 * r:]
    assert far.size == 0 or far.mean() < 2  # ... and nothing far away


def test_shadow_darkens_a_phone_photo_with_a_sharp_edge(pages: list[np.ndarray]) -> None:
    page = pages[0].copy()
    plain = apply_profile("phone", page, DPI, np.random.default_rng(5), rotation=0)
    shaded = apply_profile("shadow", page, DPI, np.random.default_rng(5), rotation=0)
    a, b = plain.image.astype(np.float32), shaded.image.astype(np.float32)
    assert a.shape == b.shape and (b <= a + 1).all()  # the same photo beneath, only ever darker
    _, _, depth, penumbra_px = shaded.meta["hard_shadow"]
    bright = a.mean(axis=2) > 120  # paper and desk, not print (whose ratio is all noise)
    ratio = np.where(bright, (b.mean(axis=2) + 1) / (a.mean(axis=2) + 1), np.nan)
    shaded_share = float(np.nanmean(ratio < 1 - depth / 2))
    assert 0.02 < shaded_share < 0.98  # part of the photo, not all of it
    assert np.nanmin(ratio) < 1 - 0.8 * depth  # as deep as it says
    # sharp: somewhere light falls by most of the depth within 5 mm, along a row or a column (the
    # phone profile's own soft shadow takes ~40 mm)
    assert penumbra_px <= 3.0 / 25.4 * shaded.dpi + 0.1
    span = round(5.0 / 25.4 * shaded.dpi)
    steps = [
        np.nanmax(np.abs(ratio[:, span:] - ratio[:, :-span])),
        np.nanmax(np.abs(ratio[span:, :] - ratio[:-span, :])),
    ]
    assert max(steps) > 0.7 * depth


def test_a_coffee_ring_darkens_its_rim_more_than_its_inside() -> None:
    from formkit.simulate.effects import coffee_rings

    dpi = 100
    page = np.full((round(297 / 25.4 * dpi), round(210 / 25.4 * dpi), 3), 250, np.uint8)
    out, rings = coffee_rings(page, dpi, np.random.default_rng(4), 1)
    [(cx, cy, r_mm, dark)] = rings
    assert (out <= page).all() and 0.15 <= dark <= 0.35
    s = dpi / 25.4
    centre = out[cy, cx].astype(float)
    rim = min(out[cy, min(out.shape[1] - 1, cx + round(r_mm * s) + dx)].astype(float).mean() for dx in range(-3, 4))
    assert 250 - rim > 2 * (250 - centre.mean()) and 250 - rim > 15  # the rim is the darkest part
    assert centre[2] <= centre[0]  # brown: blue absorbed most
    far = out[:, : max(1, cx - round(1.3 * r_mm * s))] if cx > 1.3 * r_mm * s else out[:, cx + round(1.3 * r_mm * s):]
    assert far.size == 0 or (far == 250).mean() > 0.99  # nothing outside the ring
