"""`pip install .` (not editable) gives a working `formkit` with the built-in layouts and fonts."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to export a clean tree")
def test_pip_install_into_fresh_venv(tmp_path: Path) -> None:
    # a clean copy of the tracked tree (what a checkout holds), so no editable/egg-info leaks in
    src = tmp_path / "src"
    src.mkdir()
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file() and not f.startswith(("tests/", "docs/")):
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # Dependencies come from the test environment (PYTHONPATH) to keep this test offline and fast;
    # the package itself is built (in pip's isolated build environment) and installed for real.
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(src)],
                   check=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(site.getsitepackages())}
    where = subprocess.run([str(py), "-c", "import formkit, layouts; print(formkit.__file__)"], cwd=tmp_path,
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(env_dir)), where
    exe = env_dir / "bin" / "formkit"
    out = subprocess.run([str(exe), "layouts", "list"], cwd=tmp_path, env=env, check=True, capture_output=True,
                         text=True).stdout
    assert "minicex-ntnu-nb" in out and "minicex-st-sv" in out
    ws = tmp_path / "ws"
    subprocess.run([str(exe), "init", str(ws)], cwd=tmp_path, env=env, check=True, capture_output=True)
    (tmp_path / "r.csv").write_text("id,name\nA1,Ánde Ŋuolja\n", encoding="utf-8")
    run = {"cwd": tmp_path, "env": {**env, "FORMKIT_WORKSPACE": str(ws)}, "check": True, "capture_output": True}
    subprocess.run([str(exe), "trainees", "import", "r.csv"], **run)  # type: ignore[call-overload]
    subprocess.run([str(exe), "generate", "-l", "minicex-ntnu-nb", "--trainee", "A1", "-o", "a.pdf"],
                   **run)  # type: ignore[call-overload]
    assert (tmp_path / "a.pdf").stat().st_size > 10_000
    assert sys.version_info >= (3, 11)
