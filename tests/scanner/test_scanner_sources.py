"""Input handling: formats by magic bytes, page streaming, and every refusal with its reason code."""

import struct
import zlib

import img2pdf
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from scanner import errors
from scanner.sources import iter_pages, sniff


def _page_array():
    a = np.full((350, 248), 255, np.uint8)  # A4 at ~30 dpi
    a[10:40, 10:30] = 0  # a black block at the top-left: shows orientation
    return a


def _png_header_only(path, w, h):
    """A PNG whose header claims w x h; no pixel data is ever allocated."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    path.write_bytes(data + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def _pdf(tmp_path, name="scan.pdf", n=2):
    paths = []
    for i in range(n):
        p = tmp_path / f"p{i}.png"
        Image.fromarray(_page_array()).save(p, dpi=(30, 30))
        paths.append(str(p))
    out = tmp_path / name
    out.write_bytes(img2pdf.convert(paths))
    return out


@pytest.mark.parametrize("content,kind", [
    (b"%PDF-1.7\n", "pdf"), (b"\x89PNG\r\n\x1a\n0000", "png"), (b"\xff\xd8\xff\xe0", "jpeg"),
    (b"II*\x00xxxx", "tiff"), (b"MM\x00*xxxx", "tiff"), (b"hello world", "unknown"), (b"", "empty"),
])
def test_sniff_by_magic(tmp_path, content, kind):
    p = tmp_path / "file.pdf"  # the extension must not matter
    p.write_bytes(content)
    assert sniff(p) == kind


def test_zero_byte(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    with pytest.raises(errors.EmptyFileError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "empty_file" and "empty" in ei.value.message


def test_not_an_image(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("these are not pixels\n")
    with pytest.raises(errors.UnsupportedTypeError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "unsupported_type"


def test_an_iphone_heic_photo_is_named_with_what_to_do(tmp_path):
    """A small clinic photographs pages with an iPhone, whose camera saves HEIC: the clerk is told to send JPEG."""
    p = tmp_path / "IMG_0412.HEIC"
    p.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    with pytest.raises(errors.UnsupportedTypeError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "unsupported_type"
    assert "HEIC" in str(ei.value) and "JPEG" in str(ei.value) and "Most Compatible" in str(ei.value)
    other = tmp_path / "clip.mp4"
    other.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(64))
    with pytest.raises(errors.UnsupportedTypeError, match="is not a PDF, TIFF, PNG or JPEG file"):
        list(iter_pages(other))


def test_a_zip_of_scans_is_named_with_what_to_do(tmp_path):
    """Scans sent by e-mail arrive zipped: the clerk is told to unzip and scan the folder. A Word document is a ZIP
    too, and holds no scans: it gets the plain message."""
    import zipfile

    z = tmp_path / "skanningar.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("scan_0001.pdf", b"%PDF-1.4")
    with pytest.raises(errors.UnsupportedTypeError, match="is a ZIP archive.*Unzip it") as ei:
        list(iter_pages(z))
    assert ei.value.reason == "unsupported_type"
    docx = tmp_path / "notes.docx"
    with zipfile.ZipFile(docx, "w") as f:
        f.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(errors.UnsupportedTypeError, match="is not a PDF, TIFF, PNG or JPEG file"):
        list(iter_pages(docx))


def test_a_tiff_with_a_damaged_page_directory_keeps_its_good_pages(tmp_path):
    """A multi-page TIFF whose second page directory is damaged (Pillow: TypeError "Missing dimensions" while
    counting) stopped the whole scan. The first page is read; the second is rejected with its reason."""
    import struct

    from scanner.sources import count_pages

    buf = tmp_path / "stack.tif"
    Image.fromarray(_page_array()).save(buf)
    b = bytearray(buf.read_bytes())
    ifd = struct.unpack("<I", b[4:8])[0]
    nxt = ifd + 2 + 12 * struct.unpack("<H", b[ifd:ifd + 2])[0]  # where the next page's directory is named
    b[nxt:nxt + 4] = struct.pack("<I", len(b))
    b += struct.pack("<H", 1) + struct.pack("<HHII", 65000, 3, 1, 7) + struct.pack("<I", 0)  # a page with no size
    buf.write_bytes(bytes(b))
    assert count_pages(buf) == 2
    first, second = list(iter_pages(buf))
    assert first.ok and np.array_equal(first.image, _page_array())
    assert not second.ok and second.error.reason == "corrupt_image" and "page 2" in str(second.error)
    assert [pg.ok for pg in iter_pages(buf, start=1)] == [False]


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(errors.CorruptPdfError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "corrupt_pdf"


def test_truncated_pdf(tmp_path):
    good = _pdf(tmp_path).read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(good[: len(good) // 3])
    with pytest.raises(errors.InputError) as ei:
        pages = list(iter_pages(p))
        assert all(pg.error is not None for pg in pages)  # if PDFium repairs it, every page must fail
        raise errors.TruncatedFileError()
    assert ei.value.reason in ("truncated_file", "corrupt_pdf")


def test_encrypted_pdf(tmp_path):
    src = _pdf(tmp_path)
    w = PdfWriter()
    for page in PdfReader(src).pages:
        w.add_page(page)
    w.encrypt(user_password="secret", owner_password="owner")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as fh:
        w.write(fh)
    with pytest.raises(errors.EncryptedPdfError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "encrypted_pdf" and "password" in ei.value.message


def test_huge_png_refused_from_header(tmp_path):
    p = tmp_path / "huge.png"
    _png_header_only(p, 40_000, 40_000)
    assert p.stat().st_size < 100
    with pytest.raises(errors.ImageTooLargeError) as ei:
        list(iter_pages(p))
    assert ei.value.reason == "image_too_large" and "40000x40000" in ei.value.message


def test_decompression_bomb_tiff_refused(tmp_path):
    p = tmp_path / "bomb.tif"
    Image.new("1", (13_000, 1)).save(p, compression="group4")  # wider than any scanned page
    with pytest.raises(errors.ImageTooLargeError):
        list(iter_pages(p))


def test_multipage_tiff(tmp_path):
    a = _page_array()
    frames = [Image.fromarray(a), Image.fromarray(255 - a), Image.fromarray(a).convert("1")]
    p = tmp_path / "stack.tif"
    frames[0].save(p, save_all=True, append_images=frames[1:], dpi=(30, 30))
    pages = list(iter_pages(p))
    assert [pg.index for pg in pages] == [0, 1, 2]
    assert all(pg.ok and pg.image.shape == (350, 248) and pg.kind == "tiff" for pg in pages)
    assert pages[0].image[20, 20] == 0 and pages[1].image[20, 20] == 255 and pages[2].image[20, 20] == 0
    assert pages[0].dpi == pytest.approx(30)


def test_ccitt_g4_pdf_native_pixels(tmp_path):
    tif = tmp_path / "g4.tif"
    Image.fromarray(_page_array()).convert("1").save(tif, compression="group4", dpi=(30, 30))
    pdf = tmp_path / "g4.pdf"
    pdf.write_bytes(img2pdf.convert(str(tif)))
    assert b"/CCITTFaxDecode" in pdf.read_bytes()
    (pg,) = list(iter_pages(pdf))
    assert pg.ok and pg.image.shape == (350, 248) and pg.image.ndim == 2
    assert np.array_equal(pg.image, _page_array())
    assert pg.dpi == pytest.approx(30, rel=0.01)


def test_jpeg_pdf_and_colour(tmp_path):
    rgb = np.dstack([_page_array()] * 3).copy()
    rgb[100:120, 100:120] = (20, 40, 200)  # blue block (RGB)
    jp = tmp_path / "c.jpg"
    Image.fromarray(rgb).save(jp, quality=95, dpi=(30, 30))
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(img2pdf.convert(str(jp)))
    (pg,) = list(iter_pages(pdf))
    assert pg.ok and pg.image.shape == (350, 248, 3)
    b, g, r = pg.image[110, 110].astype(int)
    assert b > 150 and r < 60  # returned as BGR


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_pdf_page(tmp_path, rotate):
    w = PdfWriter()
    w.append(str(_pdf(tmp_path, n=1)))
    w.pages[0].rotate(rotate)
    p = tmp_path / "rot.pdf"
    w.write(p)
    (pg,) = list(iter_pages(p))
    want = np.rot90(_page_array(), k=-rotate // 90)  # /Rotate is clockwise
    assert pg.image.shape == want.shape
    assert np.array_equal(pg.image, want)


def test_pdf_streams_pages_in_order(tmp_path):
    pages = list(iter_pages(_pdf(tmp_path, n=3)))
    assert [pg.index for pg in pages] == [0, 1, 2]
    assert all(pg.ok and pg.kind == "pdf" for pg in pages)


def test_vector_pdf_is_rendered_at_300_dpi(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    p = tmp_path / "vector.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    c.rect(28.35, A4[1] - 56.7, 28.35, 28.35, fill=1)  # 10 mm square at (10, 10) mm
    c.save()
    (pg,) = list(iter_pages(p))
    assert pg.image.shape[0] == 3508 and pg.image.shape[1] in (2480, 2481) and pg.dpi == pytest.approx(300)
    assert pg.image[177, 177] == 0 and pg.image[100, 100] == 255


def test_png_exif_orientation(tmp_path):
    a = _page_array()
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[0x0112] = 6  # stored rotated: display needs 90 deg clockwise
    p = tmp_path / "phone.jpg"
    im.save(p, exif=exif, quality=95)
    (pg,) = list(iter_pages(p))
    assert pg.image.shape == (248, 350)
    assert pg.image[20, -20] < 60  # the top-left block is now top-right


def test_folder_sorted_recursive_with_reasons(tmp_path):
    d = tmp_path / "in"
    (d / "b").mkdir(parents=True)
    Image.fromarray(_page_array()).save(d / "b" / "2.png")
    Image.fromarray(_page_array()).save(d / "1.jpg")
    (d / "readme.txt").write_text("not a scan")
    (d / ".DS_Store").write_bytes(b"\0\0")
    (d / "Thumbs.db").write_bytes(b"\0\0")  # the operating system's, never a scan: passed over like hidden files
    (d / "desktop.ini").write_text("[.ShellClassInfo]")
    (d / "$RECYCLE.BIN").mkdir()
    (d / "$RECYCLE.BIN" / "old.png").write_bytes(b"")
    (d / "empty.tif").write_bytes(b"")
    pages = list(iter_pages(d))
    names = [(pg.source.name, pg.ok, pg.error.reason if pg.error else None) for pg in pages]
    assert names == [("1.jpg", True, None), ("2.png", True, None), ("empty.tif", False, "empty_file"),
                     ("readme.txt", False, "unsupported_type")]


def test_missing_path(tmp_path):
    with pytest.raises(errors.NotFoundError):
        list(iter_pages(tmp_path / "nope.pdf"))


def test_page_range_and_count(tmp_path):
    from scanner.sources import count_pages

    pdf = _pdf(tmp_path, n=4)
    assert count_pages(pdf) == 4
    assert [pg.index for pg in iter_pages(pdf, start=1, stop=3)] == [1, 2]
    assert [pg.index for pg in iter_pages(pdf, start=3)] == [3]
    tif = tmp_path / "stack.tif"
    Image.fromarray(_page_array()).save(tif, save_all=True, append_images=[Image.fromarray(_page_array())] * 2)
    assert count_pages(tif) == 3
    assert [pg.index for pg in iter_pages(tif, start=2, stop=9)] == [2]
    empty = tmp_path / "e.pdf"
    empty.write_bytes(b"")
    with pytest.raises(errors.EmptyFileError):
        count_pages(empty)


def _one_image_pdf(path, stream: bytes, image_dict: str, w: int, h: int) -> None:
    """A one-page PDF whose page is one image XObject `w` x `h` samples, drawn over the whole page."""
    from formkit.simulate.rawpdf import pdf_bytes

    pw, ph = w * 72 / 30, h * 72 / 30  # 30 dpi
    content = f"q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q".encode()
    path.write_bytes(pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] /Resources << /XObject << /Im0 4 0 R >> >> "
        f"/Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} {image_dict} /Length {len(stream)} >>\n"
        f"stream\n".encode() + stream + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"]))


def _inverted_jpeg(a: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(255 - a).save(buf, "JPEG", quality=95)
    return buf.getvalue()


@pytest.mark.parametrize("case", ["jpeg_decode_inverted", "flate_decode_inverted", "image_mask", "image_mask_g4",
                                  "jpeg_plain"])
def test_pdf_page_image_looks_as_drawn(tmp_path, case):
    """The page's pixels are what the PDF draws, not the stream's raw samples.

    An inverted grey JPEG with /Decode [1 0] came out inverted when the JPEG was decoded apart from its
    dictionary; an /ImageMask (fax software, some black-and-white scanners) came out inverted as its
    mask bits. Either left every page of such a stack unidentified.
    """
    from formkit.simulate.jbig2 import g4_strip

    a = _page_array()
    h, w = a.shape
    g4 = f"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {w} /Rows {h} >>"
    stream, image_dict = {
        "jpeg_decode_inverted": (_inverted_jpeg(a), "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                                                    "/Decode [1 0]"),
        "flate_decode_inverted": (zlib.compress((255 - a).tobytes()), "/ColorSpace /DeviceGray /BitsPerComponent 8 "
                                                                      "/Filter /FlateDecode /Decode [1 0]"),
        "image_mask": (zlib.compress(np.packbits(a > 127, axis=1).tobytes()),
                       "/ImageMask true /BitsPerComponent 1 /Filter /FlateDecode"),
        "image_mask_g4": (g4_strip(a), "/ImageMask true /BitsPerComponent 1 " + g4),  # ink as black runs
        "jpeg_plain": (_inverted_jpeg(255 - a), "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"),
    }[case]
    p = tmp_path / f"{case}.pdf"
    _one_image_pdf(p, stream, image_dict, w, h)
    (pg,) = list(iter_pages(p))
    assert pg.ok, pg.error
    img = pg.image if pg.image.ndim == 2 else pg.image.mean(axis=2)
    sy, sx = img.shape[0] / h, img.shape[1] / w  # a stencil is rendered (at 300 dpi), not taken sample by sample
    block = img[int(15 * sy):int(35 * sy), int(12 * sx):int(28 * sx)]
    paper = img[int(200 * sy):int(300 * sy), int(100 * sx):int(200 * sx)]
    assert block.mean() < 40 and paper.mean() > 215, (block.mean(), paper.mean())


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_jpeg2000_pdf_page_keeps_its_own_pixels(tmp_path, mode):
    """A JPEG 2000 page (some scanners' "high quality" PDF): PDFium leaves its colours to the codestream and calls
    them unknown, as it does a stencil's; it is no stencil, and its own pixels are taken, not a 300-dpi render."""
    import io

    buf = io.BytesIO()
    Image.fromarray(_page_array()).convert(mode).save(buf, "JPEG2000")
    p = tmp_path / "jpx.pdf"
    p.write_bytes(img2pdf.convert(buf.getvalue()))
    (pg,) = list(iter_pages(p))
    assert pg.ok and pg.image.shape[:2] == (350, 248)
    img = pg.image if pg.image.ndim == 2 else pg.image.mean(axis=2)
    assert img[15:35, 12:28].mean() < 40 and img[200:300, 100:200].mean() > 215


def _searchable_pdf(tmp_path, render_mode: int):
    """A 200-dpi grey JPEG page with a text layer on top, as a scanner's "searchable PDF" (OCR) writes it."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = np.random.default_rng(3)
    page = np.clip(rng.normal(235, 4, (2339, 1654)), 0, 255).astype(np.uint8)
    page[100:300, 100:300] = 20
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, "JPEG", quality=85)
    p = tmp_path / f"searchable-{render_mode}.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, A4[0], A4[1])
    t = c.beginText(72, 700)
    t.setTextRenderMode(render_mode)
    t.setFont("Helvetica", 12)
    t.textLine("Mini-CEX vurderingsskjema")
    c.drawText(t)
    c.save()
    return p, buf.getvalue()


def test_a_searchable_pdf_gives_the_scanners_own_pixels(tmp_path):
    """An OCR text layer (invisible text) paints nothing: the page is still its scanned image, at its own
    200 dpi and pixel for pixel as the JPEG holds it, not re-rendered by PDFium at 300 dpi."""
    import cv2

    p, jpeg = _searchable_pdf(tmp_path, render_mode=3)
    (pg,) = list(iter_pages(p))
    assert pg.ok and pg.image.shape == (2339, 1654) and pg.dpi == pytest.approx(200, abs=0.5)
    np.testing.assert_array_equal(pg.image, cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_UNCHANGED))


def test_visible_text_over_a_scan_is_kept_by_rendering_the_page(tmp_path):
    """Text that is drawn (a stamp, an annotation burnt in) is part of the page: rendered, at 300 dpi."""
    p, _ = _searchable_pdf(tmp_path, render_mode=0)
    (pg,) = list(iter_pages(p))
    assert pg.ok and pg.image.shape[0] == 3508 and pg.dpi == pytest.approx(300)
