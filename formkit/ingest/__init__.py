"""`formkit scan`: a stack of files in, one known state per page out, nothing lost.

Stages, like OCRmyPDF's pipeline: expand inputs → archive each file by content hash → split into
page ranges → (worker processes) read pages → (this process) commit each page in its own
transaction. A file already scanned is skipped by hash; an interrupted file resumes at the first
page not yet recorded. The summary is derived from the store, so it is the same whatever the path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import scanner
from formkit.errors import InputDataError
from formkit.ingest.commit import commit_page, refresh_form_status, write_atomic
from formkit.ingest.worker import init_worker, run_task
from formkit.store import now_iso
from formkit.workspace import Workspace

CHUNK = 8  # pages per worker task: small enough to keep both cores busy, big enough to amortise file opening
PAGE_STATES = ("recognised", "needs_review", "blank", "duplicate", "conflict", "unidentified", "rejected")


@dataclass
class ScanSummary:
    files_new: int = 0
    files_skipped: int = 0  # already scanned (same content)
    files_rejected: list[tuple[str, str]] = field(default_factory=list)
    pages: Counter = field(default_factory=Counter)  # state → count, for pages of this run
    forms: Counter = field(default_factory=Counter)  # status → count, for forms touched in this run
    forms_touched: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {"files_new": self.files_new, "files_skipped": self.files_skipped,
                "files_rejected": [{"file": f, "reason": r} for f, r in self.files_rejected],
                "pages": dict(self.pages), "forms": dict(self.forms)}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def expand_inputs(paths: list[Path], ws: Workspace) -> Iterator[Path]:
    """Files in the order given; folders recursively and sorted; the workspace itself is skipped."""
    for p in paths:
        if not p.exists():
            raise InputDataError(f"{p}: no such file or folder")
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                d = Path(dirpath)
                dirnames[:] = sorted(x for x in dirnames if not x.startswith(".") and
                                     (d / x).resolve() != ws.root)
                for name in sorted(filenames):
                    if not name.startswith("."):
                        yield d / name
        else:
            yield p


def archive_file(ws: Workspace, src: Path, sha: str) -> Path:
    """Keep the original bytes forever, named by content: the evidence behind every record."""
    safe = re.sub(r"[^\w.\- ]+", "_", src.name).strip() or "scan"
    dest = ws.archive_dir / sha[:2] / sha / safe  # folder = content; file keeps its name for messages
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".tmp-{dest.name}")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    return dest


def _tasks(path: Path, sha: str, done: set[int]) -> list[tuple[str, str, int, int]]:
    n = scanner.count_pages(path)
    todo = [i for i in range(n) if i not in done]
    tasks = []
    i = 0
    while i < len(todo):
        start = todo[i]
        stop = start
        while i < len(todo) and todo[i] == stop and stop - start < CHUNK:
            stop += 1
            i += 1
        tasks.append((str(path), sha, start, stop))
    return tasks


def scan(ws: Workspace, paths: list[Path], jobs: int = 1,
         progress: Callable[[str, int, int], None] | None = None) -> ScanSummary:
    store = ws.store
    summary = ScanSummary()
    started = now_iso()
    files = list(expand_inputs(paths, ws))
    plan: list[tuple[Path, str, list[tuple[str, str, int, int]]]] = []
    for src in files:
        try:
            sha = sha256_file(src)
        except OSError as e:
            summary.files_rejected.append((str(src), f"cannot read: {e.strerror}"))
            continue
        row = store.db.execute("SELECT state FROM files WHERE sha256=?", (sha,)).fetchone()
        if row is not None and row["state"] in ("done", "rejected"):
            summary.files_skipped += 1
            continue
        archived = archive_file(ws, src, sha)
        if row is None:
            with store.transaction():
                store.db.execute("INSERT INTO files(sha256, original_name, archived_path, size, first_seen, state) "
                                 "VALUES(?,?,?,?,?, 'processing')",
                                 (sha, src.name, str(archived.relative_to(ws.root)), src.stat().st_size, now_iso()))
        summary.files_new += 1
        try:
            done = {r[0] for r in store.db.execute("SELECT page_index FROM pages WHERE file_sha256=?", (sha,))}
            plan.append((src, sha, _tasks(archived, sha, done)))
        except scanner.InputError as e:
            reject_file(ws, sha, e)
            summary.files_rejected.append((src.name, str(e)))
            summary.pages["rejected"] += 1
    total = sum(t[3] - t[2] for _, _, ts in plan for t in ts)
    done_pages = 0
    if progress:
        progress("", 0, total)
    all_tasks = [t for _, _, ts in plan for t in ts]
    for outcomes in _run(ws, all_tasks, jobs):
        for o in outcomes:
            page = commit_page(ws, o)
            summary.pages[page["state"]] += 1
            if page["form_id"]:
                summary.forms_touched.add(page["form_id"])
            done_pages += 1
            if progress:
                progress(page["state"], done_pages, total)
    for _src, sha, _ in plan:
        n = store.db.execute("SELECT COUNT(*) FROM pages WHERE file_sha256=?", (sha,)).fetchone()[0]
        store.db.execute("UPDATE files SET state='done', page_count=? WHERE sha256=? AND state='processing'",
                         (n, sha))
    with store.transaction():
        for fid in summary.forms_touched:
            summary.forms[refresh_form_status(store, fid)] += 1
    if summary.files_new or summary.files_rejected:  # a run that found nothing new leaves no trace at all
        store.db.execute("INSERT INTO scan_runs(started_at, finished_at, args_json, summary_json) VALUES(?,?,?,?)",
                         (started, now_iso(), json.dumps([str(p) for p in paths]), json.dumps(summary.to_dict())))
    return summary


def reject_file(ws: Workspace, sha: str, err: Exception) -> None:
    """A whole file that cannot be read: the file and one `rejected` page row say why."""
    reason = f"{getattr(err, 'reason', 'unreadable')}: {err}"
    with ws.store.transaction() as db:
        db.execute("UPDATE files SET state='rejected', reason=?, page_count=0 WHERE sha256=?", (reason, sha))
        db.execute("INSERT OR IGNORE INTO pages(file_sha256, page_index, state, reason, created_at) "
                   "VALUES(?, 0, 'rejected', ?, ?)", (sha, reason, now_iso()))


def _run(ws: Workspace, tasks: list[tuple[str, str, int, int]], jobs: int) -> Iterator[list]:
    if not tasks:
        return
    args = (str(ws.db_path), ws.workspace_id, ws.secret)
    if jobs <= 1 or len(tasks) == 1:
        init_worker(*args)
        for t in tasks:
            yield run_task(t)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=init_worker,
                             initargs=args) as ex:
        yield from ex.map(run_task, tasks)


__all__ = ["PAGE_STATES", "ScanSummary", "scan", "write_atomic"]
