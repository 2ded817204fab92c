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
