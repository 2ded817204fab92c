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
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scanner
from formkit.errors import InputDataError
from formkit.forkserver import worker_context
from formkit.ingest.commit import commit_page, refresh_form_status, write_atomic
from formkit.ingest.own_pdf import refuse_own_pdf
from formkit.ingest.worker import PageOutcome, init_worker, run_task
from formkit.store import PAGE_STATES, now_iso
from formkit.workspace import Workspace

IN_FLIGHT_PER_JOB = 3  # tasks queued or running per worker process (bounds memory, keeps workers fed)
CHUNK = 4  # pages per worker task: small, so both cores stay busy to the end (opening the file costs < 1 ms)


@dataclass
class ScanSummary:
    files_new: int = 0
    files_skipped: int = 0  # already scanned (same content)
    files_rejected: list[tuple[str, str]] = field(default_factory=list)
    pages: Counter = field(default_factory=Counter)  # state → count, for pages of this run
    forms: Counter = field(default_factory=Counter)  # status → count, for forms touched in this run
    forms_touched: set[str] = field(default_factory=set)
    one_bit_pages: int = 0  # pages of our forms scanned in black and white: worth telling the clerk
    whitened_pages: int = 0  # ... in grey but with the paper clipped to white (background removal, a black-and-white
    # filter saved as JPEG): faint ink may have gone the same way
    low_res_pages: int = 0  # ... at under LOW_RES_PX_PER_MM on the paper (a photo shrunk by a messenger app)
    pages_rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (file, page number, reason) this run

    def to_dict(self) -> dict[str, Any]:
        return {"files_new": self.files_new, "files_skipped": self.files_skipped,
                "files_rejected": [{"file": f, "reason": r} for f, r in self.files_rejected],
                "pages": dict(self.pages), "forms": dict(self.forms), "one_bit_pages": self.one_bit_pages,
                "whitened_pages": self.whitened_pages, "low_res_pages": self.low_res_pages,
                "pages_rejected": [{"file": f, "page": n, "reason": r} for f, n, r in self.pages_rejected]}


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
                dirnames[:] = sorted(x for x in dirnames if not scanner.skipped_in_folder(x, is_dir=True) and
                                     (d / x).resolve() != ws.root)
                for name in sorted(filenames):
                    if not scanner.skipped_in_folder(name):
                        yield d / name
        else:
            yield p


LOW_RES_PX_PER_MM = 5.2  # ~132 dpi on the paper: under the 150 dpi promised (a 150-dpi scan of a form printed at 94 %
# is 5.55); a phone photo sent by a messenger app (1,600 px long) is ~4.5, and a sixth of its fields went to a person


def low_res(o: PageOutcome) -> bool:
    """Whether a form page came at under LOW_RES_PX_PER_MM on the paper (the clerk is told why it needs a person)."""
    reg = (o.location or {}).get("registration") or {}
    scale = reg.get("px_per_mm_min") or reg.get("px_per_mm")  # the coarser axis: a fax in standard mode
    return bool(o.form_id and scale and scale < LOW_RES_PX_PER_MM)


def shown_name(path: Path, whole: bool = False) -> str:
    """A file's name (or `whole` path) as text the store and the screen take.

    A name that is not UTF-8 (a scanner's share mounted with a legacy code page: "skanning_\xe5.png") comes
    from the file system with stand-ins for its bytes that neither SQLite nor the terminal accepts, and
    the whole scan stopped on it. Such bytes are read as Windows' Western code page (what those shares
    use), Latin-1 where that has no character.
    """
    text = str(path) if whole else path.name
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def archive_file(ws: Workspace, src: Path, sha: str) -> Path:
    """Keep the original bytes forever, named by content: the evidence behind every record."""
    safe = re.sub(r"[^\w.\- ]+", "_", src.name).strip() or "scan"
    dest = ws.archive_dir / sha[:2] / sha / safe  # folder = content; file keeps its name for messages
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".tmp-{dest.name}")
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
        except BaseException:  # a full disk, Ctrl-C: no partial copy is left behind
            tmp.unlink(missing_ok=True)
            raise
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
    workers = _EarlyPool(ws, jobs)
    try:
        _plan(ws, files, plan, summary, workers)
        _read_and_commit(ws, plan, summary, jobs, workers, progress)
    finally:
        workers.close()
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


