"""Trainee report PDF: one trainee's mini-CEX over time, in the form's language.

Sections: summary and timeline, rated items (nb 1–9: median, mean, spread with n and a trend chart;
sv supervision levels: counts per level, latest, highest reached twice — never an average), the same
clinical setting earlier vs later, coverage, and the handwritten feedback in date order.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from outputs.charts import item_trend_chart
from outputs.encounter_pdf import subgoal_label
from outputs.errors import UnknownTraineeError
from outputs.filters import Filters
from outputs.i18n import fmt_date, fmt_num, fmt_pct, t
from outputs.layouts import Field, Layout, Scale, as_index
from outputs.pdfstyle import (
    ALERT_BG,
    ALERT_INK,
    FRAME_W,
    Styles,
    boxed,
    build,
    crop_path,
    esc,
    handwriting,
    keep,
    mm,
    para,
    styles,
    table,
    today_or,
)
from outputs.records import Record, is_pending, record_date, trusted_value, value
from outputs.trainee_analysis import (
    COMPLEXITY_IDS,
    FOCUS_ID,
    MIN_ASSESSORS,
    MIN_ENCOUNTERS,
    NARRATIVE_IDS,
    SETTING_ID,
    ItemProfile,
    LayoutProfile,
    TraineeProfile,
    trainee_profile,
)

MATRIX_CHUNK = 10


def level_abbrev(scale: Scale) -> dict[str, str]:
    """One-letter codes for levels (first letter of the short label), unique; never numbers."""
    out: dict[str, str] = {}
    for v in scale.order:
        word = scale.short(v)
        k = 1
        code = word[:k].upper()
        while code in out.values() and k < len(word):
            k += 1
            code = word[:k].upper()
        out[v] = code
    return out


def cell_value(f: Field, v: object, pending: bool, lang: str) -> str:
    """How a rated value appears in tables: nb the number, sv a letter code; missing as –; pending with ?."""
    if v is None:
        text = ""
    elif f.scale is not None and str(v) in f.scale.missing:
        text = "–"
    elif f.scale is not None and not f.scale.may_average:
        text = level_abbrev(f.scale).get(str(v), str(v))
    else:
        text = str(v)
    return f"?{text}" if pending else text


def period_phrase(flt: Filters, lang: str) -> str:
    """' i perioden 01.01.2026 – 30.06.2026', ' fra …', ' til …' or '' (for 'nothing found' sentences)."""
    a, b = flt.date_from, flt.date_to
    if a and b:
        return t(lang, "period.both", a=fmt_date(a, lang), b=fmt_date(b, lang))
    if a:
        return t(lang, "period.from", a=fmt_date(a, lang))
    if b:
        return t(lang, "period.to", b=fmt_date(b, lang))
    return ""


def _period(p: TraineeProfile, lang: str) -> str:
    a, b = p.period
    return f"{fmt_date(a, lang)} – {fmt_date(b, lang)}" if a else "–"


def _header(p: TraineeProfile, lang: str, st: Styles, today: dt.date, title: str) -> list[Flowable]:
    who = f"{p.name} ({p.trainee_id})" if p.name else p.trainee_id
    prog = next((str(r["programme"]) for r in reversed(p.records) if r.get("programme")), "")
    reg = next((str(r["regulation"]) for r in reversed(p.records) if r.get("regulation")), "")
    sub = " · ".join(x for x in (who, prog, reg, t(lang, "co.today", date=fmt_date(today, lang))) if x)
    return [para(title, st.title), para(sub, st.subtitle)]


def _provisional(p: TraineeProfile, lang: str, st: Styles) -> Flowable:
    text = t(lang, "tr.provisional_text", n=p.n, a=len(p.assessors), min_n=MIN_ENCOUNTERS,
             min_a=MIN_ASSESSORS)
    return boxed([para(t(lang, "tr.provisional"), st.h2), para(text, st.alert)], ALERT_BG, ALERT_INK)


def _summary(p: TraineeProfile, lang: str, st: Styles) -> Flowable:
    k, known = p.top_assessor_share()
    figures = [(t(lang, "tr.n_encounters"), str(p.n)), (t(lang, "tr.n_assessors"), str(len(p.assessors))),
               (t(lang, "tr.period"), _period(p, lang)), (t(lang, "tr.n_pending"), str(p.pending_forms))]
    big = [para(v, st.h1) for _, v in figures]
    small = [para(lbl, st.small) for lbl, _ in figures]
    w = FRAME_W / 4
    tb = Table([big, small], colWidths=[w * 0.8, w * 0.8, w * 1.6, w * 0.8], hAlign="LEFT")
    tb.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 0),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    out: list[Flowable] = [tb]
    if known:
        out.append(para(t(lang, "tr.assessor_div_text", a=len(p.assessors), k=k, n=known,
                          p=fmt_pct(k, known)), st.body))
    return keep(out)


def _timeline(lp: LayoutProfile, lang: str, st: Styles) -> Flowable:
    lay = lp.layout
    sf, ff = lay.field(SETTING_ID), lay.field(FOCUS_ID)
    cf = next((lay.field(i) for i in COMPLEXITY_IDS if lay.field(i)), None)
    rows: list[list[str]] = [[t(lang, "tr.no"), t(lang, "tr.date"), t(lang, "tr.setting"),
                              t(lang, "tr.complexity"), t(lang, "tr.focus"), t(lang, "tr.assessor")]]
    pend = []
    for ri, r in enumerate(lp.records, start=1):
        def mark(fid: str, text: str, r: Record = r) -> str:
            return f"?{text}" if text and is_pending(r, fid) else text

        setting = r.get("planned_setting") or ""
        if sf is not None and value(r, SETTING_ID):
            lab = mark(SETTING_ID, sf.option_label(value(r, SETTING_ID)))
            setting = f"{setting} ({lab})" if setting else lab
        focus = mark(FOCUS_ID, ", ".join(ff.option_label(x) for x in value(r, FOCUS_ID) or [])) if ff else ""
        cx = mark(cf.id, cf.option_label(value(r, cf.id))) if cf else ""
        for ci, fid in ((2, SETTING_ID), (3, cf.id if cf else ""), (4, FOCUS_ID)):
            if fid and is_pending(r, fid):
                pend.append((ci, ri))
        rows.append([str(r.get("encounter") or ri), fmt_date(record_date(r), lang), setting or "–", cx or "–",
                     focus or "–", r.get("assessor") or "–"])
    w = FRAME_W
    return table(rows, [0.05 * w, 0.12 * w, 0.26 * w, 0.17 * w, 0.24 * w, 0.16 * w], st, pending_cells=pend)


def _matrix(lp: LayoutProfile, lang: str, st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    recs = lp.records
    for start in range(0, len(recs), MATRIX_CHUNK):
        chunk = recs[start:start + MATRIX_CHUNK]
        head = [t(lang, "tr.item")] + [f"{r.get('encounter') or ''}\n{fmt_date(record_date(r), lang)[:5]}"
                                       if lang == "nb" else f"{r.get('encounter') or ''}\n"
                                       f"{fmt_date(record_date(r), lang)[5:]}" for r in chunk]
        rows: list[list] = [[para(head[0], st.cell_b)] + [_two_line(h, st) for h in head[1:]]]
        pend = []
        for it in lp.items:
            row = [it.field.label]
            for ci, r in enumerate(chunk, start=1):
                pending = is_pending(r, it.field.id)
                row.append(cell_value(it.field, value(r, it.field.id), pending, lang))
                if pending:
                    pend.append((ci, len(rows)))
            rows.append(row)
        first = 0.34 * FRAME_W
        rest = (FRAME_W - first) / MATRIX_CHUNK
        out += [table(rows, [first] + [rest] * len(chunk), st, pending_cells=pend,
                      extra=[("ALIGN", (1, 0), (-1, -1), "CENTER")]), Spacer(1, 2 * mm)]
    return out


def _two_line(text: str, st: Styles) -> Flowable:
    """Bold first line, small second line (column heads: encounter no. + date, level code + label)."""
    top, _, bottom = text.partition("\n")
    return Paragraph(f"<b>{esc(top)}</b><br/><font size=6>{esc(bottom)}</font>", st.cell)


def _legend(lp: LayoutProfile, lang: str, st: Styles) -> Flowable | None:
    scales = {it.field.scale.name: it.field.scale for it in lp.items if it.field.scale}
    parts = []
    for sc in scales.values():
        if not sc.may_average:
            parts += [f"{code} = {sc.labels.get(v, v)}" for v, code in level_abbrev(sc).items()]
        parts += [f"– = {sc.labels.get(m, m)}" for m in sc.missing]
    parts.append(t(lang, "pending_note"))
    return para(" · ".join(parts), st.small)


def _numeric_table(items: list[ItemProfile], lang: str, st: Styles) -> Flowable:
    rows: list[list[str]] = [[t(lang, "tr.item"), t(lang, "tr.n"), t(lang, "tr.median"), t(lang, "tr.mean"),
                              t(lang, "tr.range"), t(lang, "tr.iqr"), t(lang, "tr.not_observed")]]
    for it in items:
        s = it.summary
        if s is None:
            rows.append([it.field.label, "0", "–", "–", "–", "–", str(it.not_observed)])
            continue
        rows.append([it.field.label, str(s.n), fmt_num(s.median, lang), fmt_num(s.mean, lang),
                     f"{fmt_num(s.minimum, lang)}–{fmt_num(s.maximum, lang)}",
                     f"{fmt_num(s.q1, lang)}–{fmt_num(s.q3, lang)}", str(it.not_observed)])
    w = FRAME_W
    return table(rows, [0.34 * w, 0.07 * w, 0.1 * w, 0.11 * w, 0.15 * w, 0.11 * w, 0.12 * w], st,
                 extra=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


def _level_table(items: list[ItemProfile], lang: str, st: Styles) -> Flowable:
    scale = items[0].field.scale
    assert scale is not None
    levels = list(scale.order) + list(scale.missing)
    codes = level_abbrev(scale)
    head = [para(t(lang, "tr.item"), st.cell_b)]
    head += [_two_line(f"{codes.get(v, '–')}\n{scale.short(v)}", st) for v in levels]
    head += [para(t(lang, "tr.latest"), st.cell_b), para(t(lang, "tr.highest"), st.cell_b)]
    rows: list[list] = [head]
    for it in items:
        rows.append([it.field.label] + [str(it.counts.get(v, 0)) for v in levels]
                    + [scale.short(it.latest) if it.latest else "–",
                       scale.short(it.highest_repeated) if it.highest_repeated else "–"])
    w = FRAME_W
    n = len(levels)
    first, tail = 0.2 * w, 0.13 * w
    mid = (w - first - 2 * tail) / n
    return table(rows, [first] + [mid] * n + [tail, tail], st, extra=[("ALIGN", (1, 1), (n, -1), "CENTER")])


def _charts(lp: LayoutProfile, lang: str, st: Styles) -> list[Flowable]:
    drawings = []
    for it in lp.items:
        if it.field.scale is None or not it.field.scale.may_trend:
            continue
        pts = [(str(r.get("encounter") or i + 1), None if trusted_value(r, it.field.id) is None and not pend
                else (str(v) if v is not None else None), pend)
               for i, (r, v, pend) in enumerate(it.series)]
        drawings.append(item_trend_chart(it.field.label, pts, it.field.scale, st.regular, st.bold))
    if not drawings:
        return []
    if len(drawings) % 2:
        drawings.append("")
    rows = [drawings[i:i + 2] for i in range(0, len(drawings), 2)]
    tb = Table(rows, colWidths=[FRAME_W / 2] * 2, hAlign="LEFT")
    tb.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    note = t(lang, "tr.chart_note")
    scale = next(it.field.scale for it in lp.items if it.field.scale and it.field.scale.may_trend)
    shaded = [f"{b.get('label')} ({band_range(b)})" for i, b in enumerate(scale.bands) if i % 2 == 0]
    if shaded:
        note += f" {t(lang, 'tr.shaded')}: " + ", ".join(shaded) + "."
    return [tb, para(note, st.small)]


def band_range(band: dict) -> str:
    """'1–3' for a band's values (labels the shaded areas of charts and the cohort columns)."""
    vals = [str(v) for v in band.get("values", [])]
    return f"{vals[0]}–{vals[-1]}" if len(vals) > 1 else "".join(vals)


