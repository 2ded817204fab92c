"""The whole loop on the bundled example: generate → simulated fill and scan → scan → review → export → report.

It is the README's first command, and the quickest way to see what formkit does. Everything lands
in one folder (a real workspace you can keep using with `--workspace`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from formkit import reporting
from formkit.accuracy import Accuracy, compare
from formkit.csvinput import read_plan, read_roster
from formkit.errors import WorkspaceError
from formkit.ingest import scan
from formkit.issuing import FormRequest, IssueResult, issue_forms
from formkit.records import records
from formkit.review import form_geom, pending
from formkit.simulate import forms_from_pdf, simulate_stack
from formkit.workspace import DB_NAME, Workspace, init_workspace

MARKER = ".formkit-demo"
EXAMPLES = Path(str(resources.files("formkit") / "examples"))


@dataclass
class DemoResult:
    workspace: Path
    accuracy: dict[str, Accuracy] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)


def fresh_workspace(root: Path) -> Workspace:
    """Re-create a demo folder; refuse to touch a folder that holds anything else."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise WorkspaceError(f"{root} exists and is not a formkit demo folder; choose another --dir")
        shutil.rmtree(root)
    ws = init_workspace(root)
    (root / MARKER).write_text("created by formkit demo; safe to delete\n", encoding="utf-8")
    return ws


def issue_from_plan(ws: Workspace, layout: str, plan: Path, out: Path) -> IssueResult:
    reqs = [FormRequest(p.trainee_id, p.setting, p.assessor, p.date, p.department, p.subgoals, p.line)
            for p in read_plan(plan)]
    return issue_forms(ws, layout, reqs, out, source=str(plan))


def per_form_geometry(ws: Workspace, form_ids: list[str]) -> list[dict[str, Any]]:
    return [{**form_geom(ws, fid)[1], "form_id": fid} for fid in form_ids]


def run_demo(root: Path, seed: int = 2026, jobs: int = 2, echo: Callable[[str], None] = print) -> DemoResult:
    ws = fresh_workspace(root)
    res = DemoResult(ws.root)
    with ws.store.transaction():
        for r in read_roster(EXAMPLES / "roster.csv"):
            ws.store.upsert_trainee(r.id, r.name, r.programme, r.regulation, r.extra)
    echo(f"1. Workspace {ws.root}: {len(ws.store.trainees())} trainees from the bundled roster")

    printed = ws.root / "printed"
    printed.mkdir()
    nb = issue_from_plan(ws, "minicex-ntnu-nb", EXAMPLES / "plan-nb.csv", printed / "forms-nb.pdf")
    sv = issue_from_plan(ws, "minicex-st-sv", EXAMPLES / "plan-sv.csv", printed / "forms-sv.pdf")
    echo(f"2. Generated {len(nb.form_ids)} Norwegian and {len(sv.form_ids)} Swedish forms "
         f"({nb.pages + sv.pages} pages) in {printed}")

    rng = np.random.default_rng(seed)
    inbox = ws.root / "scanner-inbox"
    stacks = [
        ("office300", simulate_stack(forms_from_pdf(printed / "forms-nb.pdf", per_form_geometry(ws, nb.form_ids)),
                                     "office300", rng, inbox / "nb", container="jpeg_pdf", name="stack-nb",
                                     blank_backs=True, foreign_pages=1, duplicates=1, shuffle=True)),
        ("office200", simulate_stack(forms_from_pdf(printed / "forms-sv.pdf", per_form_geometry(ws, sv.form_ids)),
                                     "office200", rng, inbox / "sv", container="tiff", name="stack-sv")),
    ]
    n_pages = sum(len(s.truth["pages"]) for _, s in stacks)
    echo(f"3. Simulated assessors' pens and an office scanner: {n_pages} scanned pages (shuffled, blank backs, "
         "a stranger's page, one sheet scanned twice)")

    summary = scan(ws, [f for _, s in stacks for f in s.files], jobs=jobs)
    echo("4. Scanned: pages " + ", ".join(f"{k} {v}" for k, v in sorted(summary.pages.items()))
         + "; forms " + ", ".join(f"{k} {v}" for k, v in sorted(summary.forms.items())))
    for name, s in stacks:
        acc = compare(ws, s.truth, s.truth_path.parent)
        res.accuracy[name] = acc
        for line in acc.lines():
            echo(f"   [{name}] {line}")
    p = pending(ws)
    echo(f"5. Review queue: {len(p['fields'])} field(s), {len(p['pages'])} page(s)"
         + (f", {len(p['refused'])} refused page(s) to scan again" if p["refused"] else "") + " "
         f"→ formkit --workspace {ws.root} review list  (or formkit serve)")

    exp = ws.root / "exports"
    res.outputs += reporting.export(ws, "json", exp / "records.json")
    res.outputs += reporting.export(ws, "csv", exp / "records.csv")
    res.outputs += reporting.export(ws, "xlsx", exp / "records.xlsx")
    res.outputs += reporting.export(ws, "fhir", exp / "records.fhir.json")
    rep = ws.root / "reports"
    rep.mkdir(exist_ok=True)
    for tid in ("S001", "ST01"):
        res.outputs.append(reporting.trainee_report(ws, tid, rep / f"trainee-{tid}.pdf"))
    res.outputs.append(reporting.cohort_report(ws, rep / "cohort.pdf", target=8))
    recs = records(ws)
    if recs:
        fid = recs[0]["form_id"]
        res.outputs.append(reporting.encounter_report(ws, fid, rep / f"encounter-{fid}.pdf"))
    echo(f"6. Exports in {exp}, reports in {rep}:")
    for o in res.outputs:
        echo(f"   {Path(o).relative_to(ws.root)}")
    return res


__all__ = ["DB_NAME", "DemoResult", "run_demo"]
