"""CSV export: one file per layout plus a codebook per file.

File names: with records of one layout, the table goes to `out_path` itself; with several layouts each
goes to `<stem>-<layout><suffix>`. Each table's codebook goes next to it as `<table stem>-codebook.csv`.
UTF-8 with BOM so Excel on Windows shows æøå/åäö correctly; comma separator, RFC 4180 quoting.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from outputs.filters import Filters
from outputs.layouts import as_index
from outputs.paths import writable_path, write_bytes
from outputs.records import Record
from outputs.table import CODEBOOK_HEADER, Table, build_tables


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def table_paths(out_path: Path, tables: list[Table]) -> list[Path]:
    if len(tables) == 1:
        return [out_path]
    return [out_path.with_name(f"{out_path.stem}-{tb.layout}{out_path.suffix or '.csv'}") for tb in tables]


def codebook_path(table_path: Path) -> Path:
    return table_path.with_name(f"{table_path.stem}-codebook.csv")


def export_csv(records: list[Record], layouts, out_path: Path | str, *, trainee_id: str | None = None,
               date_from: dt.date | str | None = None, date_to: dt.date | str | None = None) -> list[Path]:
    """Write the CSV table(s) and codebook(s); return every path written (tables first, then codebooks)."""
    out = writable_path(out_path)
    selected = Filters.of(trainee_id, date_from, date_to).select_for_export(records)
    tables = build_tables(selected, as_index(layouts))
    paths = table_paths(out, tables)
    for p in paths:
        writable_path(p)
        writable_path(codebook_path(p))
    written: list[Path] = []
    for tb, p in zip(tables, paths, strict=True):
        written.append(write_bytes(p, _csv_bytes([c.name for c in tb.columns], tb.rows())))
    for tb, p in zip(tables, paths, strict=True):
        written.append(write_bytes(codebook_path(p), _csv_bytes(CODEBOOK_HEADER, tb.codebook())))
    return written
