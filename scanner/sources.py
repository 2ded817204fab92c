"""Turn input files (scanner PDFs, TIFF, PNG, JPEG, folders) into page images, one page at a time.

Pages are yielded lazily so memory stays flat for a 1,000-page PDF. A page that fails yields a
`SourcePage` with `error` set instead of stopping the rest; a file that cannot be opened at all
raises the matching `InputError`. The type is decided by magic bytes, never by the extension.
"""

from __future__ import annotations

import os
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from scanner import errors

MAX_SIDE_PX = 12_000
MAX_PIXELS = 150_000_000
RENDER_DPI = 300
# Pillow refuses anything above 2x this with DecompressionBombError, warns above 1x; we check
# header dimensions ourselves first, this is the second line of defence.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

IMAGE_KINDS = ("png", "jpeg", "tiff", "bmp", "gif", "webp")


@dataclass
class SourcePage:
    """One page of input: an image (uint8, grey HxW or BGR HxWx3) or the error that prevented it."""

    source: Path
    index: int
    image: np.ndarray | None = None
    dpi: float | None = None
    kind: str = ""
    error: errors.InputError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.image is not None


def sniff(path: str | os.PathLike[str]) -> str:
    """File type from magic bytes: pdf, png, jpeg, tiff, bmp, gif, webp, empty or unknown."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head:
        return "empty"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "unknown"  # a ZIP archive: a PDF stored in it uncompressed shows its header in the first bytes
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head:
        return "pdf"  # junk before the header, which PDF readers accept
    return "unknown"


def iter_pages(path: str | os.PathLike[str], start: int = 0, stop: int | None = None) -> Iterator[SourcePage]:
    """Yield the pages of a file or (recursively, sorted) of a folder.

    `start`/`stop` select a page range of a single file without decoding the pages outside it, so
    worker processes can share one big PDF.
    """
    p = Path(path)
    if not p.exists():
        raise errors.NotFoundError(f"Not found: {p}", path=str(p))
    if p.is_dir():
        yield from _iter_folder(p)
        return
    yield from _iter_file(p, start, stop)


def count_pages(path: str | os.PathLike[str]) -> int:
    """Number of pages in a file, raising the same InputError as reading it would (nothing decoded)."""
    p = Path(path)
    if not p.exists():
        raise errors.NotFoundError(f"Not found: {p}", path=str(p))
    kind = sniff(p)
    if kind == "empty":
        raise errors.EmptyFileError(f"{p.name} is empty (0 bytes). Copy or export the scan again.",
                                    path=str(p))
    if kind == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(p))
        except pdfium.PdfiumError as exc:
            raise _pdf_open_error(p, exc) from exc
        try:
            n = len(pdf)
        finally:
            pdf.close()
        if n == 0:
            raise _pdf_open_error(p, None)
        return n
    if kind in IMAGE_KINDS:
        with _open_image(p, kind) as im:
            return _frames(im, kind, p)
    raise _unsupported(p)


def _frames(im: Image.Image, kind: str, p: Path) -> int:
    """Pages (frames) of an opened image file.

    Counting walks a TIFF's chain of page directories; a damaged one stopped the whole scan (Pillow: TypeError,
    "Missing dimensions"). The pages before it count, and the damaged one as one more, which then cannot be
    decoded and is rejected with its reason: the good pages are read, the loss is said.
    """
    if kind not in ("tiff", "gif", "webp"):
        return 1
    try:
        return int(getattr(im, "n_frames", 1))
    except Exception:  # a broken directory chain: Pillow raises many kinds
        pass
    good, broken = 1, 0
    while True:
        try:
            im.seek(good)
        except EOFError:
            break
        except Exception:
            broken = 1
            break
        good += 1
    im.seek(0)  # Pillow keeps the failed page as current: a later seek to it would give the previous page's pixels
    return good + broken


def _unsupported(p: Path) -> errors.UnsupportedTypeError:
    """The error for a file formkit cannot read, with what to do about it (a phone's HEIC photo named)."""
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return errors.UnsupportedTypeError(
            f"{p.name} is a HEIC/HEIF photo (an iPhone's default). Send or export it as JPEG (on the iPhone: "
            "Settings > Camera > Formats > Most Compatible), then scan that file.", path=str(p))
    if head.startswith(b"PK\x03\x04") and _zip_of_scans(p):
        return errors.UnsupportedTypeError(
            f"{p.name} is a ZIP archive (scans sent by e-mail often are). Unzip it (Windows: right-click > "
            "Extract All) and scan the folder it makes.", path=str(p))
    return errors.UnsupportedTypeError(
        f"{p.name} is not a PDF, TIFF, PNG or JPEG file. Save the scan in one of those formats.", path=str(p))


def _zip_of_scans(p: Path) -> bool:
    """Whether a ZIP archive holds files formkit reads (an Office document is a ZIP too, and holds no scans)."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            names = [n.lower() for n in z.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return any(n.endswith((".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg")) for n in names)


HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


# what an operating system leaves in a folder of scans: never a scan, never worth a "rejected" line
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", "icon\r"})
SYSTEM_FOLDERS = frozenset({"$recycle.bin", "system volume information", "__macosx"})


def skipped_in_folder(name: str, is_dir: bool = False) -> bool:
    """Whether a folder walk passes over this entry: hidden (a dot first: .DS_Store, a Mac's ._ copies) or the
    operating system's own (a Windows scan folder's Thumbs.db and desktop.ini, a USB stick's recycle bin).

    Scanning a Windows folder of good scans ended "2 files rejected" with exit code 11, for Thumbs.db and
    desktop.ini: fuss for the clerk about files nobody scanned. Named on the command line, a file is read.
    """
    return name.startswith(".") or name.lower() in (SYSTEM_FOLDERS if is_dir else SYSTEM_FILES)


def _iter_folder(root: Path) -> Iterator[SourcePage]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skipped_in_folder(d, is_dir=True))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if not skipped_in_folder(f))
    files.sort(key=lambda f: f.relative_to(root).parts)
    for f in files:
        try:
            yield from _iter_file(f)
        except errors.InputError as exc:
            exc.path = exc.path or str(f)
            yield SourcePage(source=f, index=0, error=exc)


def _iter_file(p: Path, start: int = 0, stop: int | None = None) -> Iterator[SourcePage]:
    kind = sniff(p)
    if kind == "empty":
        raise errors.EmptyFileError(f"{p.name} is empty (0 bytes). Copy or export the scan again.",
                                    path=str(p))
    if kind == "pdf":
        yield from _iter_pdf(p, start, stop)
    elif kind in IMAGE_KINDS:
        yield from _iter_image(p, kind, start, stop)
    else:
        raise _unsupported(p)


# ----------------------------------------------------------------------------------------------
# Raster images


def image_header_size(p: Path, kind: str) -> tuple[int, int] | None:
    """(width, height) from a PNG header without decoding anything; None for other types."""
    try:
        with open(p, "rb") as fh:
            head = fh.read(32)
        if kind == "png" and len(head) >= 24 and head[12:16] == b"IHDR":
            w, h = struct.unpack(">II", head[16:24])
            return int(w), int(h)
    except OSError:
        return None
    return None


def check_size(w: int, h: int, p: Path | str = "") -> None:
    """Refuse images too large to be a scanned page before any pixel is decoded."""
    if w <= 0 or h <= 0:
        raise errors.CorruptImageError(f"{Path(p).name}: image has no pixels ({w}x{h}).", path=str(p))
    if w > MAX_SIDE_PX or h > MAX_SIDE_PX or w * h > MAX_PIXELS:
        raise errors.ImageTooLargeError(
            f"{Path(p).name} is {w}x{h} pixels: too large for a scanned page "
            f"(limit {MAX_SIDE_PX} px a side, {MAX_PIXELS // 1_000_000} megapixels). Scan at 150-600 dpi.",
            path=str(p))


def _open_image(p: Path, kind: str) -> Image.Image:
    hdr = image_header_size(p, kind)
    if hdr is not None:
        check_size(*hdr, p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(p)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise errors.ImageTooLargeError(f"{p.name}: {exc}", path=str(p)) from exc
    except Exception as exc:  # Pillow raises many kinds on damaged files (a TIFF missing tags: TypeError)
        raise errors.CorruptImageError(f"{p.name} is damaged and cannot be decoded. Scan the page again.",
                                       path=str(p)) from exc
    check_size(im.width, im.height, p)
    return im


def pil_to_array(im: Image.Image) -> np.ndarray:
    """Pillow image -> uint8 grey (HxW) or BGR (HxWx3); alpha is composited on white paper."""
    mode = im.mode
    if mode in ("1", "L"):
        return np.asarray(im.convert("L"))
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im, dtype=np.float64)
        hi = max(float(a.max()), 1.0)
        return np.clip(a * (255.0 / (65535.0 if hi > 255 else 255.0)), 0, 255).astype(np.uint8)
    if mode in ("LA", "RGBA", "PA") or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("RGB")
    elif mode != "RGB":
        im = im.convert("RGB")
    rgb = np.asarray(im)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _image_dpi(im: Image.Image) -> float | None:
    dpi = im.info.get("dpi")
    try:
        if dpi and 10 <= float(dpi[0]) <= 2400:
            return float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return None


def _iter_image(p: Path, kind: str, start: int = 0, stop: int | None = None) -> Iterator[SourcePage]:
    im = _open_image(p, kind)
    with im:
        n = _frames(im, kind, p)
        for i in range(start, n if stop is None else min(stop, n)):
            try:
                if i:
                    im.seek(i)
                check_size(im.width, im.height, p)
                frame = ImageOps.exif_transpose(im) if kind in ("jpeg", "tiff", "png", "webp") else im
                frame.load()
                yield SourcePage(source=p, index=i, image=pil_to_array(frame), dpi=_image_dpi(im), kind=kind)
            except errors.InputError as exc:
                if n == 1:
                    raise
                yield SourcePage(source=p, index=i, kind=kind, error=exc)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise errors.ImageTooLargeError(f"{p.name}: {exc}", path=str(p)) from exc
            except Exception as exc:  # Pillow raises many kinds on a damaged frame
                cls = errors.TruncatedFileError if "truncat" in str(exc).lower() else errors.CorruptImageError
                err = cls(f"{p.name} page {i + 1} could not be decoded ({exc}).", path=str(p))
                if n == 1:
                    raise err from exc
                yield SourcePage(source=p, index=i, kind=kind, error=err)


# ----------------------------------------------------------------------------------------------
# PDF


def _iter_pdf(p: Path, start: int = 0, stop: int | None = None) -> Iterator[SourcePage]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as exc:
        raise _pdf_open_error(p, exc) from exc
    try:
        try:
            n = len(pdf)
        except pdfium.PdfiumError as exc:
            raise errors.CorruptPdfError(f"{p.name}: the PDF has no readable pages.", path=str(p)) from exc
        if n == 0:
            raise _pdf_open_error(p, None)
        for i in range(start, n if stop is None else min(stop, n)):
            try:
                img, dpi = _pdf_page_image(pdf, i)
                yield SourcePage(source=p, index=i, image=img, dpi=dpi, kind="pdf")
            except errors.InputError as exc:
                yield SourcePage(source=p, index=i, kind="pdf", error=exc)
            except Exception as exc:  # PDFium raises many kinds; one bad page must not stop the file
                yield SourcePage(source=p, index=i, kind="pdf", error=errors.UnreadablePageError(
                    f"{p.name} page {i + 1} could not be turned into an image ({type(exc).__name__}: {exc}).",
                    path=str(p)))
    finally:
        pdf.close()


def _pdf_open_error(p: Path, exc: Exception | None) -> errors.InputError:
    msg = str(exc or "").lower()
    if "password" in msg or "security" in msg:
        return errors.EncryptedPdfError(
            f"{p.name} is password-protected. Save it again without a password and retry.", path=str(p))
    size = p.stat().st_size
    with open(p, "rb") as fh:
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        return errors.TruncatedFileError(
            f"{p.name} is incomplete (the end of the PDF is missing). Copy it again from the scanner.",
            path=str(p))
    return errors.CorruptPdfError(
        f"{p.name} is damaged and cannot be opened. Scan the pages again or re-export the PDF.", path=str(p))


def _bitmap_to_array(bitmap) -> np.ndarray:
    """PdfBitmap -> uint8 grey or BGR copy (PDFium owns the buffer)."""
    a = bitmap.to_numpy()
    mode = getattr(bitmap, "mode", None)
    if a.ndim == 2:
        return np.array(a, dtype=np.uint8)
    ch = a.shape[2]
    if ch == 1:
        return np.array(a[:, :, 0], dtype=np.uint8)
    if mode in ("RGB", "RGBA", "RGBX"):
        return np.ascontiguousarray(a[:, :, 2::-1]).astype(np.uint8)
    return np.ascontiguousarray(a[:, :, :3]).astype(np.uint8)


def _pdf_page_image(pdf, i: int) -> tuple[np.ndarray, float | None]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    page = pdf[i]
    try:
        rot = int(page.get_rotation() or 0) % 360
        pw, ph = page.get_size()  # points, as displayed (after /Rotate)
        if rot % 180:
            pw, ph = ph, pw
        img = None
        try:
            objs = list(page.get_objects(max_depth=2))
        except pdfium.PdfiumError:
            objs = []
        images = [o for o in objs if o.type == raw.FPDF_PAGEOBJ_IMAGE]
        others = [o for o in objs if o.type not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
                  and not _invisible_text(o)]
        dpi: float | None = None
        if len(images) == 1 and not others:
            img, dpi = _native_image(images[0], pw, ph)
        if img is None:
            scale = RENDER_DPI / 72.0
            if max(pw, ph) * scale > MAX_SIDE_PX:
                scale = MAX_SIDE_PX / max(pw, ph)
            bitmap = page.render(scale=scale, grayscale=True)
            img = _bitmap_to_array(bitmap)
            del bitmap
            return img, scale * 72.0  # render applies /Rotate itself
        if rot:
            img = np.ascontiguousarray(np.rot90(img, k=-(rot // 90)))
        return img, dpi
    finally:
        page.close()


def _invisible_text(obj) -> bool:
    """Text drawn in render mode 3 (invisible): the OCR layer of a "searchable PDF" from a scanner or OCRmyPDF.

    It paints nothing, so the page is still one scanned image. Counted as drawing, it sent every page of such
    a stack to PDFium's renderer: resampled to 300 dpi (a 200-dpi scan grew 2.25x in pixels) and decoded
    the slow way, instead of taking the scanner's own pixels.
    """
    import pypdfium2.raw as raw

    if obj.type != raw.FPDF_PAGEOBJ_TEXT:
        return False
    try:
        return raw.FPDFTextObj_GetTextRenderMode(obj.raw) == raw.FPDF_TEXTRENDERMODE_INVISIBLE
    except Exception:  # an object PDFium cannot describe: treat it as drawing (the page is rendered)
        return False


def _stencil(obj) -> bool | None:
    """Whether an image is a stencil: an /ImageMask, 1-bit samples that say where the fill colour is painted
    (None: an image PDFium cannot describe, to be rendered).

    Fax software and some black-and-white scanners write pages so. PDFium's native pixels of a stencil are
    255 where it paints: taken as grey, the page came out inverted, and every field of a fax-style stack
    went to a person (its codes were read inverted, its boxes could not be).
    """
    import pypdfium2.raw as raw

    try:
        meta = obj.get_metadata()
    except Exception:
        return None
    # (a JPEG 2000 image's colours are in its codestream: PDFium says "unknown" for them too, with 8-32 bits)
    return meta.colorspace == raw.FPDF_COLORSPACE_UNKNOWN and meta.bits_per_pixel == 1


def _painted(mask: np.ndarray, obj) -> np.ndarray:
    """A stencil's page as drawn: its fill colour (grey) where the mask paints (255), white paper elsewhere.

    Kept pixel for pixel, not rendered: a black stencil stays two-level, so the reader knows the page is
    black and white (faint pencil may have vanished) and doubts accordingly.
    """
    import ctypes

    import pypdfium2.raw as raw

    if mask.ndim == 3:
        mask = mask.max(axis=2)
    rgba = [ctypes.c_uint() for _ in range(4)]
    fill = 0
    if raw.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(v) for v in rgba)):
        r, g, b, _ = (v.value for v in rgba)
        fill = int(round(0.299 * r + 0.587 * g + 0.114 * b))
    if fill == 0:
        return 255 - mask
    return (255 - (mask.astype(np.uint16) * (255 - fill) + 127) // 255).astype(np.uint8)


def _native_image(obj, pw: float, ph: float) -> tuple[np.ndarray | None, float | None]:
    """Native pixels of a page-covering image XObject, oriented as drawn; None if it is not that simple."""
    try:
        left, bottom, right, top = obj.get_bounds()
    except Exception:
        return None, None
    if (right - left) < 0.9 * pw or (top - bottom) < 0.9 * ph:
        return None, None
    m = obj.get_matrix()
    a, b, c, d = m.a, m.b, m.c, m.d
    w_px, h_px = obj.get_px_size()
    check_size(int(w_px), int(h_px))
    eps = 1e-6 * max(abs(a), abs(b), abs(c), abs(d), 1.0)
    if abs(b) < eps and abs(c) < eps:
        quarter = 0
    elif abs(a) < eps and abs(d) < eps:
        quarter = 1
    else:
        return None, None  # sheared/rotated at an odd angle: let PDFium render it
    stencil = _stencil(obj)
    if stencil is None:
        return None, None
    bitmap = obj.get_bitmap(render=False)  # PDFium's decode: it applies the image's /Decode array
    arr = _bitmap_to_array(bitmap)
    del bitmap  # PDFium owns the buffer; _bitmap_to_array copied it
    if stencil:
        arr = _painted(arr, obj)
    # Image space: row 0 is the top (y=1 in unit square). A plain `w 0 0 h` matrix draws upright.
    if quarter == 0:
        if a < 0:
            arr = arr[:, ::-1]
        if d < 0:
            arr = arr[::-1]
        dpi = arr.shape[1] / (abs(a) / 72.0) if abs(a) > 0 else None
    else:
        # a=0,d=0: [0 b; c 0]. b>0,c<0 is a 90 deg counter-clockwise rotation of the unit square.
        arr = np.rot90(arr, k=1 if b > 0 else -1)
        if (b > 0) == (c > 0):
            arr = arr[::-1]
        dpi = arr.shape[1] / (abs(c) / 72.0) if abs(c) > 0 else None
    return np.ascontiguousarray(arr), dpi
