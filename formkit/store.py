"""The workspace database (SQLite): issued forms, layout geometry, scanned pages, values, audit.

One file, WAL mode, every multi-row change in one transaction, so an interrupted command leaves
the store as it was before the change or after it, never in between.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from formkit import SCHEMA_VERSION, __version__
from formkit.errors import WorkspaceError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS layout_versions(
  layout TEXT NOT NULL, version INTEGER NOT NULL, geometry_hash TEXT NOT NULL,
  geometry_json TEXT NOT NULL, source_yaml TEXT NOT NULL, registered_at TEXT NOT NULL,
  PRIMARY KEY(layout, version));

CREATE TABLE IF NOT EXISTS trainees(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, programme TEXT, regulation TEXT,
  extra_json TEXT NOT NULL DEFAULT '{}', updated_at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS batches(
  id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, layout TEXT NOT NULL, version INTEGER NOT NULL,
  source TEXT, form_count INTEGER NOT NULL, output TEXT);

CREATE TABLE IF NOT EXISTS forms(
  form_id TEXT PRIMARY KEY, layout TEXT NOT NULL, version INTEGER NOT NULL, geometry_hash TEXT NOT NULL,
  trainee_id TEXT NOT NULL REFERENCES trainees(id), encounter INTEGER NOT NULL,
  setting TEXT, assessor TEXT, planned_date TEXT, department TEXT,
  subgoals_json TEXT NOT NULL DEFAULT '[]', batch_id INTEGER REFERENCES batches(id),
  issued_at TEXT NOT NULL, print_json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'issued',
  UNIQUE(trainee_id, encounter),
  FOREIGN KEY(layout, version) REFERENCES layout_versions(layout, version));
CREATE INDEX IF NOT EXISTS forms_trainee ON forms(trainee_id);

CREATE TABLE IF NOT EXISTS files(
  sha256 TEXT PRIMARY KEY, original_name TEXT NOT NULL, archived_path TEXT NOT NULL,
  size INTEGER NOT NULL, first_seen TEXT NOT NULL, state TEXT NOT NULL, reason TEXT,
  page_count INTEGER);

CREATE TABLE IF NOT EXISTS pages(
  page_id INTEGER PRIMARY KEY, file_sha256 TEXT NOT NULL REFERENCES files(sha256),
  page_index INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT,
  form_id TEXT REFERENCES forms(form_id), page_no INTEGER, image_path TEXT,
  orientation INTEGER, decoder TEXT, fingerprint TEXT, reading_json TEXT,
  duplicate_of INTEGER REFERENCES pages(page_id), created_at TEXT NOT NULL,
  assigned_by TEXT, assigned_at TEXT,
  UNIQUE(file_sha256, page_index));
CREATE INDEX IF NOT EXISTS pages_form ON pages(form_id, page_no);
CREATE INDEX IF NOT EXISTS pages_state ON pages(state);

CREATE TABLE IF NOT EXISTS field_values(
  form_id TEXT NOT NULL REFERENCES forms(form_id), field_id TEXT NOT NULL,
  value_json TEXT, status TEXT NOT NULL, reason TEXT, confidence REAL,
  page_id INTEGER REFERENCES pages(page_id), evidence_json TEXT, crop_path TEXT,
  decided_by TEXT, decided_at TEXT,
  PRIMARY KEY(form_id, field_id));
CREATE INDEX IF NOT EXISTS values_status ON field_values(status);

CREATE TABLE IF NOT EXISTS audit(
  id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  form_id TEXT, field_id TEXT, page_id INTEGER, old_json TEXT, new_json TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS audit_form ON audit(form_id);

CREATE TABLE IF NOT EXISTS scan_runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, args_json TEXT,
  summary_json TEXT);
"""


