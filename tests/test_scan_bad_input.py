"""Bad input in a stack: each file gets its clear state and reason, the rest is still read, nothing half-written."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from formkit.cli import cli as cli_main
from formkit.geometry import build_geometry
from formkit.layouts import load_layout
from formkit.qrpayload import make_payload
from formkit.render import FormToPrint, render_pdf
from formkit.simulate import rasterise_pdf
from tests.conftest import Cli

pytestmark = pytest.mark.xdist_group("scan-bad")


def png_header_only(path: Path, w: int, h: int) -> None:
    """A PNG whose header claims w×h pixels (the data is tiny and broken): must be refused unread."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


def page_png(pdf: Path, out: Path, page: int = 0, dpi: int = 200) -> Path:
    img = rasterise_pdf(pdf, dpi, pages=[page])[0]
    Image.fromarray(img).save(out, dpi=(dpi, dpi))
    return out


def forged_page(fk: Cli, tmp: Path, name: str, form_id: str, workspace_id: str, secret: bytes) -> Path:
    g = build_geometry(load_layout("minicex-ntnu-nb"))
    qr = [make_payload("minicex-ntnu-nb", 1, form_id, 1, 1, workspace_id, secret)]
    pdf = tmp / f"{name}.pdf"
    render_pdf([(g, FormToPrint(form_id, qr, {"trainee.name": "X"}))], pdf)
    return page_png(pdf, tmp / f"{name}.png")


