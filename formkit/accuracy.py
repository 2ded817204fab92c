"""Compare what formkit read with the synthetic ward's truth: the numbers behind every accuracy claim.

A *silent error* is a field value accepted without review that differs both from what the assessor
meant and from what a perfect reader could see on the page — the worst bug this product can have.
Fields sent to review are not errors; they cost a person a few seconds. Pages must all be accounted for.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.records import records
from formkit.workspace import Workspace


@dataclass
class Accuracy:
    fields: int = 0
    accepted: int = 0
    review: int = 0
    review_needed: int = 0  # reviews a perfect reader would need too: nothing visible on a required row, or
    # the answer not (fully) visible on the paper
    silent_errors: list[dict[str, Any]] = field(default_factory=list)
    pages_expected: Counter = field(default_factory=Counter)
    pages_got: Counter = field(default_factory=Counter)
    page_mismatches: list[dict[str, Any]] = field(default_factory=list)
    pages_lost: int = 0
    forms_identified: int = 0
    forms_expected: int = 0
    missing: int = 0  # fields on a page of an identified form that was not identified (a person must assign it)

    @property
    def review_share(self) -> float:
        return self.review / self.fields if self.fields else 0.0

    @property
    def reader_review_share(self) -> float:
        """Fields sent to a person only because the reader was unsure (the paper was clear)."""
        return (self.review - self.review_needed) / self.fields if self.fields else 0.0

    def lines(self) -> list[str]:
        return [
            f"fields read: {self.fields}; accepted automatically: {self.accepted}; sent to review: {self.review} "
            f"({100 * self.review_share:.1f} %; {self.review_needed} of them needed by what is on the paper)",
            f"silent errors (accepted but wrong): {len(self.silent_errors)}",
            f"forms identified: {self.forms_identified}/{self.forms_expected}; pages unaccounted for: "
            f"{self.pages_lost}; page states differing from truth: {len(self.page_mismatches)}"
            + (f"; fields on pages not identified: {self.missing}" if self.missing else ""),
        ]


def share_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a share seen k times in n (z = 1.96: 95 %).

    A 40-form bench run reads 855 fields: a review share of 1.64 % there is 14 fields, and a second seed may
    well give 0.9 %. The interval says how much one run can tell about a target such as "<= 1 %".
    """
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    den = 1 + z * z / n
    return max(0.0, (centre - spread) / den), min(1.0, (centre + spread) / den)


def rate_upper_bound(k: int, n: int, confidence: float = 0.95) -> float:
    """The exact (Clopper-Pearson) one-sided upper bound of a rate seen k times in n.

    0 silent errors in 855 fields does not show a rate of 1 in 100,000: it bounds it at ~350 in 100,000 (95 %);
    only ~300,000 clean fields would show the target. For k = 0 this is 1 - (1 - confidence) ** (1 / n).
    """
    if n <= 0 or k >= n:
        return 1.0
    alpha = 1.0 - confidence
    if k == 0:
        return 1.0 - alpha ** (1.0 / n)

    log_comb = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in range(k + 1)]

    def cdf(p: float) -> float:  # P(X <= k) for X ~ Binomial(n, p), summed in logs (n may be 10^5 or more)
        lq, lp = math.log1p(-p), math.log(p)
        return sum(math.exp(c + i * lp + (n - i) * lq) for i, c in enumerate(log_comb))

    lo, hi = k / n, 1.0
    for _ in range(100):  # cdf falls as p rises: bisect for cdf(p) = alpha
        mid = (lo + hi) / 2
        if cdf(mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return sorted(a or []) == sorted(b or [])
    return a == b


def compare(ws: Workspace, truth: dict[str, Any], stack_dir: Path) -> Accuracy:
    acc = Accuracy()
    recs = {r["form_id"]: r for r in records(ws)}
    for form_id, t in truth["forms"].items():
        acc.forms_expected += 1
        rec = recs.get(form_id)
        if rec is None:
            continue
        acc.forms_identified += 1
        pre = set(t.get("preprinted", []))
        missing = set(rec.get("missing", []))
        for fid, expected in t["expected"].items():
            if fid in pre or fid not in rec["values"]:
                continue
            if fid in missing:  # its page was not identified: the form is incomplete, nothing was accepted
                acc.missing += 1
                continue
            acc.fields += 1
            intended = t["values"].get(fid, expected)
            if fid in rec["review"]:
                acc.review += 1
                reason = (rec.get("review_reasons") or {}).get(fid)
                if (reason == "no_mark" and not expected) or not _same(expected, intended):
                    acc.review_needed += 1
                continue
            acc.accepted += 1
            # right if it matches what the assessor meant, or what a perfect reader could see of it
            # (a mark lost in a bilevel scan); the ward's visibility judgement can be too pessimistic
            if not (_same(rec["values"][fid], expected) or _same(rec["values"][fid], intended)):
                acc.silent_errors.append({"form_id": form_id, "field": fid, "read": rec["values"][fid],
                                          "truth": expected})
    sha_of: dict[str, str] = {}
    store = ws.store
    for p in truth["pages"]:
        f = p["file"]
        if f not in sha_of:
            sha_of[f] = hashlib.sha256((stack_dir / f).read_bytes()).hexdigest()
        row = store.db.execute("SELECT state, form_id, page_no FROM pages WHERE file_sha256=? AND page_index=?",
                               (sha_of[f], p["file_page"])).fetchone()
        acc.pages_expected[p["state"]] += 1
        if row is None:
            acc.pages_lost += 1
            continue
        acc.pages_got[row["state"]] += 1
        got = "recognised" if row["state"] == "needs_review" else row["state"]
        if got != p["state"] or (p["form_id"] and (row["form_id"], row["page_no"]) != (p["form_id"], p["page_no"])):
            acc.page_mismatches.append({"index": p["index"], "expected": p["state"], "got": row["state"],
                                        "form_id": p["form_id"]})
    return acc
