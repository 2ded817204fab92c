"""What the programme director's cohort report says, computed apart from drawing it.

Deliberately no per-trainee scores: counts against a target, overdue and pending forms, coverage gaps,
and the cohort-wide distribution of ratings per item (no ranking of trainees).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from outputs.layouts import Field, Layout, LayoutIndex
from outputs.records import Record, chronological, pending_fields, trusted_value
from outputs.trainee_analysis import layout_profile


@dataclass
class TraineeRow:
    trainee_id: str
    name: str
    layouts: list[str]
    returned: int
    target: int
    pending_review: int
    not_returned: int
    max_days_overdue: int | None

    @property
    def missing(self) -> int:
        return max(0, self.target - self.returned)


@dataclass
class OverdueForm:
    form: dict
    due: dt.date | None
    basis: str          # "planned" or "issued"
    days_overdue: int | None


@dataclass
class ReviewForm:
    record: Record
    fields: list[str]


@dataclass
class Gap:
    trainee_id: str
    name: str
    settings_missing: list[str]
    items_missing: list[str]
    subgoals_missing: list[str]
    no_forms: bool = False


@dataclass
class ItemDistribution:
    field: Field
    counts: dict[str, int]      # per scale value incl. missing markers
    n_observed: int


@dataclass
class LayoutDistribution:
    layout: Layout
    items: list[ItemDistribution] = field(default_factory=list)


@dataclass
class CohortSummary:
    rows: list[TraineeRow]
    overdue: list[OverdueForm]
    reviews: list[ReviewForm]
    gaps: list[Gap]
    distributions: list[LayoutDistribution]


def _date(raw: object) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def overdue_form(form: dict, today: dt.date) -> OverdueForm:
    """Days past the planned date, or past the issue date when no date was planned."""
    planned = _date(form.get("planned_date"))
    due, basis = (planned, "planned") if planned else (_date(form.get("issued_at")), "issued")
    return OverdueForm(form, due, basis, (today - due).days if due else None)


def cohort_summary(records: list[Record], issued: list[dict], index: LayoutIndex, *, target: int,
                   today: dt.date) -> CohortSummary:
    by_trainee: dict[str, list[Record]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in chronological(records):
        tid = str(r.get("trainee_id"))
        by_trainee[tid].append(r)
        if r.get("trainee_name"):
            names[tid] = str(r["trainee_name"])
    returned_ids = {str(r.get("form_id")) for r in records}
    open_forms = [f for f in issued if not f.get("returned") and str(f.get("form_id")) not in returned_ids]
    overdue = [overdue_form(f, today) for f in open_forms]
    overdue.sort(key=lambda o: (-(o.days_overdue if o.days_overdue is not None else -10**6),
                                str(o.form.get("trainee_id")), str(o.form.get("form_id"))))
    trainees = set(by_trainee)
    for f in issued:
        tid = str(f.get("trainee_id"))
        trainees.add(tid)
        if f.get("trainee_name"):
            names.setdefault(tid, str(f["trainee_name"]))
    rows, gaps = [], []
    for tid in sorted(trainees):
        recs = by_trainee.get(tid, [])
        mine = [o for o in overdue if str(o.form.get("trainee_id")) == tid]
        late = [o.days_overdue for o in mine if o.days_overdue is not None and o.days_overdue > 0]
        lay_ids = sorted({str(r.get("layout")) for r in recs}
                         | {str(f.get("layout")) for f in issued if str(f.get("trainee_id")) == tid})
        n_review = sum(1 for r in recs if r.get("review"))
        rows.append(TraineeRow(tid, names.get(tid, ""), lay_ids, len(recs), target, n_review, len(mine),
                               max(late) if late else None))
        if not recs:
            gaps.append(Gap(tid, names.get(tid, ""), [], [], [], no_forms=True))
            continue
        s_miss, i_miss, g_miss = [], [], []
        per_layout: dict[str, list[Record]] = defaultdict(list)
        for r in recs:
            per_layout[index.for_record(r).layout].append(r)
        for lid, lrecs in per_layout.items():
            cov = layout_profile(index.get(lid), lrecs).coverage  # type: ignore[arg-type]
            s_miss += cov.settings_missing
            i_miss += cov.items_missing
            g_miss += cov.subgoals_missing
        if s_miss or i_miss or g_miss:
            gaps.append(Gap(tid, names.get(tid, ""), s_miss, i_miss, g_miss))
    reviews = [ReviewForm(r, pending_fields(r)) for r in chronological(records)
               if r.get("review") or r.get("status") == "needs_review"]
    return CohortSummary(rows, overdue, reviews, gaps, _distributions(records, index))


def _distributions(records: list[Record], index: LayoutIndex) -> list[LayoutDistribution]:
    by_layout: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_layout[index.for_record(r).layout].append(r)
    out = []
    for lid in sorted(by_layout):
        lay = index.get(lid)
        assert lay is not None
        dist = LayoutDistribution(lay)
        for f in lay.rated_fields():
            sc = f.scale
            assert sc is not None
            counts = {v: 0 for v in list(sc.order) + list(sc.missing)}
            for r in by_layout[lid]:
                v = trusted_value(r, f.id)
                if v is not None and str(v) in counts:
                    counts[str(v)] += 1
            dist.items.append(ItemDistribution(f, counts, sum(counts[v] for v in sc.order)))
        out.append(dist)
    return out
