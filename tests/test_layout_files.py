"""A clinic's own layout file: bad ones get an error naming the file, the field and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from formkit.cli import cli
from formkit.errors import LayoutError
from formkit.geometry import build_geometry
from formkit.layouts import builtin_layout_dir, load_layout_file


def write_variant(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((builtin_layout_dir() / "minicex-ntnu-nb.yaml").read_text(encoding="utf-8"))
    mutate(data)
    p = tmp_path / "clinic.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def context(data: dict) -> dict:
    return next(s for s in data["sections"] if s["id"] == "context")


def test_unknown_kind_names_file_and_field(tmp_path: Path) -> None:
    p = write_variant(tmp_path, lambda d: context(d)["fields"][0].update(kind="slider"))
    with pytest.raises(LayoutError) as e:
        load_layout_file(p)
    assert e.value.field == "setting" and "clinic.yaml" in str(e.value) and "slider" in str(e.value)


def test_duplicate_field_id(tmp_path: Path) -> None:
    p = write_variant(tmp_path, lambda d: context(d)["fields"][1].update(id="setting"))
    with pytest.raises(LayoutError, match="duplicate field id") as e:
        load_layout_file(p)
    assert e.value.field == "setting"


def test_content_that_does_not_fit(tmp_path: Path) -> None:
    def grow(d: dict) -> None:
        for f in next(s for s in d["sections"] if s["id"] == "feedback")["fields"]:
            f["lines"] = 20
            f["width"] = 3
    p = write_variant(tmp_path, grow)
    with pytest.raises(LayoutError, match="does not fit on 1 page"):
        build_geometry(load_layout_file(p))


def test_cli_check_reports_problem_with_exit_code(tmp_path: Path) -> None:
    p = write_variant(tmp_path, lambda d: context(d)["fields"][0].update(options=[]))
    res = CliRunner().invoke(cli, ["layouts", "check", str(p)])
    assert res.exit_code == 4
    assert "field 'setting'" in res.output and "options" in res.output
    good = write_variant(tmp_path, lambda d: None)
    res = CliRunner().invoke(cli, ["layouts", "check", str(good)])
    assert res.exit_code == 0 and "OK: minicex-ntnu-nb v1, 1 page(s)" in res.output


def test_workspace_layout_overrides_and_is_listed(fk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def local(d: dict) -> None:
        d["layout"] = "minicex-local"
        d["title"] = "Mini-CEX lokal"
    src = write_variant(tmp_path, local)
    (fk.ws.layouts_dir / "minicex-local.yaml").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    res = fk("layouts", "list")
    assert "minicex-local" in res.output and "minicex-st-sv" in res.output
    fk("generate", "--layout", "minicex-local", "--trainee", "S001", "--out", str(tmp_path / "l.pdf"))
