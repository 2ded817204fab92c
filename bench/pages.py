"""Per-page cost of the worker, and a behaviour snapshot to prove a speed-up changed nothing.

Builds (once, cached in --dir) a workspace and a simulated stack per profile, then runs
`worker.process_page` over every page in this process: prints ms/page by page kind and the top of
a cProfile, and writes every outcome (state, reason, field decisions, location) as JSON. Run it
before and after a change with --snapshot and compare the two files with --compare.

    python bench/pages.py --profile office300 --forms 20 --snapshot /tmp/before.json [--cprofile 25]
    python bench/pages.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from checkout import measured_code_is_this_checkout

import scanner
from formkit.demo import per_form_geometry
from formkit.ingest import worker
from formkit.issuing import FormRequest, issue_forms
from formkit.simulate import forms_from_pdf, simulate_stack
from formkit.workspace import Workspace, init_workspace


def build(root: Path, profile: str, n_forms: int, seed: int) -> list[Path]:
    """Workspace + stack files for one profile, like bench/read.py (reused when already built)."""
    ws_dir = root / f"ws-{profile}-{n_forms}-{seed}"
    listing = ws_dir.parent / f"{ws_dir.name}.files"
    if listing.exists():
        return [Path(p) for p in listing.read_text().split("\n") if p]
    ws = init_workspace(ws_dir)
    with ws.store.transaction():
        for i in range(n_forms):
            reg = "HSLF-FS 2021:8" if i % 3 == 2 else None
            ws.store.upsert_trainee(f"T{i:03d}", f"Name {i}", "Bench", reg, {})
    nb = [FormRequest(f"T{i:03d}", "Poliklinikk", "Dr. A", "2026-11-01") for i in range(n_forms) if i % 3 != 2]
    sv = [FormRequest(f"T{i:03d}", "Akutmottagning", "Dr. B", "2026-11-02", subgoals=["STb1", "STa4"])
          for i in range(n_forms) if i % 3 == 2]
    rng = np.random.default_rng(seed)
    files: list[Path] = []
    for layout, reqs in (("minicex-ntnu-nb", nb), ("minicex-st-sv", sv)):
        pdf = root / f"{ws_dir.name}-{layout}.pdf"
        res = issue_forms(ws, layout, reqs, pdf)
        stack = simulate_stack(forms_from_pdf(pdf, per_form_geometry(ws, res.form_ids)), profile, rng,
                               root / f"stack-{ws_dir.name}-{layout}", container="jpeg_pdf", name=layout,
                               blank_backs=profile.startswith("office"), foreign_pages=1, shuffle=True)
        files += stack.files
    listing.write_text("\n".join(str(f) for f in files))
    return files


def kind_of(o: worker.PageOutcome) -> str:
    if o.state == "blank":
        return "blank"
    if o.form_id is None:
        return "foreign"
    return "form"


def snapshot(o: worker.PageOutcome) -> dict:
    """Everything a speed-up must not change (the stored images are compared by size only)."""
    return {"state": o.state, "reason": o.reason, "form_id": o.form_id, "page_no": o.page_no,
            "orientation": o.orientation, "decoder": o.decoder, "fingerprint": o.fingerprint,
            "qr": o.qr_text, "location": o.location, "fields": o.fields, "crops": sorted(o.crops),
            "has_image": o.image_jpeg is not None, "rectified": o.image_rectified}


def run(files: list[Path], ws_dir: Path, prof: cProfile.Profile | None) -> tuple[list[dict], dict]:
    ws = Workspace(ws_dir.resolve())
    worker.init_worker(str(ws.db_path), ws.workspace_id, ws.secret)
    ident = worker._identity
    assert ident is not None
    out: list[dict] = []
    times: dict[str, list[float]] = defaultdict(list)
    for f in files:
        for page in scanner.iter_pages(f):
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            o = worker.process_page(ident, "x", page)
            if prof:
                prof.disable()
            times[kind_of(o)].append(time.perf_counter() - t0)
            out.append({"file": f.name, "page": page.index, **snapshot(o)})
    return out, times


def compare(a_path: Path, b_path: Path) -> int:
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    if len(a) != len(b):
        print(f"page count differs: {len(a)} vs {len(b)}")
        return 1
    bad = 0
    for x, y in zip(a, b, strict=True):
        for k in x:
            if x[k] != y.get(k):
                bad += 1
                print(f"{x['file']} p{x['page']} {k}: {json.dumps(x[k])[:300]}\n    -> {json.dumps(y.get(k))[:300]}")
    print(f"{len(a)} pages, {bad} difference(s)")
    return 1 if bad else 0


def main() -> None:
    measured_code_is_this_checkout()
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="office300")
    ap.add_argument("--forms", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/formkit-bench-pages"))
    ap.add_argument("--snapshot", type=Path)
    ap.add_argument("--cprofile", type=int, default=0, help="print this many cProfile rows (by own time)")
    ap.add_argument("--compare", nargs=2, type=Path)
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    args.dir.mkdir(parents=True, exist_ok=True)
    files = build(args.dir, args.profile, args.forms, args.seed)
    prof = cProfile.Profile() if args.cprofile else None
    out, times = run(files, args.dir / f"ws-{args.profile}-{args.forms}-{args.seed}", prof)
    for k, v in sorted(times.items()):
        print(f"{k:<8} {len(v):>4} pages  {1000 * float(np.mean(v)):7.1f} ms/page  "
              f"(median {1000 * float(np.median(v)):.1f})")
    total = sum(sum(v) for v in times.values())
    print(f"all      {len(out):>4} pages  {1000 * total / max(len(out), 1):7.1f} ms/page")
    if args.snapshot:
        args.snapshot.write_text(json.dumps(out, indent=0, default=str))
    if prof:
        st = pstats.Stats(prof)
        st.sort_stats("tottime").print_stats(args.cprofile)
        st.sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
