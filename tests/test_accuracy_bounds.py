"""The intervals the benchmark prints: what one run of so many fields can and cannot show about a target."""

from __future__ import annotations

import math

import pytest

from formkit.accuracy import rate_upper_bound, share_interval


def binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


@pytest.mark.parametrize("k,n", [(0, 855), (1, 1000), (3, 100), (5, 4270)])
def test_the_upper_bound_leaves_five_percent_chance_of_seeing_so_few(k: int, n: int) -> None:
    bound = rate_upper_bound(k, n)
    assert binomial_cdf(k, n, bound) == pytest.approx(0.05, abs=1e-6)
    assert bound > k / n


def test_no_error_in_a_run_bounds_the_rate_by_the_rule_of_three() -> None:
    # 0 in 100,000 fields: ~3 per 100,000, the office target (1) is not shown by such a run
    assert rate_upper_bound(0, 100_000) == pytest.approx(3 / 100_000, rel=0.01)
    assert rate_upper_bound(0, 855) > 300 / 100_000
    assert rate_upper_bound(0, 0) == 1.0 and rate_upper_bound(4, 4) == 1.0


def test_published_values() -> None:
    # one-sided 95 % Clopper-Pearson bounds as tabulated: 1 in 1,000 -> 0.474 %, 3 in 100 -> 7.57 %
    assert rate_upper_bound(1, 1000) == pytest.approx(0.004735, abs=2e-6)
    assert rate_upper_bound(3, 100) == pytest.approx(0.0757, abs=1e-4)


def test_the_share_interval_holds_the_share_and_narrows_with_more_fields() -> None:
    lo, hi = share_interval(14, 855)  # the 200-dpi run of the twenty-ninth session: 1.64 %
    assert lo < 14 / 855 < hi
    assert lo < 0.01 < hi  # one 40-form run cannot say whether 1 % is met
    lo4, hi4 = share_interval(40, 4270)  # the same share of five times the fields is known closer
    assert hi4 - lo4 < hi - lo
    assert share_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)  # Wilson, as tabulated
    assert share_interval(0, 0) == (0.0, 1.0)
