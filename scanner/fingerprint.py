"""Content fingerprints: tell a re-scan of the same paper (duplicate) from a page with other marks (conflict).

Pixels differ between two scans of the same sheet (dpi, skew, noise), decisions do not: the
fingerprint is built from box states and text presence. `compare_readings` is the careful version:
a difference involving an uncertain box is `inconclusive`, never silently `same`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

_CODE = {"empty": "0", "marked": "1", "filled": "F", "uncertain": "?", "absent": "0", "present": "1",
         "preprinted": "P"}


def _states(reading) -> dict[str, str]:
    out: dict[str, str] = {}
    for fid, fd in reading.fields.items():
        for b in fd.boxes:
            out[f"{fid}:{b.value}"] = b.state
    for fid, ta in reading.texts.items():
        out[f"{fid}:text"] = ta.state
    return out


def content_fingerprint(reading) -> str:
    """Short hex digest of all box states and text presence (same paper -> same digest)."""
    s = ";".join(f"{k}={_CODE.get(v, v)}" for k, v in sorted(_states(reading).items()))
    return hashlib.sha256(s.encode()).hexdigest()[:16]


@dataclass
class Comparison:
    verdict: str  # same | different | inconclusive
    differences: list[dict] = field(default_factory=list)


def compare_readings(a, b) -> Comparison:
    """Compare two readings of pages with the same identity, box by box."""
    sa, sb = _states(a), _states(b)
    diffs: list[dict] = []
    unsure = False
    for key in sorted(set(sa) | set(sb)):
        x, y = sa.get(key), sb.get(key)
        if x == y and x != "uncertain":
            continue
        if x is None or y is None:
            diffs.append({"box": key, "a": x, "b": y})
            continue
        if "uncertain" in (x, y):
            unsure = True
            if x != y:
                diffs.append({"box": key, "a": x, "b": y, "uncertain": True})
            continue
        diffs.append({"box": key, "a": x, "b": y})
    if any(not d.get("uncertain") for d in diffs):
        return Comparison("different", diffs)
    if unsure:
        return Comparison("inconclusive", diffs)
    return Comparison("same", diffs)
