"""Read the coordinator's CSV files (roster, plan) strictly, with errors that name file and line.

Nordic spreadsheet programs often save CSV with ';' — the delimiter is detected from the header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from formkit.errors import CsvError

REGULATIONS = ("SOSFS 2015:8", "HSLF-FS 2021:8")


def read_csv(path: Path, required: list[str], optional: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows as dicts keyed by lower-case header (line number kept for error messages)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CsvError(str(path), f"cannot read the file: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CsvError(str(path), f"the file is not UTF-8 text (bad byte at position {e.start}). Save it "
                       "as 'CSV UTF-8' in your spreadsheet program and try again.") from None
    if not text.strip():
        raise CsvError(str(path), "the file is empty")
    first = text.splitlines()[0]
    delim = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvError(str(path), f"missing column(s): {', '.join(missing)}. The header must contain "
                       f"{','.join(required)} (optional: {','.join(optional) or 'none'}); found: {','.join(header)}",
                       line=1)
    dup = {h for h in header if h and header.count(h) > 1}
    if dup:
        raise CsvError(str(path), f"column(s) appear twice: {', '.join(sorted(dup))}", line=1)
    rows = []
    for rec in reader:
        line = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(header):
            raise CsvError(str(path), f"{len(rec)} values but the header has {len(header)} columns", line)
        rec = rec + [""] * (len(header) - len(rec))
        rows.append((line, {h: v.strip() for h, v in zip(header, rec, strict=True) if h}))
    if not rows:
        raise CsvError(str(path), "the file has a header but no rows")
    return rows


@dataclass(frozen=True)
class RosterRow:
    id: str
    name: str
    programme: str | None
    regulation: str | None
    extra: dict[str, str]


def read_roster(path: Path) -> list[RosterRow]:
    rows = read_csv(path, ["id", "name"], ["programme", "regulation"])
    out: list[RosterRow] = []
    seen: dict[str, int] = {}
    for line, r in rows:
        tid, name = r["id"], r["name"]
        if not tid:
            raise CsvError(str(path), "empty id", line)
        if not name:
            raise CsvError(str(path), f"trainee '{tid}' has no name", line)
        if tid in seen:
            raise CsvError(str(path), f"duplicate id '{tid}' (also on line {seen[tid]})", line)
        seen[tid] = line
        reg = r.get("regulation") or None
        if reg and reg not in REGULATIONS:
            raise CsvError(str(path), f"unknown regulation '{reg}' for '{tid}' (use {' or '.join(REGULATIONS)})",
                           line)
        extra = {k: v for k, v in r.items() if k not in ("id", "name", "programme", "regulation")}
        out.append(RosterRow(tid, name, r.get("programme") or None, reg, extra))
    return out


@dataclass(frozen=True)
class PlanRow:
    line: int
    trainee_id: str
    setting: str | None
    assessor: str | None
    date: str | None
    department: str | None
    subgoals: list[str]


def read_plan(path: Path) -> list[PlanRow]:
    rows = read_csv(path, ["trainee_id"], ["setting", "assessor", "date", "subgoals", "department"])
    out = []
    for line, r in rows:
        if not r["trainee_id"]:
            raise CsvError(str(path), "empty trainee_id", line)
        d = r.get("date") or None
        if d:
            try:
                d = date.fromisoformat(d).isoformat()
            except ValueError:
                raise CsvError(str(path), f"date '{d}' is not an ISO date (YYYY-MM-DD)", line) from None
        subgoals = [s.strip() for s in (r.get("subgoals") or "").replace(",", ";").split(";") if s.strip()]
        out.append(PlanRow(line, r["trainee_id"], r.get("setting") or None, r.get("assessor") or None, d,
                           r.get("department") or None, subgoals))
    return out
