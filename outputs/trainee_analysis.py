"""What the trainee report says, computed apart from how it is drawn (so tests can check numbers).

Only trusted values count: a value awaiting review is shown in the per-encounter matrix with `?` but
is kept out of every summary, count and flag.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from outputs.layouts import Field, Layout, LayoutIndex
from outputs.records import Record, chronological, is_pending, record_date, setting_key, trusted_value, value
from outputs.stats import (
    NumericSummary,
    highest_repeated,
    latest_level,
    level_counts,
    numeric_summary,
    observed,
)

MIN_ENCOUNTERS = 8
MIN_ASSESSORS = 3
SETTING_ID = "setting"
FOCUS_ID = "focus"
SUBGOALS_ID = "subgoals"
COMPLEXITY_IDS = ("complexity", "difficulty")
NARRATIVE_IDS = ("went_well", "improve", "agreed_actions", "action_plan")


@dataclass
class Flag:
    """A level given on the trainee's first observation of an area where the scale says it should not be."""

    field: Field
    record: Record
    level: str


@dataclass
class ItemProfile:
    """One rated item over time."""

    field: Field
    series: list[tuple[Record, object, bool]]  # (record, value, pending) in time order
    trusted: list[str]                         # observed, trusted values in time order
    not_observed: int
    summary: NumericSummary | None = None      # only for scales that allow averaging
    counts: dict[str, int] = field(default_factory=dict)
    latest: str | None = None
    highest_repeated: str | None = None


@dataclass
class SettingGroup:
    """Encounters in the same clinical setting: earliest and latest are compared side by side."""

    name: str
    records: list[Record]


@dataclass
class Coverage:
    """Which options of settings/focus, which items and which delmål were seen (and which not yet)."""

    settings_seen: list[str]
    settings_missing: list[str]
    focus_seen: list[str]
    focus_missing: list[str]
    items_seen: list[str]
    items_missing: list[str]
    subgoals_seen: list[str]
    subgoals_missing: list[str]


@dataclass
class LayoutProfile:
    layout: Layout
    records: list[Record]
    items: list[ItemProfile]
    groups: list[SettingGroup]
    coverage: Coverage
    flags: list[Flag]


@dataclass
class TraineeProfile:
    trainee_id: str
    name: str
    records: list[Record]
    assessors: Counter
    layouts: list[LayoutProfile]
    pending_forms: int

    @property
    def n(self) -> int:
        return len(self.records)

    @property
    def provisional(self) -> bool:
        return self.n < MIN_ENCOUNTERS or len(self.assessors) < MIN_ASSESSORS

    @property
    def period(self) -> tuple:
        dates = [d for d in (record_date(r) for r in self.records) if d]
        return (min(dates), max(dates)) if dates else (None, None)

    def top_assessor_share(self) -> tuple[int, int]:
        """(forms by the most frequent assessor, forms with a known assessor)."""
        known = sum(self.assessors.values())
        return (self.assessors.most_common(1)[0][1] if known else 0, known)


def _item_profile(f: Field, recs: list[Record]) -> ItemProfile:
    scale = f.scale
    assert scale is not None
    series = [(r, value(r, f.id), is_pending(r, f.id)) for r in recs]
    trusted_all = [trusted_value(r, f.id) for r in recs]
    trusted = observed(trusted_all, scale)
    nobs = sum(1 for v in trusted_all if v is not None and str(v) in scale.missing)
    prof = ItemProfile(f, series, trusted, nobs)
    if scale.may_average:
        prof.summary = numeric_summary(trusted, scale)
    else:
        prof.counts = level_counts(trusted_all, scale)
        prof.latest = latest_level(trusted, scale)
        prof.highest_repeated = highest_repeated(trusted, scale)
    return prof


def _flags(items: list[ItemProfile], recs: list[Record]) -> list[Flag]:
    out = []
    for it in items:
        flag_level = it.field.scale.flag_first_observation if it.field.scale else None
        if not flag_level:
            continue
        for r in recs:
            v = trusted_value(r, it.field.id)
            if v is not None and str(v) in it.field.scale.order:  # type: ignore[union-attr]
                if str(v) == flag_level:
                    out.append(Flag(it.field, r, str(v)))
                break
    return out


def _groups(lay: Layout, recs: list[Record]) -> list[SettingGroup]:
    sf = lay.field(SETTING_ID)
    by: dict[str, list[Record]] = defaultdict(list)
    for r in recs:
        label = sf.option_label(trusted_value(r, SETTING_ID)) if sf else ""
        key = setting_key(r, label)
        if key:
            by[key].append(r)
    return [SettingGroup(k, v) for k, v in by.items() if len(v) >= 2]


def _seen_missing(f: Field | None, recs: list[Record]) -> tuple[list[str], list[str]]:
    if f is None or f.options_from:
        return [], []
    seen: set[str] = set()
    for r in recs:
        v = trusted_value(r, f.id)
        seen.update(str(x) for x in (v if isinstance(v, list) else [v]) if x is not None)
    vals = [v for v in f.option_values() if v != "other"]
    return ([f.option_label(v) for v in vals if v in seen],
            [f.option_label(v) for v in vals if v not in seen])


def _coverage(lay: Layout, recs: list[Record], items: list[ItemProfile]) -> Coverage:
    s_seen, s_miss = _seen_missing(lay.field(SETTING_ID), recs)
    f_seen, f_miss = _seen_missing(lay.field(FOCUS_ID), recs)
    i_seen = [it.field.label for it in items if it.trusted]
    i_miss = [it.field.label for it in items if not it.trusted]
    ticked: list[str] = []
    planned: list[str] = []
    for r in recs:
        for c in trusted_value(r, SUBGOALS_ID) or []:
            if c not in ticked:
                ticked.append(str(c))
        for c in r.get("subgoals_planned") or []:
            if c not in planned:
                planned.append(str(c))
    return Coverage(s_seen, s_miss, f_seen, f_miss, i_seen, i_miss, sorted(ticked),
                    sorted(c for c in planned if c not in ticked))


def layout_profile(lay: Layout, recs: list[Record]) -> LayoutProfile:
    items = [_item_profile(f, recs) for f in lay.rated_fields()]
    return LayoutProfile(lay, recs, items, _groups(lay, recs), _coverage(lay, recs, items),
                         _flags(items, recs))


def trainee_profile(records: list[Record], index: LayoutIndex, trainee_id: str) -> TraineeProfile:
    """Profile of one trainee's (already filtered) records."""
    recs = chronological([r for r in records if str(r.get("trainee_id")) == trainee_id])
    by_layout: dict[str, list[Record]] = defaultdict(list)
    lays: dict[str, Layout] = {}
    for r in recs:
        lay = index.for_record(r)
        by_layout[lay.layout].append(r)
        if lay.layout not in lays or lay.version > lays[lay.layout].version:
            lays[lay.layout] = lay
    profiles = [layout_profile(lays[k], v) for k, v in sorted(by_layout.items(), key=lambda kv: -len(kv[1]))]
    name = next((str(r["trainee_name"]) for r in reversed(recs) if r.get("trainee_name")), "")
    assessors = Counter(str(r["assessor"]).strip() for r in recs if r.get("assessor"))
    pending = sum(1 for r in recs if r.get("review"))
    return TraineeProfile(trainee_id, name, recs, assessors, profiles, pending)
