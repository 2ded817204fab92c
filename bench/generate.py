"""Benchmark: 1,000 personalised two-page forms (minicex-st-sv) into one PDF.

Prints pages/s and ms/page for (a) the renderer alone and (b) the whole `issue_forms` path with
the workspace database, plus a naive baseline (static part redrawn on every page, QR drawn module
by module) measured in the same run, so the ratio is meaningful on a noisy shared machine.

    python bench/generate.py [--forms 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from checkout import measured_code_is_this_checkout
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from formkit.geometry import build_geometry
from formkit.issuing import FormRequest, issue_forms
from formkit.layouts import load_layout
from formkit.qrpayload import make_payload, new_form_id
from formkit.render import FormRenderer, FormToPrint, render_pdf
from formkit.workspace import init_workspace

NAMES = ["Åsa Öberg", "Áile Ŋuvttis", "Kari Nordmann", "Per Ćirić-Ødegård", "Märta Lindström"]


def make_forms(n: int, geom, wid: str, secret: bytes) -> list[FormToPrint]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        fid = new_form_id()
        vals = {"trainee.name": NAMES[i % len(NAMES)], "trainee.id": f"ST{i:04d}",
                "trainee.programme": "Allmänmedicin", "trainee.regulation": "HSLF-FS 2021:8",
                "plan.assessor": "Dr. Berg", "plan.date": "2026-12-01", "plan.department": "VC Norr",
                "plan.setting": "Bröstsmärta, akutmottagning", "form.encounter": str(i % 9 + 1)}
        qr = [make_payload("minicex-st-sv", 1, fid, p, geom.page_count, wid, secret) for p in (1, 2)]
        goals = [("STb1", "Kommunikation med patienter och närstående"), ("STa4", "Etik")]
        out.append(FormToPrint(fid, qr, vals, goals))
    return out


def naive(geom, forms: list[FormToPrint], path: Path) -> None:  # type: ignore[no-untyped-def]
    """Baseline: everything redrawn per page, QR as one rectangle per module."""
    import numpy as np
    import zxingcpp

    r = FormRenderer(geom)
    c = Canvas(str(path), pagesize=(210 * mm, 297 * mm), invariant=True)
    for f in forms:
        p = r.prepare(f)
        for pno, page in enumerate(geom.pages, start=1):
            r._draw_furniture_static(c, pno)
            for o in page.static:
                r._draw(c, o)
            m = np.asarray(zxingcpp.create_barcode(f.qr_payloads[pno - 1], zxingcpp.BarcodeFormat.QRCode)
                           .to_image(scale=1, add_quiet_zones=False)) < 128
            cell = 22 / m.shape[0]
            for (yy, xx) in zip(*np.nonzero(m), strict=True):
                c.rect((163 + xx * cell) * mm, (297 - 10 - (yy + 1) * cell) * mm, cell * mm, cell * mm,
                       stroke=0, fill=1)
            for o in page.dynamic:
                r._draw_dynamic(c, o, pno, p)
            c.showPage()
    c.save()


def main() -> None:
    measured_code_is_this_checkout()
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=1000)
    args = ap.parse_args()
    n = args.forms
    geom = build_geometry(load_layout("minicex-st-sv"))
    pages = n * geom.page_count
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        forms = make_forms(n, geom, "BNCH", b"x" * 32)
        t0 = time.perf_counter()
        render_pdf(((geom, f) for f in forms), t / "fast.pdf")
        fast = time.perf_counter() - t0
        sub = forms[: max(1, n // 5)]
        t0 = time.perf_counter()
        naive(geom, sub, t / "naive.pdf")
        slow = (time.perf_counter() - t0) * n / len(sub)
        ws = init_workspace(t / "ws")
        with ws.store.transaction():
            for i in range(n):
                ws.store.upsert_trainee(f"ST{i:04d}", NAMES[i % len(NAMES)], "Allmänmedicin", "HSLF-FS 2021:8", {})
        reqs = [FormRequest(f"ST{i:04d}", "Bröstsmärta", "Dr. Berg", "2026-12-01", "VC Norr", ["STb1", "STa4"])
                for i in range(n)]
        t0 = time.perf_counter()
        issue_forms(ws, "minicex-st-sv", reqs, t / "issued.pdf")
        full = time.perf_counter() - t0
        size = (t / "fast.pdf").stat().st_size
    print(f"forms: {n}, pages: {pages}, PDF size {size / 1e6:.1f} MB")
    print(f"renderer (XObject + one-path QR): {pages / fast:8.0f} pages/s  {1000 * fast / pages:6.2f} ms/page")
    print(f"formkit generate path (with DB):  {pages / full:8.0f} pages/s  {1000 * full / pages:6.2f} ms/page")
    print(f"naive baseline (redraw all):      {pages / slow:8.0f} pages/s  {1000 * slow / pages:6.2f} ms/page")
    print(f"speed-up over naive: x{slow / fast:.1f}")


if __name__ == "__main__":
    main()