def test_bad_files_are_rejected_and_the_rest_is_read(fk: Cli, tmp_path: Path) -> None:
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    ids = [r["form_id"] for r in json.loads(fk("forms", "list", "--json").output)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = page_png(tmp_path / "f.pdf", inbox / "good.png", 0)
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage\n%%EOF\n")
    full = io.BytesIO()
    Image.fromarray(rasterise_pdf(tmp_path / "f.pdf", 100, pages=[1])[0]).save(full, "PDF", resolution=100)
    (inbox / "truncated.pdf").write_bytes(full.getvalue()[: len(full.getvalue()) // 2])
    w = PdfWriter()
    w.append(PdfReader(io.BytesIO(full.getvalue())))
    w.encrypt("secret-password")
    with (inbox / "encrypted.pdf").open("wb") as f:
        w.write(f)
    (inbox / "notes.txt").write_text("not a scan", encoding="utf-8")
    png_header_only(inbox / "huge.png", 40_000, 40_000)
    Image.new("1", (13_000, 13_000), 1).save(inbox / "bomb.png")  # 169 Mpx of white, a tiny file
    secret = fk.ws.secret
    forged_page(fk, inbox, "forged", ids[0], fk.ws.workspace_id, b"y" * 32)
    forged_page(fk, inbox, "other-ws", ids[0], "ZZZZ", b"z" * 32)
    forged_page(fk, inbox, "never-issued", "ABCD-EFGH", fk.ws.workspace_id, secret)

    res = fk("scan", str(inbox), expect=11)
    assert "Traceback" not in res.output
    pages = {p["source_file"]: p for p in json.loads(fk("pages", "--json").output)}
    assert pages["good.png"]["state"] in ("recognised", "needs_review") and pages["good.png"]["form_id"] == ids[0]
    expect = {
        "empty.pdf": ("rejected", "empty"), "corrupt.pdf": ("rejected", "damaged"),
        "truncated.pdf": ("rejected", "incomplete"), "encrypted.pdf": ("rejected", "password"),
        "notes.txt": ("rejected", "not a PDF"), "huge.png": ("rejected", "too large"),
        "bomb.png": ("rejected", "too large"),
        "forged.png": ("unidentified", "bad_tag"), "other-ws.png": ("unidentified", "other formkit workspace"),
        "never-issued.png": ("unidentified", "never issued"),
    }
    for name, (state, words) in expect.items():
        assert pages[name]["state"] == state, (name, pages[name])
        assert words in pages[name]["reason"], (name, pages[name]["reason"])
        if state == "unidentified":
            assert pages[name]["image"] and (fk.ws.root / pages[name]["image"]).is_file()
    assert "rejected" in res.output and "huge.png" in res.output
    assert good.exists()
    # nothing half-written: every archived file is complete, no temporary files are left
    leftovers = [p for p in fk.ws.root.rglob(".tmp-*")]
    assert leftovers == []


def test_a_windows_scan_folder_s_system_files_are_passed_over(fk: Cli, tmp_path: Path) -> None:
    """Thumbs.db, desktop.ini and a USB stick's recycle bin are no scans: a folder of good scans holding them ends
    without "rejected" lines or exit code 11; named on the command line, such a file is still read (and refused)."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "f.pdf"))
    stick = tmp_path / "E"
    (stick / "$RECYCLE.BIN").mkdir(parents=True)
    (stick / "System Volume Information").mkdir()
    (stick / "$RECYCLE.BIN" / "old.pdf").write_bytes(b"%PDF-1.4 deleted and damaged")
    (stick / "System Volume Information" / "IndexerVolumeGuid").write_text("{guid}")
    page_png(tmp_path / "f.pdf", stick / "scan_001.png")
    (stick / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0 thumbnails")
    (stick / "desktop.ini").write_text("[.ShellClassInfo]\nIconResource=scan.ico\n")
    res = fk("scan", str(stick), expect=None)
    assert res.exit_code in (0, 10) and "Files: 1 new" in res.output and ", 0 rejected" in res.output, res.output
    pages = json.loads(fk("pages", "--json").output)
    assert [p["source_file"] for p in pages] == ["scan_001.png"] and pages[0]["state"] != "rejected"
    res = fk("scan", str(stick / "Thumbs.db"), expect=11)
    assert "Thumbs.db is not a PDF" in res.output


def test_formkit_s_own_print_file_is_refused_not_read_as_unfilled_forms(fk: Cli, tmp_path: Path) -> None:
    """The print file in the scan folder: refused whole with what to do; no form is touched, so the real scans
    that come later are read as usual (read as a scan, it put every field of every form on the review list)."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    res = fk("scan", str(tmp_path / "f.pdf"), expect=11)
    assert "f.pdf is a print file made by formkit" in res.output and "scan the paper" in res.output
    (page,) = json.loads(fk("pages", "--json").output)
    assert page["state"] == "rejected" and page["reason"].startswith("print_file:") and page["form_id"] is None
    assert "Nothing needs a person" in fk("review", "list").output
    page_png(tmp_path / "f.pdf", tmp_path / "scan.png")  # the paper, filled in (here: not) and scanned
    fk("scan", str(tmp_path / "scan.png"), expect=None)
    states = {p["source_file"]: p["state"] for p in json.loads(fk("pages", "--json").output)}
    assert states["scan.png"] in ("recognised", "needs_review")


def test_two_forms_in_one_image_are_refused_so_neither_is_lost(fk: Cli, tmp_path: Path) -> None:
    """Two sheets on an A3 scanner glass (or in one phone photo): read as one page, the second form's page was lost
    without a word. The image is refused with what to do; both forms stay outstanding until scanned one by one."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    a, b = rasterise_pdf(tmp_path / "f.pdf", 150, pages=[0, 1])
    Image.fromarray(np.hstack([a, np.full((a.shape[0], 40, *a.shape[2:]), 255, np.uint8), b])).save(
        tmp_path / "a3.png", dpi=(150, 150))
    res = fk("scan", str(tmp_path / "a3.png"), expect=11)
    assert "rejected a3.png page 1: several_pages: this image shows 2 form pages" in res.output  # said, not only counted
    (page,) = json.loads(fk("pages", "--json").output)
    assert page["state"] == "rejected" and page["reason"].startswith("several_pages:") and page["form_id"] is None
    assert "one page per image" in page["reason"]
    said = fk("review", "list").output  # no field to decide, but the page wants scanning again: listed there too
    assert "Nothing needs a person" not in said and "1 page(s) refused when scanned: scan them again" in said
    assert f"page {page['page_id']} (a3.png page 1): several_pages: this image shows 2 form pages" in said
    forms = json.loads(fk("forms", "list", "--json").output)
    assert [(f["returned"], f["status"]) for f in forms] == [(False, "issued")] * 2, forms
    Image.open(tmp_path / "a3.png").save(tmp_path / "a3-again.png", dpi=(151, 151))  # other bytes: a new file
    summary = json.loads(fk("scan", "--json", str(tmp_path / "a3-again.png"), expect=11).stdout)
    assert [(r["file"], r["page"], r["reason"].split(":")[0]) for r in summary["pages_rejected"]] == [
        ("a3-again.png", 1, "several_pages")]
    said = fk("scan", str(page_png(tmp_path / "f.pdf", tmp_path / "one.png", 0, dpi=150)), expect=10).output
    assert "2 refused page(s) to scan again → formkit review list" in said  # still waiting, said on every scan
    for p in json.loads(fk("pages", "--json").output):  # scanned one by one (not here): off the list
        if p["source_file"] == "one.png":
            continue
        fk("pages", "set-aside", str(p["page_id"]), "--reason", "scanned again")
    assert "refused" not in fk("review", "list").output
    assert all(p["reason"].startswith("set_aside: scanned again (by ") for p in json.loads(fk("pages", "--json").output)
               if p["source_file"] != "one.png")


def test_a_full_disk_is_said_plainly_and_the_next_run_finishes(fk: Cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The disk filled up while a stack was archived: a Python traceback. Now a message, exit code 6, nothing
    half-written, and the same command run again (space freed) reads the stack."""
    import errno
    import shutil

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "f.pdf"))
    png = page_png(tmp_path / "f.pdf", tmp_path / "scan.png")

    def full(src, dst, *a, **k):  # type: ignore[no-untyped-def]
        Path(dst).write_bytes(b"half a stack")  # the copy had begun
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    res = fk.runner.invoke(cli_main, ["--workspace", str(fk.ws.root), "scan", "--jobs", "1", str(png)])
    assert res.exit_code == 6 and "The disk is full" in res.output and "run the same command again" in res.output
    assert "Traceback" not in res.output
    assert json.loads(fk("pages", "--json").output) == [] and list(fk.ws.root.rglob(".tmp-*")) == []
    monkeypatch.undo()
    fk("scan", "--jobs", "1", str(png), expect=None)
    (page,) = json.loads(fk("pages", "--json").output)
    assert page["state"] in ("recognised", "needs_review")


def test_a_file_name_that_is_not_utf8_does_not_stop_the_scan(fk: Cli, tmp_path: Path) -> None:
    """A scanner's share mounted with a legacy code page names a file "skanning_\\xe5.png" in bytes: the scan stopped
    on it with a traceback (SQLite and the terminal refuse the file system's stand-ins). It is read, and shown as
    the Western code page has it."""
    import os

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "f.pdf"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page_png(tmp_path / "f.pdf", inbox / os.fsdecode(b"skanning_\xe5.png"))
    (inbox / os.fsdecode(b"tom_\xe5.pdf")).write_bytes(b"")
    res = fk("scan", str(inbox), expect=11)
    assert "rejected tom_å.pdf: " in res.output and "Traceback" not in res.output
    states = {p["source_file"]: p["state"] for p in json.loads(fk("pages", "--json").output)}
    assert states["skanning_å.png"] in ("recognised", "needs_review") and states["tom_å.pdf"] == "rejected"


def test_a_page_at_low_resolution_gets_the_clerk_a_scanner_setting_line(fk: Cli, tmp_path: Path) -> None:
    """A photo shrunk by a messenger app (~110 dpi on the paper): read, but many of its boxes go to a person - the
    clerk is told why and what to send instead. A 150-dpi page (the least promised) is not named."""
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    page_png(tmp_path / "f.pdf", tmp_path / "small.png", 0, dpi=110)
    page_png(tmp_path / "f.pdf", tmp_path / "fine.png", 1, dpi=150)
    said = fk("scan", str(tmp_path / "fine.png"), expect=None).output
    assert "low resolution" not in said
    said = fk("scan", str(tmp_path / "small.png"), expect=None).output
    assert "1 page(s) came at low resolution" in said and "send the original photos" in said
    states = {p["source_file"]: p["state"] for p in json.loads(fk("pages", "--json").output)}
    assert states["small.png"] in ("recognised", "needs_review")


def test_a_fax_in_standard_mode_is_named_low_resolution(fk: Cli, tmp_path: Path) -> None:
    """A fax in standard mode is 204 x 98 dpi: the page is read, at half the resolution down it than across. Its
    geometric mean scale (~140 dpi) passed as enough, and the clerk was not told why its boxes needed a person;
    the coarser axis says it. A fine-mode fax (204 x 196 dpi) is not named."""
    import cv2

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "f.pdf"))
    page = rasterise_pdf(tmp_path / "f.pdf", 408, pages=[0])[0]
    grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    for name, (xd, yd) in {"fine": (204, 196), "standard": (204, 98)}.items():
        small = cv2.resize(grey, (grey.shape[1] * xd // 408, grey.shape[0] * yd // 408), interpolation=cv2.INTER_AREA)
        Image.fromarray(small > 160).save(tmp_path / f"fax-{name}.tif", compression="group4", dpi=(xd, yd))
    assert json.loads(fk("scan", "--json", str(tmp_path / "fax-fine.tif"), expect=None).stdout)["low_res_pages"] == 0
    said = json.loads(fk("scan", "--json", str(tmp_path / "fax-standard.tif"), expect=None).stdout)
    assert said["low_res_pages"] == 1 and said["files_rejected"] == []


def test_assign_an_unidentified_page(fk: Cli, tmp_path: Path) -> None:
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--out", str(tmp_path / "f.pdf"))
    fid = json.loads(fk("forms", "list", "--json").output)[0]["form_id"]
    img = rasterise_pdf(tmp_path / "f.pdf", 200, pages=[0])[0].copy()
    # a coffee stain over the QR code: markers fine, code unreadable
    x0, y0 = int(163 / 25.4 * 200), int(10 / 25.4 * 200)
    img[y0:y0 + int(22 / 25.4 * 200), x0:x0 + int(22 / 25.4 * 200)] = 90
    Image.fromarray(img).save(tmp_path / "stained.png", dpi=(200, 200))
    fk("scan", str(tmp_path / "stained.png"), expect=10)
    page = json.loads(fk("pages", "--json").output)[0]
    assert page["state"] == "unidentified" and "no_qr" in page["reason"]
    fk("pages", "assign", str(page["page_id"]), fid, "2", expect=3)  # the form has one page
    res = fk("pages", "assign", str(page["page_id"]), fid.lower(), "1", "--by", "clerk")
    assert fid in res.output
    page = json.loads(fk("pages", "--json").output)[0]
    assert page["state"] in ("recognised", "needs_review") and page["form_id"] == fid
    assert "assign_page" in fk("review", "history", fid).output
    rec = json.loads(fk("export", "--format", "json").output)[0]
    assert rec["form_id"] == fid and rec["page_count_read"] == 1


def test_a_page_that_looks_like_a_stranger_is_searched_hard_once_assigned(fk: Cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                         monkeypatch) -> None:
    """No marker for the fast passes and no readable QR: taken for a stranger, and not searched at
    length (a foreign page costs ~60 ms, not ~360). A person who says it is a form gets every pass."""
    from scanner import registration

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S002", "--out", str(tmp_path / "f.pdf"))
    fid = json.loads(fk("forms", "list", "--json").output)[0]["form_id"]
    img = rasterise_pdf(tmp_path / "f.pdf", 200, pages=[0])[0].copy()
    x0, y0 = int(163 / 25.4 * 200), int(10 / 25.4 * 200)
    img[y0:y0 + int(22 / 25.4 * 200), x0:x0 + int(22 / 25.4 * 200)] = 90  # the QR code under a stain
    Image.fromarray(img).save(tmp_path / "stained.png", dpi=(200, 200))
    # a scan the fast marker passes miss (blur, noise): only the thorough ones find the corner marks
    monkeypatch.setattr(registration, "_detect_corners", lambda small, wanted: {})
    real = registration._detect
    monkeypatch.setattr(registration, "_detect",
                        lambda det, grey, wanted: {} if det is registration._FAST else real(det, grey, wanted))
    fk("scan", "--jobs", "1", str(tmp_path / "stained.png"), expect=10)  # read in this process
    page = json.loads(fk("pages", "--json").output)[0]
    assert page["state"] == "unidentified" and page["reason"].startswith("not_a_form")
    fk("pages", "assign", str(page["page_id"]), fid, "1", "--by", "clerk")
    page = json.loads(fk("pages", "--json").output)[0]
    assert page["state"] in ("recognised", "needs_review") and page["form_id"] == fid
    rec = json.loads(fk("export", "--format", "json").output)[0]
    assert rec["page_count_read"] == 1 and "not_registered" not in rec.get("review_reasons", {}).values()


def test_interrupted_scan_resumes_and_stays_consistent(fk: Cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import formkit.ingest as ingest

    fk("generate", "-l", "minicex-st-sv", "--trainee", "ST01", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    pages = rasterise_pdf(tmp_path / "f.pdf", 150)
    stack = tmp_path / "stack.tif"
    Image.fromarray(pages[0]).save(stack, save_all=True, append_images=[Image.fromarray(p) for p in pages[1:]],
                                   dpi=(150, 150))
    real = ingest.commit_page
    calls = {"n": 0}

    def dying(ws, o, actor="scanner"):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # as if the clerk pressed Ctrl-C (or the power went) mid-stack
        return real(ws, o, actor)

    monkeypatch.setattr(ingest, "commit_page", dying)
    res = fk("scan", "--jobs", "1", str(stack), expect=130)
    assert "Interrupted" in res.output
    db = fk.ws.store.db
    assert db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 2
    assert db.execute("SELECT state FROM files").fetchone()[0] == "processing"
    monkeypatch.setattr(ingest, "commit_page", real)
    fk("scan", "--jobs", "1", str(stack), expect=None)
    rows = db.execute("SELECT page_index, state FROM pages ORDER BY page_index").fetchall()
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    assert db.execute("SELECT state FROM files").fetchone()[0] == "done"
    forms = json.loads(fk("export", "--format", "json").output)
    assert sorted(f["page_count_read"] for f in forms) == [2, 2]


def test_old_layout_version_is_read_with_its_own_geometry(fk: Cli, tmp_path: Path) -> None:
    from formkit.layouts import builtin_layout_dir

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "v1.pdf"))
    text = (builtin_layout_dir() / "minicex-ntnu-nb.yaml").read_text(encoding="utf-8")
    v2 = text.replace("version: 1\n", "version: 2\n").replace("label: Pasient\n", "label: Pasienten er\n")
    (fk.ws.layouts_dir / "minicex-ntnu-nb.yaml").write_text(v2, encoding="utf-8")
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "v2.pdf"))
    forms = json.loads(fk("forms", "list", "--json").output)
    assert sorted(f["layout_version"] for f in forms) == [1, 2]
    g1 = fk.ws.store.geometry("minicex-ntnu-nb", 1)
    g2 = fk.ws.store.geometry("minicex-ntnu-nb", 2)
    assert g1["geometry_hash"] != g2["geometry_hash"]
    page_png(tmp_path / "v1.pdf", tmp_path / "a.png")
    page_png(tmp_path / "v2.pdf", tmp_path / "b.png")
    fk("scan", str(tmp_path / "a.png"), str(tmp_path / "b.png"), expect=None)
    recs = json.loads(fk("export", "--format", "json").output)
    assert sorted(r["layout_version"] for r in recs) == [1, 2]
    for r in recs:  # blank forms: nothing marked anywhere, so no box may read as marked
        assert all(v in (None, []) for k, v in r["values"].items() if k not in r["review"]), r["values"]
    assert np.all([r["page_count_read"] == 1 for r in recs])


