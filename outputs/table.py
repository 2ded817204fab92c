"""The flat table shared by the CSV and XLSX exports: one row per form, one column per field.

Conventions (documented in outputs/README.md):
- multi-choice values are joined with `;` in option order as stored;
- text areas show `present` when the area holds writing, else empty (the writing itself is an image);
- a pending value (field listed in the record's `review`) is shown as `?` followed by the machine's
  best candidate (`?5`, `?history;diagnosis`, or just `?` when there is no candidate). Never final.
- the trailing `review_pending` column lists the pending field ids, `;`-joined.
- then `fields_missing`: the field ids on a page of the form not scanned (or not identified) yet,
  `;`-joined; their cells are empty because nothing was read, not because nothing was marked.
- a field whose id equals a fixed column name (e.g. a handwritten `date`) gets the column `<id>_field`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from outputs.i18n import t
from outputs.layouts import Field, Layout, LayoutIndex
from outputs.records import Record, chronological, is_pending, value

FIXED_COLUMNS = ("form_id", "layout", "layout_version", "trainee_id", "trainee_name", "encounter", "date",
                 "assessor", "planned_setting", "status")
FIXED_TYPES = {"layout_version": "integer", "encounter": "integer", "date": "date", "status": "status"}
PENDING_MARK = "?"
MULTI_SEP = ";"
TRAILING_COLUMNS = ("review_pending", "fields_missing")
TEXT_PRESENT = "present"


@dataclass
class Column:
    """A column of the export table, with what the codebook says about it."""

    name: str
    label: str
    type: str
    allowed_values: str
    field: Field | None = None


def _field_type(f: Field) -> str:
    if f.kind == "multi":
        return "multi"
    if f.kind == "text":
        return "text"
    if f.scale is not None or f.scale_type == "ordinal":
        return "ordinal"
    return "nominal"


def _allowed(f: Field) -> str:
    if f.kind == "text":
        return f"{TEXT_PRESENT} | (empty)"
    if f.options_from:
        return f"codes printed on the form ({f.options_from})"
    return " | ".join(f"{o['value']}: {o.get('label', o['value'])}" for o in f.options)


def columns_for(layouts: list[Layout]) -> list[Column]:
    """Columns for one layout id, the union over its versions (newest version's order and labels first)."""
    newest = sorted(layouts, key=lambda lay: lay.version, reverse=True)
    lang = newest[0].language
    cols = [Column(c, t(lang, f"col.{c}"), FIXED_TYPES.get(c, "string"),
                   "complete | needs_review | incomplete" if c == "status" else "") for c in FIXED_COLUMNS]
    seen: set[str] = set()
    for lay in newest:
        for f in lay.fields:
            if f.id in seen:
                continue
            seen.add(f.id)
            name = f"{f.id}_field" if f.id in FIXED_COLUMNS or f.id in TRAILING_COLUMNS else f.id
            cols.append(Column(name, f.label, _field_type(f), _allowed(f), f))
    cols.append(Column("review_pending", t(lang, "col.review_pending"), "field ids",
                       f"field ids joined with '{MULTI_SEP}'; their cells start with '{PENDING_MARK}'"))
    cols.append(Column("fields_missing", t(lang, "col.fields_missing"), "field ids",
                       f"field ids joined with '{MULTI_SEP}'; on a page not scanned yet: their cells are empty, "
                       "unknown rather than unanswered"))
    return cols


def cell(record: Record, col: Column) -> tuple[str, bool]:
    """The cell text and whether it is pending."""
    if col.field is None:
        if col.name == "review_pending":
            return MULTI_SEP.join(str(x) for x in record.get("review") or []), False
        if col.name == "fields_missing":
            return MULTI_SEP.join(str(x) for x in record.get("missing") or []), False
        v = record.get(col.name)
        return ("" if v is None else str(v)), False
    f = col.field
    v = value(record, f.id)
    if f.kind == "multi":
        text = MULTI_SEP.join(str(x) for x in (v or []))
    elif f.kind == "text":
        text = TEXT_PRESENT if v else ""
    else:
        text = "" if v is None else str(v)
    if is_pending(record, f.id):
        return PENDING_MARK + text, True
    return text, False


@dataclass
class Table:
    """One export table (one layout id)."""

    layout: str
    language: str
    columns: list[Column]
    records: list[Record]

    def rows(self) -> list[list[str]]:
        return [[cell(r, c)[0] for c in self.columns] for r in self.records]

    def codebook(self) -> list[list[str]]:
        """Rows `column,label,type,allowed_values,language`."""
        return [[c.name, c.label, c.type, c.allowed_values, self.language] for c in self.columns]


CODEBOOK_HEADER = ["column", "label", "type", "allowed_values", "language"]


def build_tables(records: list[Record], index: LayoutIndex) -> list[Table]:
    """Group records by layout id (versions share a table: `layout_version` tells them apart)."""
    by_layout: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        lay = index.for_record(r)
        by_layout[lay.layout].append(r)
    tables = []
    for layout_id in sorted(by_layout):
        versions = index.versions_of(layout_id)
        cols = columns_for(versions)
        tables.append(Table(layout_id, versions[-1].language, cols, chronological(by_layout[layout_id])))
    return tables
