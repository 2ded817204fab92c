"""JBIG2 PDFs without a JBIG2 encoder: a generic region coded with MMR (= CCITT T.6).

Why: scanner PDFs with /JBIG2Decode exist in the wild and the reader must open them, but Debian
has no jbig2enc. The JBIG2 standard lets a generic region be coded with MMR, which is exactly the
T.6 (G4) bit stream that libtiff (via Pillow) already writes. So we take Pillow's G4 strip and wrap
it in JBIG2 segments (page information, immediate generic region with MMR=1, end of page) as a PDF
"embedded" JBIG2 stream. PDFium and jbig2dec decode it. A real JBIG2 encoder would more likely use
arithmetic coding or symbol dictionaries; the container and filter are what matter to a reader.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from .rawpdf import pdf_bytes


def available() -> bool:
    """The MMR route needs only Pillow's libtiff G4 encoder, which the venv has."""
    try:
        g4_strip(np.full((8, 8), 255, np.uint8))
        return True
    except Exception:  # pragma: no cover - depends on Pillow build
        return False


def g4_strip(bw: np.ndarray) -> bytes:
    """Raw T.6 data of a 0/255 image, with ink coded as *black* runs (JBIG2: 1 = black)."""
    ink = Image.fromarray(np.where(bw < 128, 255, 0).astype(np.uint8), "L").convert("1")
    buf = io.BytesIO()
    ink.save(buf, "TIFF", compression="group4", tiffinfo={278: ink.height})
    tif = Image.open(io.BytesIO(buf.getvalue()))
    offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
    if len(offsets) != 1:
        raise RuntimeError("expected a single-strip G4 TIFF")
    if tif.tag_v2.get(266, 1) != 1:
        raise RuntimeError("unexpected TIFF FillOrder")
    return buf.getvalue()[offsets[0] : offsets[0] + counts[0]]


def _segment(number: int, seg_type: int, data: bytes) -> bytes:
    """A JBIG2 segment header (no referred segments, 1-byte page association = page 1) + data."""
    return struct.pack(">IBBBI", number, seg_type & 0x3F, 0, 1, len(data)) + data


def jbig2_stream(bw: np.ndarray, dpi: float) -> bytes:
    """An embedded JBIG2 stream (no file header) holding one page of a 0/255 image."""
    h, w = bw.shape
    ppm = round(dpi / 0.0254)
    page_info = struct.pack(">IIIIBH", w, h, ppm, ppm, 0x01, 0)  # eventually lossless, not striped
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + bytes([0x01])  # region info + flags: MMR=1
    return _segment(0, 48, page_info) + _segment(1, 38, region + g4_strip(bw)) + _segment(2, 49, b"")


def write_jbig2_pdf(pages: Sequence[np.ndarray], dpis: Sequence[float], path: Path) -> Path:
    """A PDF with one /JBIG2Decode image per page, page size from each page's dpi."""
    objs: list[bytes] = []
    n = len(pages)
    # object numbers: 1 catalog, 2 pages, then per page: page, contents, image
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Count {n} /Kids [{kids}] >>".encode())
    for i, (bw, dpi) in enumerate(zip(pages, dpis, strict=True)):
        h, w = bw.shape
        wpt, hpt = w * 72.0 / dpi, h * 72.0 / dpi
        c, im = 4 + 3 * i, 5 + 3 * i
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {wpt:.3f} {hpt:.3f}] "
            f"/Resources << /XObject << /Im0 {im} 0 R >> >> /Contents {c} 0 R >>".encode()
        )
        content = f"q {wpt:.3f} 0 0 {hpt:.3f} 0 0 cm /Im0 Do Q".encode()
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        data = jbig2_stream(bw, dpi)
        objs.append(
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
            f"/BitsPerComponent 1 /Filter /JBIG2Decode /Length {len(data)} >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
    path.write_bytes(pdf_bytes(objs))
    return path