def _same_setting(lp: LayoutProfile, lang: str, st: Styles) -> list[Flowable]:
    if not lp.groups:
        return [para(t(lang, "tr.no_same_setting"), st.body)]
    out: list[Flowable] = []
    numeric = all(it.field.scale and it.field.scale.may_average for it in lp.items)
    for g in lp.groups:
        first, last = g.records[0], g.records[-1]

        def hdr(label: str, r: Record) -> str:
            return f"{label}: {fmt_date(record_date(r), lang)}, {r.get('assessor') or '–'}"

        head = [t(lang, "tr.item"), hdr(t(lang, "tr.first"), first), hdr(t(lang, "tr.last"), last)]
        if numeric:
            head.append(t(lang, "tr.change"))
        rows = [head]
        pend = []
        for it in lp.items:
            a, b = value(first, it.field.id), value(last, it.field.id)
            pa, pb = is_pending(first, it.field.id), is_pending(last, it.field.id)
            row = [it.field.label, _long_value(it.field, a, pa, lang), _long_value(it.field, b, pb, lang)]
            if numeric:
                ok = not pa and not pb and str(a) in it.field.scale.order and str(b) in it.field.scale.order
                row.append(f"{int(b) - int(a):+d}" if ok else "–")
            if pa:
                pend.append((1, len(rows)))
            if pb:
                pend.append((2, len(rows)))
            rows.append(row)
        w = FRAME_W
        widths = [0.3 * w, 0.3 * w, 0.3 * w, 0.1 * w] if numeric else [0.3 * w, 0.35 * w, 0.35 * w]
        n_more = len(g.records) - 2
        title = g.name + (f"  (+{n_more})" if n_more > 0 else "")
        out.append(keep([para(title, st.h2), table(rows, widths, st, pending_cells=pend)]))
    return out


