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
    import weakref

    kept = weakref.ref(other)
    del page, half, quarter, other
    assert kept() is None  # the halvings never keep their page alive (a 1,000-page stack streams)
    again = np.zeros((1001, 707), np.uint8)  # may reuse a freed page's address: still its own halvings
    assert not pyramid_to(again, 300)[0].any()


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_median_and_quantile_are_numpys_numbers(dtype):
    from scanner.imageops import median, quantile

    rng = np.random.default_rng(4)
    for n in (1, 2, 3, 4, 17, 64, 301):
        a = (rng.random(n) * 255).astype(dtype)
        assert median(a) == float(np.median(a))
        for q in (0.1, 0.25, 0.5, 0.9):
            assert quantile(a, q) == float(np.quantile(a, q))


def test_hist_median_mad_of_counts_matches_the_values():
    from scanner.imageops import hist_median_mad

    rng = np.random.default_rng(5)
    for _ in range(200):
        v = np.clip(rng.normal(rng.integers(0, 256), rng.integers(1, 40), rng.integers(1, 500)).round(), 0, 255)
        med, mad = hist_median_mad(np.bincount(v.astype(np.int64), minlength=256))
        lower = np.sort(v)[(v.size - 1) // 2]  # the median as a count reaches it: the lower middle value
        assert med == lower
        assert mad == np.sort(np.abs(v - lower))[(v.size - 1) // 2]
