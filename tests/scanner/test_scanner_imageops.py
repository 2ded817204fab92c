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
