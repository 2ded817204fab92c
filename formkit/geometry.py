"""Layout engine: from a declarative layout to exact page geometry and a drawing plan.

Everything is computed in millimetres with the origin at the page's top-left corner (the
geometry contract). The same plan feeds the PDF renderer and the geometry JSON the scanner reads,
so what is printed and what is measured can never disagree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from formkit.errors import LayoutError
from formkit.fonts import PT_TO_MM, text_width_mm, wrap_text
from formkit.layouts import Field, Layout, Section

PAGE_W, PAGE_H = 210.0, 297.0
EDGE = 8.0  # nothing printed within 8 mm of the paper edge
MARKER = 10.0
MARKERS = (
    {"id": 0, "corner": "TL", "rect_mm": [10.0, 10.0, MARKER, MARKER]},
    {"id": 1, "corner": "TR", "rect_mm": [190.0, 10.0, MARKER, MARKER]},
    {"id": 2, "corner": "BR", "rect_mm": [190.0, 277.0, MARKER, MARKER]},
    {"id": 3, "corner": "BL", "rect_mm": [10.0, 277.0, MARKER, MARKER]},
)
QR_RECT = (163.0, 10.0, 22.0, 22.0)  # the symbol itself; 3 mm around it stay white
QR_QUIET = 3.0
X0, X1 = 14.0, 196.0  # content column
TOP, BOTTOM = 36.0, 274.0  # content band on every page
BOX = 5.0  # checkbox side
ROW = 8.0  # pitch between rows of boxes: BOX + a 3 mm gap
MIN_GAP = 3.0
OPT_PAD = 1.5  # box → its label
OPT_GAP = 3.5  # label → next box
FIELD_GAP = 7.0  # between fields packed on one row
LABEL_PT, SMALL_PT, TITLE_PT = 8.0, 6.5, 9.0
SECTION_TITLE_H = 6.0
TEXT_LINE = 6.5  # height of one handwriting line
TEXT_LABEL_H = 4.0  # printed label band at the top of a writing area
CELL_H = 8.5  # header cell
SECTION_GAP = 2.5


@dataclass(frozen=True)
class Op:
    """One drawing instruction. `kind` picks the renderer's method; the rest are its arguments."""

    kind: str
    args: dict[str, Any]


def op(kind: str, **args: Any) -> Op:
    return Op(kind, args)


@dataclass
class PagePlan:
    static: list[Op] = field(default_factory=list)
    dynamic: list[Op] = field(default_factory=list)


@dataclass
class Geometry:
    layout: Layout
    pages: list[PagePlan]
    fields: list[dict[str, Any]]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def contract(self) -> dict[str, Any]:
        """The geometry contract (docs/contracts.md §1) plus its documented extra keys."""
        base = self.core()
        base["geometry_hash"] = geometry_hash(base)
        lay = self.layout
        by_id = {f.id: f for f in lay.fields}
        fields = []
        for fd in base["fields"]:
            f = by_id[fd["id"]]
            extra: dict[str, Any] = {"section": f.section, "section_title": _section_title(lay, f.section)}
            if f.scale:
                extra["scale"] = f.scale
            if f.kind in ("single", "multi"):
                extra["scale_type"] = f.scale_type
            if f.role:
                extra["role"] = f.role
            if f.source:
                extra["source"] = f.source
            if f.options_from:
                extra["options_from"] = f.options_from
            fields.append({**fd, **extra})
        base["fields"] = fields
        base.update({
            "language": lay.language, "title": lay.title, "subtitle": lay.subtitle,
            "scales": {name: s.describe() for name, s in lay.scales.items()},
            "strings": dict(lay.strings),
        })
        return base

    def core(self) -> dict[str, Any]:
        """Exactly what determines where marks are read: hashed and stored per layout version."""
        return {
            "layout": self.layout.id, "version": self.layout.version, "page_size_mm": [210, 297],
            "pages": self.page_count, "fields": self.fields,
            "markers": [dict(m) for m in MARKERS], "qr": {"rect_mm": list(QR_RECT), "quiet_mm": QR_QUIET},
            "printed_text": [{"page": p, "rect_mm": r} for p, plan in enumerate(self.pages, start=1)
                             for r in printed_rects(plan)],
        }