def test_kill_9_mid_scan_leaves_a_consistent_store(fk: Cli, tmp_path: Path) -> None:
    """A real `kill -9` while pages are being committed: the next run finishes, nothing doubled or lost."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "12", "--out", str(tmp_path / "f.pdf"))
    pages = rasterise_pdf(tmp_path / "f.pdf", 150)
    stack = tmp_path / "stack.tif"
    Image.fromarray(pages[0]).save(stack, save_all=True, append_images=[Image.fromarray(p) for p in pages[1:]],
                                   dpi=(150, 150))
    cmd = [sys.executable, "-c", "from formkit.cli import main; main()", "--workspace", str(fk.ws.root),
           "scan", "--jobs", "1", str(stack)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = sqlite3.connect(fk.ws.db_path, timeout=30)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] >= 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    done_before = db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if proc.returncode == -signal.SIGKILL:
        assert 3 <= done_before < 12
    subprocess.run(cmd, check=False, capture_output=True, timeout=300)
    rows = db.execute("SELECT page_index FROM pages ORDER BY page_index").fetchall()
    assert [r[0] for r in rows] == list(range(12))
    assert db.execute("SELECT state FROM files").fetchone()[0] == "done"
    values = db.execute("SELECT COUNT(DISTINCT form_id) FROM field_values").fetchone()[0]
    assert values == 12
    db.close()


def test_workspace_path_with_spaces_and_uri_characters(tmp_path: Path) -> None:
    """Worker processes open the database by URI: odd folder names must not break a scan."""
    from formkit.workspace import init_workspace
    from tests.conftest import ROSTER

    ws = init_workspace(tmp_path / "Klinikk #2 ?ortopedi% 100")
    fk = Cli(ws)
    (tmp_path / "r.csv").write_text(ROSTER, encoding="utf-8")
    fk("trainees", "import", str(tmp_path / "r.csv"))
    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "f.pdf"))
    page_png(tmp_path / "f.pdf", tmp_path / "a.png", 0)
    page_png(tmp_path / "f.pdf", tmp_path / "b.png", 1)
    fk("scan", "--jobs", "2", str(tmp_path / "a.png"), str(tmp_path / "b.png"), expect=None)
    states = [p["state"] for p in json.loads(fk("pages", "--json").output)]
    assert sorted(states) in (["needs_review", "needs_review"], ["needs_review", "recognised"],
                              ["recognised", "recognised"]), states


def test_a_page_that_crashes_the_reader_is_rejected_and_the_rest_is_read(fk: Cli, tmp_path: Path,
                                                                         monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A worker process dying on one page (as a decoder crash would) costs only that page."""
    import hashlib

    from formkit.ingest import CRASH_TEST_ENV

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "4", "--out", str(tmp_path / "f.pdf"))
    pages = rasterise_pdf(tmp_path / "f.pdf", 150)
    stack = tmp_path / "stack.tif"
    Image.fromarray(pages[0]).save(stack, save_all=True, append_images=[Image.fromarray(p) for p in pages[1:]],
                                   dpi=(150, 150))
    sha = hashlib.sha256(stack.read_bytes()).hexdigest()
    monkeypatch.setenv(CRASH_TEST_ENV, f"{sha}:2")
    res = fk("scan", "--jobs", "2", str(stack), expect=11)
    assert "Traceback" not in res.output
    got = {p["page_index"]: p for p in json.loads(fk("pages", "--json").output)}
    assert sorted(got) == [0, 1, 2, 3]
    assert got[2]["state"] == "rejected" and "reader_crash" in got[2]["reason"]
    assert all(got[i]["state"] in ("recognised", "needs_review") for i in (0, 1, 3))