def _plan(ws: Workspace, files: list[Path], plan: list, summary: ScanSummary, workers: _EarlyPool) -> None:
    """Hash, skip or archive each file, and split the new ones into page-range tasks."""
    store = ws.store
    for src in files:
        try:
            sha = sha256_file(src)
        except OSError as e:
            summary.files_rejected.append((shown_name(src, whole=True), f"cannot read: {e.strerror}"))
            continue
        row = store.db.execute("SELECT state FROM files WHERE sha256=?", (sha,)).fetchone()
        if row is not None and row["state"] in ("done", "rejected"):
            summary.files_skipped += 1
            continue
        workers.start()  # worker start-up (~0.3 s of imports) overlaps hashing and archiving
        archived = archive_file(ws, src, sha)
        if row is None:
            with store.transaction():
                store.db.execute("INSERT INTO files(sha256, original_name, archived_path, size, first_seen, state) "
                                 "VALUES(?,?,?,?,?, 'processing')",
                                 (sha, shown_name(src), str(archived.relative_to(ws.root)), src.stat().st_size,
                                  now_iso()))
        summary.files_new += 1
        try:
            refuse_own_pdf(archived, shown_name(src))
            done = {r[0] for r in store.db.execute("SELECT page_index FROM pages WHERE file_sha256=?", (sha,))}
            plan.append((src, sha, _tasks(archived, sha, done)))
        except scanner.InputError as e:
            reject_file(ws, sha, e)
            summary.files_rejected.append((shown_name(src), str(e)))
            summary.pages["rejected"] += 1


def _read_and_commit(ws: Workspace, plan: list, summary: ScanSummary, jobs: int, workers: _EarlyPool,
                     progress: Callable[[str, int, int], None] | None) -> None:
    """Run the tasks in the workers and commit every page as its task comes back."""
    total = sum(t[3] - t[2] for _, _, ts in plan for t in ts)
    done_pages = 0
    if progress:
        progress("", 0, total)
    all_tasks = [t for _, _, ts in plan for t in ts]
    names = {sha: shown_name(src) for src, sha, _ in plan}
    for outcomes in _run(ws, all_tasks, jobs, workers.take()):
        for o in outcomes:
            page = commit_page(ws, o)
            summary.pages[page["state"]] += 1
            if page["state"] == "rejected":
                summary.pages_rejected.append((names.get(o.file_sha, o.file_sha[:12]), o.page_index + 1,
                                               page.get("reason") or o.reason or ""))
            if page["form_id"]:
                summary.forms_touched.add(page["form_id"])
                summary.one_bit_pages += o.one_bit
                summary.whitened_pages += bool(not o.one_bit and o.writer.get("clipped"))
                summary.low_res_pages += low_res(o)
            done_pages += 1
            if progress:
                progress(page["state"], done_pages, total)


def reject_file(ws: Workspace, sha: str, err: Exception) -> None:
    """A whole file that cannot be read: the file and one `rejected` page row say why."""
    reason = f"{getattr(err, 'reason', 'unreadable')}: {err}"
    with ws.store.transaction() as db:
        db.execute("UPDATE files SET state='rejected', reason=?, page_count=0 WHERE sha256=?", (reason, sha))
        db.execute("INSERT OR IGNORE INTO pages(file_sha256, page_index, state, reason, created_at) "
                   "VALUES(?, 0, 'rejected', ?, ?)", (sha, reason, now_iso()))


Task = tuple[str, str, int, int]  # (archived file, its sha256, first page, end page)
CRASH_TEST_ENV = "FORMKIT_TEST_CRASH_PAGE"  # "<sha256>:<page index>": a worker dies there (tests only)


def _guarded_task(task: Task, poison: str = "") -> list[PageOutcome]:
    """run_task, plus a test seam that kills the worker on one page (as a native crash in a decoder would).

    `poison` is CRASH_TEST_ENV as the parent sees it (a forked worker has the fork server's environment).
    """
    if poison and any(poison == f"{task[1]}:{p}" for p in range(task[2], task[3])):
        os._exit(70)
    return run_task(task)


