"""`formkit watch DIR`: a scanner drop folder that reads every file landing in it and files it away.

Why it is built this way:
- Scanners and network copies write files in pieces. A file is read only after its size and
  modification time have stayed the same for `settle` seconds and it can be opened, so a stack is
  never read half-written (and therefore read once, not once per chunk).
- watchdog's Observer reports new and changed files at once; a slow directory listing every few
  seconds is the safety net for events a network share may drop, and picks up files that arrived
  while the watcher was stopped.
- Each file is handled on its own and every failure is caught: the file goes to `failed/` with a
  `<name>.reason.txt`, one log line is written, and the watcher carries on with the next file.
- Reading goes through `formkit.ingest.scan`, so the result is exactly what `formkit scan` gives
  (archived by content hash; a file dropped twice is recognised and not read again).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

import scanner
from formkit.ingest import ScanSummary, scan, sha256_file
from formkit.workspace import Workspace

log = logging.getLogger("formkit.watch")
DONE, FAILED = "done", "failed"
TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", ".lock", "~")
RESCAN_SECONDS = 5.0


def is_candidate(path: Path, folder: Path) -> bool:
    """A regular file directly in the drop folder that is not hidden, the operating system's (Thumbs.db on a
    Windows share), temporary or one of our notes."""
    name = path.name
    if (path.parent != folder or scanner.skipped_in_folder(name) or name.startswith("~$")
            or name.lower().endswith(TEMP_SUFFIXES)):
        return False
    if name.endswith(".reason.txt"):
        return False
    try:
        return path.is_file() and not path.is_symlink()
    except OSError:
        return False


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float


@dataclass
class Outcome:
    """What became of one file (also what the log line says)."""

    name: str
    ok: bool
    moved_to: Path | None
    message: str


class _Handler(FileSystemEventHandler):
    def __init__(self, notify: Callable[[Path], None]) -> None:
        self.notify = notify

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.notify(Path(os.fsdecode(event.src_path)))

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.notify(Path(os.fsdecode(event.src_path)))

    def on_closed(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.notify(Path(os.fsdecode(event.src_path)))

    def on_moved(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.notify(Path(os.fsdecode(event.dest_path)))


class DropFolder:
    """Watches one folder (not recursive) and hands each completely written file to `formkit.ingest.scan`."""

    def __init__(self, ws_root: Path, folder: Path, settle: float = 5.0, jobs: int = 1,
                 tick: float = 0.25) -> None:
        self.ws_root = Path(ws_root)
        self.folder = Path(folder).resolve()
        self.settle = settle
        self.jobs = jobs
        self.tick = tick
        self.done_dir, self.failed_dir = self.folder / DONE, self.folder / FAILED
        self._seen: dict[Path, _Seen] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.handled: list[Outcome] = []  # for tests and --once's summary

    # ------------------------------------------------------------------ discovery
    def notice(self, path: Path) -> None:
        """Called from watchdog's thread: remember the file; the main loop decides when it is complete."""
        path = Path(os.path.abspath(path))
        if not is_candidate(path, self.folder):
            return
        with self._lock:
            self._seen.setdefault(path, _Seen(-1, -1, time.monotonic()))
        self._wake.set()

    def rescan(self) -> None:
        try:
            entries = list(os.scandir(self.folder))
        except OSError as e:
            log.error("cannot list %s: %s", self.folder, e.strerror)
            return
        for e in entries:
            self.notice(Path(e.path))

    def ready(self) -> list[Path]:
        """Files whose size and mtime have not changed for `settle` seconds and that can be opened."""
        now = time.monotonic()
        out = []
        with self._lock:
            for path, seen in list(self._seen.items()):
                try:
                    st = path.stat()
                except FileNotFoundError:
                    del self._seen[path]  # moved away or deleted before it was complete
                    continue
                except OSError:
                    continue
                if (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
                    self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                    continue
                if now - seen.stable_since >= self.settle and _can_open(path):
                    out.append(path)
        return sorted(out)

    # ------------------------------------------------------------------ handling
    def handle(self, path: Path) -> Outcome:
        """Scan one file and move it to done/ or failed/; never raises for a bad file."""
        with self._lock:
            self._seen.pop(path, None)
        try:
            summary = self._scan(path)
            ok, message = _verdict(self.ws_root, path, summary)
        except Exception as e:  # a bad file must never stop the watcher
            ok, message = False, f"{type(e).__name__}: {e}"
            log.debug("%s", traceback.format_exc())
        try:
            dest = self._move(path, ok, message)
        except OSError as e:
            log.error("%s: %s, but it could not be moved (%s); leaving it", path.name, message, e.strerror)
            dest = None
        out = Outcome(path.name, ok, dest, message)
        self.handled.append(out)
        where = f" → {dest.parent.name}/{dest.name}" if dest else ""
        (log.info if ok else log.warning)("%s %s: %s%s", "done" if ok else "FAILED", path.name, message, where)
        return out

    def _scan(self, path: Path) -> ScanSummary:
        ws = Workspace(self.ws_root)
        try:
            return scan(ws, [path], jobs=self.jobs)
        finally:
            if "store" in ws.__dict__:
                ws.store.close()

    def _move(self, path: Path, ok: bool, message: str) -> Path:
        target_dir = self.done_dir if ok else self.failed_dir
        target_dir.mkdir(exist_ok=True)
        dest = _free_name(target_dir, path.name)
        shutil.move(str(path), dest)
        if not ok:
            (target_dir / f"{dest.name}.reason.txt").write_text(
                f"{message}\n\nFile: {path.name}\nWhen: {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                "Fix the file (or scan it again) and put it back into the drop folder.\n", encoding="utf-8")
        return dest

    # ------------------------------------------------------------------ loops
    def run_once(self, timeout: float | None = None) -> int:
        """Handle every file now in the folder (waiting for each to settle), then return how many."""
        self.rescan()
        deadline = None if timeout is None else time.monotonic() + timeout
        n = 0
        while True:
            with self._lock:
                waiting = bool(self._seen)
            if not waiting or (deadline is not None and time.monotonic() > deadline):
                return n
            for path in self.ready():
                self.handle(path)
                n += 1
            time.sleep(self.tick)

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Watch until `stop` is set (or Ctrl-C)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stop = stop or threading.Event()
        observer = Observer()
        observer.schedule(_Handler(self.notice), str(self.folder), recursive=False)
        observer.start()
        try:
            self.rescan()
            last_rescan = time.monotonic()
            while not stop.is_set():
                for path in self.ready():
                    if stop.is_set():
                        break
                    self.handle(path)
                if time.monotonic() - last_rescan >= RESCAN_SECONDS:
                    self.rescan()
                    last_rescan = time.monotonic()
                self._wake.wait(self.tick)
                self._wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)


def _can_open(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


def _free_name(folder: Path, name: str) -> Path:
    """`name`, or `stem-2.ext`, `stem-3.ext`… if a file of that name was filed before."""
    dest = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    k = 2
    while dest.exists():
        dest = folder / f"{stem}-{k}{suffix}"
        k += 1
    return dest


def _verdict(ws_root: Path, path: Path, summary: ScanSummary) -> tuple[bool, str]:
    """(ok, one-line message) from the scan summary and the file's row in the store."""
    if summary.files_rejected:
        return False, "; ".join(reason for _, reason in summary.files_rejected)
    if summary.files_skipped:
        ws = Workspace(ws_root)
        try:
            row = ws.store.db.execute("SELECT state, reason FROM files WHERE sha256=?",
                                      (sha256_file(path),)).fetchone()
        finally:
            ws.store.close()
        if row is not None and row["state"] == "rejected":
            return False, f"already tried before and rejected: {row['reason']}"
        return True, "already scanned before (same content); nothing new"
    pages = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in sorted(summary.pages.items()) if n)
    total = sum(summary.pages.values())
    advice = (f"; {summary.one_bit_pages} in black and white - pencil can vanish there, scan in grey"
              if summary.one_bit_pages else "")
    if summary.whitened_pages:
        advice += (f"; {summary.whitened_pages} with the paper turned pure white - pencil can vanish there, scan in "
                   "grey with background removal off")
    if summary.low_res_pages:
        advice += f"; {summary.low_res_pages} at low resolution - scan at 200-300 dpi or send the original photos"
    return True, f"{total} page(s): {pages or 'none'}{advice}"


__all__ = ["DropFolder", "Outcome", "is_candidate"]
