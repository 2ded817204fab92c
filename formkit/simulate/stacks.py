"""Write degraded pages the way scanners deliver them, and shape stacks like real ones.

Containers (`write_stack`): a multi-page JPEG PDF (the office default), a CCITT G4 PDF (black and
white document scanners), a JBIG2 PDF (see `jbig2.py`), a multi-page TIFF, and loose PNG/JPEG files
in a folder. Every page carries its dpi, so a PDF page has the paper's physical size.

Stack shaping: duplex blank backs (near-white, faint noise, a hint of bleed-through from the
front), a foreign page (an unrelated letter without markers or QR), duplicates and shuffling are
done by `ward.py` with the page makers below.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import img2pdf
import numpy as np
from PIL import Image

from .effects import Scan, to_grey
from .marks import Pen, draw_handwriting

CONTAINERS: tuple[str, ...] = ("jpeg_pdf", "g4_pdf", "jbig2_pdf", "tiff", "png_dir", "jpeg_dir")

G4_THRESHOLD = 160
"""Grey pages written to a G4 container are binarised at this level (a scanner would have)."""


def _as_bilevel(scan: Scan) -> np.ndarray:
    """A 0/255 uint8 image: bilevel scans as they are, grey ones thresholded at G4_THRESHOLD."""
    g = to_grey(scan.image)
    return g if scan.bilevel else np.where(g < G4_THRESHOLD, 0, 255).astype(np.uint8)


def _dpi(scan: Scan) -> tuple[int, int]:
    d = max(1, round(scan.dpi))
    return d, d


def jpeg_bytes(scan: Scan, quality: int | None = None) -> bytes:
    """JPEG with the page's dpi in the JFIF header (img2pdf derives the page size from it)."""
    q = quality or scan.meta.get("jpeg_quality") or 85
    img = scan.image
    pil = Image.fromarray(img, "RGB" if img.ndim == 3 else "L")
    buf = io.BytesIO()
    pil.save(buf, "JPEG", quality=int(q), dpi=_dpi(scan))
    return buf.getvalue()


def g4_tiff_bytes(scan: Scan) -> bytes:
    """A single-strip CCITT G4 TIFF of the page (img2pdf embeds it without re-encoding)."""
    pil = Image.fromarray(_as_bilevel(scan), "L").convert("1")
    buf = io.BytesIO()
    pil.save(buf, "TIFF", compression="group4", dpi=_dpi(scan), tiffinfo={278: pil.height})
    return buf.getvalue()


def write_jpeg_pdf(scans: Sequence[Scan], path: Path, quality: int | None = None) -> Path:
    """One JPEG image per page (DCTDecode), page size from dpi -- what office MFPs send."""
    path.write_bytes(img2pdf.convert([jpeg_bytes(s, quality) for s in scans]))
    return path


def write_g4_pdf(scans: Sequence[Scan], path: Path) -> Path:
    """One CCITT G4 image per page (CCITTFaxDecode) -- what B/W document scanners send."""
    path.write_bytes(img2pdf.convert([g4_tiff_bytes(s) for s in scans]))
    return path


def write_tiff(scans: Sequence[Scan], path: Path) -> Path:
    """Multi-page TIFF: G4 if every page is bilevel, else Deflate grey/RGB (dpi of the first page)."""
    all_bw = all(s.bilevel for s in scans)
    frames = []
    for s in scans:
        if all_bw:
            frames.append(Image.fromarray(s.image, "L").convert("1"))
        else:
            frames.append(Image.fromarray(s.image, "RGB" if s.image.ndim == 3 else "L"))
    comp = "group4" if all_bw else "tiff_deflate"
    frames[0].save(
        path, "TIFF", save_all=True, append_images=frames[1:], compression=comp, dpi=_dpi(scans[0])
    )
    return path


