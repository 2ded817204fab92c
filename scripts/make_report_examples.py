"""Run the demo in a temporary folder and render its reports to PNG in docs/examples/ (demo-*.png)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from formkit.demo import run_demo

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("demo-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        res = run_demo(Path(tmp) / "demo", echo=lambda s: None)
        for pdf in sorted((res.workspace / "reports").glob("*.pdf")):
            name = "encounter" if pdf.stem.startswith("encounter") else pdf.stem
            doc = pdfium.PdfDocument(str(pdf))
            for i, page in enumerate(doc):
                page.render(scale=80 / 72).to_pil().convert("RGB").save(OUT / f"demo-{name}-p{i + 1}.png",
                                                                         optimize=True)
            doc.close()
    print("\n".join(sorted(p.name for p in OUT.glob("demo-*.png"))))


if __name__ == "__main__":
    main()