def printed_rects(plan: PagePlan) -> list[list[float]]:
    """Where text and rules are printed near boxes: the scanner keeps them out of its ring analysis.

    A reader looking for a circle drawn around a box must not mistake the option's own printed
    label (1.5 mm to its right) or a column heading for pen strokes. Delmål labels are per form, so
    their whole label area is listed.
    """
    out = []
    for o in plan.static:
        a = o.args
        if o.kind == "text":
            s = a["size"] * PT_TO_MM
            w = text_width_mm(a["text"], a["size"], a.get("bold", False))
            x = {"left": a["x"], "center": a["x"] - w / 2, "right": a["x"] - w}[a.get("align", "left")]
            out.append(rect(x, a["y"] - 0.78 * s, w, 1.02 * s))
        elif o.kind == "line":
            lw = a.get("width", 0.3)
            out.append(rect(min(a["x1"], a["x2"]), min(a["y1"], a["y2"]) - lw / 2, abs(a["x2"] - a["x1"]),
                            abs(a["y2"] - a["y1"]) + lw))
    for o in plan.dynamic:
        if o.kind == "slot":
            a = o.args
            out.append(rect(a["label_x"], a["label_y"] - 2.3, a["label_w"], 3.0))
    return out


def geometry_hash(core: dict[str, Any]) -> str:
    canon = json.dumps(core, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()


def _section_title(layout: Layout, sid: str) -> str | None:
    return next((s.title for s in layout.sections if s.id == sid), None)


def r(x: float) -> float:
    return round(x, 2)


def rect(x: float, y: float, w: float, h: float) -> list[float]:
    return [r(x), r(y), r(w), r(h)]


# --- blocks: a section cut into pieces of known height that are placed on pages -------------------


@dataclass
class Block:
    """A horizontal band of the page. `emit(y, extra)` draws it at y with `extra` mm of growth."""

    height: float
    grow: float
    emit: Any  # Callable[[float, float], tuple[list[Op], list[Op], list[dict]]]
    keep_with_next: bool = False


class _Builder:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.src = layout.source

    def fail(self, problem: str, fid: str | None = None) -> LayoutError:
        return LayoutError(self.src, problem, fid)

    # ---------------------------------------------------------------- sections → blocks
    def section_blocks(self, s: Section) -> list[Block]:
        blocks: list[Block] = []
        if s.title:
            blocks.append(self.title_block(s))
        if s.note and s.kind != "grid":
            blocks.append(self.note_block(s.note))
        if s.kind == "header":
            blocks += self.header_blocks(s)
        elif s.kind == "grid":
            blocks += self.grid_blocks(s)
        else:
            blocks += self.field_blocks(s)
        blocks.append(Block(SECTION_GAP, 0, lambda y, e: ([], [], [])))
        return blocks

    def title_block(self, s: Section) -> Block:
        def emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
            return [
                op("text", x=X0, y=y + 4.2, text=s.title, size=TITLE_PT, bold=True),
                op("line", x1=X0, y1=y + 5.4, x2=X1, y2=y + 5.4, width=0.3, grey=0.55),
            ], [], []
        return Block(SECTION_TITLE_H, 0, emit, keep_with_next=True)

    def note_block(self, note: str) -> Block:
        lines = wrap_text(note, X1 - X0, SMALL_PT)

        def emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
            return [op("text", x=X0, y=y + 2.6 + i * 3.0, text=t, size=SMALL_PT, grey=0.25)
                    for i, t in enumerate(lines)], [], []
        return Block(1.2 + 3.0 * len(lines), 0, emit)

    # ---------------------------------------------------------------- header table
    def header_blocks(self, s: Section) -> list[Block]:
        cells = [f for f in s.fields if f.kind in ("printed", "text")]
        choices = [f for f in s.fields if f.kind in ("single", "multi")]
        rows: list[list[Field]] = []
        used = 3
        for f in cells:
            if used + f.width > 3:
                rows.append([])
                used = 0
            rows[-1].append(f)
            used += f.width
        col = (X1 - X0) / 3
        blocks = []
        for row in rows:
            def emit(y: float, extra: float, row: list[Field] = row) -> tuple[list[Op], list[Op], list[dict]]:
                st: list[Op] = []
                dyn: list[Op] = []
                flds: list[dict] = []
                x = X0
                total = sum(f.width for f in row)
                for f in row:
                    w = col * f.width * 3 / total
                    cell = rect(x, y, w, CELL_H)
                    st.append(op("frame", rect=cell, width=0.35, grey=0.35))
                    st.append(op("text", x=x + 1.2, y=y + 2.6, text=f.label, size=SMALL_PT, grey=0.3))
                    dyn.append(op("header_value", field=f.id, source=f.source,
                                  rect=rect(x + 1.2, y + 3.4, w - 2.4, CELL_H - 3.8)))
                    if f.writable or f.kind == "text":
                        flds.append({"id": f.id, "kind": "text", "page": 0, "label": f.label, "rect_mm": cell,
                                     "label_band_mm": 3.2})
                    x += w
                return st, dyn, flds
            blocks.append(Block(CELL_H, 0, emit))
        if choices:
            blocks.append(Block(1.5, 0, lambda y, e: ([], [], [])))
            blocks += self.choice_blocks(choices)
        return blocks

    # ---------------------------------------------------------------- choice rows, text areas
    def field_blocks(self, s: Section) -> list[Block]:
        blocks: list[Block] = []
        run: list[Field] = []
        kind_of_run = None
        for f in s.fields:
            k = "text" if f.kind in ("text", "printed") else "choice"
            if run and k != kind_of_run:
                blocks += self.choice_blocks(run) if kind_of_run == "choice" else self.text_blocks(run)
                run = []
            run.append(f)
            kind_of_run = k
        if run:
            blocks += self.choice_blocks(run) if kind_of_run == "choice" else self.text_blocks(run)
        return blocks

    def option_width(self, o_label: str) -> float:
        return BOX + OPT_PAD + text_width_mm(o_label, LABEL_PT) + OPT_GAP

    def choice_blocks(self, fields: list[Field]) -> list[Block]:
        """Pack choice fields left to right; a field too wide for one row wraps its options."""
        avail = X1 - X0
        items = []
        for f in fields:
            if f.options_from:
                items.append(("slots", f))
                continue
            label_w = text_width_mm(f.label, LABEL_PT) + 2.5
            widths = [self.option_width(o.label) for o in f.options]
            items.append(("choice", f, label_w, widths))
        rows: list[list[tuple]] = []
        cur: list[tuple] = []
        cur_w = 0.0
        for it in items:
            if it[0] == "slots":
                if cur:
                    rows.append(cur)
                rows.append([it])
                cur, cur_w = [], 0.0
                continue
            _, f, label_w, widths = it
            w = label_w + sum(widths) - OPT_GAP
            if cur and cur_w + FIELD_GAP + w <= avail:
                cur.append(it)
                cur_w += FIELD_GAP + w
            else:
                if cur:
                    rows.append(cur)
                cur, cur_w = [it], w
        if cur:
            rows.append(cur)
        # Align the first option column of every row on one vertical line where it still fits:
        # a ruled column is quicker to scan for a hurried hand than ragged rows.
        leads = [row[0][2] for row in rows if row[0][0] == "choice"]
        lead = min(max(leads), 48.0) if leads else 0.0
        blocks = []
        for row in rows:
            if row[0][0] == "slots":
                blocks.append(self.slot_block(row[0][1], lead))
                continue
            kind, f, label_w, widths = row[0]
            aligned = [(kind, f, max(label_w, lead), widths), *row[1:]]
            total = sum(it[2] + sum(it[3]) - OPT_GAP for it in aligned) + FIELD_GAP * (len(aligned) - 1)
            blocks.append(self.choice_row_block(aligned if total <= avail else row, avail))
        return blocks

    def choice_row_block(self, row: list[tuple], avail: float) -> Block:
        # lines needed: only a lone field may wrap
        lines_needed = 1
        wrap_at: list[list[int]] = []
        if len(row) == 1:
            _, f, label_w, widths = row[0]
            lines: list[list[int]] = [[]]
            x = label_w
            for i, w in enumerate(widths):
                if lines[-1] and x + w - OPT_GAP > avail:
                    lines.append([])
                    x = label_w
                lines[-1].append(i)
                x += w
            wrap_at = lines
            lines_needed = len(lines)
        height = ROW * lines_needed

        def emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
            st: list[Op] = []
            flds: list[dict] = []
            x = X0
            for it in row:
                _, f, label_w, widths = it
                st.append(op("text", x=x, y=y + 1.5 + BOX / 2 + 1.1, text=f.label, size=LABEL_PT, bold=False))
                opts = []
                line_sets = wrap_at if len(row) == 1 else [list(range(len(widths)))]
                for li, idxs in enumerate(line_sets):
                    ox = x + label_w
                    by = y + 1.5 + li * ROW
                    for i in idxs:
                        o = f.options[i]
                        box = rect(ox, by, BOX, BOX)
                        st.append(op("box", rect=box))
                        st.append(op("text", x=ox + BOX + OPT_PAD, y=by + BOX / 2 + 1.1, text=o.label,
                                     size=LABEL_PT))
                        opts.append({"value": o.value, "label": o.label, "rect_mm": box})
                        ox += widths[i]
                flds.append({"id": f.id, "kind": f.kind, "page": 0, "label": f.label,
                             "required": f.required, "options": opts})
                x += label_w + sum(widths) - OPT_GAP + FIELD_GAP
            return st, [], flds
        return Block(height, 0, emit)

    def slot_block(self, f: Field, lead: float = 0.0) -> Block:
        """Per-form options (delmål): fixed slots, two columns; only bound slots are printed."""
        label_w = max(text_width_mm(f.label, LABEL_PT) + 2.5, lead)
        cols = 2
        rows_n = (f.slots + cols - 1) // cols
        col_w = (X1 - X0 - label_w) / cols

        def emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
            st = [op("text", x=X0, y=y + 1.5 + BOX / 2 + 1.1, text=f.label, size=LABEL_PT)]
            dyn: list[Op] = []
            opts = []
            for i in range(f.slots):
                c, rr = i // rows_n, i % rows_n
                bx = X0 + label_w + c * col_w
                by = y + 1.5 + rr * ROW
                box = rect(bx, by, BOX, BOX)
                opts.append({"value": f"slot{i + 1}", "label": f"slot {i + 1}", "rect_mm": box})
                dyn.append(op("slot", field=f.id, index=i, rect=box, label_x=r(bx + BOX + OPT_PAD),
                              label_y=r(by + BOX / 2 + 1.1), label_w=r(col_w - BOX - OPT_PAD - OPT_GAP)))
            dyn.append(op("slots_empty", field=f.id, x=r(X0 + label_w), y=r(y + 1.5 + BOX / 2 + 1.1),
                          text=f.empty_text))
            flds = [{"id": f.id, "kind": f.kind, "page": 0, "label": f.label, "required": f.required,
                     "options": opts}]
            return st, dyn, flds
        return Block(ROW * rows_n, 0, emit)

    def text_blocks(self, fields: list[Field]) -> list[Block]:
        """Writing areas; consecutive ones share a row while their widths (of 3 columns) fit."""
        rows: list[list[Field]] = []
        used = 3
        for f in fields:
            w = f.width if f.width else 3
            if used + w > 3 or not rows:
                rows.append([])
                used = 0
            rows[-1].append(f)
            used += w
        blocks = []
        for row in rows:
            lines = max(f.lines for f in row)
            h = TEXT_LABEL_H + lines * TEXT_LINE + 1.0
            grow = max(f.grow for f in row)

            def emit(y: float, extra: float, row: list[Field] = row, h: float = h) -> tuple:
                st: list[Op] = []
                dyn: list[Op] = []
                flds: list[dict] = []
                total = sum(f.width for f in row)
                gap = 4.0
                avail = X1 - X0 - gap * (len(row) - 1)
                x = X0
                hh = h + extra
                for f in row:
                    w = avail * f.width / total
                    area = rect(x, y, w, hh - 1.5)
                    st.append(op("frame", rect=area, width=0.35, grey=0.35))
                    st.append(op("text", x=x + 1.2, y=y + 2.8, text=f.label, size=SMALL_PT + 0.5, grey=0.25))
                    if f.source:
                        dyn.append(op("prefill", field=f.id, source=f.source,
                                      rect=rect(x + 1.2, y + TEXT_LABEL_H, w - 2.4, hh - 1.5 - TEXT_LABEL_H)))
                    flds.append({"id": f.id, "kind": "text", "page": 0, "label": f.label, "rect_mm": area,
                                 "label_band_mm": 3.6})
                    x += w + gap
                return st, dyn, flds
            blocks.append(Block(h + 1.5, grow, emit))
        return blocks

    # ---------------------------------------------------------------- rated grid
    def grid_blocks(self, s: Section) -> list[Block]:
        scale = self.layout.scales[s.scale or ""]
        n = len(scale.options)
        label_w = min(max(text_width_mm(f.label, LABEL_PT, bold=f.emphasis) for f in s.fields) + 3, 78.0)
        pitch = (X1 - X0 - label_w) / n
        if pitch < BOX + MIN_GAP:
            raise self.fail(f"grid '{s.id}' has {n} columns: they do not fit across the page")
        heads = [o.short or o.label for o in scale.options]
        head_lines = [wrap_text(h, pitch - 1.0, SMALL_PT) for h in heads]
        head_h = 3.0 * max(len(h) for h in head_lines) + 1.5
        band_h = 4.0 if scale.bands else 0.0
        legend = [o for o in scale.options if o.help]

        def header_emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
            st: list[Op] = []
            gx = X0 + label_w
            if scale.bands:
                values = [o.value for o in scale.options]
                for b in scale.bands:
                    idx = [values.index(v) for v in b["values"]]
                    bx0 = gx + min(idx) * pitch + 0.8
                    bx1 = gx + (max(idx) + 1) * pitch - 0.8
                    st.append(op("fill", rect=rect(bx0, y + 0.2, bx1 - bx0, 3.4), grey=0.88))
                    st.append(op("text", x=(bx0 + bx1) / 2, y=y + 2.7, text=b["label"], size=SMALL_PT,
                                 align="center", bold=True))
            for i, lines in enumerate(head_lines):
                cx = gx + i * pitch + pitch / 2
                top = y + band_h + head_h - 1.2 - 3.0 * (len(lines) - 1)
                for j, t in enumerate(lines):
                    st.append(op("text", x=cx, y=top + 3.0 * j, text=t, size=SMALL_PT, align="center",
                                 bold=len(t) <= 2))
            return st, [], []

        blocks = [Block(band_h + head_h, 0, header_emit, keep_with_next=True)]
        for k, f in enumerate(s.fields):
            def emit(y: float, extra: float, f: Field = f, k: int = k) -> tuple:
                st: list[Op] = []
                if k % 2 == 0:
                    st.append(op("fill", rect=rect(X0, y, X1 - X0, ROW), grey=0.94))
                lines = wrap_text(f.label, label_w - 2, LABEL_PT, bold=f.emphasis)
                if len(lines) == 1:
                    st.append(op("text", x=X0 + 1.0, y=y + ROW / 2 + 1.1, text=f.label, size=LABEL_PT,
                                 bold=f.emphasis))
                else:
                    for j, t in enumerate(lines[:2]):
                        st.append(op("text", x=X0 + 1.0, y=y + 3.3 + 3.2 * j, text=t, size=LABEL_PT - 0.8,
                                     bold=f.emphasis))
                opts = []
                for i, o in enumerate(scale.options):
                    bx = X0 + label_w + i * pitch + (pitch - BOX) / 2
                    box = rect(bx, y + (ROW - BOX) / 2, BOX, BOX)
                    st.append(op("box", rect=box))
                    opts.append({"value": o.value, "label": o.label, "rect_mm": box})
                fd = {"id": f.id, "kind": "single", "page": 0, "label": f.label, "required": f.required,
                      "options": opts}
                return st, [], [fd]
            blocks.append(Block(ROW, 0, emit))
        if s.note or legend:
            texts: list[tuple[str, bool]] = []
            for o in legend:
                texts.append((f"{o.label}: {o.help}", False))
            if s.note:
                texts.append((s.note, True))

            def legend_emit(y: float, extra: float) -> tuple[list[Op], list[Op], list[dict]]:
                st: list[Op] = []
                yy = y + 3.4
                for t, bold in texts:
                    for line in wrap_text(t, X1 - X0, SMALL_PT, bold=bold):
                        st.append(op("text", x=X0, y=yy, text=line, size=SMALL_PT, grey=0.2, bold=bold))
                        yy += 2.9
                return st, [], []
            nlines = sum(len(wrap_text(t, X1 - X0, SMALL_PT, bold=b)) for t, b in texts)
            blocks.append(Block(1.6 + 2.9 * nlines, 0, legend_emit))
        return blocks


def build_geometry(layout: Layout) -> Geometry:
    """Paginate the layout's blocks, grow writing areas into spare space, and emit the plan."""
    b = _Builder(layout)
    sections: list[tuple[Section, list[Block]]] = [(s, b.section_blocks(s)) for s in layout.sections]
    pages: list[list[Block]] = [[]]
    y = TOP
    for s, blocks in sections:
        h = sum(bl.height for bl in blocks)
        if pages[-1] and (s.new_page or (y + h > BOTTOM and h <= BOTTOM - TOP)):
            pages.append([])
            y = TOP
        for i, bl in enumerate(blocks):
            need = bl.height + (blocks[i + 1].height if bl.keep_with_next and i + 1 < len(blocks) else 0)
            if y + need > BOTTOM and pages[-1]:
                pages.append([])
                y = TOP
            pages[-1].append(bl)
            y += bl.height
    if len(pages) > layout.max_pages:
        raise LayoutError(layout.source, f"the content does not fit on {layout.max_pages} page(s) "
                          f"(it needs {len(pages)}); shorten labels, reduce 'lines' or raise 'max_pages'")
    plans: list[PagePlan] = []
    fields: list[dict[str, Any]] = []
    for pno, blocks in enumerate(pages, start=1):
        used = sum(bl.height for bl in blocks)
        spare = max(0.0, BOTTOM - TOP - used)
        grow_total = sum(bl.grow for bl in blocks)
        plan = PagePlan()
        y = TOP
        for bl in blocks:
            extra = spare * bl.grow / grow_total if grow_total else 0.0
            st, dyn, flds = bl.emit(y, extra)
            plan.static += st
            plan.dynamic += dyn
            for fd in flds:
                fd["page"] = pno
                fields.append(fd)
            y += bl.height + extra
        plans.append(plan)
    geom = Geometry(layout, plans, fields)
    check_geometry(geom.core(), layout.source)
    return geom


def check_geometry(core: dict[str, Any], source: str = "layout") -> None:
    """The paper rules every form must keep; a violation is a layout error, never a silent misprint."""
    keepouts = [(m["rect_mm"], 2.5, f"marker {m['id']}") for m in core["markers"]]
    qx, qy, qw, qh = core["qr"]["rect_mm"]
    keepouts.append(([qx, qy, qw, qh], QR_QUIET, "QR code"))
    per_page: dict[int, list[tuple[list[float], str]]] = {}
    for f in core["fields"]:
        rects = [(o["rect_mm"], f"{f['id']}={o['value']}") for o in f.get("options", [])]
        if f["kind"] == "text":
            rects = [(f["rect_mm"], f["id"])]
        for rc, name in rects:
            x, y, w, h = rc
            if x < EDGE or y < EDGE or x + w > PAGE_W - EDGE or y + h > PAGE_H - EDGE:
                raise LayoutError(source, f"box {name} is within {EDGE:g} mm of the paper edge", f["id"])
            if f["kind"] != "text" and (w < BOX - 1e-6 or h < BOX - 1e-6):
                raise LayoutError(source, f"box {name} is smaller than {BOX:g} mm", f["id"])
            for krect, margin, what in keepouts:
                if _overlap(rc, krect, margin):
                    raise LayoutError(source, f"box {name} is too close to the {what}", f["id"])
            per_page.setdefault(f["page"], []).append((rc, name))
    for items in per_page.values():
        boxes = [(rc, n) for rc, n in items]
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                (a, na), (b2, nb) = boxes[i], boxes[j]
                is_box = a[2] <= 6 and b2[2] <= 6
                if _overlap(a, b2, MIN_GAP - 0.01 if is_box else -0.01):
                    raise LayoutError(source, f"boxes {na} and {nb} overlap or are closer than {MIN_GAP:g} mm")


def _overlap(a: list[float], b: list[float], margin: float) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return not (ax + aw + margin <= bx or bx + bw + margin <= ax or ay + ah + margin <= by or by + bh + margin <= ay)
