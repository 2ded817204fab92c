"""The benchmark's printers (bench/other_printers.py): a laser prints toner or paper only, grey as dots, its
toners ordered by how much they print; an inkjet scatters its droplets; the page at the ward's size, and the
ward itself again afterwards."""

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import other_printers  # noqa: E402

import formkit.simulate.ward as ward  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """One A4 page: a word in bold type, a thin rule and a 30 % grey band."""
    path = tmp_path_factory.mktemp("printer") / "page.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 700, "Poliklinikk")
    c.setLineWidth(0.5)
    c.line(72, 650, 300, 650)
    c.setFillGray(0.7)
    c.rect(72, 550, 300, 40, stroke=0, fill=1)
    c.save()
    return path


def test_a_laser_printer_prints_toner_or_paper_and_grey_as_dots():
    grey = np.full((120, 120), 255, np.uint8)
    grey[:, :40] = 0  # solid
    grey[:, 40:80] = 178  # 30 % grey
    out = other_printers.laser_print(grey, "normal")
    assert set(np.unique(out)) <= {0, 255}
    assert (out[:, :40] == 0).all() and (out[:, 80:] == 255).all()
    band = out[:, 44:76] == 0  # away from the band's edges
    assert 0.15 < band.mean() < 0.45, band.mean()


def test_the_toners_print_in_order_and_the_page_keeps_the_wards_size(pdf):
    inked = {t: float((255 - other_printers.rasterise_laser(pdf, 150, toner=t)[0]).mean()) for t in other_printers.TONERS}
    assert inked["bold"] > inked["normal"] > inked["light"] > 0, inked
    page = other_printers.rasterise_laser(pdf, 150, toner="normal")[0]
    assert abs(page.shape[0] - 1754) <= 1 and abs(page.shape[1] - 1240) <= 1
    assert other_printers.rasterise_laser(pdf, 150, colour=True)[0].shape[2] == 3


def test_the_ward_prints_on_the_laser_only_within_the_block(pdf):
    saved = ward.rasterise_pdf
    with other_printers.laser_printer("bold"):
        assert ward.rasterise_pdf is not saved
        page = ward.rasterise_pdf(pdf, 150)[0]
        assert set(np.unique(page)) - {0, 255}  # area-averaged from 600 dpi: grey at the edges
    assert ward.rasterise_pdf is saved
    with pytest.raises(ValueError), other_printers.laser_printer("toner-saver"):
        pass


def test_an_inkjet_scatters_a_tint_and_keeps_text_solid():
    grey = np.full((200, 200), 255, np.uint8)
    grey[:, :60] = 0
    grey[:, 60:140] = 178  # 30 % grey
    out = other_printers.inkjet_print(grey)
    assert (out[:, :55] < 40).all() and (out[:, 150:] > 215).all()
    band = out[:, 70:130]
    assert 0.2 < 1 - band.mean() / 255 < 0.4, band.mean()  # the droplets cover about the tint's share
    rows = (band < 128).mean(axis=1)
    assert rows.std() < 0.08  # scattered, not a regular screen of lines


def test_a_printer_is_one_of_those_known(pdf):
    assert other_printers.rasterise_printed(pdf, 150, printer="inkjet")[0].shape[:2] == \
        other_printers.rasterise_printed(pdf, 150, printer="laser-normal")[0].shape[:2]
    with pytest.raises(ValueError):
        other_printers.rasterise_printed(pdf, 150, printer="dot-matrix")
