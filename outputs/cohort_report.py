"""Cohort report PDF for the programme director (studierektor / emneansvarlig).

Shows progress against the target number of forms, forms issued but not returned (and how late),
forms waiting for review, coverage gaps and how ratings are distributed per item across the cohort.
It contains no ranking of trainees: rows are in trainee-id order and no per-trainee score is printed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from reportlab.platypus import Flowable, Spacer

from outputs.cohort_analysis import CohortSummary, LayoutDistribution, cohort_summary
from outputs.filters import Filters
from outputs.i18n import fmt_date, fmt_pct, t
from outputs.layouts import as_index
from outputs.pdfstyle import FRAME_W, Styles, build, keep, mm, para, styles, table, today_or
from outputs.records import Record, record_date
from outputs.trainee_report import band_range, level_abbrev, period_phrase

DEFAULT_TARGET = 8  # NTNU: 8 mini-CEX per student per placement


def _who(tid: str, name: str) -> str:
    return f"{name} ({tid})" if name else tid


def _dash(n: int | None) -> str:
    return str(n) if n else "–"


def _per_trainee(s: CohortSummary, lang: str, st: Styles) -> Flowable:
    rows: list[list[str]] = [[t(lang, "co.trainee"), t(lang, "co.returned"), t(lang, "co.target"),
                              t(lang, "co.missing"), t(lang, "co.pending"), t(lang, "co.not_returned"),
                              t(lang, "co.days_overdue")]]
    for r in s.rows:
        rows.append([_who(r.trainee_id, r.name), str(r.returned), str(r.target), _dash(r.missing),
                     _dash(r.pending_review), _dash(r.not_returned), _dash(r.max_days_overdue)])
    w = FRAME_W
    return table(rows, [0.3 * w, 0.11 * w, 0.08 * w, 0.1 * w, 0.13 * w, 0.13 * w, 0.15 * w], st,
                 extra=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


def _overdue(s: CohortSummary, lang: str, st: Styles) -> Flowable:
    if not s.overdue:
        return para(t(lang, "co.none"), st.body)
    rows = [[t(lang, "co.form"), t(lang, "co.trainee"), t(lang, "tr.no"), t(lang, "co.due"),
             t(lang, "tr.assessor"), t(lang, "co.days_overdue")]]
    for o in s.overdue:
        f = o.form
        basis = t(lang, f"co.basis_{o.basis}")
        late = str(o.days_overdue) if (o.days_overdue or 0) > 0 else t(lang, "co.not_due")
        rows.append([str(f.get("form_id")), _who(str(f.get("trainee_id")), str(f.get("trainee_name") or "")),
                     str(f.get("encounter") or ""), f"{fmt_date(o.due, lang)} ({basis})",
                     str(f.get("assessor") or "–"), late])
    w = FRAME_W
    return table(rows, [0.14 * w, 0.25 * w, 0.06 * w, 0.22 * w, 0.17 * w, 0.16 * w], st)


def _reviews(s: CohortSummary, lang: str, st: Styles, index) -> Flowable:
    if not s.reviews:
        return para(t(lang, "co.none"), st.body)
    rows = [[t(lang, "co.form"), t(lang, "co.trainee"), t(lang, "tr.date"), t(lang, "co.fields")]]
    for rv in s.reviews:
        r = rv.record
        lay = index.for_record(r)
        labels = [(lay.field(f).label if lay.field(f) else f) for f in rv.fields]
        rows.append([str(r.get("form_id")), _who(str(r.get("trainee_id")), str(r.get("trainee_name") or "")),
                     fmt_date(record_date(r), lang), "; ".join(labels) or "–"])
    w = FRAME_W
    return table(rows, [0.15 * w, 0.27 * w, 0.14 * w, 0.44 * w], st)


def _gaps(s: CohortSummary, lang: str, st: Styles) -> Flowable:
    if not s.gaps:
        return para(t(lang, "co.none"), st.body)
    rows = [[t(lang, "co.trainee"), t(lang, "co.gap_settings"), t(lang, "co.gap_items"),
             t(lang, "co.gap_subgoals")]]
    for g in s.gaps:
        if g.no_forms:
            rows.append([_who(g.trainee_id, g.name), t(lang, "co.no_forms"), "", ""])
        else:
            rows.append([_who(g.trainee_id, g.name), ", ".join(g.settings_missing) or "–",
                         ", ".join(g.items_missing) or "–", ", ".join(g.subgoals_missing) or "–"])
    w = FRAME_W
    return table(rows, [0.24 * w, 0.24 * w, 0.3 * w, 0.22 * w], st)


def _distribution(d: LayoutDistribution, lang: str, st: Styles, heading: str | None = None) -> list[Flowable]:
    if not d.items:
        return []
    scale = d.items[0].field.scale
    assert scale is not None
    levels, missing = list(scale.order), list(scale.missing)
    w = FRAME_W
    if scale.may_average:
        band_heads = [band_range(b) for b in scale.bands]
        head = [t(lang, "tr.item")] + levels + ["n"] + [scale.short(m) for m in missing] + band_heads
        rows = [head]
        for it in d.items:
            row = [it.field.label] + [str(it.counts[v]) for v in levels] + [str(it.n_observed)]
            row += [str(it.counts[m]) for m in missing]
            for b in scale.bands:
                k = sum(it.counts.get(str(v), 0) for v in b.get("values", []))
                row.append(f"{fmt_pct(k, it.n_observed)} %" if it.n_observed else "–")
            rows.append(row)
        first, miss_w, band_w = 0.25 * w, 0.09 * w, 0.08 * w
        small = (w - first - miss_w * len(missing) - band_w * len(scale.bands)) / (len(levels) + 1)
        widths = [first] + [small] * (len(levels) + 1) + [miss_w] * len(missing) + [band_w] * len(scale.bands)
        note = " · ".join(f"{band_range(b)} = {b.get('label')}" for b in scale.bands)
    else:
        codes = level_abbrev(scale)
        head = [t(lang, "tr.item")] + [f"{codes[v]} · {scale.short(v)}" for v in levels]
        head += [scale.short(m) for m in missing] + ["n"]
        rows = [head]
        for it in d.items:
            row = [it.field.label]
            row += [f"{it.counts[v]} ({fmt_pct(it.counts[v], it.n_observed)} %)" if it.n_observed else "0"
                    for v in levels]
            row += [str(it.counts[m]) for m in missing] + [str(it.n_observed)]
            rows.append(row)
        first = 0.25 * w
        lvl_w = (w - first - 0.2 * w) / len(levels)
        widths = [first] + [lvl_w] * len(levels) + [0.12 * w, 0.08 * w]
        note = ""
    tb = table(rows, widths, st, extra=[("ALIGN", (1, 1), (-1, -1), "CENTER")])
    note = ". ".join(x for x in (note, t(lang, "co.distribution_note")) if x)
    head = [para(heading, st.h1)] if heading else []  # the section heading stays with its first table
    return [keep([*head, para(f"{d.layout.title} – {d.layout.layout}", st.h2), tb, para(note, st.small)])]


def _language(records: list[Record], issued: list[dict], index, language: str | None) -> str:
    if language:
        return language
    langs: Counter = Counter()
    for x in [*records, *issued]:
        lay = index.get(str(x.get("layout")), x.get("layout_version"))
        if lay is not None:
            langs[lay.language] += 1
    return langs.most_common(1)[0][0] if langs else "nb"


def cohort_report(records: list[Record], layouts, issued: list[dict], out_path: Path | str, *,
                  target: int = DEFAULT_TARGET, today: dt.date | None = None,
                  font_dir: Path | str | None = None, date_from: dt.date | str | None = None,
                  date_to: dt.date | str | None = None,
                  language: str | None = None, title: str | None = None) -> Path:
    """Write the cohort report PDF. `issued` is `formkit forms list --json`; `today` dates the overdue counts.

    The date filter applies to returned forms; issued-but-not-returned forms are always listed as of `today`.
    """
    index = as_index(layouts)
    flt = Filters.of(None, date_from, date_to)
    selected = flt.apply(records)
    day = today_or(today)
    lang = _language(records, issued, index, language)
    st = styles(font_dir)
    head = title or t(lang, "co.title")
    story: list[Flowable] = [para(head, st.title),
                             para(t(lang, "co.today", date=fmt_date(day, lang)) + period_phrase(flt, lang)
                                  + f" · {t(lang, 'co.target')}: {target}", st.subtitle)]
    if not selected and not issued:
        story.append(para(t(lang, "co.no_records", period=period_phrase(flt, lang)), st.body))
    else:
        s = cohort_summary(selected, issued, index, target=target, today=day)
        story += [para(t(lang, "co.per_trainee"), st.h1), _per_trainee(s, lang, st), Spacer(1, 2 * mm)]
        story += [keep([para(t(lang, "co.overdue_title"), st.h1), _overdue(s, lang, st)])]
        story += [keep([para(t(lang, "co.review_title"), st.h1), _reviews(s, lang, st, index)])]
        story += [keep([para(t(lang, "co.gaps_title"), st.h1), _gaps(s, lang, st)])]
        if s.distributions:
            for i, d in enumerate(s.distributions):
                story += _distribution(d, lang, st, t(lang, "co.distribution") if i == 0 else None)
    footer = f"{head} · {t(lang, 'generated', date=fmt_date(day, lang))}"
    return build(out_path, story, st, title=head, footer_left=footer, page_word=t(lang, "page"))