def write_folder(scans: Sequence[Scan], folder: Path, fmt: str = "png", stem: str = "page") -> list[Path]:
    """Loose files `page_001.png` ... (or .jpg), as from a scan-to-folder setting or a phone."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, s in enumerate(scans, 1):
        p = folder / f"{stem}_{i:03d}.{'jpg' if fmt in ('jpg', 'jpeg') else 'png'}"
        if p.suffix == ".jpg":
            p.write_bytes(jpeg_bytes(s))
        else:
            Image.fromarray(s.image, "RGB" if s.image.ndim == 3 else "L").save(p, dpi=_dpi(s))
        out.append(p)
    return out


def write_stack(
    scans: Sequence[Scan], out_dir: Path, container: str, name: str = "stack"
) -> list[tuple[Path, int]]:
    """Write `scans` in `container`; returns, per page, (file, page index within that file).

    Raises `RuntimeError` for `jbig2_pdf` when no JBIG2 encoder is usable (see `jbig2.available`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if container == "jpeg_pdf":
        p = write_jpeg_pdf(scans, out_dir / f"{name}.pdf")
    elif container == "g4_pdf":
        p = write_g4_pdf(scans, out_dir / f"{name}.pdf")
    elif container == "jbig2_pdf":
        from . import jbig2

        p = jbig2.write_jbig2_pdf(
            [_as_bilevel(s) for s in scans], [s.dpi for s in scans], out_dir / f"{name}.pdf"
        )
    elif container == "tiff":
        p = write_tiff(scans, out_dir / f"{name}.tif")
    elif container in ("png_dir", "jpeg_dir"):
        files = write_folder(scans, out_dir / name, "png" if container == "png_dir" else "jpg")
        return [(f, 0) for f in files]
    else:
        raise ValueError(f"unknown container {container!r}; choose from {CONTAINERS}")
    return [(p, i) for i in range(len(scans))]


# --------------------------------------------------------------------------------------------
# extra pages found in real stacks


def blank_back(
    shape: tuple[int, ...], rng: np.random.Generator, front: np.ndarray | None = None
) -> np.ndarray:
    """The empty back of a duplex-scanned sheet, as a clean page image to be scanned like the rest.

    Near-white with paper fibre noise; if `front` is given, a faint mirrored bleed-through of it
    (a few grey levels), which a naive "is this page blank?" test must tolerate.
    """
    h, w = shape[:2]
    page = np.full((h, w), 255.0, np.float32)
    if front is not None:
        g = to_grey(front).astype(np.float32)
        g = cv2.resize(g, (w, h)) if g.shape != (h, w) else g
        ghost = cv2.GaussianBlur(255.0 - g[:, ::-1], (0, 0), rng.uniform(1.5, 3.0))
        page -= ghost * rng.uniform(0.02, 0.06)
    page += rng.normal(0, 1.5, (h, w)).astype(np.float32)
    out = np.clip(page, 0, 255).astype(np.uint8)
    return out if len(shape) == 2 else np.repeat(out[:, :, None], shape[2], axis=2)


NOTE_SIZES_MM = ((40.0, 8.0, 1), (120.0, 8.0, 1), (150.0, 30.0, 3))  # a few words, a line, a paragraph
NOTE_MIN_MM2 = 12.0  # a note is at least a word of a few letters (a lone blot is not a note)


def write_note(back: np.ndarray, dpi: float, rng: np.random.Generator, pen: Pen,
               size: tuple[float, float, int] | None = None) -> np.ndarray:
    """The back of a sheet with a note on it: the comment went on over the page ("se baksiden").

    The handwriting renderer may leave a narrow line with a single squashed word (a blot of ~3 mm2);
    such a draw is made again, so every note holds at least NOTE_MIN_MM2 of pen. `size`: (w, h mm, lines),
    else one of NOTE_SIZES_MM.
    """
    w, h, lines = size or NOTE_SIZES_MM[int(rng.integers(len(NOTE_SIZES_MM)))]
    ppm = dpi / 25.4
    for _ in range(8):
        x0, y0 = rng.uniform(20.0, 190.0 - w) * ppm, rng.uniform(25.0, 265.0 - h) * ppm
        out = back.copy()
        draw_handwriting(out, (x0, y0, x0 + w * ppm, y0 + h * ppm), dpi, rng, pen, max_lines=lines,
                         label_band_mm=0.0)
        changed = np.count_nonzero(np.abs(to_grey(out).astype(np.int16) - to_grey(back)) > 8)
        if changed >= NOTE_MIN_MM2 * ppm * ppm:
            break
    return out


def punch_holes(rng: np.random.Generator) -> dict[str, Any]:
    """Filing holes of one sheet: 2 (80 mm apart) or 4, ISO 838 (6 mm, centres 12 mm from the edge),
    as a feeder's dark backing shows them; a little off where the punch was held."""
    return {"ys_mm": [108.5, 188.5] if rng.random() < 0.5 else [28.5, 108.5, 188.5, 268.5],
            "edge_mm": 12.0 + float(rng.uniform(-1.0, 1.5)), "dy_mm": float(rng.uniform(-1.5, 1.5)),
            "shade": int(rng.integers(20, 91))}


def draw_holes(page: np.ndarray, dpi: float, holes: dict[str, Any], back: bool) -> np.ndarray:
    """The sheet's holes on one side (the front's left edge is the back's right edge); a copy."""
    out = page.copy()
    ppm = dpi / 25.4
    w_mm = out.shape[1] / ppm
    x = w_mm - holes["edge_mm"] if back else holes["edge_mm"]
    colour = holes["shade"] if out.ndim == 2 else (holes["shade"],) * 3
    for y in holes["ys_mm"]:
        cv2.circle(out, (round(x * ppm), round((y + holes["dy_mm"]) * ppm)), round(3.0 * ppm), colour, -1, cv2.LINE_AA)
    return out


_WORDS = (  # noqa: SIM905 - a word list reads better as text
    "the of and to in for is on that by this with you it not or be are from at as your all have "
    "new more an was we will home can us about if page my has search free but our one other do no "
    "information time they site he up may what which their news out use any there see only so his "
    "when contact here business who web also now help get pm view online first am been would how "
    "were me services some these click its like service than find "
).split()


def foreign_page(shape: tuple[int, ...], dpi: float, rng: np.random.Generator) -> np.ndarray:
    """An unrelated document page (a letter: heading, paragraphs, signature) -- no markers, no QR.

    Stacks contain these: cover letters, a page from another form, a referral. The reader must
    say "unidentified", not guess.
    """
    h, w = shape[:2]
    img = np.full((h, w), 255, np.uint8)
    ppm = dpi / 25.4
    left, right = int(25 * ppm), int(w - 25 * ppm)
    scale = dpi / 260.0  # Hershey font: cap height ~2.5 mm, roughly 11 pt text
    thick = max(1, round(0.25 * ppm))
    y = int(rng.uniform(25, 40) * ppm)
    cv2.rectangle(img, (left, y - int(12 * ppm)), (left + int(30 * ppm), y), 90, -1)  # a letterhead logo
    y += int(12 * ppm)
    cv2.putText(
        img,
        " ".join(rng.choice(_WORDS, 4)).title(),
        (left, y),
        cv2.FONT_HERSHEY_DUPLEX,
        scale * 1.5,
        0,
        thick + 1,
        cv2.LINE_AA,
    )
    y += int(12 * ppm)
    line_h = int(6 * ppm)
    while y < h - 40 * ppm:
        for _ in range(int(rng.integers(3, 9))):
            words, x = [], left
            line = ""
            while True:
                wd = str(rng.choice(_WORDS))
                (tw, _), _ = cv2.getTextSize(line + " " + wd, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
                if left + tw > right:
                    break
                line = (line + " " + wd).strip()
                words.append(wd)
            cv2.putText(img, line, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 20, thick, cv2.LINE_AA)
            y += line_h
            if y > h - 40 * ppm:
                break
        y += line_h
    return img if len(shape) == 2 else np.repeat(img[:, :, None], shape[2], axis=2)
