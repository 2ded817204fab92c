"""The scan's worker processes read pages with the same code as the command that started them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image


def test_workers_do_not_take_a_scanner_package_from_the_current_folder(fk, tmp_path: Path) -> None:
    """Run from a folder holding another `scanner` package (a second checkout, an unpacked older version),
    the fork server took it from the current folder while the command used its own: pages read with other
    code than the one storing them. The decoy says so if it is ever imported; the scan reads the (empty) form."""
    from formkit.simulate.render import rasterise_pdf

    fk("generate", "-l", "minicex-ntnu-nb", "--trainee", "S001", "--count", "1", "--out", str(tmp_path / "f.pdf"))
    Image.fromarray(rasterise_pdf(tmp_path / "f.pdf", 200, pages=[0])[0]).save(tmp_path / "page.png", dpi=(200, 200))
    here = tmp_path / "clerk"
    (here / "scanner").mkdir(parents=True)
    marker = tmp_path / "decoy-imported"
    (here / "scanner" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('decoy')\n")
    exe = Path(sys.executable).with_name("formkit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from formkit.cli import cli; cli()"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    run = subprocess.run([*cmd, "--workspace", str(fk.ws.root), "scan", "--jobs", "2", str(tmp_path / "page.png")],
                         cwd=here, env=env, capture_output=True, text=True, timeout=300)
    assert not marker.exists(), run.stderr[-2000:]
    pages = json.loads(fk("pages", "--json").output)
    assert len(pages) == 1 and pages[0]["form_id"], (pages, run.stdout[-2000:], run.stderr[-2000:])
    # read, not lost to a worker that could not import the reader: an empty form's required rows wait
    assert pages[0]["state"] == "needs_review" and pages[0]["reason"].startswith("fields to check"), pages
