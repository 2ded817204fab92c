"""JSON export: the records exactly as in the contract, only filtered."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from outputs.filters import Filters
from outputs.paths import writable_path, write_text
from outputs.records import Record


def export_json(records: list[Record], out_path: Path | str, *, trainee_id: str | None = None,
                date_from: dt.date | str | None = None, date_to: dt.date | str | None = None) -> Path:
    """Write the selected records as a JSON list (UTF-8, unchanged objects, input order kept)."""
    out = writable_path(out_path)
    selected = Filters.of(trainee_id, date_from, date_to).select_for_export(records)
    return write_text(out, json.dumps(selected, ensure_ascii=False, indent=2) + "\n")
