"""Scale-aware statistics. Averaging helpers refuse scales marked `average: never`.

Swedish supervision levels are ordinal categories ("man kan aldrig räkna ut ett medelvärde"), so every
helper that produces a mean, median or spread checks the scale first and raises otherwise. Missing
values ("not observed") are dropped, never counted as 0.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from outputs.errors import AveragingNotAllowedError
from outputs.layouts import Scale


def observed(values: Iterable[object], scale: Scale) -> list[str]:
    """Values that are real observations on the scale (drops None, missing markers and unknown values)."""
    return [str(v) for v in values if v is not None and str(v) in scale.order]


def require_averaging(scale: Scale) -> None:
    """Guard for any code about to do arithmetic on scale values."""
    if not scale.may_average:
        raise AveragingNotAllowedError(scale.name)


def numeric(values: Iterable[object], scale: Scale) -> list[float]:
    """Observed values as numbers; only for scales that allow averaging."""
    require_averaging(scale)
    return [float(v) for v in observed(values, scale)]


@dataclass(frozen=True)
class NumericSummary:
    n: int
    median: float
    mean: float
    minimum: float
    maximum: float
    q1: float
    q3: float


def numeric_summary(values: Iterable[object], scale: Scale) -> NumericSummary | None:
    """n, median, mean, min–max and IQR of the observed values; None when nothing was observed."""
    nums = numeric(values, scale)
    if not nums:
        return None
    if len(nums) >= 2:
        q1, _, q3 = statistics.quantiles(nums, n=4, method="inclusive")
    else:
        q1 = q3 = nums[0]
    return NumericSummary(len(nums), statistics.median(nums), statistics.fmean(nums), min(nums), max(nums),
                          q1, q3)


def level_counts(values: Iterable[object], scale: Scale) -> dict[str, int]:
    """Count per level in scale order (all levels present, zeros included), plus missing markers."""
    vals = [str(v) for v in values if v is not None]
    c = Counter(vals)
    out = {lvl: c.get(lvl, 0) for lvl in scale.order}
    for m in scale.missing:
        out[m] = c.get(m, 0)
    return out


def latest_level(values_in_time_order: Sequence[object], scale: Scale) -> str | None:
    """The most recent observed level."""
    obs = observed(values_in_time_order, scale)
    return obs[-1] if obs else None


def highest_repeated(values: Iterable[object], scale: Scale, times: int = 2) -> str | None:
    """Highest level reached at least `times` times, where reaching a level means that level or higher.

    E.g. [reactive, independent, supervises] → independent (reached twice: once at it, once above).
    Uses only the order of levels, no arithmetic.
    """
    obs = observed(values, scale)
    for lvl in reversed(scale.order):
        r = scale.rank(lvl)
        if sum(1 for v in obs if scale.rank(v) >= r) >= times:
            return lvl
    return None


def band_of(value: str, scale: Scale) -> str | None:
    for b in scale.bands:
        if value in [str(v) for v in b.get("values", [])]:
            return str(b.get("label"))
    return None
