"""Selecting records by trainee and date range — the same rules for every export and report."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from outputs.errors import NothingSelectedError, UnknownTraineeError
from outputs.records import Record, record_date


def to_date(value: dt.date | str | None) -> dt.date | None:
    """Accept a date, an ISO string or None (CLI arguments arrive as strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Filters:
    """Trainee id and an inclusive date range on the record's `date`.

    A record without a date is kept only when no date bound is set: we cannot tell whether it is in range.
    """

    trainee_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def of(cls, trainee_id: str | None = None, date_from: dt.date | str | None = None,
           date_to: dt.date | str | None = None) -> Filters:
        return cls(trainee_id or None, to_date(date_from), to_date(date_to))

    def matches(self, record: Record) -> bool:
        if self.trainee_id is not None and str(record.get("trainee_id")) != self.trainee_id:
            return False
        if self.date_from is None and self.date_to is None:
            return True
        d = record_date(record)
        if d is None:
            return False
        if self.date_from is not None and d < self.date_from:
            return False
        return not (self.date_to is not None and d > self.date_to)

    def apply(self, records: Iterable[Record]) -> list[Record]:
        return [r for r in records if self.matches(r)]

    def describe(self) -> str:
        parts = []
        if self.trainee_id:
            parts.append(f"trainee {self.trainee_id}")
        if self.date_from and self.date_to:
            parts.append(f"dates {self.date_from.isoformat()} to {self.date_to.isoformat()}")
        elif self.date_from:
            parts.append(f"dates from {self.date_from.isoformat()}")
        elif self.date_to:
            parts.append(f"dates up to {self.date_to.isoformat()}")
        return " and ".join(parts) if parts else "the selection"

    def select_for_export(self, records: list[Record]) -> list[Record]:
        """Filter, raising a specific error when nothing is left (exports must not write empty files)."""
        known = {str(r.get("trainee_id")) for r in records}
        if self.trainee_id is not None and self.trainee_id not in known:
            raise UnknownTraineeError(self.trainee_id)
        selected = self.apply(records)
        if not selected:
            raise NothingSelectedError(self.describe())
        return selected
