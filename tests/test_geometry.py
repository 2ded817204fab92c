"""Paper rules for every built-in layout, checked independently of the engine's own checks."""

from __future__ import annotations

import itertools

import pytest

from formkit.geometry import build_geometry
from formkit.layouts import layout_paths, load_layout

BUILTIN = sorted(layout_paths())


def rects(contract: dict) -> list[tuple[int, str, list[float], str]]:
    out = []
    for f in contract["fields"]:
        if f["kind"] == "text":
            out.append((f["page"], f["id"], f["rect_mm"], "text"))
        else:
            for o in f["options"]:
                out.append((f["page"], f"{f['id']}={o['value']}", o["rect_mm"], "box"))
    return out


def gap(a: list[float], b: list[float]) -> float:
    """Shortest distance between two rectangles (negative overlap counts as < 0)."""
    dx = max(b[0] - (a[0] + a[2]), a[0] - (b[0] + b[2]))
    dy = max(b[1] - (a[1] + a[3]), a[1] - (b[1] + b[3]))
    return max(dx, dy)


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_layout_geometry_keeps_paper_rules(name: str) -> None:
    c = build_geometry(load_layout(name)).contract()
    assert set(c) >= {"layout", "version", "page_size_mm", "pages", "fields"}
    assert c["page_size_mm"] == [210, 297]
    items = rects(c)
    assert items, "a layout without boxes"
    for _page, name_, (x, y, w, h), kind in items:
        assert x >= 8 and y >= 8 and x + w <= 202 and y + h <= 289, f"{name_} within 8 mm of the edge"
        if kind == "box":
            assert w >= 5 and h >= 5, f"{name_} smaller than 5 mm"
    for (p1, n1, r1, k1), (p2, n2, r2, k2) in itertools.combinations(items, 2):
        if p1 != p2:
            continue
        if k1 == k2 == "box":
            assert gap(r1, r2) >= 3 - 1e-6, f"{n1} and {n2} closer than 3 mm"
        else:
            assert gap(r1, r2) >= -1e-6, f"{n1} and {n2} overlap"
    furniture = [m["rect_mm"] for m in c["markers"]] + [c["qr"]["rect_mm"]]
    assert c["qr"]["rect_mm"][2] >= 20
    assert sorted(m["id"] for m in c["markers"]) == [0, 1, 2, 3]
    for _p, n, r, _k in items:
        for fr in furniture:
            assert gap(r, fr) >= 2.5, f"{n} too close to a marker or the QR code"


def test_norwegian_form_fits_one_page_and_swedish_two() -> None:
    assert build_geometry(load_layout("minicex-ntnu-nb")).page_count == 1
    assert build_geometry(load_layout("minicex-st-sv")).page_count <= 2


def test_contract_field_shapes() -> None:
    c = build_geometry(load_layout("minicex-st-sv")).contract()
    kinds = {f["kind"] for f in c["fields"]}
    assert kinds == {"single", "multi", "text"}
    for f in c["fields"]:
        assert {"id", "kind", "page", "label"} <= set(f)
        if f["kind"] == "text":
            assert len(f["rect_mm"]) == 4 and "options" not in f
        else:
            assert isinstance(f["required"], bool)
            assert all(set(o) >= {"value", "label", "rect_mm"} for o in f["options"])
    levels = next(f for f in c["fields"] if f["id"] == "overall")
    assert [o["value"] for o in levels["options"]] == [
        "proactive", "reactive", "independent", "supervises", "not_assessed"]
    assert c["scales"]["supervision_level"]["average"] == "never"
    assert c["scales"]["supervision_level"]["missing"] == ["not_assessed"]


def test_geometry_hash_is_stable_and_sensitive() -> None:
    a = build_geometry(load_layout("minicex-ntnu-nb")).contract()
    b = build_geometry(load_layout("minicex-ntnu-nb")).contract()
    assert a["geometry_hash"] == b["geometry_hash"]
    assert a["geometry_hash"] != build_geometry(load_layout("minicex-st-sv")).contract()["geometry_hash"]