def _pool(jobs: int, args: tuple) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=worker_context(), initializer=init_worker, initargs=args)


def _warm_up() -> None:
    """A no-op task: submitting one per worker makes the pool start its processes now."""


class _EarlyPool:
    """The first worker pool, started as soon as a file is known to need reading.

    The first pool of a process starts the fork server, which spends ~0.3 s importing NumPy, OpenCV
    and the reader (each worker does, under spawn); started early, that overlaps hashing and archiving
    the files instead of following it. Only with
    --jobs > 1 (one page with one job is read in this process, without any pool).
    """

    def __init__(self, ws: Workspace, jobs: int) -> None:
        self.args = (str(ws.db_path), ws.workspace_id, ws.secret)
        self.jobs = jobs
        self.ex: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.ex is None and self.jobs > 1:
            self.ex = _pool(self.jobs, self.args)
            for _ in range(self.jobs):
                self.ex.submit(_warm_up)

    def take(self) -> ProcessPoolExecutor | None:
        """The started pool, now owned by the caller (None if none was started)."""
        ex, self.ex = self.ex, None
        return ex

    def close(self) -> None:
        ex = self.take()
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)


def _crashed(task: Task) -> PageOutcome:
    return PageOutcome(task[1], task[2], "rejected",
                       "reader_crash: reading this page stopped the reader process; the page image is kept in "
                       "the archive, check the file or scan the page again")


def _run(ws: Workspace, tasks: list[Task], jobs: int,
         ready: ProcessPoolExecutor | None = None) -> Iterator[list[PageOutcome]]:
    """Outcomes per task, in order. A worker that dies (a decoder crash on a hostile file) does not stop
    the stack: the tasks still open are run again, the broken one page by page and each page alone, so
    only the page that really kills a reader is rejected, with a reason. `ready`: a pool of `jobs`
    workers already started (used for the first batch, shut down in any case)."""
    try:
        yield from _run_batches(ws, tasks, jobs, ready)
    finally:
        if ready is not None:
            ready.shutdown(wait=True, cancel_futures=True)


def _run_batches(ws: Workspace, tasks: list[Task], jobs: int,
                 ready: ProcessPoolExecutor | None) -> Iterator[list[PageOutcome]]:
    if not tasks:
        return
    args = (str(ws.db_path), ws.workspace_id, ws.secret)
    if jobs <= 1 and len(tasks) == 1 and tasks[0][3] - tasks[0][2] == 1 and not os.environ.get(CRASH_TEST_ENV):
        init_worker(*args)  # one page: not worth starting a process
        yield run_task(tasks[0])
        return
    poison = os.environ.get(CRASH_TEST_ENV, "")
    queue: deque[tuple[Task, bool]] = deque((t, False) for t in tasks)  # (task, run alone?)
    while queue:
        if queue[0][1]:
            task, _ = queue.popleft()
            try:
                with _pool(1, args) as ex:
                    result = ex.submit(_guarded_task, task, poison).result()
            except BrokenProcessPool:
                result = [_crashed(task)]
            yield result
            continue
        batch = []
        while queue and not queue[0][1]:
            batch.append(queue.popleft()[0])
        ex, ready = ready or _pool(max(1, jobs), args), None
        with ex:
            # a bounded window of tasks in flight: finished outcomes (page images, crops) wait in memory
            # only until the main process commits them, so memory stays flat on any stack size
            window = IN_FLIGHT_PER_JOB * max(1, jobs)
            futures: deque = deque(ex.submit(_guarded_task, t, poison) for t in batch[:window])
            nxt = len(futures)
            for i in range(len(batch)):
                fut = futures.popleft()
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    t = batch[i]
                    alone = [((t[0], t[1], p, p + 1), True) for p in range(t[2], t[3])]
                    queue.extendleft(reversed(alone + [(x, False) for x in batch[i + 1:]]))
                    break
                del fut
                if nxt < len(batch):
                    futures.append(ex.submit(_guarded_task, batch[nxt], poison))
                    nxt += 1
                yield outcome


__all__ = ["PAGE_STATES", "ScanSummary", "scan", "write_atomic"]
