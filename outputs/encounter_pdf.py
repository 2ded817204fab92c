"""Per-encounter summary PDF: one form typed out in its language, with the handwriting crops.

This is the page a Norwegian LIS uploads to Kompetanseportalen or a Swedish ST-läkare files in the
ST-pärm, so pending values are marked loudly and never look final.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from reportlab.platypus import Flowable, Paragraph, Spacer

from outputs.i18n import fmt_date, t
from outputs.layouts import Field, Layout, as_index
from outputs.pdfstyle import (
    ALERT_INK,
    FRAME_W,
    PENDING_BG,
    PENDING_INK,
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
from outputs.records import Record, is_pending, record_date, value
from outputs.stats import band_of


def subgoal_label(code: str, titles: Mapping[str, str] | None) -> str:
    """'STb1 Kommunikation med patienter och närstående' when a title is known, else the code."""
    title = (titles or {}).get(code)
    return f"{code} {title}" if title else code


def _shown(record: Record, f: Field, lang: str, titles: Mapping[str, str] | None = None) -> str:
    v = value(record, f.id)
    if f.options_from:
        text = "; ".join(subgoal_label(str(x), titles) for x in v or [])
    elif f.kind == "multi":
        text = ", ".join(f.option_label(x) for x in v or [])
    else:
        text = f.option_label(v)
    if is_pending(record, f.id):
        return f"? {text}".rstrip() + f"  ({t(lang, 'pending')})"
    return text or t(lang, "none")


def _header(record: Record, lay: Layout, st: Styles, extra: list[Field]) -> list[Flowable]:
    lang = lay.language
    name = record.get("trainee_name") or ""
    who = f"{name} ({record.get('trainee_id')})" if name else str(record.get("trainee_id"))
    status = str(record.get("status") or "")
    rows = [
        [t(lang, "enc.trainee"), who, t(lang, "enc.date"), fmt_date(record_date(record), lang)],
        [t(lang, "enc.assessor"), record.get("assessor") or t(lang, "none"), t(lang, "enc.encounter"),
         str(record.get("encounter") or t(lang, "none"))],
        [t(lang, "enc.department"), record.get("department") or t(lang, "none"), t(lang, "enc.status"),
         t(lang, f"status.{status}") if status else t(lang, "none")],
        [t(lang, "enc.planned"), record.get("planned_setting") or t(lang, "none"), t(lang, "enc.form"),
         f"{record.get('form_id')} · {lay.layout} v{lay.version}"],
    ]
    for i in range(0, len(extra), 2):  # untitled header checkboxes (e.g. Stilling) join the info table
        pair = extra[i:i + 2]
        row = []
        for f in pair:
            row += [f.label, _shown(record, f, lang)]
        rows.append(row + ["", ""] * (2 - len(pair)))
    label_cols = [(0, r) for r in range(len(rows))] + [(2, r) for r in range(len(rows))]
    cells = [[para(c, st.cell_b if (ci, ri) in label_cols else st.cell) for ci, c in enumerate(row)]
             for ri, row in enumerate(rows)]
    w = FRAME_W
    return [para(f"{lay.title} – {t(lang, 'enc.title').split('–')[-1].strip()}", st.title),
            para(lay.subtitle, st.subtitle),
            table(cells, [0.2 * w, 0.38 * w, 0.16 * w, 0.26 * w], st, header=False)]


def _choice_rows(record: Record, fields: list[Field], lang: str, st: Styles,
                 titles: Mapping[str, str] | None) -> list[Flowable]:
    rows, pend = [], []
    for f in fields:
        shown = _shown(record, f, lang, titles)
        extra = ""
        if f.scale is not None and not is_pending(record, f.id):
            band = band_of(str(value(record, f.id)), f.scale)
            extra = f"  ·  {band}" if band else ""
        rows.append([para(f.label, st.cell), para(shown + extra, st.cell_b if f.scale else st.cell)])
        if is_pending(record, f.id):
            pend.append((1, len(rows) - 1))
    return [table(rows, [0.42 * FRAME_W, 0.58 * FRAME_W], st, header=False, pending_cells=pend)]


def _text_block(record: Record, f: Field, lang: str, st: Styles, crops_dir: Path | None) -> Flowable:
    label = f.label + (f"  ({t(lang, 'pending')})" if is_pending(record, f.id) else "")
    small = f.role == "signature"
    if not value(record, f.id) and not is_pending(record, f.id):
        body: Flowable = para(t(lang, "not_written"), st.small)
    else:
        body = handwriting(crop_path(record, f.id, crops_dir), FRAME_W if not small else 70 * mm,
                           40 * mm if not small else 16 * mm, t(lang, "crop_missing"), st)
    return keep([Paragraph(f"<b>{esc(label)}</b>", st.body), Spacer(1, 1.5 * mm), body,
                         Spacer(1, 3 * mm)])


def encounter_story(record: Record, lay: Layout, st: Styles, crops_dir: Path | None,
                    subgoal_titles: Mapping[str, str] | None = None) -> list[Flowable]:
    """Flowables for one encounter (also reused when several summaries go into one PDF)."""
    lang = lay.language
    sections = lay.sections()
    extra: list[Field] = []
    written: list[Field] = []
    if sections and not sections[0][1]:  # the untitled header section
        head_fields = sections.pop(0)[2]
        extra = [f for f in head_fields if f.kind != "text"]
        written = [f for f in head_fields
                   if f.kind == "text" and (value(record, f.id) or is_pending(record, f.id))]
    story = _header(record, lay, st, extra)
    if written:  # header lines filled in by hand (e.g. a date not printed from the plan)
        rows = [[para(f.label, st.small), handwriting(crop_path(record, f.id, crops_dir), 80 * mm, 12 * mm,
                                                     t(lang, "crop_missing"), st)] for f in written]
        story.append(table(rows, [0.2 * FRAME_W, 0.8 * FRAME_W], st, header=False))
    if record.get("review"):
        story += [Spacer(1, 3 * mm), boxed([para(t(lang, "enc.pending_banner"), st.banner)], PENDING_BG,
                                          PENDING_INK)]
    for _sec, title, fields in sections:
        choices = [f for f in fields if f.kind != "text"]
        texts = [f for f in fields if f.kind == "text"]
        signatures = bool(texts) and all(f.role == "signature" for f in texts)
        heading = title or (t(lang, "enc.signatures" if signatures else "enc.handwriting")
                            if texts and not choices else None)
        block: list[Flowable] = [para(heading, st.h1)] if heading else [Spacer(1, 4 * mm)]
        if choices:
            block += _choice_rows(record, choices, lang, st, subgoal_titles)
        blocks = [_text_block(record, f, lang, st, crops_dir) for f in texts]
        if not choices and blocks:  # keep a heading on the page of its first handwriting area
            block.append(blocks.pop(0))
        story.append(keep(block))
        story += blocks
    return story


def encounter_summary(record: Record, layouts, out_path: Path | str, *, crops_dir: Path | str | None = None,
                      font_dir: Path | str | None = None, today: dt.date | None = None,
                      subgoal_titles: Mapping[str, str] | None = None) -> Path:
    """Write the one-form summary PDF for `record`; `layouts`: one description or a collection of them.

    `subgoal_titles` (code → title, from the trainee's regulation catalogue) names the ticked delmål.
    """
    lay = as_index(layouts).for_record(record)
    st = styles(font_dir)
    story = encounter_story(record, lay, st, Path(crops_dir) if crops_dir is not None else None,
                            subgoal_titles)
    lang = lay.language
    footer = f"{record.get('form_id')} · {t(lang, 'generated', date=fmt_date(today_or(today), lang))}"
    return build(out_path, story, st, title=f"{lay.title} {record.get('form_id')}", footer_left=footer,
                 page_word=t(lang, "page"))


__all__ = ["encounter_summary", "encounter_story", "ALERT_INK"]
