"""Every command explains itself with an example; no command crashes on --help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from formkit.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, path)
            if cmd.invoke_without_command:
                out.append(path)
        else:
            out.append(path)
    return out


COMMANDS = all_commands(cli)


def test_the_commands_the_issues_name_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for required in ("init", "trainees import", "generate", "reprint", "forms list", "layouts list", "layouts show",
                     "scan", "pages", "pages assign", "review list", "review set", "export", "report trainee",
                     "report cohort", "serve", "watch", "demo"):
        assert required in names, required


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    res = CliRunner().invoke(cli, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.output, f"formkit {' '.join(path)} --help has no example"


def test_init_creates_the_workspace_the_user_named(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`formkit --workspace DIR init` (or $FORMKIT_WORKSPACE) creates DIR, not a workspace in the current
    folder; an explicit DIRECTORY argument still wins, and plain `formkit init` still means here."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORMKIT_WORKSPACE", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["--workspace", "named", "init"]).exit_code == 0
    assert (tmp_path / "named" / "secret.key").exists() and not (tmp_path / "secret.key").exists()
    assert runner.invoke(cli, ["init"], env={"FORMKIT_WORKSPACE": str(tmp_path / "from-env")}).exit_code == 0
    assert (tmp_path / "from-env" / "secret.key").exists()
    assert runner.invoke(cli, ["--workspace", "named2", "init", "given"]).exit_code == 0
    assert (tmp_path / "given" / "secret.key").exists() and not (tmp_path / "named2").exists()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert (tmp_path / "secret.key").exists()


def test_the_command_line_starts_without_the_reader_and_the_pdf_libraries() -> None:
    """`formkit --help`, `review list` or `pages` need the store, not NumPy, OpenCV, reportlab or openpyxl: imported
    at the top of the command modules, they cost every command ~1 s before it did anything."""
    import subprocess
    import sys

    heavy = ("numpy", "cv2", "reportlab", "openpyxl", "scanner", "pypdfium2", "flask")
    probe = f"import sys, formkit.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
