"""XLSX export: one sheet per layout (same table as the CSV), pending cells highlighted, and a Codebook."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from outputs.filters import Filters
from outputs.i18n import t
from outputs.layouts import as_index
from outputs.paths import writable_path, write_bytes
from outputs.records import Record
from outputs.table import CODEBOOK_HEADER, Table, build_tables, cell

PENDING_FILL = PatternFill("solid", fgColor="FFE08A")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_FONT = Font(bold=True)
INT_COLUMNS = {"layout_version", "encounter"}


def _sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: ≤ 31 chars, no []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    base, i = clean, 2
    while clean in used or clean == "Codebook":
        clean = f"{base[:28]}-{i}"
        i += 1
    used.add(clean)
    return clean


def _typed(name: str, text: str, pending: bool) -> object:
    """Integers and dates as real cells so sorting/filtering in Excel works; pending stays text."""
    if pending or text == "":
        return text
    if name in INT_COLUMNS and text.lstrip("-").isdigit():
        return int(text)
    if name == "date":
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
    return text


def _fit_widths(ws, rows: list[list[str]], header: list[str], cap: int = 40) -> None:
    for i, h in enumerate(header, start=1):
        longest = max([len(h)] + [len(str(r[i - 1])) for r in rows])
        ws.column_dimensions[get_column_letter(i)].width = min(cap, max(8, longest + 2))


def _write_table(ws, tb: Table) -> None:
    header = [c.name for c in tb.columns]
    ws.append(header)
    for i, c in enumerate(tb.columns, start=1):
        h = ws.cell(row=1, column=i)
        h.font, h.fill = HEADER_FONT, HEADER_FILL
        h.comment = Comment(c.label, "formkit")
    note = t(tb.language, "pending")
    for r_i, rec in enumerate(tb.records, start=2):
        for c_i, col in enumerate(tb.columns, start=1):
            text, pending = cell(rec, col)
            xc = ws.cell(row=r_i, column=c_i, value=_typed(col.name, text, pending))
            if col.name == "date" and isinstance(xc.value, dt.date):
                xc.number_format = "yyyy-mm-dd"
            if pending:
                xc.fill = PENDING_FILL
                xc.comment = Comment(note, "formkit")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    _fit_widths(ws, tb.rows(), header)


def _write_codebook(ws, tables: list[Table]) -> None:
    header = ["layout"] + CODEBOOK_HEADER
    ws.append(header)
    rows = []
    for tb in tables:
        for row in tb.codebook():
            rows.append([tb.layout] + row)
            ws.append([tb.layout] + row)
    for i in range(1, len(header) + 1):
        ws.cell(row=1, column=i).font = HEADER_FONT
        ws.cell(row=1, column=i).fill = HEADER_FILL
    for row in ws.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    _fit_widths(ws, rows, header, cap=60)


def export_xlsx(records: list[Record], layouts, out_path: Path | str, *, trainee_id: str | None = None,
                date_from: dt.date | str | None = None, date_to: dt.date | str | None = None) -> Path:
    """Write one workbook: a sheet per layout id, then `Codebook` (with a leading `layout` column)."""
    out = writable_path(out_path)
    selected = Filters.of(trainee_id, date_from, date_to).select_for_export(records)
    tables = build_tables(selected, as_index(layouts))
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for tb in tables:
        _write_table(wb.create_sheet(_sheet_title(tb.layout, used)), tb)
    _write_codebook(wb.create_sheet("Codebook"), tables)
    buf = io.BytesIO()
    wb.save(buf)
    return write_bytes(out, buf.getvalue())