PAGE_STATES = ("recognised", "needs_review", "blank", "duplicate", "conflict", "unidentified", "rejected")
"""Every scanned page ends in exactly one of these (`formkit scan`, `formkit pages`)."""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Store:
    """Thin, explicit access to the workspace database; SQL stays in this module and its callers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        except sqlite3.Error as e:
            raise WorkspaceError(f"cannot open the workspace database {path}: {e}") from None
        self.db.row_factory = sqlite3.Row
        self._pages: dict[tuple[str, int], int] = {}
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")

    @classmethod
    def create(cls, path: Path, workspace_id: str) -> Store:
        s = cls(path)
        s.db.executescript(SCHEMA)
        with s.transaction():
            for k, v in {"schema_version": str(SCHEMA_VERSION), "formkit_version": __version__,
                         "workspace_id": workspace_id, "created_at": now_iso()}.items():
                s.db.execute("INSERT OR REPLACE INTO meta VALUES(?,?)", (k, v))
        return s

    @classmethod
    def open(cls, path: Path) -> Store:
        if not path.exists():
            raise WorkspaceError(f"the workspace database {path} is missing")
        s = cls(path)
        try:
            version = int(s.meta("schema_version") or 0)
        except sqlite3.DatabaseError as e:
            raise WorkspaceError(f"{path} is not a formkit database ({e})") from None
        if version > SCHEMA_VERSION:
            made_by = s.meta("formkit_version")
            raise WorkspaceError(
                f"this workspace was made by a newer formkit ({made_by}, schema {version}); this is "
                f"formkit {__version__} (schema {SCHEMA_VERSION}). Upgrade formkit before using it.")
        s.db.executescript(SCHEMA)  # idempotent: adds tables a newer minor release introduced
        return s

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (including KeyboardInterrupt)."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # ------------------------------------------------------------------ meta
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ layouts
    def layout_version(self, layout: str, version: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM layout_versions WHERE layout=? AND version=?",
                               (layout, version)).fetchone()

    def geometry(self, layout: str, version: int) -> dict[str, Any] | None:
        row = self.layout_version(layout, version)
        return json.loads(row["geometry_json"]) if row else None

    def layout_pages(self, layout: str, version: int) -> int | None:
        """Page count of a layout version; cached, since a stored version never changes (per-page hot path)."""
        key = (layout, version)
        if key not in self._pages:
            row = self.db.execute("SELECT json_extract(geometry_json, '$.pages') FROM layout_versions "
                                  "WHERE layout=? AND version=?", key).fetchone()
            if row is None or row[0] is None:
                return None
            self._pages[key] = int(row[0])
        return self._pages[key]

    def register_layout_version(self, layout: str, version: int, geometry_hash: str,
                                geometry: dict[str, Any], source_yaml: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO layout_versions VALUES(?,?,?,?,?,?)",
            (layout, version, geometry_hash, json.dumps(geometry, ensure_ascii=False), source_yaml, now_iso()))

    # ------------------------------------------------------------------ trainees
    def trainee(self, trainee_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM trainees WHERE id=?", (trainee_id,)).fetchone()

    def trainees(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM trainees ORDER BY id").fetchall()

    def upsert_trainee(self, tid: str, name: str, programme: str | None, regulation: str | None,
                       extra: dict[str, str]) -> str:
        old = self.trainee(tid)
        self.db.execute(
            "INSERT INTO trainees VALUES(?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, "
            "programme=excluded.programme, regulation=excluded.regulation, extra_json=excluded.extra_json, "
            "updated_at=excluded.updated_at",
            (tid, name, programme, regulation, json.dumps(extra, ensure_ascii=False), now_iso()))
        return "updated" if old else "added"

    # ------------------------------------------------------------------ forms
    def next_encounter(self, trainee_id: str) -> int:
        row = self.db.execute("SELECT MAX(encounter) FROM forms WHERE trainee_id=?", (trainee_id,)).fetchone()
        return (row[0] or 0) + 1

    def form(self, form_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM forms WHERE form_id=?", (form_id,)).fetchone()

    def form_exists(self, form_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM forms WHERE form_id=?", (form_id,)).fetchone() is not None

    def add_batch(self, layout: str, version: int, source: str, count: int, output: str) -> int:
        cur = self.db.execute("INSERT INTO batches(created_at, layout, version, source, form_count, output) "
                              "VALUES(?,?,?,?,?,?)", (now_iso(), layout, version, source, count, output))
        return int(cur.lastrowid or 0)

    def add_form(self, row: dict[str, Any]) -> None:
        cols = ", ".join(row)
        self.db.execute(f"INSERT INTO forms({cols}) VALUES({', '.join('?' * len(row))})", list(row.values()))

    def forms(self, trainee_id: str | None = None) -> list[sqlite3.Row]:
        sql = ("SELECT f.*, t.name AS trainee_name, t.programme, t.regulation FROM forms f "
               "JOIN trainees t ON t.id = f.trainee_id")
        args: tuple = ()
        if trainee_id:
            sql += " WHERE f.trainee_id=?"
            args = (trainee_id,)
        return self.db.execute(sql + " ORDER BY f.trainee_id, f.encounter", args).fetchall()

    # ------------------------------------------------------------------ audit
    def audit(self, actor: str, action: str, form_id: str | None = None, field_id: str | None = None,
              page_id: int | None = None, old: Any = None, new: Any = None, reason: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO audit(at, actor, action, form_id, field_id, page_id, old_json, new_json, reason) "
            "VALUES(?,?,?,?,?,?,?,?,?)",
            (now_iso(), actor, action, form_id, field_id, page_id,
             None if old is None else json.dumps(old, ensure_ascii=False),
             None if new is None else json.dumps(new, ensure_ascii=False), reason))