def _long_value(f: Field, v: object, pending: bool, lang: str) -> str:
    if v is None:
        text = "–"
    elif f.scale is not None and not f.scale.may_average or f.scale is not None and str(v) in f.scale.missing:
        text = f.scale.short(str(v))
    else:
        text = str(v)
    return f"?{text}" if pending else text


def _coverage(lp: LayoutProfile, lang: str, st: Styles, titles: Mapping[str, str] | None,
              profile: TraineeProfile) -> Flowable:
    c = lp.coverage
    def j(xs: list[str]) -> str:
        return ", ".join(xs) or "–"

    rows = [["", t(lang, "tr.observed"), t(lang, "tr.not_yet")]]
    if c.settings_seen or c.settings_missing:
        rows.append([t(lang, "tr.settings"), j(c.settings_seen), j(c.settings_missing)])
    if c.focus_seen or c.focus_missing:
        rows.append([t(lang, "tr.focus_areas"), j(c.focus_seen), j(c.focus_missing)])
    rows.append([t(lang, "tr.items_cov"), j(c.items_seen), j(c.items_missing)])
    if lp.layout.field("subgoals") is not None:
        seen = "; ".join(subgoal_label(x, titles) for x in c.subgoals_seen) or "–"
        missing = "; ".join(subgoal_label(x, titles) for x in c.subgoals_missing)
        rows.append([t(lang, "tr.subgoals"), seen,
                     f"{t(lang, 'tr.subgoals_planned')}: {missing}" if missing else "–"])
    names = ", ".join(f"{a} ({k})" for a, k in sorted(profile.assessors.items(), key=lambda x: (-x[1], x[0])))
    rows.append([t(lang, "tr.assessor_div"), names or "–", ""])
    w = FRAME_W
    return table(rows, [0.2 * w, 0.45 * w, 0.35 * w], st)