def _scan_with_a_broken_reader(fk: Cli, tmp_path: Path, monkeypatch, step: str, error: Exception,  # type: ignore[no-untyped-def]
                               expect: int) -> tuple[Path, dict]:
    """One issued page scanned in-process while `scanner.<step>` raises `error` (a bug, not a crash)."""
    import scanner

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "1", "--out", str(tmp_path / "f.pdf"))
    png = page_png(tmp_path / "f.pdf", tmp_path / "p.png")

    def broken(*a, **k):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(scanner, step, broken)
    res = fk("scan", "--jobs", "1", str(png), expect=expect)
    assert "Traceback" not in res.output
    [page] = json.loads(fk("pages", "--json").output)
    assert page["reason"].startswith("reader_error") and type(error).__name__ in page["reason"]
    return png, page


def test_a_reader_error_on_an_identified_page_sends_the_whole_page_to_a_person(fk: Cli, tmp_path: Path,
                                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A bug in the reader (a Python exception, not a crash) once stopped the whole scan, every page after
    it unread. Now the page is identified, its image kept, and every field waits for a person, with the
    error in the page's reason; the scan finishes."""
    _, page = _scan_with_a_broken_reader(fk, tmp_path, monkeypatch, "read",
                                         IndexError("index 120 is out of bounds for axis 0 with size 120"), 10)
    assert page["state"] == "needs_review" and page["form_id"] and page["image"]
    [form] = json.loads(fk("export", "--format", "json").output)
    assert form["status"] == "needs_review" and set(form["review"]) == set(form["values"])
    assert all(v is None for v in form["values"].values())
    assert "reader failed" in fk("review", "list").output


def test_a_reader_error_before_the_form_is_known_rejects_that_page_only(fk: Cli, tmp_path: Path,
                                                                      monkeypatch) -> None:  # type: ignore[no-untyped-def]
    png, page = _scan_with_a_broken_reader(fk, tmp_path, monkeypatch, "locate", ValueError("a bug in locate"), 11)
    assert page["state"] == "rejected"
    fk("scan", "--jobs", "1", str(png), expect=None)  # the same file again: nothing changes
    assert json.loads(fk("pages", "--json").output) == [page]
