"""The page's print as designed (`formkit.print_reference`): the same labels as on the issued paper, and
rendered once per page, not once per form, where nothing on the page depends on the form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

from formkit.print_reference import SUPERSAMPLE, page_print, raster
from scanner import PRINT_REF_RES
from scanner.beside import label_of
from tests.conftest import Cli


def _issued(fk: Cli, tmp_path: Path, trainee: str, goals: list[str]) -> tuple[str, list[np.ndarray]]:
    out = tmp_path / f"{trainee}-{'-'.join(goals)}.pdf"
    fk("generate", "-l", "minicex-st-sv", "--trainee", trainee, "--subgoals", ";".join(goals), "--out", str(out))
    form_id = json.loads(fk("forms", "list", "--json").output)[-1]["form_id"]
    pdf = pdfium.PdfDocument(str(out))
    pages = [raster(p) for p in pdf]  # as the reference is rasterised: what differs is what is drawn
    pdf.close()
    return form_id, pages


def _stored(fk: Cli, form_id: str) -> tuple[str, str, tuple, dict]:
    db = fk.ws.store.db
    row = db.execute("SELECT layout, version, print_json FROM forms WHERE form_id=?", (form_id,)).fetchone()
    src = db.execute("SELECT source_yaml, geometry_hash FROM layout_versions WHERE layout=? AND version=?",
                     (row["layout"], row["version"])).fetchone()
    subgoals = tuple(tuple(s) for s in json.loads(row["print_json"])["subgoals"])
    geom = json.loads(fk("forms", "show", form_id, "--json").output)
    return src["source_yaml"], src["geometry_hash"], subgoals, geom


def test_the_reference_shows_every_option_label_as_printed(fk: Cli, tmp_path: Path) -> None:
    form_id, paper = _issued(fk, tmp_path, "ST01", ["STb1", "STa4"])
    source, digest, subgoals, geom = _stored(fk, form_id)
    assert subgoals and subgoals[0][0] == "STb1"
    compared: list[str] = []
    for page_no, printed_page in enumerate(paper, start=1):
        ref = page_print(source, digest, subgoals, page_no)
        assert ref is not None and ref.shape == printed_page.shape
        printed = [p["rect_mm"] for p in geom["printed_text"] if p["page"] == page_no]
        for f in geom["fields"]:
            if f.get("page") != page_no:
                continue
            for o in f.get("options", []):
                lab = label_of(o["rect_mm"], printed)
                if lab is None:
                    continue
                x, y, w, h = (int(round(float(v) * PRINT_REF_RES)) for v in lab)
                a, b = ref[y:y + h, x:x + w].astype(int), printed_page[y:y + h, x:x + w].astype(int)
                assert np.abs(a - b).max() <= 8, (page_no, f["id"], o["value"])
                assert a.min() < 128  # there is print in the rect: the comparison is not of blank paper
                compared.append(f["id"])
    assert len(compared) >= 15 and "subgoals" in compared  # the form's own subgoal labels among them


def test_a_page_without_subgoal_labels_is_rendered_once_for_all_forms(fk: Cli, tmp_path: Path) -> None:
    first, _ = _issued(fk, tmp_path, "ST01", ["STb1", "STa4"])
    second, _ = _issued(fk, tmp_path, "ST01", ["STa2"])
    a, b = _stored(fk, first), _stored(fk, second)
    assert a[:2] == b[:2] and a[2] != b[2]
    slot_page = next(f["page"] for f in a[3]["fields"] if f["id"] == "subgoals")
    other = 3 - slot_page  # the form has two pages
    assert page_print(a[0], a[1], a[2], other) is page_print(b[0], b[1], b[2], other)  # one cached render
    on_a, on_b = page_print(a[0], a[1], a[2], slot_page), page_print(b[0], b[1], b[2], slot_page)
    assert on_a is not None and on_b is not None and not np.array_equal(on_a, on_b)  # each form's own labels


def test_no_reference_for_a_layout_laid_out_differently_or_a_page_it_does_not_have(fk: Cli, tmp_path: Path) -> None:
    form_id, _ = _issued(fk, tmp_path, "ST01", ["STb1"])
    source, digest, subgoals, _ = _stored(fk, form_id)
    assert page_print(source, "0" * len(digest), subgoals, 1) is None
    assert page_print(source, digest, subgoals, 3) is None


def test_the_reference_is_averaged_down_from_a_finer_render(fk: Cli, tmp_path: Path) -> None:
    """Rendered straight at PRINT_REF_RES, the letters' stems are snapped to whole pixels (font hinting):
    the reader's model of the print then took every stem's edge for pen. The reference's labels are the
    page rendered SUPERSAMPLE times finer and averaged down."""
    form_id, _ = _issued(fk, tmp_path, "ST01", ["STb1"])
    source, digest, subgoals, geom = _stored(fk, form_id)
    ref = page_print(source, digest, subgoals, 1)
    page = pdfium.PdfDocument(str(tmp_path / "ST01-STb1.pdf"))[0]
    fine = page.render(scale=SUPERSAMPLE * PRINT_REF_RES * 25.4 / 72.0, grayscale=True).to_numpy()
    fine = np.ascontiguousarray(fine[:, :, 0] if fine.ndim == 3 else fine).astype(np.float64)
    plain = page.render(scale=PRINT_REF_RES * 25.4 / 72.0, grayscale=True).to_numpy()
    plain = np.ascontiguousarray(plain[:, :, 0] if plain.ndim == 3 else plain).astype(np.float64)
    assert SUPERSAMPLE >= 2 and ref is not None and ref.shape == plain.shape
    printed = [p["rect_mm"] for p in geom["printed_text"] if p["page"] == 1]
    labels = [lab for f in geom["fields"] if f.get("page") == 1 for o in f.get("options", [])
              if (lab := label_of(o["rect_mm"], printed)) is not None]
    assert len(labels) >= 10
    k, off_plain = SUPERSAMPLE, 0.0
    for lab in labels:
        x, y, w, h = (int(round(float(v) * PRINT_REF_RES)) for v in lab)
        averaged = fine[y * k:(y + h) * k, x * k:(x + w) * k].reshape(h, k, w, k).mean(axis=(1, 3))
        assert np.abs(ref[y:y + h, x:x + w] - averaged).max() <= 1.0
        off_plain = max(off_plain, float(np.abs(plain[y:y + h, x:x + w] - averaged).max()))
    assert off_plain > 40  # the plain render's stems are where the finer one does not put them


def test_a_forms_subgoal_band_is_laid_into_the_shared_page_pixel_for_pixel(fk: Cli, tmp_path: Path) -> None:
    """Only the band that prints the form's subgoals is rasterised per form (a whole page per Swedish form
    cost ~40 ms); laid into the page rendered without them, it gives the page a whole render gives."""
    import io

    from formkit import print_reference as pr
    from formkit.render import FormToPrint, render_pdf

    form_id, _ = _issued(fk, tmp_path, "ST01", ["STb1", "STa4", "STc7"])
    source, digest, subgoals, geom_json = _stored(fk, form_id)
    slot_page = next(f["page"] for f in geom_json["fields"] if f["id"] == "subgoals")
    got = page_print(source, digest, subgoals, slot_page)
    geom, _ = pr._laid_out(source)
    buf = io.BytesIO()
    render_pdf([(geom, FormToPrint(pr._PLACEHOLDER_ID, ["-"] * geom.page_count, {}, list(subgoals)))], buf)
    whole = raster(pdfium.PdfDocument(buf.getvalue())[slot_page - 1])
    assert got is not None and got.shape == whole.shape and np.array_equal(got, whole)
    r0, r1 = pr._subgoal_rows(geom.pages[slot_page - 1], whole.shape[0])
    assert 0 < r1 - r0 < whole.shape[0] // 4  # a band, not the page


def test_issuing_keeps_the_references_in_the_workspace_and_a_scan_worker_reads_them(fk: Cli, tmp_path: Path,
                                                                                    monkeypatch) -> None:
    """Forms issued leave their layout's pages (as laid out without subgoals) in the workspace's cache, so a scan
    worker reads them instead of rendering each one (~0.25 s before its first form page); what it reads is
    the render, pixel for pixel."""
    from formkit import print_reference as pr

    form_id, _ = _issued(fk, tmp_path, "ST01", ["STb1", "STa4"])
    source, digest, subgoals, geom = _stored(fk, form_id)
    cache = fk.ws.cache_dir
    kept = sorted(cache.glob("print-*.npy"))
    assert len(kept) == len({f["page"] for f in geom["fields"]}) == 2
    pr._render.cache_clear()
    rendered = [pr._render(source, (), p) for p in (1, 2)]  # no cache: rendered here
    pr._render.cache_clear()

    def no_render(*_a: object, **_k: object) -> None:
        raise AssertionError("rendered although the workspace keeps the page")

    monkeypatch.setattr(pr, "raster", no_render)
    for p in (1, 2):
        got = pr._render(source, (), p, cache)
        assert got.shape == rendered[p - 1].shape and np.array_equal(got, rendered[p - 1])
    pr._render.cache_clear()


def test_a_damaged_reference_in_the_cache_is_rendered_again_not_trusted(fk: Cli, tmp_path: Path) -> None:
    from formkit import print_reference as pr

    form_id, _ = _issued(fk, tmp_path, "ST01", ["STb1", "STa4"])
    source, digest, subgoals, _ = _stored(fk, form_id)
    path = pr.cache_path(fk.ws.cache_dir, source, 2)
    good = np.load(path)
    path.write_bytes(path.read_bytes()[:200])  # cut short, as by a full disk
    pr._render.cache_clear()
    got = page_print(source, digest, subgoals, 2, fk.ws.cache_dir)
    assert got is not None and np.array_equal(got, good)
    assert np.array_equal(np.load(path), good)  # and written whole again
    pr._render.cache_clear()


def test_the_cache_is_named_by_what_shapes_the_render(tmp_path: Path, monkeypatch) -> None:
    """Another formkit version (its renderer, its fonts) renders afresh rather than reading another's print."""
    from formkit import print_reference as pr

    a = pr.cache_path(tmp_path, "layout: a", 1)
    assert a != pr.cache_path(tmp_path, "layout: a", 2) != pr.cache_path(tmp_path, "layout: b", 1)
    monkeypatch.setattr(pr, "__version__", "9.9.9")
    assert pr.cache_path(tmp_path, "layout: a", 1) != a