def _narrative(lp: LayoutProfile, lang: str, st: Styles, crops_dir: Path | None) -> list[Flowable]:
    fields = [f for fid in NARRATIVE_IDS if (f := lp.layout.field(fid)) is not None]
    out: list[Flowable] = []
    for r in lp.records:
        head = " · ".join(x for x in (f"{t(lang, 'tr.no')} {r.get('encounter') or ''}".strip(),
                                      fmt_date(record_date(r), lang), r.get("assessor") or "",
                                      r.get("planned_setting") or "") if x)
        rows = []
        for f in fields:
            if value(r, f.id) or is_pending(r, f.id):
                body = handwriting(crop_path(r, f.id, crops_dir), 0.68 * FRAME_W, 28 * mm,
                                   t(lang, "crop_missing"), st)
            else:
                body = para(t(lang, "not_written"), st.small)
            rows.append([para(f.label, st.small), body])
        tb = table(rows, [0.3 * FRAME_W, 0.7 * FRAME_W], st, header=False)
        out.append(keep([para(head, st.h2), tb]))
    return out


def _layout_sections(lp: LayoutProfile, lang: str, st: Styles, many: bool, profile: TraineeProfile,
                     titles: Mapping[str, str] | None) -> list[Flowable]:
    lay: Layout = lp.layout
    suffix = f" – {lay.layout}" if many else ""
    # the timeline may be longer than a page: no KeepTogether, just room for the heading and a few rows
    story: list[Flowable] = [CondPageBreak(35 * mm), para(t(lang, "tr.timeline") + suffix, st.h1),
                             _timeline(lp, lang, st)]
    if lp.items:
        matrix = _matrix(lp, lang, st)
        story += [keep([para(t(lang, "tr.items_over_time") + suffix, st.h1), matrix[0]])] + matrix[1:]
        story += [_legend(lp, lang, st)]
        numeric = [it for it in lp.items if it.field.scale and it.field.scale.may_average]
        levels = [it for it in lp.items if it.field.scale and not it.field.scale.may_average]
        head = t(lang, "tr.items") + suffix
        if numeric:
            story += [keep([para(head, st.h1), _numeric_table(numeric, lang, st),
                                    para(t(lang, "tr.stats_note"), st.small)])]
        if levels:
            story += [keep([para(t(lang, "tr.counts") + suffix, st.h1),
                                    _level_table(levels, lang, st),
                                    para(t(lang, "tr.stats_note"), st.small)])]
        charts = _charts(lp, lang, st)
        if charts:
            story += [keep([para(t(lang, "tr.charts") + suffix, st.h1)] + charts)]
        if lp.flags:
            boxes: list[Flowable] = []
            for fl in lp.flags:
                boxes.append(boxed([para(t(lang, "tr.flag_first", item=fl.field.label,
                                           level=fl.field.scale.labels.get(fl.level, fl.level),
                                           date=fmt_date(record_date(fl.record), lang),
                                           assessor=fl.record.get("assessor") or "–"), st.alert)],
                                   ALERT_BG, ALERT_INK))
                boxes.append(Spacer(1, 2 * mm))
            story += [keep([para(t(lang, "tr.flags"), st.h1), boxes[0]])] + boxes[1:]
        same = _same_setting(lp, lang, st)
        story += [keep([para(t(lang, "tr.same_setting"), st.h1), same[0]])] + same[1:]
    story += [keep([para(t(lang, "tr.coverage") + suffix, st.h1),
                            _coverage(lp, lang, st, titles, profile)])]
    return story


