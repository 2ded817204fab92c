"""Issued forms: machine-identifiable pages, exact personal text, faithful reprints, continuity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from pyzbar import pyzbar

from formkit.qrpayload import parse_payload, verify


def raster(pdf: Path, dpi: int = 150) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(str(pdf))
    out = [np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for page in doc]
    doc.close()
    return out


def plan(tmp_path: Path, text: str) -> str:
    p = tmp_path / "plan.csv"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_every_page_gives_back_its_qr_with_both_decoders(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "forms.pdf"
    fk("generate", "--layout", "minicex-st-sv", "--plan",
       plan(tmp_path, "trainee_id,setting,assessor,date,subgoals\nST01,Bröstsmärta,Dr Berg,2026-12-01,STb1;STa4\n"
            "ST02,,,,a1;b3;c12\n"), "--out", str(out))
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "nb.pdf"))
    store = fk.ws.store
    seen = []
    for pdf in (out, tmp_path / "nb.pdf"):
        for img in raster(pdf, 150):
            z = [r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode]
            zb = [d.data.decode() for d in pyzbar.decode(img) if d.type == "QRCODE"]
            assert len(z) == 1 and zb == z, "both decoders must read the page's one QR code"
            p = parse_payload(z[0])
            verify(p, fk.ws.workspace_id, fk.ws.secret)
            row = store.form(p.form_id)
            assert row is not None and row["layout"] == p.layout and row["version"] == p.version
            seen.append((p.form_id, p.page, p.pages))
    assert len(seen) == 2 * 2 + 2 * 1
    assert len({s[0] for s in seen}) == 4
    for text in (s[0] for s in seen):
        assert "Áile" not in text  # no names in the code


def test_pdf_text_holds_names_with_nordic_and_sami_letters(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "f.pdf"
    fk("generate", "--layout", "minicex-ntnu-nb", "--plan",
       plan(tmp_path, "trainee_id,setting,assessor,date\nS001,Håndleddsbrudd på poliklinikk,Dr. Øyvind Æsøy,2026-12-01\n"),
       "--out", str(out))
    text = PdfReader(str(out)).pages[0].extract_text()
    for s in ("Áile Ŋuvttis Čđŧ", "Håndleddsbrudd på poliklinikk", "Dr. Øyvind Æsøy", "01.12.2026", "Øvelse nr."):
        assert s in text
    fonts = json.dumps([str(f) for f in PdfReader(str(out)).pages[0]["/Resources"]["/Font"].values()])
    assert fonts  # fonts present
    sv = tmp_path / "sv.pdf"
    fk("generate", "--layout", "minicex-st-sv", "--trainee", "ST01", "--subgoals", "STb1;STc3", "--out", str(sv))
    t = PdfReader(str(sv)).pages[0].extract_text()
    assert "Åsa Öberg" in t and "STb1" in t and "Kommunikation med patienter" in t and "HSLF-FS 2021:8" in t


def test_encounters_continue_across_batches_and_forms_are_recorded(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--count", "2", "--out", str(tmp_path / "a.pdf"))
    fk("generate", "--layout", "minicex-ntnu-nb", "--plan",
       plan(tmp_path, "trainee_id,setting\nS001,Akuttmottak\nS002,Sengepost\nS001,\n"), "--out", str(tmp_path / "b.pdf"))
    rows = json.loads(fk("forms", "list", "--json").output)
    s1 = sorted(r["encounter"] for r in rows if r["trainee_id"] == "S001")
    assert s1 == [1, 2, 3, 4]
    assert [r["encounter"] for r in rows if r["trainee_id"] == "S002"] == [1]
    assert {r["batch"] for r in rows} == {1, 2}
    r = next(r for r in rows if r["setting"] == "Akuttmottak")
    assert r["encounter"] == 3 and r["status"] == "issued" and r["returned"] is False
    geo = fk.ws.store.geometry("minicex-ntnu-nb", 1)
    assert geo and geo["geometry_hash"] == fk.ws.store.form(r["form_id"])["geometry_hash"]


def test_reprint_reproduces_the_form_exactly(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = tmp_path / "batch.pdf"
    fk("generate", "--layout", "minicex-st-sv", "--plan",
       plan(tmp_path, "trainee_id,setting,subgoals\nST01,Astma,STb1\nST02,Buksmärta,b1\n"), "--out", str(batch))
    rows = json.loads(fk("forms", "list", "--json").output)
    second = next(r for r in rows if r["trainee_id"] == "ST02")["form_id"]
    fk("reprint", second.lower().replace("-", ""), "--out", str(tmp_path / "r1.pdf"))
    fk("reprint", second, "--out", str(tmp_path / "r2.pdf"))
    assert (tmp_path / "r1.pdf").read_bytes() == (tmp_path / "r2.pdf").read_bytes()
    original = raster(batch, 100)[2:4]
    again = raster(tmp_path / "r1.pdf", 100)
    assert len(again) == 2
    for a, b in zip(original, again, strict=True):
        assert np.array_equal(a, b)
    res = fk("reprint", "ZZZZ-ZZZZ", "--out", str(tmp_path / "x.pdf"), expect=7)
    assert "no form ZZZZ-ZZZZ" in res.output


def test_duplex_and_per_trainee(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.pdf"
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S002", "--count", "3", "--duplex", "--out", str(out))
    assert len(PdfReader(str(out)).pages) == 6
    pages = raster(out, 50)
    assert pages[1].min() == 255 and pages[0].min() < 50  # blank backs
    folder = tmp_path / "per"
    fk("generate", "--layout", "minicex-ntnu-nb", "--plan", plan(tmp_path, "trainee_id\nS001\nS002\nS001\n"),
       "--per-trainee", "--out", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["forms-S001.pdf", "forms-S002.pdf"]
    assert len(PdfReader(str(folder / "forms-S001.pdf")).pages) == 2


def test_long_name_shrinks_or_wraps_never_overflows(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "r.csv"
    long = "Anne-Marit Kristine Sofie Margrethe Gundersen-Østerbø Haugland"
    roster.write_text(f"id,name\nL1,{long}\n", encoding="utf-8")
    fk("trainees", "import", str(roster))
    out = tmp_path / "l.pdf"
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "L1", "--out", str(out))
    page = PdfReader(str(out)).pages[0]
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if "Haugland" in text or "Anne-Marit" in text:
            found.append((tm[4], size))
    page.extract_text(visitor_text=visit)
    assert found, "the name must be printed"
    assert "Haugland" in page.extract_text().replace("\n", " ")
    cell_right_pt = (14 + (196 - 14) * 2 / 3) * 72 / 25.4
    for x, _ in found:
        assert x < cell_right_pt


@pytest.mark.parametrize("layout", ["minicex-ntnu-nb", "minicex-st-sv"])
def test_layouts_show_json_is_the_contract(fk, layout: str) -> None:  # type: ignore[no-untyped-def]
    c = json.loads(fk("layouts", "show", layout, "--json").output)
    assert c["layout"] == layout and c["version"] == 1 and c["page_size_mm"] == [210, 297]
    assert isinstance(c["pages"], int) and c["fields"]
    res = fk("layouts", "list")
    assert "minicex-ntnu-nb" in res.output and " nb " in res.output and " sv " in res.output
