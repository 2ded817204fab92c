"""`formkit watch`: a real watchdog Observer on a real folder, scanning real simulated stacks."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import cli
from formkit.watch import DropFolder, is_candidate
from formkit.workspace import Workspace

from .office import make_office

SETTLE = 0.6


@pytest.fixture(scope="module")
def unscanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issued forms and their scanned stacks, not read yet."""
    root = tmp_path_factory.mktemp("unscanned") / "office"
    make_office(root, conflict=False, scan_now=False)
    return root


@pytest.fixture
def setup(unscanned: Path, tmp_path: Path) -> tuple[Workspace, Path, Path]:
    root = tmp_path / "office"
    shutil.copytree(unscanned, root)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Workspace(root / "ws"), inbox, root / "stack"


class Running:
    """DropFolder.run_forever in a thread, stopped at the end of the test."""

    def __init__(self, drop: DropFolder) -> None:
        self.drop = drop
        self.stop = threading.Event()
        self.thread = threading.Thread(target=drop.run_forever, args=(self.stop,), daemon=True)

    def __enter__(self) -> DropFolder:
        self.thread.start()
        time.sleep(0.3)  # let the observer start
        return self.drop

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def wait_for(cond, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _counts(ws: Workspace) -> tuple[int, int]:
    ws2 = Workspace(ws.root)
    try:
        files = ws2.store.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        pages = ws2.store.db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        return files, pages
    finally:
        ws2.store.close()


def test_a_file_written_in_chunks_is_scanned_once(setup) -> None:  # type: ignore[no-untyped-def]
    ws, inbox, stack = setup
    data = (stack / "stack.pdf").read_bytes()
    with Running(DropFolder(ws.root, inbox, settle=SETTLE, jobs=1, tick=0.05)) as drop:
        target = inbox / "scan-0001.pdf"
        n = 5
        step = len(data) // n + 1
        with target.open("wb") as f:
            for i in range(n):  # the scanner pauses between chunks, each pause shorter than the settle time
                f.write(data[i * step:(i + 1) * step])
                f.flush()
                time.sleep(SETTLE / 2)
        wait_for(lambda: (inbox / "done" / "scan-0001.pdf").exists())
        time.sleep(SETTLE * 2)  # nothing else happens afterwards
    assert [o.name for o in drop.handled] == ["scan-0001.pdf"]
    assert drop.handled[0].ok
    assert (inbox / "done" / "scan-0001.pdf").read_bytes() == data
    assert not (inbox / "failed").exists()
    files, pages = _counts(ws)
    assert files == 1 and pages == 3  # one file, read once: its three form pages


def test_a_corrupt_file_fails_and_the_next_good_file_is_still_read(setup) -> None:  # type: ignore[no-untyped-def]
    ws, inbox, stack = setup
    with Running(DropFolder(ws.root, inbox, settle=SETTLE, jobs=1, tick=0.05)) as drop:
        (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 500)
        (inbox / "empty.tif").write_bytes(b"")
        time.sleep(0.2)
        shutil.copyfile(stack / "stack.pdf", inbox / "good.pdf")
        wait_for(lambda: (inbox / "done" / "good.pdf").exists() and (inbox / "failed" / "broken.pdf").exists()
                 and (inbox / "failed" / "empty.tif").exists())
    reason = (inbox / "failed" / "broken.pdf.reason.txt").read_text(encoding="utf-8")
    assert "broken.pdf" in reason and len(reason.splitlines()[0]) > 10
    assert (inbox / "failed" / "empty.tif.reason.txt").exists()
    outcome = {o.name: o.ok for o in drop.handled}
    assert outcome == {"broken.pdf": False, "empty.tif": False, "good.pdf": True}
    ws2 = Workspace(ws.root)
    forms = ws2.store.db.execute("SELECT COUNT(DISTINCT form_id) FROM pages WHERE state IN "
                                 "('recognised','needs_review')").fetchone()[0]
    ws2.store.close()
    assert forms == 3


def test_hidden_temporary_and_filed_away_files_are_left_alone(setup) -> None:  # type: ignore[no-untyped-def]
    ws, inbox, stack = setup
    (inbox / "done").mkdir()
    names = (".hidden.pdf", "upload.pdf.part", "scan.tmp", "~$lock.pdf", "notes.reason.txt", "Thumbs.db", "desktop.ini")
    for name in names:
        (inbox / name).write_bytes(b"x")
    (inbox / "done" / "old.pdf").write_bytes(b"x")
    drop = DropFolder(ws.root, inbox, settle=0.1, tick=0.05)
    assert drop.run_once(timeout=5) == 0
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*names, "done"])
    assert not is_candidate(inbox / "done" / "old.pdf", inbox.resolve())


def test_the_same_stack_dropped_twice_is_not_read_again(setup) -> None:  # type: ignore[no-untyped-def]
    ws, inbox, stack = setup
    shutil.copyfile(stack / "stack.pdf", inbox / "a.pdf")
    drop = DropFolder(ws.root, inbox, settle=0.1, tick=0.05)
    assert drop.run_once(timeout=30) == 1
    shutil.copyfile(stack / "stack.pdf", inbox / "a.pdf")
    assert drop.run_once(timeout=30) == 1
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a-2.pdf", "a.pdf"]
    assert "already scanned" in drop.handled[-1].message
    assert _counts(ws) == (1, 3)


def test_watch_once_from_the_command_line(setup) -> None:  # type: ignore[no-untyped-def]
    ws, inbox, stack = setup
    shutil.copyfile(stack / "torn.pdf", inbox / "torn.pdf")
    (inbox / "junk.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    res = CliRunner().invoke(cli, ["--workspace", str(ws.root), "watch", "--once", "--settle", "0.2", "--jobs", "1",
                                   str(inbox)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "2 file(s) handled" in res.output
    assert (inbox / "done" / "torn.pdf").exists()
    assert (inbox / "failed" / "junk.jpg").exists() and (inbox / "failed" / "junk.jpg.reason.txt").exists()


def test_the_drop_folder_log_says_when_pages_came_in_black_and_white(tmp_path: Path) -> None:
    """The clerk who only reads the drop folder's log learns the scanner's setting loses pencil."""
    from collections import Counter

    from formkit.ingest import ScanSummary
    from formkit.watch import _verdict

    grey = ScanSummary(files_new=1, pages=Counter(recognised=2))
    one_bit = ScanSummary(files_new=1, pages=Counter(recognised=2), one_bit_pages=2)
    assert _verdict(tmp_path, tmp_path / "a.pdf", grey) == (True, "2 page(s): 2 recognised")
    ok, message = _verdict(tmp_path, tmp_path / "a.pdf", one_bit)
    assert ok and message.startswith("2 page(s): 2 recognised; 2 in black and white") and "scan in grey" in message
    whitened = ScanSummary(files_new=1, pages=Counter(recognised=2), whitened_pages=1)
    ok, message = _verdict(tmp_path, tmp_path / "a.pdf", whitened)
    assert ok and "1 with the paper turned pure white" in message and "background removal off" in message
    ok, message = _verdict(tmp_path, tmp_path / "a.pdf", ScanSummary(files_new=1, pages=Counter(needs_review=1),
                                                                     low_res_pages=1))
    assert "1 at low resolution" in message and "original photos" in message
