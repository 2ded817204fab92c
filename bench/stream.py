"""Benchmark: memory while scanning one big stack — it must stay flat, whatever the page count.

Builds an N-page 300-dpi grey JPEG PDF of issued (unfilled) forms, runs `formkit scan --jobs J` as
a separate process and samples the resident memory of that process and its workers from /proc.
Prints the peak after 10 %, 50 % and 100 % of the pages: flat means streaming works.

    python bench/stream.py [--pages 1000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import img2pdf
import pypdfium2 as pdfium
from checkout import measured_code_is_this_checkout

from formkit.issuing import FormRequest, issue_forms
from formkit.workspace import init_workspace


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def build_stack(ws_root: Path, n: int, out: Path) -> None:
    ws = init_workspace(ws_root)
    with ws.store.transaction():
        ws.store.upsert_trainee("T1", "Stream Test", "Bench", None, {})
    forms = ws_root.parent / "forms.pdf"
    issue_forms(ws, "minicex-ntnu-nb", [FormRequest("T1") for _ in range(n)], forms)
    doc = pdfium.PdfDocument(str(forms))

    def jpegs():  # one page at a time: building the stack must not hold 1,000 bitmaps either
        for page in doc:
            buf = io.BytesIO()
            page.render(scale=300 / 72, grayscale=True).to_pil().convert("L").save(buf, "JPEG", quality=80,
                                                                                  dpi=(300, 300))
            yield buf.getvalue()

    with out.open("wb") as f:
        img2pdf.convert(list(jpegs()), outputstream=f)
    doc.close()


def main() -> None:
    measured_code_is_this_checkout()
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        stack = t / "stack.pdf"
        t0 = time.perf_counter()
        build_stack(t / "ws", args.pages, stack)
        print(f"built a {args.pages}-page stack ({stack.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
        cmd = [sys.executable, "-c", "from formkit.cli import main; main()", "--workspace", str(t / "ws"),
               "scan", "--jobs", str(args.jobs), str(stack)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
        db = sqlite3.connect(t / "ws" / "formkit.sqlite", timeout=30)
        marks = {int(args.pages * q): None for q in (0.1, 0.5, 1.0)}
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            try:
                done = db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            for k in marks:
                if marks[k] is None and done >= k:
                    marks[k] = peak
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        done = db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        marks = {k: (v if v is not None else peak) for k, v in marks.items()}
    print(f"scan of {done} pages with --jobs {args.jobs}: {wall:.0f} s, {done / wall:.1f} pages/s")
    for k, v in marks.items():
        print(f"  peak memory (scan process + workers) after {k:>5} pages: {v:6.0f} MB")


if __name__ == "__main__":
    main()
