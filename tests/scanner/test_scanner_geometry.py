import numpy as np
import pytest

from scanner import geometry as G


def test_rect_corners_and_map_identity():
    c = G.rect_corners([10, 20, 5, 6])
    assert c.tolist() == [[10, 20], [15, 20], [15, 26], [10, 26]]
    assert np.allclose(G.map_points(np.eye(3), c), c)


def test_fit_similarity_recovers_scale_rotation_shift():
    mm = np.array([[10, 10], [200, 10], [200, 287], [10, 287]], float)
    a = np.radians(3.0)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) * (0.94 * 300 / 25.4)
    px = mm @ R.T + [40, -25]
    for model in ("similarity", "affine", "homography"):
        H = G.fit_mapping(mm, px, model)
        assert np.allclose(G.map_points(H, mm), px, atol=1e-6)
        assert G.local_scale(H, 105, 148) == pytest.approx(0.94 * 300 / 25.4, rel=1e-6)


@pytest.mark.parametrize("quarter", [0, 1, 2, 3])
def test_orientation_of(quarter):
    a = np.radians(90 * quarter)
    H = np.array([[np.cos(a), -np.sin(a), 1000], [np.sin(a), np.cos(a), 1000], [0, 0, 1]])
    assert G.orientation_of(H, [210, 297]) == 90 * quarter


def test_warp_rect_samples_upright_at_resolution():
    img = np.full((400, 400), 255, np.uint8)
    img[100:200, 150:250] = 0  # a black square: x 150..250 px, y 100..200 px
    H = np.diag([10.0, 10.0, 1.0])  # 10 px per mm, origin aligned
    out = G.warp_rect(img, H, [14, 9, 12, 12], 5)  # 2.5x smaller sampling of x 140..260, y 90..210 px
    assert out.shape == (60, 60)
    assert out[10:50, 10:50].max() == 0 and out[:4].min() == 255 and out[:, -4:].min() == 255
    fast = G.warp_rect_grey(img, H, [14, 9, 12, 12], 5)
    assert np.abs(fast.astype(int) - out.astype(int)).max() <= 1


def test_three_marker_affine_uses_every_marker():
    """Corners of three 10 mm markers with ~1 px detection noise: the fit must be right across the page.

    A robust (median) fit once dropped a whole correct marker as an outlier and extrapolated from the
    corners of the other two: a 5 mm error at the far side of the page and every box unreadable."""
    import numpy as np

    from scanner.geometry import fit_mapping, map_points

    rng = np.random.default_rng(3)
    true = np.array([[7.1, 0.35, 40.0], [-0.3, 7.05, 25.0], [0.0, 0.0, 1.0]])  # ~180 dpi, skewed, sheared
    rects = {1: (190, 10), 2: (190, 277), 3: (10, 277)}
    mm = np.vstack([[(x, y), (x + 10, y), (x + 10, y + 10), (x, y + 10)] for x, y in rects.values()]).astype(float)
    for _ in range(20):
        px = map_points(true, mm) + rng.normal(0, 1.0, mm.shape)
        H = fit_mapping(mm, px, "affine")
        far = np.array([[15.0, 15.0], [105.0, 150.0]])  # where the missing marker and the page centre are
        err_mm = np.hypot(*(map_points(H, far) - map_points(true, far)).T) / 7.1
        assert err_mm.max() < 0.4, err_mm
    S = fit_mapping(mm[:8], map_points(true, mm[:8]), "similarity")
    assert S is not None and abs(np.hypot(S[0, 0], S[1, 0]) - 7.1) < 0.2


def test_three_marker_fit_on_corners_measured_in_a_rough_scan():
    """Marker corners as detected on a real-size rough scan (page upside down, ~7.3 px/mm, TL marker
    hidden by a folded corner). Every corner must fit within ~0.5 mm; the median fit left 5 mm."""
    import numpy as np

    from scanner.geometry import fit_mapping, map_points
    from scanner.registration import rect_corners

    mm = np.vstack([rect_corners(r) for r in ([190, 10, 10, 10], [190, 277, 10, 10], [10, 277, 10, 10])])
    px = np.array([[120.5, 2188.5], [48.0, 2186.3], [52.7, 2113.4], [124.5, 2120.5],  # marker 1 (TR)
                   [248.5, 224.5], [176.5, 220.5], [181.6, 149.6], [252.5, 152.5],  # marker 2 (BR)
                   [1572.5, 312.5], [1500.8, 309.6], [1505.7, 236.7], [1576.5, 240.5]])  # marker 3 (BL)
    H = fit_mapping(mm, px, "affine")
    err_mm = np.hypot(*(map_points(H, mm) - px).T) / 7.26
    assert err_mm.max() < 0.6, err_mm.round(2)