def _language(profile: TraineeProfile, index, issued, trainee_id: str, language: str | None) -> str:
    if language:
        return language
    if profile.layouts:
        return profile.layouts[0].layout.language
    for f in issued or []:
        if str(f.get("trainee_id")) == trainee_id:
            lay = index.get(str(f.get("layout")), f.get("layout_version"))
            if lay:
                return lay.language
    langs = {lay.language for lay in index.all()}
    return langs.pop() if len(langs) == 1 else "nb"


def trainee_report(records: list[Record], layouts, trainee_id: str, out_path: Path | str, *,
                   crops_dir: Path | str | None = None, font_dir: Path | str | None = None,
                   date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                   issued: list[dict] | None = None, language: str | None = None,
                   today: dt.date | None = None, subgoal_titles: Mapping[str, str] | None = None) -> Path:
    """Write the trainee report PDF and return its path.

    `issued` (optional) lets an unknown id be told apart from a trainee with no forms back yet:
    an id in neither records nor issued forms raises UnknownTraineeError; with no records in the
    selection the PDF is a short page saying so. `subgoal_titles` (code → title) names the delmål.
    """
    index = as_index(layouts)
    known = {str(r.get("trainee_id")) for r in records} | {str(f.get("trainee_id")) for f in issued or []}
    if issued is not None and trainee_id not in known:
        raise UnknownTraineeError(trainee_id)
    flt = Filters.of(trainee_id, date_from, date_to)
    profile = trainee_profile(flt.apply(records), index, trainee_id)
    if not profile.name:
        profile.name = next((str(f.get("trainee_name")) for f in [*records, *(issued or [])]
                             if str(f.get("trainee_id")) == trainee_id and f.get("trainee_name")), "")
    lang = _language(profile, index, issued, trainee_id, language)
    st = styles(font_dir)
    day = today_or(today)
    title = t(lang, "tr.title")
    story = _header(profile, lang, st, day, title)
    if profile.n == 0:
        period = period_phrase(flt, lang)
        who = f"{profile.name} ({trainee_id})" if profile.name else trainee_id
        story.append(para(t(lang, "tr.no_records", who=who, period=period), st.body))
    else:
        if profile.provisional:
            story += [_provisional(profile, lang, st), Spacer(1, 3 * mm)]
        story += [para(t(lang, "tr.summary"), st.h1), _summary(profile, lang, st)]
        many = len(profile.layouts) > 1
        for lp in profile.layouts:
            story += _layout_sections(lp, lang, st, many, profile, subgoal_titles)
        crops = Path(crops_dir) if crops_dir is not None else None
        for lp in profile.layouts:
            narrative = _narrative(lp, lang, st, crops)
            if narrative:
                story += [keep([para(t(lang, "tr.narrative"), st.h1), narrative[0]])] + narrative[1:]
    footer = f"{title} · {trainee_id} · {t(lang, 'generated', date=fmt_date(day, lang))}"
    return build(out_path, story, st, title=f"{title} {trainee_id}", footer_left=footer,
                 page_word=t(lang, "page"))
