"""Shared fixtures: a fresh workspace with a roster, and a CLI runner bound to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import cli
from formkit.workspace import Workspace, init_workspace

ROSTER = (
    "id,name,programme,regulation,email\n"
    "S001,Áile Ŋuvttis Čđŧ,Medisin 5. år,,aile@example.org\n"
    "S002,Kari Nordmann,Medisin 5. år,,\n"
    "ST01,Åsa Öberg,Allmänmedicin,HSLF-FS 2021:8,\n"
    "ST02,Märta Lindström,Internmedicin,SOSFS 2015:8,\n"
)


class Cli:
    """Run formkit commands in one workspace and keep the result for assertions."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int | None = 0, input: str | None = None):  # type: ignore[no-untyped-def]
        res = self.runner.invoke(cli, ["--workspace", str(self.ws.root), *args], input=input,
                                 catch_exceptions=False)
        if expect is not None:
            assert res.exit_code == expect, f"exit {res.exit_code} != {expect}\n{res.output}"
        return res


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = init_workspace(tmp_path / "ws")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    Cli(w)("trainees", "import", str(roster))
    return w


@pytest.fixture
def fk(ws: Workspace) -> Cli:
    return Cli(ws)
