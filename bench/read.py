"""Benchmark: read synthetic stacks per scanner profile — speed, memory and accuracy in one run.

For each profile a fresh workspace issues forms, the synthetic ward fills and "scans" them, and
`formkit scan` reads the stack. Printed per profile: pages/s and ms/page (with --jobs), the
decode-only floor measured in the same run (just turning the files into page images), peak
memory, and accuracy against the ward's truth: silent errors (accepted value ≠ truth), share of
fields sent to review (and the share the reader alone caused: 'reader %' leaves out the reviews a
perfect reader would need too - a required row left empty, an answer not visible on the paper),
pages unaccounted for ('lost') and pages in another state than the truth says ('state≠': e.g. a blank
back taken for an unidentified page). Compare ratios within one run: machines are shared.

    python bench/read.py [--forms 40] [--jobs 2] [--profiles office300,bilevel,...] [--seed 1] [--breakdown]

--breakdown adds, per profile, what the fields sent to review held according to the truth
(review reason x drawn mark kind/pen), to see which marks cost a person's time.

--pens replaces the office pen mix for a stress test of one kind of writer, e.g.
`--pens faint_pencil=1` (every assessor writes with a faint pencil): the hardest case for silent
misses, since a faint loop or tick that goes unseen would leave an optional row wrongly empty.
--beside SHARE draws that share of answers beside the box instead of in it (the label circled or
underlined, a tick next to the box): the boxes look empty, so only ink beside them can send the
row to a person.
--punched SHARE gives that share of sheets filing holes, as a feeder's black backing shows them (the
blank backs must still be blank).
--back-notes SHARE writes a note on that share of the duplex backs (every profile then gets blank backs):
the assessor went on over the page. Such a back must be `unidentified` (for a person), not `blank`.
--profiles dither runs the stress profile kept out of the default list: a scanner's 1-bit halftone mode
(paper grain, pencil and light ink dithered into dots); --profiles glare, phone photos with a bright
spot of reflected light washing out print and ink; --profiles shadow, phone photos with a hard-edged
shadow (a hand, the phone) cutting across rows of boxes; --profiles stain, office scans of sheets with
coffee rings on them; --profiles bilevel200,bilevel150, 1-bit scans at 200 dpi (a common MFP default for
scan-to-email) and 150 dpi, where pencil writing may vanish whole.

Marks, scanners and printers the reader was not tuned on (stress runs; see bench/other_hands.py,
bench/other_scanners.py, bench/other_printers.py): --hands other draws the answers with a second renderer,
written apart from the ward's (other shapes, other strokes); --profiles whiten,sharp_lowq,grey_paper,dark_gamma,
office400 runs scanner settings the ward's profiles do not use (background removal, sharpening with a harsh
JPEG, recycled grey paper, a darker gamma, 400 dpi); --printer laser-bold|laser-normal|laser-light prints the
forms as a 600-dpi laser printer does (poppler's rasteriser, not the reader's pdfium; toner or paper, grey as
a dot screen; toner spread, as rendered or light), --printer inkjet as an inkjet does (greys as scattered
droplets, each wicking a little into the paper).

--subgoals varied gives each Swedish form its own one to three delmål (as trainees' plans differ) instead of
the same two on every form: each form page then carries its own subgoal labels, as in a real stack, which the
reader's print reference must render (the stack differs from the default one: the ward's draws shift).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import other_hands
import other_printers
import other_scanners
import third_hands
from checkout import measured_code_is_this_checkout

import scanner
from formkit.accuracy import compare, rate_upper_bound, share_interval
from formkit.demo import per_form_geometry
from formkit.ingest import scan
from formkit.issuing import FormRequest, issue_forms
from formkit.records import records
from formkit.simulate import Styles, forms_from_pdf, simulate_stack
from formkit.simulate.marks import PENS
from formkit.workspace import init_workspace

PROFILES = {  # profile: (container, layouts mix)
    "office300": "jpeg_pdf",
    "office200": "jpeg_pdf",
    "bilevel": "g4_pdf",
    "bilevel200": "g4_pdf",  # not in the default run: --profiles bilevel200,bilevel150 (1-bit at lower dpi)
    "bilevel150": "g4_pdf",
    "dither": "g4_pdf",  # not in the default run: --profiles dither (a stress test)
    "dpi150": "jpeg_pdf",
    "rough": "jpeg_pdf",
    "phone": "jpeg_dir",
    "glare": "jpeg_dir",  # not in the default run: --profiles glare (a stress test)
    "shadow": "jpeg_dir",  # not in the default run: --profiles shadow (a stress test)
    "stain": "jpeg_pdf",  # not in the default run: --profiles stain (a stress test)
}
other_scanners.register(PROFILES)
# run on request only: kept out of the figures compared across sessions
STRESS_PROFILES = {"dither", "glare", "shadow", "stain", "bilevel200", "bilevel150", *other_scanners.OTHER_SCANNERS}
CHUNK_PAGES = 100  # form pages of one layout simulated at once: the simulator holds a stack's page images
# in memory (~19 MB a page with its blank back at 300 dpi; 800 forms at once were killed), so larger runs are
# written as several stack files (100 one-page or 50 two-page forms each), each with its own stranger page,
# shuffled within itself; up to 150 forms per profile give the same stacks as before
NAMES = ["Åsa Öberg", "Áile Ŋuvttis", "Kari Nordmann", "Per Ødegård", "Märta Lindström", "Ole Čađa"]
DELMAL = ["STa1", "STa2", "STa3", "STa4", "STa5", "STa6", "STa7", "STb1", "STb2", "STb3", "STb4"]


def subgoals_of(i: int, varied: bool = False) -> list[str]:
    """The i-th Swedish form's delmål: the same two on every form, or (`varied`) one to three of its own."""
    if not varied:
        return ["STb1", "STa4"]
    n = 1 + (i // 3) % 3
    return [DELMAL[(5 * i + 3 * k) % len(DELMAL)] for k in range(n)]


class WorkerMemory:
    """Largest resident set of any descendant process, sampled from /proc (Linux).

    Workers forked by a fork server are not our children, so RUSAGE_CHILDREN does not see them.
    """

    def __init__(self, every_s: float = 0.1) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            for pid in _descendants(os.getpid()):
                try:
                    with open(f"/proc/{pid}/status") as f:
                        rss = next((int(x.split()[1]) for x in f if x.startswith("VmRSS:")), 0)
                except OSError:
                    continue
                self.peak_mb = max(self.peak_mb, rss / 1024)


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(c) for c in f.read().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_pens(text: str) -> dict[str, float] | None:
    """'faint_pencil=1,pencil=0.5' -> {'faint_pencil': 1.0, 'pencil': 0.5}; '' -> None (the office mix)."""
    if not text:
        return None
    out = {}
    for part in text.split(","):
        name, _, w = part.partition("=")
        if name.strip() not in PENS:
            raise SystemExit(f"unknown pen {name!r}; known: {', '.join(PENS)}")
        out[name.strip()] = float(w or 1)
    return out


def stress_styles(pens: dict[str, float] | None, beside: float) -> Styles | None:
    """The ward's styles for a stress test (None: the office mix)."""
    if not pens and not beside:
        return None
    return Styles(**({"pen_weights": pens} if pens else {}), beside_marks=beside)


def run_profile(profile: str, container: str, n_forms: int, jobs: int, seed: int, tmp: Path,
                pens: dict[str, float] | None = None, beside: float = 0.0, punched: float = 0.0,
                back_notes: float = 0.0, varied_subgoals: bool = False) -> dict:
    ws = init_workspace(tmp / f"ws-{profile}")
    with ws.store.transaction():
        for i in range(n_forms):
            reg = "HSLF-FS 2021:8" if i % 3 == 2 else None
            ws.store.upsert_trainee(f"T{i:03d}", NAMES[i % len(NAMES)], "Bench", reg, {})
    nb = [FormRequest(f"T{i:03d}", "Poliklinikk", "Dr. A", "2026-11-01") for i in range(n_forms) if i % 3 != 2]
    sv = [FormRequest(f"T{i:03d}", "Akutmottagning", "Dr. B", "2026-11-02", subgoals=subgoals_of(i, varied_subgoals))
          for i in range(n_forms) if i % 3 == 2]
    rng = np.random.default_rng(seed)
    files: list[Path] = []
    truths = []
    for layout, reqs in (("minicex-ntnu-nb", nb), ("minicex-st-sv", sv)):
        if not reqs:
            continue
        pdf = tmp / f"{profile}-{layout}.pdf"
        res = issue_forms(ws, layout, reqs, pdf)
        forms = forms_from_pdf(pdf, per_form_geometry(ws, res.form_ids))
        chunk = max(1, CHUNK_PAGES // max(1, len(forms[0].page_indices or [0])))
        for c in range(0, len(forms), chunk):  # one stack file per chunk: its pages are held in memory
            part = "" if len(forms) <= chunk else f"-{c // chunk + 1}"
            stack = simulate_stack(forms[c:c + chunk], profile, rng, tmp / f"stack-{profile}-{layout}{part}",
                                   container=container, name=layout + part,
                                   blank_backs=profile.startswith("office") or back_notes > 0, foreign_pages=1,
                                   shuffle=True, punched=punched, back_notes=back_notes,
                                   styles=stress_styles(pens, beside))
            files += stack.files
            truths.append(stack)
    pages = sum(len(s.truth["pages"]) for s in truths)
    t0 = time.perf_counter()
    for f in files:
        for p in scanner.iter_pages(f):
            assert p.image is not None or p.error is not None
    decode = time.perf_counter() - t0
    t0 = time.perf_counter()
    with WorkerMemory() as mem:
        scan(ws, files, jobs=jobs)
    wall = time.perf_counter() - t0
    fields = review = needed = accepted = lost = mism = ident = exp_forms = 0
    silent: list[dict] = []
    for s in truths:
        a = compare(ws, s.truth, s.truth_path.parent)
        fields += a.fields
        review += a.review
        needed += a.review_needed
        accepted += a.accepted
        silent += a.silent_errors
        lost += a.pages_lost
        mism += len(a.page_mismatches)
        ident += a.forms_identified
        exp_forms += a.forms_expected
    breakdown: Counter = Counter()
    recs = {r["form_id"]: r for r in records(ws)}
    for s in truths:
        for form_id, t in s.truth["forms"].items():
            rec = recs.get(form_id)
            if rec is None:
                continue
            for fid in rec["review"]:
                if fid in t.get("preprinted", []) or fid not in t["expected"]:
                    continue
                kinds = sorted({f"{m['kind']}/{m['pen']}" for m in t.get("marks", [])
                                if m.get("field_id") == fid and m.get("role") != "stray"})
                reason = (rec.get("review_reasons") or {}).get(fid, "review")
                breakdown[(reason, ",".join(kinds) or "(nothing drawn)")] += 1
    return {"profile": profile, "container": container, "pages": pages, "wall_s": wall, "decode_s": decode,
            "breakdown": breakdown, "worker_mb": mem.peak_mb,
            "fields": fields, "accepted": accepted, "review": review, "review_needed": needed,
            "silent": silent, "lost": lost,
            "reader_interval": list(share_interval(review - needed, fields)),
            "silent_rate_bound": rate_upper_bound(len(silent), fields),
            "page_mismatches": mism, "forms_identified": ident, "forms_expected": exp_forms}


def what_it_tells(r: dict) -> str:
    """One profile's figures as intervals: a 40-form run is 855 fields, too few to show a rate of 1 in 100,000."""
    n, reader = r["fields"], r["review"] - r["review_needed"]
    lo, hi = r["reader_interval"]
    return (f"{r['profile']:<11} reader share {100 * reader / max(n, 1):.2f} % in {100 * lo:.2f}-{100 * hi:.2f} %; "
            f"{len(r['silent'])} silent in {n} fields: a rate of at most {100_000 * r['silent_rate_bound']:,.0f} "
            "per 100,000")


def main() -> None:
    measured_code_is_this_checkout()
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=40, help="forms per profile (2/3 nb one-page, 1/3 sv two-page)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--profiles", default=",".join(p for p in PROFILES if p not in STRESS_PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--breakdown", action="store_true", help="per profile: reviewed fields by reason and mark drawn")
    ap.add_argument("--pens", default="", help="stress test: pen mix instead of the office one, e.g. "
                    "'faint_pencil=1,pencil=1' (names: " + ", ".join(PENS) + ")")
    ap.add_argument("--beside", type=float, default=0.0, help="stress test: share of answers marked beside "
                    "the box (label circled or underlined, tick next to the box), e.g. 0.05")
    ap.add_argument("--punched", type=float, default=0.0, help="stress test: share of sheets with filing holes "
                    "(dark discs: a feeder's black backing), e.g. 1")
    ap.add_argument("--back-notes", type=float, default=0.0, help="stress test: share of duplex backs with a "
                    "note written on them (every profile then gets blank backs), e.g. 0.3")
    ap.add_argument("--hands", choices=("ward", "other", "third"), default="ward", help="stress test: 'other' draws "
                    "the answers with a second renderer the reader was not tuned on (bench/other_hands.py), 'third' "
                    "with a third (bench/third_hands.py)")
    ap.add_argument("--subgoals", choices=("fixed", "varied"), default="fixed", help="'varied': each Swedish form "
                    "its own delmål, as in a real stack (the default keeps the same two, comparable across runs)")
    ap.add_argument("--printer", choices=("ward", *other_printers.PRINTERS), default="ward",
                    help="stress test: the forms printed at 600 dpi from another rasteriser, by a laser printer "
                    "with bold, normal or light toner, or by an inkjet (bench/other_printers.py)")
    ap.add_argument("--keep", type=Path, help="keep the stacks, their truth and the workspaces in this folder "
                    "(to look into a silent error or a review); by default they go with the run")
    args = ap.parse_args()
    rows = []
    hands = {"other": other_hands.other_hands, "third": third_hands.third_hands}.get(args.hands,
                                                                                  contextlib.nullcontext)()
    printer = other_printers.printed_by(args.printer) if args.printer != "ward" else contextlib.nullcontext()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    place = contextlib.nullcontext(str(args.keep)) if args.keep else tempfile.TemporaryDirectory()
    with place as tmp, hands, printer:
        for prof in args.profiles.split(","):
            rows.append(run_profile(prof, PROFILES[prof], args.forms, args.jobs, args.seed, Path(tmp),
                                    parse_pens(args.pens), args.beside, args.punched, args.back_notes,
                                    args.subgoals == "varied"))
            r = rows[-1]
            print(f"  … {prof}: {r['pages']} pages in {r['wall_s']:.1f} s", file=sys.stderr)
    own, kids = peak_mb(), max(r["worker_mb"] for r in rows)
    print(f"read benchmark — {args.forms} forms per profile, --jobs {args.jobs}, seed {args.seed}"
          + (f", pens {args.pens}" if args.pens else "") + (f", beside {args.beside}" if args.beside else "")
          + (f", punched {args.punched}" if args.punched else "")
          + (f", back notes {args.back_notes}" if args.back_notes else "")
          + (f", {args.hands} hands" if args.hands != "ward" else "")
          + (", varied subgoals" if args.subgoals == "varied" else "")
          + (f", printer {args.printer}" if args.printer != "ward" else ""))
    print(f"{'profile':<11}{'container':<11}{'pages':>6}{'pages/s':>9}{'ms/page':>9}{'decode ms/p':>12}"
          f"{'fields':>8}{'review %':>9}{'reader %':>9}{'silent':>7}{'lost':>5}{'state≠':>7}{'ids':>8}")
    for r in rows:
        print(f"{r['profile']:<11}{r['container']:<11}{r['pages']:>6}{r['pages'] / r['wall_s']:>9.1f}"
              f"{1000 * r['wall_s'] / r['pages']:>9.1f}{1000 * r['decode_s'] / r['pages']:>12.1f}{r['fields']:>8}"
              f"{100 * r['review'] / max(r['fields'], 1):>9.2f}"
              f"{100 * (r['review'] - r['review_needed']) / max(r['fields'], 1):>9.2f}"
              f"{len(r['silent']):>7}{r['lost']:>5}{r['page_mismatches']:>7}"
              f"{r['forms_identified']:>4}/{r['forms_expected']:<3}")
    print(f"peak memory: this process {own:.0f} MB (the simulated stacks, rendered here, and the scan's main "
          f"process), largest scan worker {kids:.0f} MB; `formkit scan` alone: bench/stream.py")
    tot_f = sum(r["fields"] for r in rows)
    tot_s = sum(len(r["silent"]) for r in rows)
    print(f"all profiles: {tot_f} fields, {tot_s} silent error(s)")
    print("what this run can tell (95 % intervals):")
    for r in rows:
        print("  " + what_it_tells(r))
    for r in rows:
        for e in r["silent"][:5]:
            print(f"  silent [{r['profile']}] {e}")
    if args.breakdown:
        for r in rows:
            print(f"review breakdown [{r['profile']}]: {sum(r['breakdown'].values())} field(s)")
            for (reason, kinds), n in r["breakdown"].most_common(40):
                print(f"  {n:>4}  {reason:<22} {kinds}")
    if args.json:
        for r in rows:
            r["breakdown"] = {f"{a} | {b}": n for (a, b), n in r["breakdown"].items()}
        args.json.write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
