"""Reading values out of records (the JSON export contract) without trusting pending ones."""
from __future__ import annotations

import datetime as dt
from typing import Any

Record = dict[str, Any]

STATUS_ORDER = ("complete", "needs_review", "incomplete")


def record_date(record: Record) -> dt.date | None:
    """The encounter date (`date`), else the scan date; None when neither parses."""
    for key in ("date", "scanned_at"):
        raw = record.get(key)
        if raw:
            try:
                return dt.date.fromisoformat(str(raw)[:10])
            except ValueError:
                continue
    return None


def pending_fields(record: Record) -> list[str]:
    """Field ids whose value is not trusted (listed in `review`)."""
    return [str(f) for f in record.get("review") or []]


def is_pending(record: Record, field_id: str) -> bool:
    return field_id in set(pending_fields(record))


def value(record: Record, field_id: str) -> Any:
    """The stored value (may be a pending candidate; check `is_pending`)."""
    return (record.get("values") or {}).get(field_id)


def trusted_value(record: Record, field_id: str) -> Any:
    """The value if it is not pending, else None: statistics use only trusted values."""
    return None if is_pending(record, field_id) else value(record, field_id)


def sort_key(record: Record) -> tuple[str, int, str]:
    """Chronological order: date, then encounter number, then form id (stable for same-day forms)."""
    d = record_date(record)
    enc = record.get("encounter")
    return (d.isoformat() if d else "9999-99-99", int(enc) if isinstance(enc, int) else 0,
            str(record.get("form_id", "")))


def chronological(records: list[Record]) -> list[Record]:
    return sorted(records, key=sort_key)


def setting_key(record: Record, setting_label: str | None = None) -> str:
    """Group key for 'same clinical setting': the planned setting text, else the ticked setting's label."""
    planned = (record.get("planned_setting") or "").strip()
    if planned:
        return planned
    return setting_label or ""
