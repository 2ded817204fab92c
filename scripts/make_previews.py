"""Render both built-in forms (with example personal details) to PNG previews in docs/."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from formkit.geometry import build_geometry
from formkit.layouts import load_layout
from formkit.qrpayload import make_payload
from formkit.render import FormToPrint, render_pdf

DOCS = Path(__file__).resolve().parents[1] / "docs"
VALUES = {
    "minicex-ntnu-nb": {"trainee.name": "Áile Ŋuvttis Sara", "trainee.id": "S001", "trainee.programme": "Medisin 5. år",
                        "plan.assessor": "Dr. Kari Berg", "plan.date": "07.09.2026",
                        "plan.department": "St. Olavs – ortopedi", "plan.setting": "Håndleddsbrudd, poliklinikk",
                        "form.encounter": "3"},
    "minicex-st-sv": {"trainee.name": "Åsa Öberg", "trainee.id": "ST01", "trainee.programme": "Allmänmedicin",
                      "trainee.regulation": "HSLF-FS 2021:8", "plan.assessor": "Dr. Eva Berg",
                      "plan.date": "2026-09-10", "plan.department": "VC Norr",
                      "plan.setting": "Bröstsmärta på akutmottagningen", "form.encounter": "2"},
}
GOALS = {"minicex-st-sv": [("STb1", "Kommunikation med patienter och närstående"), ("STa4", "Etik")]}


def main() -> None:
    for name, vals in VALUES.items():
        g = build_geometry(load_layout(name))
        qr = [make_payload(name, 1, "7K2Q-9XDM", p, g.page_count, "DEMO", b"x" * 32)
              for p in range(1, g.page_count + 1)]
        pdf = DOCS / f"form-{name}.pdf"
        render_pdf([(g, FormToPrint("7K2Q-9XDM", qr, vals, GOALS.get(name, [])))], pdf)
        doc = pdfium.PdfDocument(str(pdf))
        for i, page in enumerate(doc):
            suffix = "" if len(doc) == 1 else f"-p{i + 1}"
            page.render(scale=100 / 72, grayscale=True).to_pil().save(DOCS / f"form-{name}{suffix}.png", optimize=True)
        doc.close()
        pdf.unlink()


if __name__ == "__main__":
    main()
