import cv2
import numpy as np
import pytest

from scanner.imageops import component_stats


@pytest.mark.parametrize("density", [0.0, 0.001, 0.3])
def test_component_stats_as_opencv(density):
    rng = np.random.default_rng(2)
    mask = (rng.random((120, 90)) < density).astype(np.uint8)
    n, labels, stats = component_stats(mask)
    n2, labels2, stats2, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert n == n2
    np.testing.assert_array_equal(stats, stats2)
    np.testing.assert_array_equal(labels.astype(np.int32), labels2)


def test_pyramid_shares_halvings_of_one_image_and_never_of_another():
    from scanner.imageops import halve, halved, pyramid_to

    rng = np.random.default_rng(3)
    page = rng.integers(0, 256, (1001, 707), dtype=np.uint8)
    quarter, f = pyramid_to(page, 300)
    assert f == 0.25 and quarter.shape == (250, 176)
    np.testing.assert_array_equal(quarter, halve(halve(page)))
    half, _ = pyramid_to(page, 600)
    assert halved(half) is quarter  # asked with a kept halving: goes on from it, nothing recomputed
    assert pyramid_to(page, 300)[0] is quarter
    other = page.copy()
    other[:500] = 255  # a new page with other content: its own halvings, not the last page's
    np.testing.assert_array_equal(pyramid_to(other, 300)[0], halve(halve(other)))
    del page, half, quarter, other
    again = np.zeros((1001, 707), np.uint8)  # may reuse a freed page's address: still its own halvings
    assert not pyramid_to(again, 300)[0].any()
