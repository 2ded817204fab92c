"""Bad input: a clear message, a documented exit code, and nothing written."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import cli


def forms_count(fk) -> int:  # type: ignore[no-untyped-def]
    return fk.ws.store.db.execute("SELECT COUNT(*) FROM forms").fetchone()[0]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return str(p)


@pytest.mark.parametrize("content, message", [
    ("trainee_id,setting\nS001,x\nNOPE,y\n", "unknown trainee 'NOPE'"),
    ("setting,assessor\nx,y\n", "missing column(s): trainee_id"),
    ("trainee_id,date\nS001,01.12.2026\n", "not an ISO date"),
    ("trainee_id,subgoals\nST01,STb1\n", "no delmål field"),
])
def test_bad_plans_write_nothing(fk, tmp_path: Path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.pdf"
    res = fk("generate", "--layout", "minicex-ntnu-nb", "--plan", write(tmp_path, "p.csv", content),
             "--out", str(out), expect=3)
    assert message in res.output
    assert not out.exists() and forms_count(fk) == 0
    assert "Traceback" not in res.output


def test_unknown_delmal_code_and_too_many(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.pdf"
    res = fk("generate", "--layout", "minicex-st-sv", "--plan",
             write(tmp_path, "p.csv", "trainee_id,subgoals\nST01,STb1;XX9\n"), "--out", str(out), expect=3)
    assert "unknown delmål code 'XX9'" in res.output
    res = fk("generate", "--layout", "minicex-st-sv", "--trainee", "ST02", "--subgoals", "a1;a2;a3;a4;a5;b1;b2",
             "--out", str(out), expect=3)
    assert "room for 6" in res.output
    res = fk("generate", "--layout", "minicex-st-sv", "--trainee", "ST02", "--subgoals", "STb1",
             "--out", str(out), expect=3)
    assert "SOSFS 2015:8" in res.output
    assert not out.exists() and forms_count(fk) == 0


def test_unknown_layout(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = fk("generate", "--layout", "minicex-xx", "--trainee", "S001", "--out", str(tmp_path / "o.pdf"), expect=4)
    assert "no such layout" in res.output and "minicex-ntnu-nb" in res.output


@pytest.mark.parametrize("roster, message", [
    ("id,programme\nS9,x\n", "missing column(s): name"),
    ("id,name\nS9,A\nS9,B\n", "duplicate id 'S9'"),
    ("id,name,regulation\nS9,A,SOSFS 2099:1\n", "unknown regulation"),
])
def test_bad_rosters(fk, tmp_path: Path, roster: str, message: str) -> None:  # type: ignore[no-untyped-def]
    before = len(fk.ws.store.trainees())
    res = fk("trainees", "import", write(tmp_path, "r.csv", roster), expect=3)
    assert message in res.output
    assert len(fk.ws.store.trainees()) == before


def test_non_utf8_csv_is_named_as_such(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = fk("trainees", "import", write(tmp_path, "r.csv", "id,name\nS9,Bjørn Ærø\n", "latin-1"), expect=3)
    assert "not UTF-8" in res.output and "CSV UTF-8" in res.output


def test_semicolon_csv_from_nordic_excel_works(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fk("trainees", "import", write(tmp_path, "r.csv", "\ufeffid;name;programme\nS9;Bjørn Ærø;LIS1\n"))
    assert fk.ws.store.trainee("S9")["name"] == "Bjørn Ærø"


def test_name_that_cannot_fit_is_refused(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fk("trainees", "import", write(tmp_path, "r.csv", "id,name\nX1," + "Navnesen " * 40 + "\n"))
    out = tmp_path / "o.pdf"
    res = fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "X1", "--out", str(out), expect=3)
    assert "too long" in res.output
    assert not out.exists() and forms_count(fk) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".formkit-")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; covered by the missing-folder case")
def test_output_not_writable_permission(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(ro / "o.pdf"), expect=6)


def test_output_not_writable(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out",
             str(tmp_path / "missing" / "o.pdf"), expect=6)
    assert "does not exist" in res.output and forms_count(fk) == 0
    res = fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path), expect=6)
    assert "is a folder" in res.output


def test_workspace_from_a_newer_version(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(fk.ws.db_path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    res = CliRunner().invoke(cli, ["--workspace", str(fk.ws.root), "generate", "--layout", "minicex-ntnu-nb",
                                   "--trainee", "S001", "--out", str(tmp_path / "o.pdf")])
    assert res.exit_code == 5 and "newer formkit" in res.output
    assert not (tmp_path / "o.pdf").exists()


def test_no_workspace_is_said_clearly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORMKIT_WORKSPACE", raising=False)
    res = CliRunner().invoke(cli, ["forms", "list"])
    assert res.exit_code == 5
    assert "no formkit workspace" in res.output and "formkit init" in res.output


def test_changed_layout_without_new_version_is_refused(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from formkit.layouts import builtin_layout_dir

    fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "a.pdf"))
    text = (builtin_layout_dir() / "minicex-ntnu-nb.yaml").read_text(encoding="utf-8")
    (fk.ws.layouts_dir / "minicex-ntnu-nb.yaml").write_text(
        text.replace("label: Pasient\n", "label: Pasienten er\n"), encoding="utf-8")
    res = fk("generate", "--layout", "minicex-ntnu-nb", "--trainee", "S001", "--out", str(tmp_path / "b.pdf"), expect=4)
    assert "Raise 'version'" in res.output
