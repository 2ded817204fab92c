"""Benchmark: notes written on the back of a sheet against empty backs, per scanner profile.

An empty back must come out `blank`, a back with a note must not (it goes to a person as an
`unidentified` page with a `writing_no_code` reason). Each back shows its front through: the front is a
printed form with three blocks of felt-tip writing on it, the strongest show-through a back gets, and
three backs in ten have filing holes. Notes are a few words (40 mm), a line (120 mm) or a paragraph
(three lines), in each pen of the ward. Printed per profile: empty backs taken for a note, notes found
per pen (of the three sizes x --backs), and the time the note look adds to an empty back.

    python bench/back_notes.py [--backs 4] [--profiles office300,...] [--seed 1]

A faint pencil may vanish in a 1-bit scan (bilevel*, dither): a note that is gone is gone for any
reader, so misses there are expected.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import other_scanners  # noqa: E402
from checkout import measured_code_is_this_checkout

import scanner  # noqa: E402
from formkit.ingest.worker import FURNITURE  # noqa: E402
from formkit.issuing import FormRequest, issue_forms  # noqa: E402
from formkit.simulate.effects import PROFILES, apply_profile, to_grey  # noqa: E402
from formkit.simulate.marks import PENS, draw_handwriting  # noqa: E402
from formkit.simulate.render import rasterise_pdf  # noqa: E402
from formkit.simulate.stacks import NOTE_SIZES_MM, blank_back, draw_holes, punch_holes, write_note  # noqa: E402
from formkit.simulate.ward import COLOUR_PROFILES, PROFILE_DPI  # noqa: E402
from formkit.workspace import init_workspace  # noqa: E402
from scanner.back_notes import note_mm2  # noqa: E402

NOTE_PENS = ("ballpoint_black", "ballpoint_blue", "felt_tip", "pencil", "faint_pencil")


def printed_form(tmp: Path) -> Path:
    ws = init_workspace(tmp / "ws")
    with ws.store.transaction():
        ws.store.upsert_trainee("T000", "Kari", "Bench", None, {})
    pdf = tmp / "form.pdf"
    issue_forms(ws, "minicex-ntnu-nb", [FormRequest("T000", "Poliklinikk", "Dr. A", "2026-11-01")], pdf)
    return pdf


def front(pdf: Path, dpi: int, rng: np.random.Generator) -> np.ndarray:
    img = rasterise_pdf(pdf, dpi, pages=[0])[0]
    img = img if img.ndim == 3 else np.dstack([img] * 3)
    ppm = dpi / 25.4
    for y in (60.0, 140.0, 220.0):
        x0, y0 = rng.uniform(20, 70) * ppm, (y + rng.uniform(-10, 10)) * ppm
        draw_handwriting(img, (x0, y0, x0 + 120 * ppm, y0 + 20 * ppm), dpi, rng, "felt_tip", max_lines=2,
                         label_band_mm=0.0)
    return img


def run(profile: str, pdf: Path, backs: int, seed: int) -> dict:
    dpi = PROFILE_DPI.get(profile, 300)
    colour = profile in COLOUR_PROFILES
    false_notes, look_s = 0, 0.0
    found: dict[str, list[int]] = {p: [0, 0] for p in NOTE_PENS}
    for b in range(backs):
        rng = np.random.default_rng(seed * 1000 + b)
        f = front(pdf, dpi, rng)
        back = blank_back(f.shape if colour else f.shape[:2], rng, f if colour else to_grey(f))
        if rng.random() < 0.3:
            back = draw_holes(back, dpi, punch_holes(rng), back=True)
        scan = apply_profile(profile, back, dpi, rng).image
        false_notes += not scanner.locate(scan, FURNITURE).blank
        t0 = time.perf_counter()
        note_mm2(scan)
        look_s += time.perf_counter() - t0
        for pen in NOTE_PENS:
            for size in NOTE_SIZES_MM:
                img = write_note(back, dpi, rng, PENS[pen], size)
                found[pen][0] += not scanner.locate(apply_profile(profile, img, dpi, rng).image, FURNITURE).blank
                found[pen][1] += 1
    return {"profile": profile, "backs": backs, "false_notes": false_notes, "found": found,
            "look_ms": 1000 * look_s / max(backs, 1)}


def main() -> None:
    measured_code_is_this_checkout()
    other_scanners.register({})
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backs", type=int, default=4, help="empty backs per profile (and notes per pen and size)")
    ap.add_argument("--profiles", default=",".join(PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = printed_form(Path(tmp))
        print(f"back notes benchmark — {args.backs} empty backs per profile, notes: {len(NOTE_SIZES_MM)} sizes x "
              f"{args.backs} per pen, seed {args.seed}")
        print(f"{'profile':<12}{'empty→note':>11}{'look ms':>8}  " + "  ".join(f"{p:>15}" for p in NOTE_PENS))
        for prof in args.profiles.split(","):
            r = run(prof, pdf, args.backs, args.seed)
            cells = "  ".join(f"{f'{a}/{n}':>15}" for a, n in r["found"].values())
            empty = f"{r['false_notes']}/{r['backs']}"
            print(f"{prof:<12}{empty:>11}{r['look_ms']:>8.1f}  {cells}", flush=True)


if __name__ == "__main__":
    main()
