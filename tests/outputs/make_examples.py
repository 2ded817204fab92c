"""Render the example report pages in docs/examples from the test fixtures (not a test).

Run: /work/venv/bin/python tests/outputs/make_examples.py
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import conftest as c  # noqa: E402

from outputs.cohort_report import cohort_report  # noqa: E402
from outputs.encounter_pdf import encounter_summary  # noqa: E402
from outputs.trainee_report import trainee_report  # noqa: E402

OUT = HERE.parents[1] / "docs" / "examples"
TODAY = dt.date(2026, 11, 22)


def png(pdf: Path, stem: str, pages: int) -> None:
    for p in range(1, pages + 1):
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(p), "-l", str(p), str(pdf),
                        str(OUT / f"{stem}-p{p}")], check=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        recs = c.records.__wrapped__(d)
        issued = c.issued.__wrapped__(recs)
        lays = [c.layout_description("minicex-ntnu-nb"), c.layout_description("minicex-st-sv")]
        png(trainee_report(recs, lays, "S001", d / "a.pdf", crops_dir=d, today=TODAY), "report-trainee-nb", 3)
        cat = yaml.safe_load((c.LAYOUT_DIR / "catalogues" / "hslf-fs-2021-8.yaml").read_text(encoding="utf-8"))
        titles = {str(k): str(v) for k, v in cat["codes"].items()}
        png(trainee_report(recs, lays, "T001", d / "b.pdf", crops_dir=d, today=TODAY, subgoal_titles=titles),
            "report-trainee-sv", 3)
        png(cohort_report(recs, lays, issued, d / "c.pdf", today=TODAY), "report-cohort-nb", 2)
        png(encounter_summary(recs[7], lays, d / "e.pdf", crops_dir=d, today=TODAY), "encounter-nb", 1)
        png(encounter_summary(recs[-2], lays, d / "f.pdf", crops_dir=d, today=TODAY, subgoal_titles=titles),
            "encounter-sv", 2)


if __name__ == "__main__":
    main()
